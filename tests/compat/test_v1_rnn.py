"""TF 1 recurrent cells and loops (compat.v1.nn.rnn_cell, static/dynamic/bidirectional
rnn), against NumPy recurrences computed with the cells' own weights."""

import numpy as np
import pytest

import fluxion.compat.v1 as tf

R = np.random.RandomState(0)
X = R.randn(2, 4, 3).astype(np.float32)
LENGTHS = np.array([4, 2], np.int32)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _lstm_numpy(x, kernel, bias, n, forget_bias=1.0, lengths=None):
    c = np.zeros((x.shape[0], n), np.float32)
    h = np.zeros_like(c)
    outs = []
    for t in range(x.shape[1]):
        i, j, f, o = np.split(np.concatenate([x[:, t], h], 1) @ kernel + bias, 4, axis=1)
        new_c = c * _sigmoid(f + forget_bias) + _sigmoid(i) * np.tanh(j)
        new_h = np.tanh(new_c) * _sigmoid(o)
        alive = np.ones((x.shape[0], 1), bool) if lengths is None else (t < lengths)[:, None]
        c, h = np.where(alive, new_c, c), np.where(alive, new_h, h)
        outs.append(np.where(alive, new_h, 0.0))
    return np.stack(outs, 1), c, h


def _gru_numpy(x, gk, gb, ck, cb):
    h = np.zeros((x.shape[0], ck.shape[1]), np.float32)
    outs = []
    for t in range(x.shape[1]):
        r, u = np.split(_sigmoid(np.concatenate([x[:, t], h], 1) @ gk + gb), 2, axis=1)
        cand = np.tanh(np.concatenate([x[:, t], r * h], 1) @ ck + cb)
        h = u * h + (1 - u) * cand
        outs.append(h)
    return np.stack(outs, 1), h


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


@pytest.mark.parametrize("lengths", [None, LENGTHS])
def test_dynamic_rnn_basic_lstm(lengths):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4, 3])
        cell = tf.nn.rnn_cell.BasicLSTMCell(5)
        out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
        names = [v.name for v in tf.global_variables()]
        assert names == ["rnn/basic_lstm_cell/kernel:0", "rnn/basic_lstm_cell/bias:0"]
        assert out.shape.as_list()[1:] == [4, 5]
        got, (c, h), kernel, bias = _run([out, state, *tf.global_variables()], {x: X})
    want, want_c, want_h = _lstm_numpy(X, kernel, bias, 5, lengths=lengths)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, want_c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, want_h, rtol=1e-5, atol=1e-6)


def test_static_rnn_gru_and_time_major():
    with tf.Graph().as_default():
        steps = [tf.constant(X[:, t]) for t in range(4)]
        cell = tf.nn.rnn_cell.GRUCell(3)
        outs, state = tf.nn.static_rnn(cell, steps, dtype=tf.float32)
        names = sorted(v.name for v in tf.global_variables())
        assert names == ["rnn/gru_cell/candidate/bias:0", "rnn/gru_cell/candidate/kernel:0",
                         "rnn/gru_cell/gates/bias:0", "rnn/gru_cell/gates/kernel:0"]
        weights = {v.name: v for v in tf.global_variables()}
        tm_out, _ = tf.nn.dynamic_rnn(cell, tf.constant(X.transpose(1, 0, 2)),
                                      time_major=True, dtype=tf.float32, scope="tm")
        got, final, tm, gk, gb, ck, cb = _run(
            [outs, state, tm_out] + [weights[f"rnn/gru_cell/{n}:0"] for n in
                                     ("gates/kernel", "gates/bias", "candidate/kernel",
                                      "candidate/bias")])
    want, want_h = _gru_numpy(X, gk, gb, ck, cb)
    np.testing.assert_allclose(np.stack(got, 1), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final, want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tm.transpose(1, 0, 2), want, rtol=1e-5, atol=1e-6)
    assert np.allclose(gb, 1.0)  # TF 1 starts the gates' bias at one


def test_lstm_cell_options_and_multi_cell():
    with tf.Graph().as_default():
        x = tf.constant(X)
        cell = tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=2, cell_clip=0.5)
        assert cell.output_size == 2 and cell.state_size == (4, 2)
        out, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        assert out.shape.as_list() == [2, 4, 2] and state.c.shape.as_list() == [2, 4]
        stack = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicRNNCell(3),
                                             tf.nn.rnn_cell.BasicRNNCell(2)])
        deep, deep_state = tf.nn.dynamic_rnn(stack, x, dtype=tf.float32, scope="deep")
        names = {v.name for v in tf.global_variables()}
        assert {"rnn/lstm_cell/w_f_diag:0", "rnn/lstm_cell/projection/kernel:0",
                "deep/multi_rnn_cell/cell_0/basic_rnn_cell/kernel:0",
                "deep/multi_rnn_cell/cell_1/basic_rnn_cell/kernel:0"} <= names
        got_state, got_deep, deep_final = _run([state, deep, deep_state])
        assert np.abs(got_state.c).max() <= 0.5 + 1e-6
        np.testing.assert_allclose(got_deep[:, -1], deep_final[1], rtol=1e-6)
        dropped = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(3),
                                                output_keep_prob=1.0)
        kept, _ = tf.nn.dynamic_rnn(dropped, x, dtype=tf.float32, scope="dropped")
        assert _run(kept).shape == (2, 4, 3)
        state_as_one = tf.nn.rnn_cell.BasicLSTMCell(3, state_is_tuple=False)
        _, flat = tf.nn.dynamic_rnn(state_as_one, x, dtype=tf.float32, scope="flat")
        assert flat.shape.as_list() == [2, 6]


def test_bidirectional_rnns_reverse_within_lengths():
    with tf.Graph().as_default():
        x = tf.constant(X)
        fw, bw = tf.nn.rnn_cell.BasicLSTMCell(3), tf.nn.rnn_cell.BasicLSTMCell(3)
        (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, LENGTHS,
                                                              dtype=tf.float32)
        names = {v.name for v in tf.global_variables()}
        assert "bidirectional_rnn/bw/rnn/basic_lstm_cell/kernel:0" in names
        bw_vars = [v for v in tf.global_variables() if "/bw/" in v.name]
        static_out, _, _ = tf.nn.static_bidirectional_rnn(
            tf.nn.rnn_cell.GRUCell(2), tf.nn.rnn_cell.GRUCell(2), tf.unstack(x, axis=1),
            dtype=tf.float32, scope="sb")
        got_bw, kernel, bias, static = _run([out_bw, bw_vars[0], bw_vars[1], static_out])
    for row, length in enumerate(LENGTHS):
        reversed_x = X[row:row + 1, :length][:, ::-1]
        want, _, _ = _lstm_numpy(reversed_x, kernel, bias, 3)
        np.testing.assert_allclose(got_bw[row, :length], want[0, ::-1], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_bw[row, length:], 0.0)
    assert len(static) == 4 and static[0].shape == (2, 4)


def test_unknown_time_dimension_is_a_clear_error():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, 3])
        with pytest.raises(ValueError, match="time dimension"):
            tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(2), x, dtype=tf.float32)


def test_an_lstm_learns():
    rng = np.random.RandomState(1)
    data = rng.randn(64, 5, 1).astype(np.float32)
    target = data.sum(axis=(1, 2))[:, None].astype(np.float32)
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 5, 1])
        y = tf.placeholder(tf.float32, [None, 1])
        out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(8), x, dtype=tf.float32)
        pred = tf.layers.dense(out[:, -1], 1)
        loss = tf.reduce_mean(tf.square(pred - y))
        train = tf.train.AdamOptimizer(0.02).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(loss, {x: data, y: target})
            for _ in range(150):
                sess.run(train, {x: data, y: target})
            last = sess.run(loss, {x: data, y: target})
    assert last < first / 5
