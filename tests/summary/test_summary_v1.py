"""fluxion.compat.v1.summary: TF 1 summary ops run in a Session, against TF 1's records."""

import glob
import os

import numpy as np
import pytest
from event_reading import png_pixels, wav_samples

import fluxion as flx
import fluxion.compat.v1 as tf

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "tf1_summaries")


def events(path):
    from fluxion.compat.v1 import summary

    (file,) = glob.glob(os.path.join(path, "events.out.tfevents.*"))
    return list(summary.summary_iterator(file))


def values_by_tag(path):
    return {value.tag: (event.step, value) for event in events(path)
            for value in event.summary.value}


def write_like_the_fixture(path):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(flx.float32, [None])
        tf.summary.scalar("average", flx.reduce_mean(x))
        tf.summary.histogram("values", x)
        tf.summary.image("picture", flx.reshape(x[:12], [1, 2, 2, 3]) / 10.0)
        tf.summary.audio("sound", flx.reshape(flx.sin(x[:20]), [1, 20, 1]), 8000)
        merged = tf.summary.merge_all()
        with tf.Session() as session:
            writer = tf.summary.FileWriter(path, graph)
            data = np.concatenate([np.linspace(-3.0, 5.0, 41), [0.0, 1e-3, 250.0]])
            writer.add_summary(session.run(merged, {x: data.astype(np.float32)}), 4)
            writer.close()


def test_records_match_tensorflow_1(tmp_path):
    write_like_the_fixture(str(tmp_path))
    ours, theirs = values_by_tag(str(tmp_path)), values_by_tag(FIXTURE)
    assert sorted(ours) == sorted(theirs)
    assert ours["average"][1].simple_value == pytest.approx(theirs["average"][1].simple_value)
    assert ours["average"][0] == theirs["average"][0] == 4
    a, b = ours["values"][1].histo, theirs["values"][1].histo
    assert (a.min, a.max, a.num) == (b.min, b.max, b.num)
    assert a.sum == pytest.approx(b.sum, rel=1e-6)
    assert a.sum_squares == pytest.approx(b.sum_squares, rel=1e-6)
    np.testing.assert_allclose(a.bucket_limit, b.bucket_limit, rtol=1e-9)
    np.testing.assert_array_equal(a.bucket, b.bucket)
    image_a, image_b = ours["picture/image/0"][1].image, theirs["picture/image/0"][1].image
    assert (image_a.height, image_a.width, image_a.colorspace) == \
        (image_b.height, image_b.width, image_b.colorspace)
    np.testing.assert_allclose(png_pixels(image_a.encoded_image_string),
                               png_pixels(image_b.encoded_image_string), atol=1)
    sound_a, sound_b = ours["sound/audio/0"][1].audio, theirs["sound/audio/0"][1].audio
    assert (sound_a.sample_rate, sound_a.num_channels, sound_a.length_frames,
            sound_a.content_type) == (sound_b.sample_rate, sound_b.num_channels,
                                      sound_b.length_frames, sound_b.content_type)
    np.testing.assert_allclose(wav_samples(sound_a.encoded_audio_string),
                               wav_samples(sound_b.encoded_audio_string), atol=1)


def test_the_graph_is_written_for_tensorboard(tmp_path):
    write_like_the_fixture(str(tmp_path))
    from tensorboard.compat.proto import graph_pb2

    graph_events = [e for e in events(str(tmp_path)) if e.HasField("graph_def")]
    graph_def = graph_pb2.GraphDef.FromString(graph_events[0].graph_def)
    assert "Placeholder" in {node.op for node in graph_def.node}


def test_merge_merges_and_add_summary_takes_protos(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        a = tf.summary.scalar("a", flx.constant(1.0), collections=[])
        b = tf.summary.scalar("b", flx.constant(2.0), collections=[])
        assert tf.summary.merge_all() is None
        both = tf.summary.merge([a, b])
        with tf.Session() as session:
            blob = session.run(both)
    summary = tf.Summary.FromString(bytes(np.asarray(blob, dtype=object).reshape(())[()]))
    assert [(v.tag, v.simple_value) for v in summary.value] == [("a", 1.0), ("b", 2.0)]
    writer = tf.summary.FileWriter(str(tmp_path))
    writer.add_summary(summary, global_step=7)
    with pytest.raises(TypeError, match="Summary proto or the bytes"):
        writer.add_summary(3.0)
    writer.close()
    assert values_by_tag(str(tmp_path))["b"][0] == 7


def test_scalar_of_a_vector_is_refused():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="takes a scalar"):
            tf.summary.scalar("v", flx.constant([1.0, 2.0]))
