"""The convolution family's fusion rewrites (``fluxion.core.primitives.conv_fusion``):
zero padding into the conv, an inference-mode batch normalization folded into the filter,
bias + residual + ReLU(6) into one ``fused_conv``, the bias gradient with the filter's.
Each compiled graph gives the eager (unfused) result; the rewrites apply where they may
(node counts) and not where they may not (training-mode batch normalization, a conv
output read twice)."""

import numpy as np
import pytest
from pass_helpers import prim_names, run_graph, trace_graph

import fluxion as tf
from fluxion import keras
from fluxion.core.primitives import conv_fusion
from fluxion.graph.passes import optimize, simplify_to_fixed_point
from fluxion.graph.passes.prune import prune
from fluxion.graph.passes.rewrite import Rewriter

rng = np.random.default_rng(0)


def _randomize(model, seed=1):
    """Weights and batch-norm statistics away from their initial values."""
    generator = np.random.default_rng(seed)
    for variable in model.weights:
        values = generator.normal(size=variable.shape) * 0.5
        if "variance" in variable.name:
            values = np.abs(values) + 0.5
        variable.assign(values.astype(np.float32))


def _compiled(model, training=False):
    """The model's call as a compiled function."""
    return tf.function(lambda x: model(x, training=training))


def _activation_sized(concrete, x_batch) -> list[str]:
    """Primitives of the optimised graph, except convs, whose output is an activation
    (``x_batch`` differs from every kernel's first dimension)."""
    names = []
    for node in concrete.graph.nodes:
        shape = node.outputs[0].aval.shape if node.outputs else ()
        if len(shape) == 4 and shape[0] in (None, x_batch) and \
                not node.prim.name.endswith("conv"):
            names.append(node.prim.name)
    return names


def _conv_bn_relu6(padding_layer=False):
    layers = [keras.Input((9, 9, 3))]
    if padding_layer:
        layers.append(keras.layers.ZeroPadding2D(((0, 1), (0, 1))))
    layers += [keras.layers.Conv2D(8, 3, strides=2 if padding_layer else 1,
                                   padding="valid" if padding_layer else "same",
                                   use_bias=False),
               keras.layers.BatchNormalization(), keras.layers.ReLU(6.0),
               keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False),
               keras.layers.BatchNormalization(), keras.layers.ReLU(6.0),
               keras.layers.Conv2D(4, 1, use_bias=True), keras.layers.BatchNormalization()]
    model = keras.Sequential(layers)
    _randomize(model)
    return model


@pytest.mark.parametrize("padding_layer", [False, True])
def test_inference_batch_norm_folds_into_the_convolutions(padding_layer):
    model = _conv_bn_relu6(padding_layer)
    x = rng.normal(size=(4, 9, 9, 3)).astype(np.float32) * 3
    step = _compiled(model)
    got = step(x).numpy()
    want = model(x, training=False).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    concrete = step.get_concrete_function(x)
    names = prim_names(concrete.graph)
    assert names.count("fused_conv") == 3 and "conv" not in names
    assert "pad" not in names
    assert _activation_sized(concrete, 4) == []  # no pass over an activation but the convs
    relu6 = [n for n in concrete.graph.nodes if n.prim.name == "fused_conv"
             and n.attrs["relu_cap"] == 6.0]
    assert len(relu6) == 2


def test_folded_weights_follow_variable_changes():
    model = _conv_bn_relu6()
    x = rng.normal(size=(2, 9, 9, 3)).astype(np.float32)
    step = _compiled(model)
    before = step(x).numpy()
    bn = model.layers[1]
    bn.moving_mean.assign(bn.moving_mean.numpy() + 1.0)
    bn.gamma.assign(bn.gamma.numpy() * 2.0)
    model.layers[0].kernel.assign(model.layers[0].kernel.numpy() * -1.0)
    after = step(x).numpy()
    np.testing.assert_allclose(after, model(x, training=False).numpy(), rtol=1e-4, atol=1e-4)
    assert not np.allclose(before, after)


def test_training_mode_batch_norm_is_not_folded():
    model = _conv_bn_relu6()
    x = rng.normal(size=(4, 9, 9, 3)).astype(np.float32)
    weights = [w.numpy() for w in model.weights]
    step = _compiled(model, training=True)
    got = step(x).numpy()
    for variable, value in zip(model.weights, weights):  # undo the moving-average updates
        variable.assign(value)
    want = model(x, training=True).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    graph = step.get_concrete_function(x).graph
    convs = [n for n in graph.nodes if n.prim.name.endswith("conv")]
    assert len(convs) == 3
    # Every filter is the variable itself (nothing folded into it); only the last conv's own
    # bias joins it (the batch statistics read the sum, so nothing after it does).
    assert all(n.inputs[1].producer.prim.name in ("read_variable", "reshape") for n in convs)
    assert [n.attrs.get("activation") for n in convs] == [None, None, "linear"]


def test_frozen_batch_norm_in_a_training_step_gives_the_eager_gradients():
    model = _conv_bn_relu6()
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    x = rng.normal(size=(4, 9, 9, 3)).astype(np.float32)

    def gradients(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(x, training=False) ** 2)
        return tape.gradient(loss, model.trainable_weights)

    want = [g.numpy() for g in gradients(tf.constant(x))]
    got = [g.numpy() for g in tf.function(gradients)(tf.constant(x))]
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4)


def _residual_block(x, w1, b1, w2, b2):
    main = tf.nn.relu(tf.nn.conv2d(x, w1, 1, "SAME") + b1)
    shortcut = tf.nn.conv2d(x, w2, 1, "SAME") + b2
    return tf.nn.relu(main + shortcut)


def test_residual_sum_and_relu_fuse_into_one_convolution():
    arrays = [rng.normal(size=s).astype(np.float32) for s in
              [(2, 6, 6, 3), (3, 3, 3, 5), (5,), (1, 1, 3, 5), (5,)]]
    graph = trace_graph(_residual_block, *arrays)
    optimized = optimize(graph)
    names = prim_names(optimized)
    assert names.count("fused_conv") == 2 and "add" not in names and "relu" not in names
    with_residual = [n for n in optimized.nodes if n.prim.name == "fused_conv"
                     and len(n.inputs) == 4]
    assert len(with_residual) == 1 and with_residual[0].attrs["activation"] == "relu"
    want = _residual_block(*[tf.constant(a) for a in arrays]).numpy()
    np.testing.assert_allclose(run_graph(optimized, *arrays)[0], want, rtol=1e-5, atol=1e-5)


def test_a_convolution_read_twice_keeps_its_output():
    def two_uses(x, w, b):
        y = tf.nn.conv2d(x, w, 1, "VALID")
        return tf.nn.relu(y + b), y

    arrays = [rng.normal(size=s).astype(np.float32) for s in [(2, 5, 5, 3), (3, 3, 3, 4),
                                                               (4,)]]
    graph = trace_graph(two_uses, *arrays)
    optimized = optimize(graph)
    assert "conv" in prim_names(optimized) and "fused_conv" not in prim_names(optimized)
    for got, want in zip(run_graph(optimized, *arrays), two_uses(*arrays)):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-5, atol=1e-5)


def test_graphs_without_a_convolution_pattern_are_left_alone():
    def plain(x, w):
        return tf.nn.conv2d(x, w, 1, "VALID")

    arrays = [rng.normal(size=s).astype(np.float32) for s in [(2, 5, 5, 3), (3, 3, 3, 4)]]
    graph = trace_graph(plain, *arrays)
    for rewrite in (conv_fusion.fold_zero_padding, conv_fusion.fold_channel_affine,
                    conv_fusion.fuse_conv_epilogue):
        assert rewrite(graph, Rewriter) is graph


def test_non_zero_or_channel_padding_is_not_folded():
    def padded(x, w):
        y = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=1.0)
        z = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 1]])
        return tf.nn.conv2d(y, w, 1, "VALID"), tf.nn.conv2d(z[..., :3], w, 1, "VALID")

    arrays = [rng.normal(size=s).astype(np.float32) for s in [(2, 5, 5, 3), (3, 3, 3, 4)]]
    graph = trace_graph(padded, *arrays)
    optimized = optimize(graph)
    assert prim_names(optimized).count("pad") == 2
    for got, want in zip(run_graph(optimized, *arrays), padded(*arrays)):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-5, atol=1e-5)


def _conv_bias_gradients(x, w, b):
    with tf.GradientTape() as tape:
        tape.watch([w, b])
        y = tf.nn.relu(tf.nn.conv2d(x, w, 2, "SAME") + b)
        loss = tf.reduce_sum(y * y)
    return tuple(tape.gradient(loss, [w, b]))


def test_filter_and_bias_gradients_come_from_one_node():
    arrays = [rng.normal(size=s).astype(np.float32) for s in [(3, 7, 7, 4), (3, 3, 4, 5),
                                                               (5,)]]
    graph = simplify_to_fixed_point(prune(trace_graph(_conv_bias_gradients, *arrays)))
    rewritten = conv_fusion.fuse_bias_gradient(graph, Rewriter)
    names = prim_names(rewritten)
    assert names.count("conv_filter_bias_grad") == 1 and "conv_filter_grad" not in names
    assert "sum_to_like" not in [n.prim.name for n in rewritten.nodes
                                 if len(n.outputs[0].aval.shape) == 1]
    for got, want in zip(run_graph(rewritten, *arrays), run_graph(graph, *arrays)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
