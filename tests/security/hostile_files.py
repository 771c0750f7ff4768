"""A generator of hostile model files for the security tests.

Each function writes one crafted file next to a "secret" file it tries to make a
loader read, and returns the paths.  The classes: HDF5 datasets with external raw
storage, virtual datasets, external links (in Keras 3 ``.weights.h5`` files, legacy
``.h5`` files and the weights inside ``.keras`` zips), datasets declaring more bytes
than the file holds, and directory models whose assets are symlinks leaving the
directory.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

SECRET = b"root:x:0:0:root:/root:/bin/bash\n" * 4  # 128 bytes: a 4x8 float32 kernel's worth


def secret_file(folder) -> str:
    path = os.path.join(folder, "secret.bin")
    with open(path, "wb") as f:
        f.write(SECRET)
    return path


def _dense_layout(h5, make_kernel) -> None:
    """Keras 3's layout for Sequential([Input((4,)), Dense(8, name="dense")])."""
    group = h5.create_group("layers/dense/vars")
    make_kernel(group, "0")
    group.create_dataset("1", data=np.zeros(8, np.float32))
    h5.create_group("optimizer/vars")


def external_storage(folder) -> str:
    """A kernel whose bytes live in the secret file (HDF5 external raw storage)."""
    import h5py

    secret = secret_file(folder)
    path = os.path.join(folder, "external_storage.weights.h5")
    with h5py.File(path, "w") as h5:
        _dense_layout(h5, lambda g, n: g.create_dataset(
            n, shape=(4, 8), dtype="float32", external=[(secret, 0, len(SECRET))]))
    return path


def virtual_dataset(folder) -> str:
    """A kernel that is a virtual view of a dataset in another HDF5 file."""
    import h5py

    other = os.path.join(folder, "other.h5")
    with h5py.File(other, "w") as h5:
        h5.create_dataset("secret", data=np.frombuffer(SECRET, np.float32).reshape(4, 8))
    path = os.path.join(folder, "virtual.weights.h5")
    with h5py.File(path, "w") as h5:
        def make(group, name):
            layout = h5py.VirtualLayout(shape=(4, 8), dtype="float32")
            layout[:] = h5py.VirtualSource(other, "secret", shape=(4, 8))
            group.create_virtual_dataset(name, layout)
        _dense_layout(h5, make)
    return path


def external_link(folder) -> str:
    """A layer's ``vars`` group that is a link into another file."""
    import h5py

    other = os.path.join(folder, "other_vars.h5")
    with h5py.File(other, "w") as h5:
        group = h5.create_group("vars")
        group.create_dataset("0", data=np.frombuffer(SECRET, np.float32).reshape(4, 8))
        group.create_dataset("1", data=np.zeros(8, np.float32))
    path = os.path.join(folder, "external_link.weights.h5")
    with h5py.File(path, "w") as h5:
        h5.create_group("layers/dense")
        h5["layers/dense/vars"] = h5py.ExternalLink(other, "/vars")
        h5.create_group("optimizer/vars")
    return path


def legacy_external_link(folder) -> str:
    """A legacy ``.h5`` weights file whose layer group links into another file."""
    import h5py

    other = os.path.join(folder, "other_layer.h5")
    with h5py.File(other, "w") as h5:
        group = h5.create_group("dense")
        group.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        group.create_dataset("dense/kernel:0",
                             data=np.frombuffer(SECRET, np.float32).reshape(4, 8))
        group.create_dataset("dense/bias:0", data=np.zeros(8, np.float32))
    path = os.path.join(folder, "legacy_link.h5")
    with h5py.File(path, "w") as h5:
        h5.attrs["layer_names"] = [b"dense"]
        h5["dense"] = h5py.ExternalLink(other, "/dense")
    return path


def huge_declared(folder, shape=(60_000, 60_000)) -> str:
    """A tiny file declaring a 14 GB kernel (unallocated storage reads as fill values)."""
    import h5py

    path = os.path.join(folder, "huge.weights.h5")
    with h5py.File(path, "w") as h5:
        _dense_layout(h5, lambda g, n: g.create_dataset(n, shape=shape, dtype="float32"))
    return path


def keras_zip_with_weights(folder, weights_path: str, config: dict) -> str:
    """A ``.keras`` zip around a crafted weights file."""
    path = os.path.join(folder, "crafted.keras")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        with open(weights_path, "rb") as f:
            archive.writestr("model.weights.h5", f.read())
    return path


def zip_bomb_member(folder, config: dict, inflated_bytes: int = 1 << 30) -> str:
    """A ``.keras`` zip whose config member inflates to ``inflated_bytes`` of zeros."""
    path = os.path.join(folder, "bomb.keras")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        with archive.open("config.json", "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(inflated_bytes >> 20):
                member.write(chunk)
    return path
