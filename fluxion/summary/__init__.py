"""``fluxion.summary``: TensorBoard logs, with TensorFlow 2's ``tf.summary`` API.

Event files are written with the ``tensorboard`` package's own pieces (install the
extra: ``pip install 'fluxion-ml[tensorboard]'``), imported only when a writer or an
op is first used.  ``tensorboard --logdir DIR`` shows Fluxion's runs as TensorFlow's.
"""

from fluxion.summary import experimental, hparams_summary
from fluxion.summary.graph_summary import graph, trace_export, trace_off, trace_on
from fluxion.summary.hparams_summary import hparams, hparams_config, hparams_end
from fluxion.summary.summary_ops import (
    audio,
    histogram,
    image,
    record_if,
    scalar,
    should_record_summaries,
    text,
    write,
)
from fluxion.summary.writer import (
    SummaryWriter,
    create_file_writer,
    create_noop_writer,
    flush,
)

__all__ = ["SummaryWriter", "audio", "create_file_writer", "create_noop_writer",
           "experimental", "flush", "graph", "histogram", "hparams", "hparams_config", "hparams_end", "hparams_summary", "image",
           "record_if", "scalar", "should_record_summaries", "text", "trace_export",
           "trace_off", "trace_on", "write"]
