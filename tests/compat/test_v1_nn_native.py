"""TF 1 native nn ops against real TF values (``fixtures/v1_nn_ops.json``, written by
``make_v1_nn_ops.py`` under TensorFlow 2.21)."""

import json
import os
import sys

import numpy as np
import pytest

import fluxion.compat.v1 as tf

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "fixtures"))
from make_v1_nn_ops import inputs  # noqa: E402

with open(os.path.join(HERE, "fixtures", "v1_nn_ops.json")) as _f:
    REFERENCE = {k: np.asarray(v, np.float32) for k, v in json.load(_f).items()}
A = inputs()


def _close(got, key):
    np.testing.assert_allclose(np.asarray(got), REFERENCE[key], rtol=1e-4, atol=1e-4)


def test_conv_gradients_as_ops():
    strides = [1, 2, 2, 1]
    _close(tf.nn.conv2d_backprop_input([2, 5, 5, 3], A["filter"], A["grad_same"], strides,
                                       "SAME"), "backprop_input")
    _close(tf.nn.conv2d_backprop_filter(A["image"], [3, 3, 3, 4], A["grad_same"], strides,
                                        "SAME"), "backprop_filter")
    _close(tf.nn.conv2d_backprop_filter(A["image"], [3, 3, 3, 4], A["grad_same"][:, :2, :2],
                                        strides, "VALID"), "backprop_filter_valid")
    with pytest.raises(ValueError, match="NHWC"):
        tf.nn.conv2d_backprop_filter(A["image"], [3, 3, 3, 4], A["grad_same"], strides,
                                     "SAME", data_format="NCHW")


def test_depthwise_native():
    _close(tf.nn.depthwise_conv2d_native(A["image"], A["dw_filter"], [1, 1, 1, 1], "VALID"),
           "depthwise_native")


@pytest.mark.parametrize("case", ["train", "infer", "avg"])
def test_fused_batch_norm(case):
    args = dict(epsilon=0.01)
    if case == "infer":
        args.update(mean=A["mean"], variance=A["variance"], is_training=False)
    if case == "avg":
        args.update(mean=A["mean"], variance=A["variance"], exponential_avg_factor=0.3)
    y, mean, var = tf.nn.fused_batch_norm(A["image"], A["scale"], A["offset"], **args)
    _close(y, f"bn_{case}_y")
    _close(mean, f"bn_{case}_mean")
    _close(var, f"bn_{case}_var")
