"""The errors a saved-model directory can raise when it is read.

Every problem with a directory (a missing file, JSON that is not the format, an
unknown primitive, an attribute of the wrong type, a variable of the wrong shape,
truncated data) is a ``SavedModelError``: an ``InvalidArgumentError`` whose message
names the file and what is wrong with it.  A directory that holds no saved model at
all is a ``SavedModelNotFoundError`` (also a ``NotFoundError``).
"""

from __future__ import annotations

import os

from fluxion.core.errors import InvalidArgumentError, NotFoundError


class SavedModelError(InvalidArgumentError):
    """A saved-model directory is malformed; the message names the file and the fault."""

    def __init__(self, path, message: str):
        self.path = os.fspath(path) if path is not None else None
        text = f"{self.path}: {message}" if self.path else message
        super().__init__(None, None, text)


class SavedModelNotFoundError(SavedModelError, NotFoundError):
    """No saved model at the path (no directory, or no ``saved_model.json`` in it)."""

    error_code = NotFoundError.error_code
