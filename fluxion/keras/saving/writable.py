"""Up-front checks that a save can be written, so a bad path fails before training, not
at the end of the first epoch, with an error that names the path and the fix."""

from __future__ import annotations

import os


def check_writable(path, what: str, create_parents: bool = False,
                   is_directory: bool = False) -> None:
    """Raises ``FileNotFoundError``/``NotADirectoryError``/``PermissionError``/
    ``IsADirectoryError`` now if ``path`` could not be written.

    Args:
      path: the file (or, with ``is_directory``, the folder) to be written.
      what: who writes it, for the message (``"model.save"``, ``"ModelCheckpoint"``).
      create_parents: the writer creates missing folders (ModelCheckpoint does): then
        the nearest existing folder above must be writable.
    """
    path = os.path.abspath(os.fspath(path))
    if not is_directory and os.path.isdir(path):
        raise IsADirectoryError(f"{what}: {path} is an existing directory; expected a file "
                                f"path (e.g. {os.path.join(path, 'model.keras')}).")
    parent = os.path.dirname(path)
    if create_parents:
        while not os.path.exists(parent) and os.path.dirname(parent) != parent:
            parent = os.path.dirname(parent)
    elif not os.path.exists(parent):
        raise FileNotFoundError(f"{what}: cannot write {path}: the directory {parent} does not "
                                f"exist. Create it first (os.makedirs) or choose another path.")
    if not os.path.isdir(parent):
        raise NotADirectoryError(f"{what}: cannot write {path}: {parent} is a file, not a "
                                 f"directory.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(f"{what}: cannot write {path}: the directory {parent} is not "
                              f"writable by this process. Choose a writable location.")
    if not is_directory and os.path.exists(path) and not os.access(path, os.W_OK):
        raise PermissionError(f"{what}: cannot overwrite {path}: the file is read-only.")
