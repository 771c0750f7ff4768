"""A saved model needs no Python code of the model: custom layers, Lambda layers and
subclassed call methods are served by a process that never imports their definitions;
recurrent layers, AutoGraph loops and conditionals, int and string inputs."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

import fluxion as tf
from fluxion import keras

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ScaledGelu(keras.layers.Layer):
    """A custom layer with its own weight."""

    def build(self, input_shape):
        self.alpha = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     name="alpha")

    def call(self, x):
        return tf.nn.gelu(x) * self.alpha + 0.25


class Residual(keras.Model):
    """A subclassed model with Python control flow resolved at trace time and a
    data-dependent branch (AutoGraph turns the `if` on a tensor into a cond)."""

    def __init__(self):
        super().__init__()
        self.inner = keras.layers.Dense(6, activation="tanh")
        self.custom = ScaledGelu()
        self.lam = keras.layers.Lambda(lambda t: tf.square(t) - 1.0)
        self.out = keras.layers.Dense(2)

    def call(self, x):
        h = self.custom(self.inner(x))
        if tf.reduce_mean(h) > 0.0:
            h = h + self.lam(h)
        else:
            h = h - 1.0
        return self.out(h)


def _run_elsewhere(code: str) -> dict:
    """Runs ``code`` in a fresh interpreter that imports only fluxion; returns its JSON."""
    script = "import json, sys\nimport numpy as np\nimport fluxion as tf\n" + \
        textwrap.dedent(code)
    env = dict(os.environ, PYTHONPATH=REPO)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=240, cwd=REPO, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_custom_lambda_and_subclassed_model_served_without_their_code(tmp_path):
    keras.utils.set_random_seed(3)
    model = Residual()
    x = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")
    want = model(x).numpy()
    model.export(tmp_path / "m", verbose=False)
    np.save(tmp_path / "x.npy", x)
    got = _run_elsewhere(f"""
        loaded = tf.saved_model.load({str(tmp_path / "m")!r})
        x = np.load({str(tmp_path / "x.npy")!r})
        out = loaded.signatures["serving_default"](args_0=x)["output_0"].numpy()
        modules = sorted(m for m in sys.modules if "test_self_contained" in m or
                         m.startswith("tests"))
        print(json.dumps({{"out": out.tolist(), "modules": modules}}))
    """)
    assert got["modules"] == []
    np.testing.assert_allclose(np.array(got["out"]), want, rtol=1e-5, atol=1e-6)


def test_functional_model_with_custom_and_lambda_layers_in_subprocess(tmp_path):
    keras.utils.set_random_seed(4)
    inputs = keras.Input((3,), name="values")
    h = ScaledGelu()(keras.layers.Dense(4)(inputs))
    h = keras.layers.Lambda(lambda t: tf.reduce_max(t, axis=1, keepdims=True) - t)(h)
    model = keras.Model(inputs, keras.layers.Dense(1)(h))
    x = np.random.default_rng(2).normal(size=(6, 3)).astype("float32")
    want = model.predict(x, verbose=0)
    model.export(tmp_path / "m", verbose=False)
    got = _run_elsewhere(f"""
        loaded = tf.saved_model.load({str(tmp_path / "m")!r})
        x = np.array({x.tolist()!r}, dtype="float32")
        print(json.dumps(loaded.signatures["serving_default"](values=x)["output_0"]
                         .numpy().tolist()))
    """)
    np.testing.assert_allclose(np.array(got), want, rtol=1e-5, atol=1e-6)


def test_lstm_and_gru_model(tmp_path):
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((7, 3), name="seq"),
                              keras.layers.LSTM(5, return_sequences=True),
                              keras.layers.GRU(4), keras.layers.Dense(2)])
    x = np.random.default_rng(3).normal(size=(4, 7, 3)).astype("float32")
    model.export(tmp_path / "m", verbose=False)
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    np.testing.assert_allclose(signature(seq=x)["output_0"].numpy(),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_autograph_while_and_cond_function(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x"),
                                  tf.TensorSpec([], tf.int32, name="steps")])
    def iterate(x, steps):
        i = tf.constant(0)
        while i < steps:
            if tf.reduce_sum(x) > 10.0:
                x = x / 2.0
            else:
                x = x * 3.0
            i += 1
        return x

    want = iterate(tf.constant([1.0, 2.0]), tf.constant(5)).numpy()
    tf.saved_model.save(iterate, tmp_path / "m")
    document = json.loads((tmp_path / "m" / "saved_model.json").read_text())
    assert '"primitive":"while"' in json.dumps(document, separators=(",", ":"))
    got = _run_elsewhere(f"""
        loaded = tf.saved_model.load({str(tmp_path / "m")!r})
        out = loaded.signatures["serving_default"](x=[1.0, 2.0], steps=5)["output_0"]
        print(json.dumps(out.numpy().tolist()))
    """)
    np.testing.assert_allclose(np.array(got), want)


def test_int_inputs_embedding(tmp_path):
    keras.utils.set_random_seed(6)
    model = keras.Sequential([keras.Input((5,), dtype="int32", name="tokens"),
                              keras.layers.Embedding(20, 3),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    tokens = np.random.default_rng(4).integers(0, 20, size=(3, 5)).astype("int32")
    model.export(tmp_path / "m", verbose=False)
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    assert signature.structured_input_signature[1]["tokens"].dtype == tf.int32
    np.testing.assert_allclose(signature(tokens=tokens)["output_0"].numpy(),
                               model.predict(tokens, verbose=0), rtol=1e-5, atol=1e-6)
    # JSON-style lists of Python ints, as a server hands them over
    np.testing.assert_allclose(signature(tokens=tokens.tolist())["output_0"].numpy(),
                               model.predict(tokens, verbose=0), rtol=1e-5, atol=1e-6)


def test_string_inputs_and_outputs(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def shout(text):
        upper = tf.strings.upper(text)
        return {"joined": tf.strings.join([upper, "!"]),
                "length": tf.strings.length(text)}

    tf.saved_model.save(shout, tmp_path / "m")
    signature = tf.saved_model.load(tmp_path / "m").signatures["serving_default"]
    assert signature.structured_input_signature[1]["text"].dtype == tf.string
    out = signature(text=["hi", "there"])
    assert [bytes(b) for b in out["joined"].numpy()] == [b"HI!", b"THERE!"]
    assert out["length"].numpy().tolist() == [2, 5]
