"""Where Keras's user-facing messages go: stdout (interactive) or the ``logging`` module.

``keras.utils.disable_interactive_logging()`` sends progress bars and callback messages
to ``logging.getLogger("fluxion.keras")`` instead of stdout, as Keras 3 does with absl.
"""

from __future__ import annotations

import logging
import sys
import threading

_state = threading.local()
_logger = logging.getLogger("fluxion.keras")


def enable_interactive_logging() -> None:
    """Sends Keras messages (progress bars, callback notes) to stdout (the default)."""
    _state.interactive = True


def disable_interactive_logging() -> None:
    """Sends Keras messages to the ``logging`` module instead of stdout."""
    _state.interactive = False


def is_interactive_logging_enabled() -> bool:
    """Whether Keras messages go to stdout (True) or to ``logging`` (False)."""
    return getattr(_state, "interactive", True)


def print_msg(message: str, line_break: bool = True) -> None:
    """Writes ``message`` to stdout (flushed), or logs it when interactive logging is off."""
    message = str(message)
    if not is_interactive_logging_enabled():
        _logger.info(message)
        return
    if line_break:
        message += "\n"
    stream = sys.stdout
    try:
        stream.write(message)
    except UnicodeEncodeError:
        # A stream whose encoding lacks the bar glyph (an ASCII log file): degrade it.
        encoding = getattr(stream, "encoding", None) or "utf-8"
        message = message.replace("\u2501", "=")
        stream.write(message.encode(encoding, errors="ignore").decode(encoding))
    stream.flush()


def is_dynamic_display(stream=None) -> bool:
    """Whether ``stream`` (stdout by default) redraws lines in place: a terminal or notebook."""
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        if isatty is not None and isatty():
            return True
    except ValueError:  # a closed stream
        return False
    return "ipykernel" in sys.modules
