"""``tf.compat.v1.logging``: TF 1's logging functions over Python's ``logging``.

Messages go to the ``"fluxion"`` logger; ``set_verbosity(INFO)`` sets its level (and
adds a stderr handler once, so INFO messages show, as TF's do).
"""

from __future__ import annotations

import logging as _logging

DEBUG, INFO, WARN, ERROR, FATAL = (_logging.DEBUG, _logging.INFO, _logging.WARN,
                                   _logging.ERROR, _logging.FATAL)
_logger = _logging.getLogger("fluxion")


def get_logger() -> _logging.Logger:
    return _logger


def set_verbosity(level) -> None:
    """Shows messages of ``level`` and above."""
    _logger.setLevel(level)
    if not _logger.handlers:
        _logger.addHandler(_logging.StreamHandler())


def get_verbosity() -> int:
    return _logger.getEffectiveLevel()


def log(level, msg, *args, **kwargs) -> None:
    _logger.log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs) -> None:
    _logger.debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs) -> None:
    _logger.info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs) -> None:
    _logger.warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs) -> None:
    _logger.error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs) -> None:
    _logger.critical(msg, *args, **kwargs)


def log_every_n(level, msg, n, *args) -> None:
    """Logs ``msg`` on the first call and every ``n``-th call after, per call site."""
    import inspect

    frame = inspect.stack()[1]
    key = (frame.filename, frame.lineno)
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    if count % max(int(n), 1) == 0:
        _logger.log(level, msg, *args)


def log_first_n(level, msg, n, *args) -> None:
    import inspect

    frame = inspect.stack()[1]
    key = ("first", frame.filename, frame.lineno)
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    if count < n:
        _logger.log(level, msg, *args)


_counts: dict = {}
