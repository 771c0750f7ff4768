"""fluxion.train.Checkpoint: save/write/restore/read, the object graph, clear errors."""

import json
import os
import zipfile

import numpy as np
import pytest

import fluxion as tf
import fluxion.train as train
from fluxion import keras
from fluxion.errors import DataLossError, NotFoundError
from fluxion.train import checkpoint_file


def _key(path):
    """A variable's key in a TensorFlow object-based checkpoint."""
    return path + "/.ATTRIBUTES/VARIABLE_VALUE"


def _values(objects):
    return [np.array(v.numpy()) for v in objects]


def test_save_numbers_checkpoints_and_restore_brings_values_back(tmp_path):
    v = tf.Variable([1.0, 2.0])
    step = tf.Variable(0, dtype=tf.int64)
    ckpt = tf.train.Checkpoint(v=v, step=step) if hasattr(tf, "train") else None
    ckpt = train.Checkpoint(v=v, step=step)
    prefix = str(tmp_path / "run" / "ckpt")
    first = ckpt.save(prefix)
    assert first == prefix + "-1" and int(ckpt.save_counter) == 1
    assert os.path.isfile(first + ".index")
    v.assign([5.0, 6.0])
    step.assign(7)
    second = ckpt.save(prefix)
    assert second == prefix + "-2"
    assert train.latest_checkpoint(tmp_path / "run") == second
    status = ckpt.restore(first)
    status.assert_consumed().assert_existing_objects_matched().assert_nontrivial_match()
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert int(step) == 0 and int(ckpt.save_counter) == 1
    state = train.get_checkpoint_state(tmp_path / "run")
    assert state.model_checkpoint_path == second
    assert open(tmp_path / "run" / "checkpoint").read().startswith(
        'model_checkpoint_path: "ckpt-2"\n')


def test_write_and_read_do_no_numbering(tmp_path):
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    ckpt = train.Checkpoint(v=v)
    path = ckpt.write(tmp_path / "exact")
    assert path == str(tmp_path / "exact") and int(ckpt.save_counter) == 0
    assert not os.path.exists(tmp_path / "checkpoint")
    v.assign(np.zeros((2, 3), np.float32))
    fresh = tf.Variable(np.ones((2, 3), np.float32))
    train.Checkpoint(v=fresh).read(path).assert_consumed()
    np.testing.assert_array_equal(fresh.numpy(), np.arange(6).reshape(2, 3))


def test_restore_none_and_partial_matches(tmp_path):
    status = train.Checkpoint(v=tf.Variable(1.0)).restore(None)
    assert isinstance(status, train.InitializationOnlyStatus)
    with pytest.raises(AssertionError, match="No checkpoint specified"):
        status.assert_consumed()
    assert status.expect_partial() is status

    path = train.Checkpoint(a=tf.Variable(1.0), b=tf.Variable(2.0)).write(tmp_path / "c")
    a = tf.Variable(0.0)
    status = train.Checkpoint(a=a).read(path)  # b has no object here
    assert float(a) == 1.0
    status.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match="Unresolved values .* b"):
        status.assert_consumed()
    assert status.expect_partial() is status

    extra = tf.Variable(9.0)
    status = train.Checkpoint(a=tf.Variable(0.0), z=extra).read(path)
    with pytest.raises(AssertionError, match="not bound to checkpointed values.*program: z"):
        status.assert_existing_objects_matched()
    status = train.Checkpoint(q=tf.Variable(0.0)).read(path)
    with pytest.raises(AssertionError, match="Nothing except the root"):
        status.assert_nontrivial_match()


def test_nested_checkpoints_containers_and_shared_variables(tmp_path):
    shared = tf.Variable([3.0])
    inner = train.Checkpoint(w=shared)
    ckpt = train.Checkpoint(inner=inner, also=shared, group={"x": tf.Variable(1)},
                            items=[tf.Variable(2), tf.Variable(3)])
    path = ckpt.write(tmp_path / "c")
    names = dict(train.list_variables(path))
    # stored once, under its shortest path
    assert set(names) == {_key(n) for n in ("also", "group/x", "items/0", "items/1")} | {
        "_CHECKPOINTABLE_OBJECT_GRAPH"}
    shared2, x2, i0, i1 = tf.Variable([0.0]), tf.Variable(0), tf.Variable(0), tf.Variable(0)
    train.Checkpoint(inner=train.Checkpoint(w=shared2), also=shared2, group={"x": x2},
                     items=[i0, i1]).read(path).assert_consumed()
    assert [float(shared2.numpy()[0]), int(x2), int(i0), int(i1)] == [3.0, 1, 2, 3]
    assert float(train.load_variable(path, "also")[0]) == 3.0


class Counter:
    """A user object: children by protocol, plus a plain-array state."""

    def __init__(self):
        self.total = tf.Variable(0.0)
        self.history = np.zeros(3)

    def _checkpoint_children(self):
        return {"total": self.total}

    def _serialize_to_tensors(self):
        return {"history": self.history}

    def _restore_from_tensors(self, tensors):
        self.history = tensors["history"]


def test_user_objects_by_protocol(tmp_path):
    counter = Counter()
    counter.total.assign(4.0)
    counter.history = np.array([1.0, 2.0, 3.0])
    path = train.Checkpoint(counter=counter).write(tmp_path / "c")
    fresh = Counter()
    train.Checkpoint(counter=fresh).read(path).assert_consumed()
    assert float(fresh.total) == 4.0
    np.testing.assert_array_equal(fresh.history, [1.0, 2.0, 3.0])


def test_string_and_integer_variables(tmp_path):
    s = tf.Variable([b"ab", b"c"])
    i = tf.Variable(np.array([1, 2], np.int64))
    path = train.Checkpoint(s=s, i=i).write(tmp_path / "c")
    s2, i2 = tf.Variable([b"", b""]), tf.Variable(np.zeros(2, np.int64))
    train.Checkpoint(s=s2, i=i2).read(path).assert_consumed()
    assert list(s2.numpy()) == [b"ab", b"c"] and list(i2.numpy()) == [1, 2]


def _model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3),
                              keras.layers.Dropout(0.5), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def test_keras_model_and_optimizer_into_a_new_program(tmp_path):
    keras.utils.set_random_seed(1)
    model = _model()
    x, y = np.random.rand(16, 4).astype("float32"), np.random.rand(16, 2).astype("float32")
    model.fit(x, y, epochs=2, verbose=0)
    step = tf.Variable(5)
    path = train.Checkpoint(model=model, optimizer=model.optimizer, step=step).save(
        tmp_path / "ckpt")
    names = [name for name, _ in train.list_variables(path)]
    # "layers/dense" is one child's name: TF's key escapes its "/" as ".S"
    assert _key("model/layers.Sdense/kernel") in names and _key("optimizer/vars.S0") in names
    assert _key("model/layers.Sdropout/seed_generator/state") in names

    other = _model()  # other global names (dense_2...), optimizer not built yet
    assert not other.optimizer.built
    restored_step = tf.Variable(0)
    train.Checkpoint(model=other, optimizer=other.optimizer,
                     step=restored_step).restore(path).assert_consumed()
    assert int(restored_step) == 5 and other.optimizer.built
    for a, b in zip(_values(model.weights), _values(other.weights)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(_values(model.optimizer.variables), _values(other.optimizer.variables)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(model.predict(x, verbose=0), other.predict(x, verbose=0))
    # The model alone reaches its optimizer too (as ``model.optimizer``).
    third = _model()
    train.Checkpoint(model=third).restore(path).expect_partial()
    assert int(third.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy())


class Tower(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = keras.layers.Dense(3)
        self.blocks = [keras.layers.Dense(3), keras.layers.Dense(2)]

    def call(self, x):
        x = self.encoder(x)
        for block in self.blocks:
            x = block(x)
        return x


def test_subclassed_models_by_attribute_name(tmp_path):
    model = Tower()
    model(np.ones((1, 4), np.float32))
    path = train.Checkpoint(model=model).write(tmp_path / "c")
    names = {name for name, _ in train.list_variables(path)}
    assert {_key("model/encoder/kernel"), _key("model/blocks.S0/kernel"),
            _key("model/blocks.S1/bias")} <= names
    other = Tower()
    other(np.ones((1, 4), np.float32))
    train.Checkpoint(model=other).read(path).assert_consumed()
    for a, b in zip(_values(model.weights), _values(other.weights)):
        np.testing.assert_array_equal(a, b)


def test_bad_arguments():
    with pytest.raises(ValueError, match="expecting x to be a trackable object"):
        train.Checkpoint(x=3)
    with pytest.raises(ValueError, match="'save' is a reserved name"):
        train.Checkpoint(save=tf.Variable(1))
    ckpt = train.Checkpoint(v=tf.Variable(1.0))

    @tf.function
    def inside():
        ckpt.write("/tmp/never")
        return 1

    with pytest.raises(RuntimeError, match="cannot run inside a traced function"):
        inside()


# --- loading bad files: clear errors, nothing changed ------------------------------------------
@pytest.fixture
def saved(tmp_path):
    a, b = tf.Variable(np.arange(4, dtype=np.float32)), tf.Variable(np.ones(200, np.float32))
    path = train.Checkpoint(a=a, b=b).write(tmp_path / "good")
    fresh = (tf.Variable(np.full(4, -1.0, np.float32)), tf.Variable(np.full(200, -1.0, np.float32)))
    return path, train.Checkpoint(a=fresh[0], b=fresh[1]), fresh


def _unchanged(fresh):
    assert (fresh[0].numpy() == -1).all() and (fresh[1].numpy() == -1).all()


def test_missing_paths(saved, tmp_path):
    _, ckpt, fresh = saved
    with pytest.raises(NotFoundError, match="no file .*nothing-here.index"):
        ckpt.restore(tmp_path / "nothing-here")
    with pytest.raises(NotFoundError, match="it is a directory.*latest_checkpoint"):
        ckpt.restore(tmp_path)
    (tmp_path / "tf.index").write_bytes(b"x")
    with pytest.raises(DataLossError, match="truncated or corrupt.*too short"):
        ckpt.restore(tmp_path / "tf")
    _unchanged(fresh)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_file(saved, cut):
    path, ckpt, fresh = saved
    for name in (path + ".index", path + ".data-00000-of-00001"):
        data = open(name, "rb").read()
        with open(name, "wb") as f:
            f.write(data[:int(len(data) * cut)])
    with pytest.raises(DataLossError, match="truncated or corrupt"):
        ckpt.restore(path)
    _unchanged(fresh)


def test_corrupt_tensor_bytes(saved):
    path, ckpt, fresh = saved
    data = bytearray(open(path + ".data-00000-of-00001", "rb").read())
    at = data.find(np.ones(200, np.float32).tobytes()[:64])
    data[at + 100] ^= 0xFF  # one flipped byte inside b's values
    open(path + ".data-00000-of-00001", "wb").write(bytes(data))
    with pytest.raises(DataLossError, match="corrupt"):
        ckpt.restore(path)
    _unchanged(fresh)


def test_wrong_kinds_of_file(saved, tmp_path):
    _, ckpt, fresh = saved
    cases = {
        "garbage": (b"hello, not a checkpoint", "not a Fluxion checkpoint"),
        "weights.h5": (b"\x89HDF\r\n\x1a\n" + bytes(100), "HDF5 file"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(DataLossError, match=message):
            ckpt.restore(tmp_path / name)
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("metadata.json", "{}")
    with pytest.raises(DataLossError, match="Keras `.keras` model archive"):
        ckpt.restore(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "other.fxckpt", "w") as archive:
        archive.writestr("checkpoint.json", json.dumps({"format": "something else"}))
    with pytest.raises(DataLossError, match="has format 'something else'"):
        ckpt.restore(tmp_path / "other")
    _unchanged(fresh)


def test_newer_format_version(saved, tmp_path):
    _, ckpt, fresh = saved
    document = {"format": checkpoint_file.FORMAT, "version": checkpoint_file.VERSION + 1,
                "nodes": [{"children": {}}], "tensors": {}}
    with zipfile.ZipFile(tmp_path / "new.fxckpt", "w") as archive:
        archive.writestr("checkpoint.json", json.dumps(document))
    with pytest.raises(DataLossError, match="newer Fluxion.*Upgrade"):
        ckpt.restore(tmp_path / "new")
    _unchanged(fresh)


def test_values_that_do_not_fit_change_nothing(saved):
    path, _, _ = saved
    a, b = tf.Variable(np.full(4, -1.0, np.float32)), tf.Variable(np.full(3, -1.0, np.float32))
    with pytest.raises(ValueError, match=r"nothing was changed.*b: shape \(200,\)"):
        train.Checkpoint(a=a, b=b).restore(path)
    assert (a.numpy() == -1).all()  # a matched, but was not assigned either
    a64 = tf.Variable(np.zeros(4, np.float64))
    with pytest.raises(ValueError, match="dtype float32 in the checkpoint, float64"):
        train.Checkpoint(a=a64).restore(path)
    with pytest.raises(ValueError, match="the program a Checkpoint"):
        train.Checkpoint(a=train.Checkpoint(x=tf.Variable(1.0))).restore(path)


def test_example_messages_are_reachable_as_in_tf_train():
    pytest.importorskip("google.protobuf")
    example = train.Example()
    example.features.feature["x"].int64_list.value.append(3)
    assert train.Example.FromString(example.SerializeToString()) == example
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        train.Nope  # noqa: B018
