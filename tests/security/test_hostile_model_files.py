"""Hostile model files are refused: nothing outside the file is read, nothing blows up,
and the model is left as it was."""

import os
import struct
import zipfile

import numpy as np
import pytest

pytest.importorskip("h5py")

import hostile_files  # noqa: E402

from fluxion import keras  # noqa: E402
from fluxion.keras.saving.h5_safety import UnsafeWeightsFileError  # noqa: E402


def small_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="dense")])
    model.compile("adam", "mse")
    return model


def kernel_of(model):
    return model.get_layer("dense").kernel.numpy().copy()


@pytest.mark.parametrize("make", [hostile_files.external_storage, hostile_files.virtual_dataset,
                                  hostile_files.external_link])
def test_weights_file_pointing_at_other_files_is_refused(tmp_path, make):
    path = make(str(tmp_path))
    model = small_model()
    before = kernel_of(model)
    with pytest.raises(UnsafeWeightsFileError, match="other file"):
        model.load_weights(path)
    np.testing.assert_array_equal(kernel_of(model), before)
    assert hostile_files.SECRET not in kernel_of(model).tobytes()


def test_legacy_h5_with_an_external_layer_link_is_refused(tmp_path):
    path = hostile_files.legacy_external_link(str(tmp_path))
    model = small_model()
    before = kernel_of(model)
    with pytest.raises(UnsafeWeightsFileError, match="link to another file"):
        model.load_weights(path)
    np.testing.assert_array_equal(kernel_of(model), before)


@pytest.mark.parametrize("make", [hostile_files.external_storage, hostile_files.external_link])
def test_keras_zip_with_hostile_weights_is_refused(tmp_path, make):
    model = small_model()
    config = keras.saving.serialize_keras_object(model)
    path = hostile_files.keras_zip_with_weights(str(tmp_path), make(str(tmp_path)), config)
    with pytest.raises(UnsafeWeightsFileError):
        keras.models.load_model(path)
    with pytest.raises(UnsafeWeightsFileError):
        keras.models.load_model(path, safe_mode=False)


def test_declared_size_is_checked_before_reading(tmp_path):
    import resource

    path = hostile_files.huge_declared(str(tmp_path))
    assert os.path.getsize(path) < 100_000
    model = small_model()
    before_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValueError, match="shape"):
        model.load_weights(path)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_peak
    assert grown_kib < 200_000  # the 14 GB kernel was never allocated


def test_a_dataset_backed_by_nothing_is_not_read(tmp_path):
    import h5py

    from fluxion.keras.saving import h5_safety

    path = str(tmp_path / "empty_storage.h5")
    with h5py.File(path, "w") as h5:
        h5.create_dataset("big", shape=(4096, 4096), dtype="float64")  # 128 MB, 0 stored
    with h5py.File(path, "r") as h5:
        checked = h5_safety.dataset(h5, "big")
        assert checked.shape == (4096, 4096)
        with pytest.raises(UnsafeWeightsFileError, match="stores only 0 bytes"):
            checked.read()


def test_keras_zip_bomb_member_is_refused(tmp_path):
    config = keras.saving.serialize_keras_object(small_model())
    path = hostile_files.zip_bomb_member(str(tmp_path), config, inflated_bytes=256 << 20)
    assert os.path.getsize(path) < 2_000_000
    with pytest.raises(ValueError, match="more than 200x"):
        keras.models.load_model(path)


def test_directory_model_asset_links_leaving_the_directory_are_refused(tmp_path):
    from fluxion.keras.saving import keras_archive

    secret = hostile_files.secret_file(str(tmp_path))
    model_dir = tmp_path / "model"
    (model_dir / "assets").mkdir(parents=True)
    (model_dir / "config.json").write_text('{"class_name": "Sequential", "config": {}}')
    os.symlink(secret, model_dir / "assets" / "vocabulary.txt")
    with pytest.raises(ValueError, match="outside its assets folder"):
        keras_archive.read_archive(str(model_dir))
    inside = model_dir / "assets" / "real.txt"
    inside.write_text("ok")
    os.remove(model_dir / "assets" / "vocabulary.txt")
    os.symlink(inside, model_dir / "assets" / "alias.txt")  # a link inside is fine
    assert keras_archive.read_archive(str(model_dir)).assets["alias.txt"] == b"ok"


def test_checkpoint_npy_header_declaring_more_than_the_file_holds(tmp_path):
    import fluxion as tf
    from fluxion.core.errors import DataLossError
    from fluxion.train import checkpoint as checkpoint_module
    from fluxion.train import checkpoint_file

    checkpoint = tf.train.Checkpoint(v=tf.Variable(np.zeros(4, np.float32)))
    # Fluxion's earlier single-file format (still read): a zip of .npy members.
    prefix = checkpoint_file.write_legacy(str(tmp_path / "ckpt"),
                                          *checkpoint_module._serialize(checkpoint))
    path = checkpoint_file.file_for(prefix)
    crafted = str(tmp_path / "crafted")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(crafted, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".npy"):  # same data, a header claiming 4 TB
                import io
                header = io.BytesIO()
                np.lib.format.write_array_header_1_0(
                    header, {"descr": "<f4", "fortran_order": False, "shape": (10**12,)})
                data = header.getvalue() + np.zeros(4, np.float32).tobytes()
            target.writestr(info, data)
    os.replace(crafted, path)
    with pytest.raises(DataLossError, match=r"float32\[1000000000000\]|<f4\[1000000000000\]"):
        tf.train.Checkpoint(v=tf.Variable(np.zeros(4, np.float32))).read(prefix)


@pytest.mark.parametrize("length", [2**63, 10**12, 2**64 - 1])
def test_tfrecord_with_a_huge_length_prefix_is_data_loss(tmp_path, length):
    import fluxion as tf
    from fluxion.core.errors import DataLossError
    from fluxion.io.crc32c import masked_crc32c

    header = struct.pack("<Q", length)
    path = tmp_path / "crafted.tfrecord"
    path.write_bytes(header + struct.pack("<I", masked_crc32c(header)) + b"x" * 20)
    with pytest.raises(DataLossError, match="more than the file holds"):
        list(tf.data.TFRecordDataset(str(path)))


def test_gzip_tfrecord_bomb_is_stopped(tmp_path):
    import gzip

    import fluxion as tf
    from fluxion.core.errors import DataLossError
    from fluxion.io.crc32c import masked_crc32c

    length = 300 << 20
    header = struct.pack("<Q", length)
    path = tmp_path / "bomb.tfrecord.gz"
    with gzip.open(path, "wb") as f:
        f.write(header + struct.pack("<I", masked_crc32c(header)))
        chunk = b"\0" * (1 << 20)
        for _ in range(length >> 20):
            f.write(chunk)
    assert os.path.getsize(path) < 1_000_000
    with pytest.raises(DataLossError, match="inflates more than"):
        list(tf.data.TFRecordDataset(str(path), compression_type="GZIP"))
