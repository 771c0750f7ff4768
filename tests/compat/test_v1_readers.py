"""TF 1 readers over a filename queue, and decode_csv: the classic TF 1 CSV pipeline."""

import gzip

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf
from fluxion.core.errors import InvalidArgumentError, OutOfRangeError


def test_decode_csv_matches_tensorflow():
    # tf.io.decode_csv under TensorFlow 2.21 gives [1, 2], [b'a', b'd'], [b'x,y', b'z'].
    ints, strings, quoted = fx.io.decode_csv(['1,a,"x,y"', "2,,z"], [[0], ["d"], [""]])
    assert ints.numpy().tolist() == [1, 2] and ints.dtype == fx.int32
    assert strings.numpy().tolist() == [b"a", b"d"]
    assert quoted.numpy().tolist() == [b"x,y", b"z"]
    floats, = fx.io.decode_csv(["1.5;x"], [[0.0]], field_delim=";", select_cols=[0])
    assert floats.numpy().tolist() == [1.5]
    with pytest.raises(InvalidArgumentError, match="required"):
        fx.io.decode_csv([","], [fx.constant([], fx.float32), [1.0]])
    with pytest.raises(InvalidArgumentError, match="Expect 2 fields"):
        fx.io.decode_csv(["1"], [[0], [0]])


def _drain(sess, fetch):
    out = []
    with pytest.raises(OutOfRangeError):
        while True:
            out.append(sess.run(fetch))
    return out


def test_text_line_reader_csv_pipeline(tmp_path):
    files = []
    for index in range(2):
        path = tmp_path / f"part{index}.csv"
        path.write_text("x,y\n" + "".join(f"{index * 10 + i},{i * 0.5}\n" for i in range(3)))
        files.append(str(path))
    with tf.Graph().as_default():
        queue = tf.train.string_input_producer(files, num_epochs=1, shuffle=False)
        reader = tf.TextLineReader(skip_header_lines=1)
        key, value = reader.read(queue)
        x, y = tf.decode_csv(value, [[0], [0.0]])
        batch_x, batch_y = tf.train.batch([x, y], batch_size=2)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            batches = _drain(sess, [batch_x, batch_y])
            coord.request_stop()
            coord.join(threads)
            assert sess.run(reader.num_records_produced()) == 6
            assert sess.run(reader.num_work_units_completed()) == 2
    xs = sorted(np.concatenate([b[0] for b in batches]).tolist())
    assert xs == [0, 1, 2, 10, 11, 12]


def test_other_readers(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"HH" + bytes(range(6)) + b"F")
    (tmp_path / "b.txt").write_bytes(b"whole file")
    with fx.io.TFRecordWriter(str(tmp_path / "r.tfrecord")) as writer:
        writer.write(b"first")
        writer.write(b"second")
    (tmp_path / "g.bin").write_bytes(gzip.compress(bytes(range(4))))
    cases = [
        (tf.FixedLengthRecordReader(3, header_bytes=2, footer_bytes=1), "a.bin",
         [bytes([0, 1, 2]), bytes([3, 4, 5])]),
        (tf.FixedLengthRecordReader(2, hop_bytes=1, encoding="GZIP"), "g.bin",
         [bytes([0, 1]), bytes([1, 2]), bytes([2, 3])]),
        (tf.WholeFileReader(), "b.txt", [b"whole file"]),
        (tf.TFRecordReader(), "r.tfrecord", [b"first", b"second"]),
    ]
    for reader, name, expected in cases:
        with tf.Graph().as_default():
            queue = tf.FIFOQueue(2, tf.string, shapes=[[]])
            key, value = reader.read(queue)
            keys, values = reader.read_up_to(queue, 10)
            with tf.Session() as sess:
                sess.run(queue.enqueue_many([[str(tmp_path / name)]]))
                sess.run(queue.close())
                assert sess.run(values).tolist() == expected
                sess.run(reader.reset())
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(3, tf.string, shapes=[[]])
        key, value = tf.IdentityReader().read(queue)
        with tf.Session() as sess:
            sess.run(queue.enqueue_many([["work"]]))
            assert sess.run([key, value]) == [b"work", b"work"]
    assert issubclass(tf.TextLineReader, tf.ReaderBase)
