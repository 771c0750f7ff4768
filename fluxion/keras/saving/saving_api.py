"""``keras.saving.save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``.

A ``.keras`` file is Keras 3's: ``config.json`` is the model serialized as
``{module, class_name, config, registered_name}`` plus its ``build_config`` and
``compile_config``; ``model.weights.h5`` holds the variables of the layers and the
optimizer in Keras 3's attribute-path layout (``weights_h5``); ``assets/`` holds what
layers write with ``save_assets`` (lookup vocabularies), by the same paths.  Loading
rebuilds the model from its config (``safe_mode`` refuses Python lambdas), builds it,
compiles it (which creates the optimizer's variables), reads every variable, then hands
each layer its assets, so training resumes where it stopped.  Writes are atomic
(``keras_archive.atomic_write``).
"""

from __future__ import annotations

import io
import os
import warnings

from fluxion.keras.saving import h5_safety, keras_archive, legacy_h5
from fluxion.keras.saving.model_config import (  # noqa: F401 - re-exported
    compile_from_config,
    get_compile_config,
    model_from_config,
    model_to_config,
)
from fluxion.keras.saving.weights_h5 import (
    read_assets,
    read_state,
    require_h5py,
    write_assets,
    write_state,
)
from fluxion.keras.saving.writable import check_writable


# --- configs --------------------------------------------------------------------------------
def save_model(model, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
    """Saves ``model`` as a Keras 3 ``.keras`` file (config, weights, optimizer state).

    Args:
      model: the model to save.
      filepath: a path ending in ``.keras`` (or a directory when ``zipped=False``).
      overwrite: whether an existing file is replaced without asking.
      zipped: ``True`` (default) writes the zip; ``False`` the same files in a directory.

    >>> from fluxion import keras
    >>> import os, tempfile
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
    >>> keras.saving.save_model(model, path)
    >>> keras.saving.load_model(path).layers[0].units
    2
    """
    kwargs.pop("include_optimizer", None)
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    path = os.fspath(filepath)
    if save_format and not path.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(f"The `save_format` argument is deprecated in Keras 3. Please remove "
                         f"this argument and pass a file path with either `.keras` or `.h5` "
                         f"extension.Received: save_format={save_format}")
    zipped = True if zipped is None else zipped
    if os.path.exists(path) and not overwrite and not _ask_to_overwrite(path):
        return
    if path.endswith((".h5", ".hdf5")):
        raise ValueError(f"Fluxion reads legacy .h5 model files but writes only the Keras 3 "
                         f"format: save to a path ending in `.keras` instead. Received: "
                         f"filepath={path}")
    if zipped and not path.endswith(".keras"):
        raise ValueError(f"Invalid filepath extension for saving. Please add either a `.keras` "
                         f"extension for the native Keras format (recommended) or a `.h5` "
                         f"extension. Received: filepath={path}.")
    if not zipped and path.endswith(".keras"):
        raise ValueError(f"When using `zipped=False`, the `filepath` argument should not end "
                         f"in `.keras`. Received: filepath={path}")
    check_writable(path, "model.save", is_directory=not zipped)
    require_h5py()
    if not model.built:
        warnings.warn("You are saving a model that has not yet been built. It might not "
                      "contain any weights yet. Consider building the model first by calling "
                      "it on some data.", stacklevel=2)
    config = model_to_config(model)
    weights = weights_to_bytes(model)
    assets = keras_archive.collect_assets(lambda folder: write_assets(model, folder))
    if zipped:
        keras_archive.write_archive(path, config, weights, assets)
    else:
        keras_archive.write_directory(path, config, weights, assets)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Loads a model saved by ``model.save()`` (Fluxion or Keras 3), or a legacy ``.h5``.

    Args:
      filepath: a ``.keras`` file, a directory saved with ``zipped=False``, or a ``.h5``.
      custom_objects: a dict of names to custom classes/functions used in the config.
      compile: whether to compile the model (restoring the optimizer's state).
      safe_mode: refuse to load Python bytecode (a ``Lambda`` layer's lambda).

    Returns:
      The model, with its weights (and, if compiled, its optimizer variables).
    """
    path = os.fspath(filepath)
    is_dir = os.path.isdir(path) and os.path.exists(os.path.join(path, "config.json"))
    if path.endswith(".keras") or is_dir:
        if not os.path.exists(path):
            raise ValueError(f"File not found: filepath={path}. Please ensure the file is an "
                             f"accessible `.keras` zip file.")
        archive = keras_archive.read_archive(path)
        if archive.weights is None:
            raise ValueError(f"'{path}' has no {keras_archive.WEIGHTS_FILENAME}: expected a "
                             f"model.weights.h5 file in the archive.")
        model = model_from_config(archive.config, custom_objects, compile, safe_mode)
        with keras_archive.weights_file(archive.weights) as f:
            read_state(model, f)
        if archive.has_assets:
            with keras_archive.extracted_assets(archive.assets) as folder:
                read_assets(model, folder)
        return model
    if path.endswith((".h5", ".hdf5")):
        return legacy_h5.load_model(path, custom_objects=custom_objects, compile=compile,
                                    safe_mode=safe_mode)
    raise ValueError(f"File format not supported: filepath={path}. Keras 3 only supports V3 "
                     f"`.keras` files and legacy H5 format files (`.h5` extension). Note that "
                     f"the legacy SavedModel format is not supported by `load_model()` in "
                     f"Keras 3.")


# --- weights only ------------------------------------------------------------------------------
def weights_to_bytes(model) -> bytes:
    """The ``model.weights.h5`` bytes of ``model`` (layers and optimizer)."""
    h5py = require_h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        write_state(model, f)
    return buffer.getvalue()


def save_weights(model, filepath, overwrite: bool = True, max_shard_size=None) -> None:
    """Saves the model's (and optimizer's) variables to a ``.weights.h5`` file."""
    path = os.fspath(filepath)
    if max_shard_size is not None:
        raise ValueError("Sharded weight files (`max_shard_size`) are not supported by "
                         "Fluxion; leave `max_shard_size=None`.")
    if not path.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
    check_writable(path, "model.save_weights")
    if os.path.exists(path) and not overwrite and not _ask_to_overwrite(path):
        return
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the "
                         "model first by calling it on some data or by using `build()`.")
    data = weights_to_bytes(model)
    keras_archive.atomic_write(path, lambda f: f.write(data))


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """Loads variables saved by ``save_weights``/``save`` (or a legacy ``.h5``) into ``model``.

    A file that does not fit raises and leaves the model's variables unchanged;
    ``skip_mismatch=True`` warns and skips the objects that do not fit instead.
    Legacy ``.h5`` files match layers by order, or by name with ``by_name=True``.
    """
    path = os.fspath(filepath)
    by_name = kwargs.pop("by_name", None)
    objects_to_skip = kwargs.pop("objects_to_skip", None)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    modern = path.endswith((".keras", ".weights.h5"))
    if modern and by_name is not None:
        raise ValueError(f"`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
                         f"Received: {filepath}")
    if not modern and not path.endswith((".h5", ".hdf5")):
        raise ValueError(f"File format not supported: filepath={path}. Keras 3 only supports "
                         f"V3 `.keras` files, `.weights.h5` files, or legacy H5 format files "
                         f"(`.h5` extension).")
    if not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. "
                         "Try building the model first by calling it on some data or by using "
                         "`build()`.")
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such weights file: {path}")
    if path.endswith(".keras"):
        archive = keras_archive.read_archive(path)
        if archive.weights is None:
            raise ValueError(f"'{path}' has no {keras_archive.WEIGHTS_FILENAME}.")
        with keras_archive.weights_file(archive.weights) as f:
            read_state(model, f, skip_mismatch=skip_mismatch, skip=objects_to_skip)
        return
    with _open_h5(path) as f:
        if path.endswith(".weights.h5"):
            read_state(model, f, skip_mismatch=skip_mismatch, skip=objects_to_skip)
            return
        group = h5_safety.child(f, "model_weights") \
            if "layer_names" not in f.attrs and "model_weights" in f \
            else f
        if "layer_names" not in group.attrs:
            raise ValueError(f"'{path}' is not a Keras weights file: it has no 'layer_names' "
                             f"(a .weights.h5 file must be named so).")
        legacy_h5.load_weights_from_group(group, model, skip_mismatch=skip_mismatch,
                                          by_name=bool(by_name))


def _open_h5(path: str):
    h5py = require_h5py()
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise ValueError(f"'{path}' is not a readable HDF5 weights file ({error}): it is "
                         f"damaged, truncated or of another kind.") from error


def _ask_to_overwrite(path: str) -> bool:
    from fluxion.keras.utils import io_utils

    ask = getattr(io_utils, "ask_to_proceed_with_overwrite", None)
    if ask is None:
        answer = input(f"[WARNING] {path} already exists - overwrite? [y/n]").strip().lower()
        return answer.startswith("y")
    return ask(path)
