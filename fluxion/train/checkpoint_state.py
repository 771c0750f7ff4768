"""The ``checkpoint`` file of a checkpoint directory: which checkpoints it holds.

It is TensorFlow's ``CheckpointState`` in protocol-buffer text format, paths relative to
the directory when they lie inside it::

    model_checkpoint_path: "ckpt-3"
    all_model_checkpoint_paths: "ckpt-2"
    all_model_checkpoint_paths: "ckpt-3"
    all_model_checkpoint_timestamps: 1717171717.5
    all_model_checkpoint_timestamps: 1717171720.25
    last_preserved_timestamp: 1717171700.0

It is rewritten atomically after each save, so it always names complete checkpoints.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field

from fluxion.core import atomic_file
from fluxion.core.errors import DataLossError
from fluxion.train import checkpoint_file

STATE_FILE = "checkpoint"
_LINE = re.compile(r'^\s*(\w+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+0-9.eEinfINFaA]+))\s*$')


@dataclass
class CheckpointState:
    """The contents of a directory's ``checkpoint`` file (absolute paths)."""

    model_checkpoint_path: str = ""
    all_model_checkpoint_paths: list = field(default_factory=list)
    all_model_checkpoint_timestamps: list = field(default_factory=list)
    last_preserved_timestamp: float = 0.0


def get_checkpoint_state(checkpoint_dir, latest_filename: str | None = None):
    """The ``CheckpointState`` of ``checkpoint_dir``, or None if it has no state file.

    Raises:
      fluxion.errors.DataLossError: the state file cannot be parsed.
    """
    checkpoint_dir = os.fspath(checkpoint_dir)
    path = os.path.join(checkpoint_dir, latest_filename or STATE_FILE)
    try:
        with open(path, encoding="utf-8") as fileobj:
            text = fileobj.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    state = CheckpointState()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise DataLossError(f"Cannot parse line {number} of the checkpoint state file "
                                f"{path!r}: {line!r}")
        key, text_value, number_value = match.groups()
        value = _unescape(text_value) if text_value is not None else float(number_value)
        if key == "model_checkpoint_path":
            state.model_checkpoint_path = _absolute(checkpoint_dir, value)
        elif key == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_absolute(checkpoint_dir, value))
        elif key == "all_model_checkpoint_timestamps":
            state.all_model_checkpoint_timestamps.append(float(value))
        elif key == "last_preserved_timestamp":
            state.last_preserved_timestamp = float(value)
    if not state.model_checkpoint_path:
        return None
    return state


def update_checkpoint_state(save_dir, model_checkpoint_path: str,
                            all_model_checkpoint_paths=None, latest_filename: str | None = None,
                            all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp: float | None = None) -> None:
    """Rewrites ``save_dir``'s state file (atomically) to name these checkpoints."""
    save_dir = os.fspath(save_dir)
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths = [p for p in paths if p != model_checkpoint_path] + [model_checkpoint_path]
    lines = [f'model_checkpoint_path: "{_escape(_relative(save_dir, model_checkpoint_path))}"']
    lines += [f'all_model_checkpoint_paths: "{_escape(_relative(save_dir, p))}"' for p in paths]
    lines += [f"all_model_checkpoint_timestamps: {float(t)!r}"
              for t in all_model_checkpoint_timestamps or []]
    if last_preserved_timestamp is not None:
        lines.append(f"last_preserved_timestamp: {float(last_preserved_timestamp)!r}")
    os.makedirs(save_dir or ".", exist_ok=True)
    atomic_file.write_text(os.path.join(save_dir, latest_filename or STATE_FILE),
                           "\n".join(lines) + "\n")


def latest_checkpoint(checkpoint_dir, latest_filename: str | None = None) -> str | None:
    """The prefix of the newest checkpoint in ``checkpoint_dir``, or None if there is none.

    >>> ckpt.save("/tmp/run/ckpt"); latest_checkpoint("/tmp/run")
    '/tmp/run/ckpt-1'
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not checkpoint_file.exists(state.model_checkpoint_path):
        return None
    return state.model_checkpoint_path


def _absolute(directory: str, path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(directory, path)


def _relative(directory: str, path: str) -> str:
    path = os.fspath(path)
    if os.path.dirname(os.path.abspath(path)) == os.path.abspath(directory or "."):
        return os.path.basename(path)
    return path


def _escape(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 32:
            out.append(f"\\{ord(char):03o}")
        else:
            out.append(char)
    return "".join(out)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    raw = text.encode("utf-8")
    return codecs.escape_decode(raw)[0].decode("utf-8")
