"""fluxion.summary against TensorFlow's own event files (fixtures/make_fixtures.py)."""

import os

import numpy as np
import pytest
from event_reading import first_event, png_pixels, read_run, wav_samples

import fluxion as tf

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def write_like_the_fixture(path):
    writer = tf.summary.create_file_writer(path)
    with writer.as_default(step=3):
        tf.summary.scalar("scalar", 0.75)
        tf.summary.histogram("histogram", np.linspace(-1.0, 2.0, 101) ** 2)
        tf.summary.histogram("histogram_single", np.full(7, 2.5), buckets=4)
        tf.summary.histogram("histogram_empty", np.zeros(0), buckets=5)
        tf.summary.image("image", np.linspace(0, 1, 2 * 4 * 5 * 3).reshape(2, 4, 5, 3),
                         max_outputs=1)
        tf.summary.text("text", "hello *world*")
        tf.summary.audio("audio", np.sin(np.linspace(0, 20, 2 * 50)).reshape(2, 50, 1)
                         .astype("float32"), 8000)
    writer.close()


def test_records_match_tensorflow_record_by_record(tmp_path):
    write_like_the_fixture(str(tmp_path))
    ours = read_run(str(tmp_path))
    theirs = read_run(os.path.join(FIXTURES, "tf_summaries"))
    assert sorted(ours) == sorted(theirs)
    for tag in theirs:
        (step_a, array_a, plugin_a), = ours[tag]
        (step_b, array_b, plugin_b), = theirs[tag]
        assert (step_a, plugin_a, array_a.dtype, array_a.shape) == \
            (step_b, plugin_b, array_b.dtype, array_b.shape), tag
    for tag in ("scalar", "histogram", "histogram_single", "histogram_empty"):
        np.testing.assert_allclose(ours[tag][0][1], theirs[tag][0][1], rtol=1e-12, err_msg=tag)
    assert ours["text"][0][1] == theirs["text"][0][1]
    image_a, image_b = ours["image"][0][1], theirs["image"][0][1]
    assert list(image_a[:2]) == list(image_b[:2])  # width, height
    np.testing.assert_allclose(png_pixels(image_a[2]), png_pixels(image_b[2]), atol=1)
    for row in range(2):
        np.testing.assert_allclose(wav_samples(ours["audio"][0][1][row, 0]),
                                   wav_samples(theirs["audio"][0][1][row, 0]), atol=1)


def test_event_file_is_named_and_opened_as_tensorflow_does(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        tf.summary.scalar("x", 1.0, step=0)
    writer.close()
    (name,) = os.listdir(tmp_path)
    assert name.startswith("events.out.tfevents.") and name.endswith(".v2")
    assert f".{os.getpid()}." in name
    assert first_event(str(tmp_path)).file_version == "brain.Event:2"


def test_summaries_inside_function_write_each_run_at_the_variable_step(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def train_step(x):
        with writer.as_default(step=step):
            tf.summary.scalar("total", tf.reduce_sum(x))
            tf.summary.histogram("values", x)
        step.assign_add(1)
        return x * 2

    for i in range(4):
        train_step(tf.constant([1.0, float(i)]))
    writer.close()
    records = read_run(str(tmp_path))
    assert [(s, float(v)) for s, v, _ in records["total"]] == \
        [(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0)]
    assert [s for s, _, _ in records["values"]] == [0, 1, 2, 3]
    assert len(train_step._traces) == 1  # traced once, wrote four times


def test_set_step_and_default_step(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    tf.summary.experimental.set_step(7)
    try:
        assert tf.summary.experimental.get_step() == 7
        with writer.as_default():
            tf.summary.scalar("a", 1.0)
        with writer.as_default(step=2):
            tf.summary.scalar("b", 1.0)
    finally:
        tf.summary.experimental.set_step(None)
    writer.close()
    records = read_run(str(tmp_path))
    assert records["a"][0][0] == 7 and records["b"][0][0] == 2


def test_record_if_static_tensor_and_callable(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    counter = tf.Variable(0)

    @tf.function
    def log(value):
        with tf.summary.record_if(lambda: int(counter.numpy()) % 2 == 0):
            tf.summary.scalar("even_only", value, step=counter)
        counter.assign_add(1)

    with writer.as_default(step=0):
        with tf.summary.record_if(False):
            assert not bool(tf.summary.scalar("never", 1.0))
            assert not tf.summary.should_record_summaries()
        with tf.summary.record_if(tf.constant(True)):
            assert bool(tf.summary.scalar("tensor_true", 1.0))
        assert tf.summary.should_record_summaries()
        for i in range(4):
            log(tf.constant(float(i)))
    writer.close()
    records = read_run(str(tmp_path))
    assert "never" not in records and "tensor_true" in records
    assert [s for s, _, _ in records["even_only"]] == [0, 2]


def test_without_a_default_writer_nothing_is_recorded():
    assert not bool(tf.summary.scalar("x", 1.0, step=0))
    assert not tf.summary.should_record_summaries()
    noop = tf.summary.create_noop_writer()
    with noop.as_default(step=0):
        assert not bool(tf.summary.scalar("x", 1.0))


def test_bad_input_gets_clear_errors(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=0):
        with pytest.raises(ValueError, match=r"takes a scalar, got a tensor of shape \[2\]"):
            tf.summary.scalar("x", [1.0, 2.0])
        with pytest.raises(ValueError, match=r"\[k, height, width, channels\]"):
            tf.summary.image("img", np.zeros((4, 4, 3)))
        with pytest.raises(ValueError, match="1, 3 or 4"):
            tf.summary.image("img", np.zeros((1, 4, 4, 2)))
        with pytest.raises(TypeError, match="takes strings"):
            tf.summary.text("t", 3.0)
        with pytest.raises(TypeError, match="takes a number"):
            tf.summary.scalar("s", "text")
    with pytest.raises(ValueError, match="no step set"):
        with writer.as_default():
            tf.summary.scalar("x", 1.0)
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    with pytest.raises(PermissionError, match="cannot create the log directory"):
        tf.summary.create_file_writer(str(blocker / "logs"))


def test_a_failing_disk_warns_once_and_never_raises(tmp_path, monkeypatch):
    writer = tf.summary.create_file_writer(str(tmp_path))
    writer.init()

    def broken(event):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer._writer, "add", broken)
    with writer.as_default(step=0):
        with pytest.warns(RuntimeWarning, match="No space left"):
            tf.summary.scalar("x", 1.0)
        tf.summary.scalar("y", 1.0)  # no second warning, no error
    writer.close()


def test_histogram_buckets_of_a_single_value_and_of_nothing():
    from fluxion.summary.payloads import histogram_buckets

    single = histogram_buckets(np.full(5, 3.0), 3)
    np.testing.assert_array_equal(single, [[3, 3, 0], [3, 3, 0], [3, 3, 5]])
    assert histogram_buckets(np.zeros(0), 4).shape == (4, 3)
    assert histogram_buckets(np.arange(4.0), 0).shape == (0, 3)
    data = np.random.default_rng(1).normal(size=1000)
    buckets = histogram_buckets(data, 30)
    assert buckets[:, 2].sum() == 1000 and buckets[0, 0] == data.min()
    assert buckets[-1, 1] == data.max()
