"""Numbered versions under a base path, as TensorFlow Serving expects them.

TensorFlow Serving watches a model's base path and serves the numbered
subdirectories (``base/1``, ``base/2``...), by default the highest.  Names that are not
plain decimal numbers are ignored, which is why ``save`` writes a version under a
temporary name first and renames it when complete: the server never sees a
half-written version.

>>> path = save_version(model, "/models/mlp")   # doctest: +SKIP
>>> path                                        # doctest: +SKIP
'/models/mlp/3'
"""

from __future__ import annotations

import os


def versions(base_path) -> list[int]:
    """The version numbers under ``base_path`` holding a complete saved model, ascending."""
    from fluxion.saved_model.loader import contains_saved_model

    base = os.fspath(base_path)
    try:
        names = os.listdir(base)
    except FileNotFoundError:
        return []
    return sorted(int(name) for name in names
                  if name.isdigit() and name.isascii()
                  and contains_saved_model(os.path.join(base, name)))


def latest_version(base_path) -> int | None:
    """The highest version under ``base_path``, or None if there is none."""
    found = versions(base_path)
    return found[-1] if found else None


def next_version(base_path) -> int:
    """One more than the highest numbered entry under ``base_path`` (1 if none).

    Every numeric entry counts, complete or not, so a new version never reuses the
    number of a directory some other writer is still filling.
    """
    base = os.fspath(base_path)
    try:
        names = os.listdir(base)
    except FileNotFoundError:
        return 1
    numbers = [int(name) for name in names if name.isdigit() and name.isascii()]
    return max(numbers, default=0) + 1


def save_version(obj, base_path, version: int | None = None, signatures=None) -> str:
    """Saves ``obj`` as ``base_path/<version>`` (the next free number by default);
    returns the version's directory."""
    from fluxion.saved_model.saver import save

    if version is None:
        version = next_version(base_path)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError(f"version must be a non-negative integer, got {version!r}")
    path = os.path.join(os.fspath(base_path), str(version))
    save(obj, path, signatures=signatures)
    return path
