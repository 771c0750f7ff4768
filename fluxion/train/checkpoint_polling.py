"""Watching a folder for new checkpoints: ``tf.train.checkpoints_iterator`` and
``wait_for_new_checkpoint`` (an evaluation job follows a training job this way).

Both poll ``latest_checkpoint`` (the ``checkpoint`` state file a ``CheckpointManager``
or ``Saver`` keeps up to date).
"""

from __future__ import annotations

import time

from fluxion.train.checkpoint_state import latest_checkpoint


def wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None,
                            seconds_to_sleep: float = 1, timeout=None) -> str | None:
    """Waits until the latest checkpoint in ``checkpoint_dir`` is not ``last_checkpoint``.

    Returns its path, or None if ``timeout`` seconds pass first.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        path = latest_checkpoint(checkpoint_dir)
        if path is not None and path != last_checkpoint:
            return path
        if deadline is not None and time.monotonic() + seconds_to_sleep > deadline:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(checkpoint_dir, min_interval_secs: float = 0, timeout=None,
                         timeout_fn=None):
    """Yields each new checkpoint path in ``checkpoint_dir`` as it appears.

    Args:
      checkpoint_dir: the folder a training job saves to.
      min_interval_secs: the least time between two yields.
      timeout: seconds to wait for a new checkpoint before giving up (None: forever).
      timeout_fn: called on a timeout; the iteration ends if it returns True (or if
        there is no ``timeout_fn``), else waiting goes on.

    >>> for path in checkpoints_iterator("/tmp/run", timeout=60):
    ...     checkpoint.restore(path); evaluate()
    """
    last = None
    while True:
        path = wait_for_new_checkpoint(checkpoint_dir, last, timeout=timeout,
                                       seconds_to_sleep=min(1.0, timeout or 1.0))
        if path is None:
            if timeout_fn is None or timeout_fn():
                return
            continue
        started = time.monotonic()
        last = path
        yield path
        remaining = min_interval_secs - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
