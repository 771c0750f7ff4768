"""fluxion.saved_model.save of Modules and functions: signatures named as TF names them,
functions and variables restored as attributes, re-saving a loaded object."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.saved_model import CLASSIFY_METHOD_NAME, REGRESS_METHOD_NAME, Signature


class Affine(tf.Module):
    def __init__(self):
        super().__init__()
        self.scale = tf.Variable([1.0, 2.0], name="scale")
        self.offset = tf.Variable(0.5, trainable=False, name="offset")

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="inp"),
                                  tf.TensorSpec([], tf.int32)])
    def apply(self, x, k):
        return x * self.scale + tf.cast(k, tf.float32) + self.offset

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def split(self, y):
        return {"twice": y * 2.0, "neg": -y}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def pair(self, y):
        return y, y + 1.0


def test_signature_names_follow_tensorflow(tmp_path):
    module = Affine()
    tf.saved_model.save(module, tmp_path / "m", signatures={
        "serving_default": module.apply, "split": module.split.get_concrete_function(),
        "pair": module.pair})
    loaded = tf.saved_model.load(tmp_path / "m")
    assert sorted(loaded.signatures) == ["pair", "serving_default", "split"]
    default = loaded.signatures["serving_default"]
    # a TensorSpec's name wins, else the parameter's name
    assert default.structured_input_signature == (
        (), {"inp": tf.TensorSpec([None, 2], tf.float32), "k": tf.TensorSpec([], tf.int32)})
    assert default.structured_outputs == {"output_0": tf.TensorSpec([None, 2], tf.float32)}
    assert loaded.signatures["split"].structured_outputs == {
        "neg": tf.TensorSpec([None]), "twice": tf.TensorSpec([None])}
    assert set(loaded.signatures["pair"].structured_outputs) == {"output_0", "output_1"}
    got = default(inp=np.ones((1, 2), "float32"), k=np.int32(1))["output_0"].numpy()
    np.testing.assert_allclose(got, [[2.5, 3.5]])
    halves = loaded.signatures["split"](y=tf.constant([1.0, 2.0]))
    np.testing.assert_allclose(halves["neg"].numpy(), [-1.0, -2.0])


def test_functions_and_variables_are_attributes(tmp_path):
    module = Affine()
    tf.saved_model.save(module, tmp_path / "m")
    loaded = tf.saved_model.load(tmp_path / "m")
    assert loaded.signatures == {}  # three functions: no default signature, as in TF
    np.testing.assert_allclose(loaded.apply(tf.ones([1, 2]), tf.constant(1)).numpy(),
                               [[2.5, 3.5]])
    np.testing.assert_allclose(loaded.split(tf.constant([3.0]))["twice"].numpy(), [6.0])
    first, second = loaded.pair(tf.constant([1.0]))
    assert float(second.numpy()[0]) == 2.0 and float(first.numpy()[0]) == 1.0
    np.testing.assert_allclose(loaded.scale.numpy(), [1.0, 2.0])
    assert [v.numpy().tolist() for v in loaded.trainable_variables] == [[1.0, 2.0]]
    assert [float(v.numpy()) for v in loaded.non_trainable_variables] == [0.5]
    # the loaded functions read the loaded variables
    loaded.scale.assign([10.0, 10.0])
    np.testing.assert_allclose(loaded.apply(tf.ones([1, 2]), tf.constant(0)).numpy(),
                               [[10.5, 10.5]])


def test_single_function_becomes_default_signature(tmp_path):
    class One(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(3.0)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def __call__(self, x):
            return x * self.w

    tf.saved_model.save(One(), tmp_path / "m")
    loaded = tf.saved_model.load(tmp_path / "m")
    result = loaded.signatures["serving_default"](x=tf.constant([1.0, 2.0]))
    np.testing.assert_allclose(result["output_0"].numpy(), [3.0, 6.0])
    np.testing.assert_allclose(loaded(tf.constant([2.0])).numpy(), [6.0])


def test_save_a_bare_function_and_nested_arguments(tmp_path):
    @tf.function(input_signature=[[tf.TensorSpec([None]), tf.TensorSpec([None])],
                                  {"p": tf.TensorSpec([2]), "q": tf.TensorSpec([3], name="qq")}])
    def combine(xs, d):
        return xs[0] + xs[1], d["p"]

    tf.saved_model.save(combine, tmp_path / "m")
    loaded = tf.saved_model.load(tmp_path / "m")
    signature = loaded.signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {"xs", "xs_1", "d", "qq"}
    out = signature(xs=[1.0], xs_1=[2.0], d=[5.0, 6.0], qq=[0.0, 0.0, 0.0])
    assert float(out["output_0"].numpy()[0]) == 3.0
    total, p = loaded([tf.constant([1.0]), tf.constant([4.0])],
                      {"p": tf.constant([7.0, 8.0]), "q": tf.zeros([3])})
    assert float(total.numpy()[0]) == 5.0 and p.numpy().tolist() == [7.0, 8.0]


def test_resave_loaded_object(tmp_path):
    module = Affine()
    tf.saved_model.save(module, tmp_path / "a", signatures={"serving_default": module.apply})
    first = tf.saved_model.load(tmp_path / "a")
    tf.saved_model.save(first, tmp_path / "b")
    second = tf.saved_model.load(tmp_path / "b")
    assert sorted(second.signatures) == ["serving_default"]
    x = np.random.rand(3, 2).astype("float32")
    want = module.apply(tf.constant(x), tf.constant(2)).numpy()
    np.testing.assert_allclose(
        second.signatures["serving_default"](inp=x, k=2)["output_0"].numpy(), want)
    np.testing.assert_allclose(second.apply(x, 2).numpy(), want)
    assert [v.name for v in second.variables] == [v.name for v in first.variables]


def test_classify_and_regress_method_names(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="inputs")])
    def classify(inputs):
        return {"scores": tf.nn.softmax(inputs)}

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="inputs")])
    def regress(inputs):
        return {"outputs": tf.reduce_sum(inputs, axis=1)}

    tf.saved_model.save(tf.Module(), tmp_path / "m", signatures={
        "classify": Signature(classify, CLASSIFY_METHOD_NAME),
        "regress": Signature(regress, REGRESS_METHOD_NAME)})
    loaded = tf.saved_model.load(tmp_path / "m")
    assert loaded.signatures["classify"].method_name == CLASSIFY_METHOD_NAME
    assert loaded.signatures["regress"].method_name == REGRESS_METHOD_NAME
    with pytest.raises(ValueError, match="regression signature"):
        tf.saved_model.save(tf.Module(), tmp_path / "bad",
                            signatures={"r": Signature(classify, REGRESS_METHOD_NAME)})


def test_py_function_cannot_be_saved_and_leaves_nothing(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def calls_python(x):
        return tf.py_function(lambda t: t * 2, [x], tf.float32)

    with pytest.raises(TypeError, match="py_call.*cannot be saved|attribute"):
        tf.saved_model.save(calls_python, tmp_path / "m")
    assert not (tmp_path / "m").exists()
    assert list(tmp_path.iterdir()) == []


def test_overwrite_replaces_the_directory(tmp_path):
    module = Affine()
    tf.saved_model.save(module, tmp_path / "m", signatures=module.split)
    tf.saved_model.save(module, tmp_path / "m", signatures=module.pair)
    loaded = tf.saved_model.load(tmp_path / "m")
    assert set(loaded.signatures["serving_default"].structured_outputs) == {"output_0",
                                                                            "output_1"}
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_function_without_signature_traced_once_is_saved(tmp_path):
    @tf.function
    def double(x):
        return x * 2

    double(tf.constant([1.0, 2.0]))
    tf.saved_model.save(double, tmp_path / "m")
    out = tf.saved_model.load(tmp_path / "m").signatures["serving_default"](x=[3.0, 4.0])
    np.testing.assert_allclose(out["output_0"].numpy(), [6.0, 8.0])


def test_classify_signature_parsing_tf_examples(tmp_path):
    pytest.importorskip("google.protobuf")
    from fluxion.io.example_proto import Example, Feature, Features, FloatList

    spec = {"x": tf.io.FixedLenFeature([2], tf.float32)}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
    def classify(inputs):
        features = tf.io.parse_example(inputs, spec)
        return {"scores": tf.nn.softmax(features["x"])}

    tf.saved_model.save(tf.Module(), tmp_path / "m",
                        signatures={"classify": Signature(classify, CLASSIFY_METHOD_NAME)})
    record = Example(features=Features(feature={"x": Feature(
        float_list=FloatList(value=[1.0, 3.0]))})).SerializeToString()
    signature = tf.saved_model.load(tmp_path / "m").signatures["classify"]
    scores = signature(inputs=[record, record])["scores"].numpy()
    np.testing.assert_allclose(scores[0], np.exp([1.0, 3.0]) / np.exp([1.0, 3.0]).sum(),
                               rtol=1e-6)


def test_example_message_class_attribute_round_trips():
    pytest.importorskip("google.protobuf")
    from fluxion.io.example_proto import message_classes
    from fluxion.saved_model import attr_codec

    example = message_classes()["Example"]
    encoded = attr_codec.encode(example, None)
    assert encoded == {"message_class": "tensorflow.Example"}
    assert attr_codec.decode(encoded, None) is example
    with pytest.raises(attr_codec.BadAttribute, match="unknown protobuf message class"):
        attr_codec.decode({"message_class": "os.system"}, None)
