"""keras.utils: pad_sequences, timeseries_dataset_from_array, split_dataset and the
text/image dataset_from_directory utilities (expected values checked against Keras 3.15)."""

import numpy as np
import pytest

from fluxion.data import Dataset
from fluxion.keras.utils.dataset_utils import split_dataset
from fluxion.keras.utils.sequence_utils import pad_sequences
from fluxion.keras.utils.text_dataset_utils import text_dataset_from_directory
from fluxion.keras.utils.timeseries_dataset_utils import timeseries_dataset_from_array


def test_pad_sequences():
    np.testing.assert_array_equal(pad_sequences([[1, 2, 3], [4]], maxlen=2), [[2, 3], [0, 4]])
    post = pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post")
    np.testing.assert_array_equal(post, [[1, 2], [4, 0]])
    full = pad_sequences([[1], [], [2, 3]], value=-1)
    assert full.dtype == np.int32 and full.tolist() == [[-1, 1], [-1, -1], [2, 3]]
    vectors = pad_sequences([np.ones((2, 3)), np.ones((1, 3))], dtype="float32")
    assert vectors.shape == (2, 2, 3) and vectors[1, 0].tolist() == [0, 0, 0]
    text = pad_sequences([["a", "b"], ["c"]], dtype=object, value="")
    assert text.tolist() == [["a", "b"], ["", "c"]]
    with pytest.raises(ValueError, match="dtype"):
        pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="Padding type"):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="non-iterable"):
        pad_sequences([1, 2])


def test_timeseries_windows_and_targets():
    ds = timeseries_dataset_from_array(np.arange(10), np.arange(10) * 10, 3, sequence_stride=2,
                                       sampling_rate=2, batch_size=2)
    batches = [(x.numpy().tolist(), y.numpy().tolist()) for x, y in ds]
    assert batches == [([[0, 2, 4], [2, 4, 6]], [0, 20]), ([[4, 6, 8]], [40])]
    single = timeseries_dataset_from_array(np.arange(10), None, 3, batch_size=None,
                                           start_index=2)
    assert [w.tolist() for w in single.as_numpy_iterator()][:2] == [[2, 3, 4], [3, 4, 5]]
    assert len(list(single)) == 6


def test_timeseries_multifeature_shuffle_and_errors():
    data = np.arange(40, dtype=np.float32).reshape(20, 2)
    ds = timeseries_dataset_from_array(data, np.arange(20), 4, batch_size=5, shuffle=True,
                                       seed=3)
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    x, y = np.concatenate(xs), np.concatenate(ys)
    assert x.shape == (17, 4, 2) and sorted(y.tolist()) == list(range(17))
    np.testing.assert_array_equal(x[:, 0, 0], y * 2.0)  # each window starts at its target
    again = np.concatenate([b.numpy() for b, _ in timeseries_dataset_from_array(
        data, np.arange(20), 4, batch_size=5, shuffle=True, seed=3)])
    np.testing.assert_array_equal(again, x)
    with pytest.raises(ValueError, match="sampling_rate"):
        timeseries_dataset_from_array(data, None, 3, sampling_rate=0)
    with pytest.raises(ValueError, match="end_index"):
        timeseries_dataset_from_array(data, None, 3, start_index=5, end_index=4)


def test_split_dataset_arrays_and_datasets():
    left, right = split_dataset(np.arange(10), left_size=0.8)
    assert list(left.as_numpy_iterator()) == list(range(8))
    assert list(right.as_numpy_iterator()) == [8, 9]
    _, right = split_dataset((np.arange(10), np.arange(10) * 2), right_size=3, shuffle=True,
                             seed=1)
    assert [tuple(map(int, e)) for e in right.as_numpy_iterator()] == [(4, 8), (1, 2), (2, 4)]
    left, right = split_dataset(Dataset.from_tensor_slices(np.arange(10)).batch(3), left_size=4)
    assert [b.tolist() for b in left.as_numpy_iterator()] == [[0, 1, 2], [3]]
    assert [b.tolist() for b in right.as_numpy_iterator()] == [[4, 5, 6], [7, 8, 9]]
    left, _ = split_dataset({"a": np.arange(4), "b": np.ones((4, 2))}, left_size=1)
    assert list(left.element_spec) == ["a", "b"]
    with pytest.raises(ValueError, match="At least one"):
        split_dataset(np.arange(4))
    with pytest.raises(ValueError, match="left_size"):
        split_dataset(np.arange(4), left_size=1.5)
    with pytest.raises(ValueError, match="greater than 1"):
        split_dataset(np.arange(4), left_size=0.6, right_size=0.6)
    with pytest.raises(TypeError, match="dataset"):
        split_dataset("nope", left_size=1)


def _text_tree(root):
    for label, texts in (("neg", ["bad", "awful", "poor"]), ("pos", ["good", "great"])):
        (root / label).mkdir()
        for i, text in enumerate(texts):
            (root / label / f"{i}.txt").write_text(text)
    (root / "pos" / "ignored.md").write_text("not a txt file")


def test_text_dataset_from_directory(tmp_path):
    _text_tree(tmp_path)
    ds = text_dataset_from_directory(str(tmp_path), batch_size=2, shuffle=False, verbose=False)
    assert ds.class_names == ["neg", "pos"]
    batches = [(x.numpy().tolist(), y.numpy().tolist()) for x, y in ds]
    assert batches[0] == ([b"bad", b"awful"], [0, 0])  # sorted: 0.txt, 1.txt
    assert sum(len(y) for _, y in batches) == 5
    assert batches[-1][1][-1] == 1
    cat = text_dataset_from_directory(str(tmp_path), label_mode="categorical", batch_size=None,
                                      shuffle=False, max_length=3, verbose=False)
    text, label = next(iter(cat))
    assert text.numpy() == b"bad" and label.numpy().tolist() == [1.0, 0.0]
    binary = text_dataset_from_directory(str(tmp_path), label_mode="binary", batch_size=5,
                                         shuffle=True, seed=4, verbose=False)
    _, y = next(iter(binary))
    assert y.shape == (5, 1) and y.dtype.name == "float32" and float(y.numpy().sum()) == 2.0
    only_text = text_dataset_from_directory(str(tmp_path), labels=None, batch_size=5,
                                            shuffle=False, verbose=False)
    assert next(iter(only_text)).shape == (5,)


def test_text_dataset_validation_split(tmp_path, capsys):
    _text_tree(tmp_path)
    train, val = text_dataset_from_directory(str(tmp_path), batch_size=None, seed=1,
                                             validation_split=0.4, subset="both")
    out = capsys.readouterr().out
    assert "Found 5 files belonging to 2 classes." in out
    assert "Using 3 files for training." in out and "Using 2 files for validation." in out
    texts = {t.numpy() for t, _ in train} | {t.numpy() for t, _ in val}
    assert len(texts) == 5
    with pytest.raises(ValueError, match="seed"):
        text_dataset_from_directory(str(tmp_path), validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="class_names"):
        text_dataset_from_directory(str(tmp_path), class_names=["other"], verbose=False)
    with pytest.raises(ValueError, match="exactly 2"):
        (tmp_path / "third").mkdir()
        (tmp_path / "third" / "x.txt").write_text("x")
        text_dataset_from_directory(str(tmp_path), label_mode="binary", verbose=False)


def test_image_dataset_from_directory(tmp_path):
    image_module = pytest.importorskip("PIL.Image")
    colours = {"blue": (0, 0, 255), "red": (255, 0, 0)}
    for name, colour in colours.items():
        (tmp_path / name).mkdir()
        for i in range(3):
            image_module.new("RGB", (12 + i, 8), colour).save(tmp_path / name / f"{i}.png")
    (tmp_path / "red" / "notes.txt").write_text("not an image: skipped")
    image_module.new("RGB", (10, 10), colours["red"]).save(tmp_path / "red" / "photo.JPG",
                                                            "JPEG")
    from fluxion.keras.utils.image_dataset_utils import image_dataset_from_directory
    ds = image_dataset_from_directory(str(tmp_path), image_size=(4, 6), batch_size=4,
                                      shuffle=False, verbose=False)
    assert ds.class_names == ["blue", "red"]
    x, y = next(iter(ds))
    assert x.shape == (4, 4, 6, 3) and x.dtype.name == "float32"
    assert y.numpy().tolist() == [0, 0, 0, 1]
    np.testing.assert_allclose(x.numpy()[0, 2, 3], [0, 0, 255])
    gray = image_dataset_from_directory(str(tmp_path), color_mode="grayscale", image_size=(5, 5),
                                        batch_size=None, shuffle=False, verbose=False,
                                        crop_to_aspect_ratio=True, data_format="channels_first")
    image, _ = next(iter(gray))
    assert image.shape == (1, 5, 5)
    assert len(list(gray)) == 7
    with pytest.raises(ValueError, match="color_mode"):
        image_dataset_from_directory(str(tmp_path), color_mode="cmyk")
