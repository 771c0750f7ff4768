"""tf.image.resize (every method, antialias), resize_with_pad and crop_and_resize against
real TensorFlow's outputs (fixtures/make_resize_fixtures.py); gradients by finite
differences in float64."""

import os

import numpy as np
import pytest

import fluxion as tf
from fluxion.ops.image.crop_ops import crop_and_resize_float
from fluxion.ops.image.resize_ops import resize_float
from fluxion.testing.op_check import check_op

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "resize_fixtures.npz"))
METHODS = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
           "mitchellcubic"]
SIZES = {"up": [17, 20], "down": [4, 6], "mixed": [5, 29]}
rng = np.random.default_rng(3)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("label", list(SIZES))
@pytest.mark.parametrize("antialias", [False, True])
def test_resize_matches_tensorflow(method, label, antialias):
    got = tf.image.resize(FIX["images"], SIZES[label], method=method, antialias=antialias)
    assert got.dtype == tf.float32
    np.testing.assert_allclose(got.numpy(), FIX[f"{method}_{label}_{int(antialias)}"],
                               rtol=1e-4, atol=2e-3)


def test_resize_options_and_dtypes():
    images = FIX["images"]
    np.testing.assert_allclose(tf.image.resize(images, [20, 20], preserve_aspect_ratio=True)
                               .numpy(), FIX["aspect"], atol=2e-3)
    nearest = tf.image.resize(images.astype(np.uint8), [5, 20], "nearest")
    assert nearest.dtype == tf.uint8
    np.testing.assert_array_equal(nearest.numpy(), FIX["uint8_nearest"])
    single = tf.image.resize(images[0], [3, 4], method=tf.image.ResizeMethod.AREA)
    assert single.shape == (3, 4, 3)
    with pytest.raises(ValueError, match="method must be one of"):
        tf.image.resize(images, [3, 3], method="cubic")


def test_resize_with_pad_matches_tensorflow():
    images = FIX["images"]
    np.testing.assert_allclose(tf.image.resize_with_pad(images, 12, 12).numpy(),
                               FIX["with_pad"], atol=2e-3)
    np.testing.assert_array_equal(
        tf.image.resize_with_pad(images, 7, 30, method="nearest").numpy(),
        FIX["with_pad_nearest"])


@pytest.mark.parametrize("method, antialias", [("bilinear", False), ("bicubic", False),
                                               ("area", False), ("lanczos3", True),
                                               ("bilinear", True)])
def test_resize_gradients(method, antialias):
    x = rng.standard_normal((1, 5, 4, 2))
    check_op(lambda v: resize_float(v, 3, 7, method, antialias), [x], None)


def test_crop_and_resize_matches_tensorflow_with_gradients():
    images, boxes, indices = FIX["images"], FIX["boxes"], FIX["box_indices"]
    np.testing.assert_allclose(
        tf.image.crop_and_resize(images, boxes, indices, [5, 7]).numpy(),
        FIX["crop_bilinear"], atol=2e-3)
    np.testing.assert_allclose(
        tf.image.crop_and_resize(images, boxes, indices, [4, 3], method="nearest",
                                 extrapolation_value=-1.0).numpy(), FIX["crop_nearest"])
    np.testing.assert_allclose(
        tf.image.crop_and_resize(images, boxes, indices, [1, 1]).numpy(),
        FIX["crop_single"], atol=2e-3)
    image = rng.standard_normal((2, 6, 5, 1))
    box = np.array([[0.13, 0.21, 0.77, 0.69], [0.31, 0.12, 0.87, 0.83]])
    check_op(lambda img, b: crop_and_resize_float(img, b, [1, 0], [3, 4]),
             [image, box], None, traced=False, second_order=False)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "lanczos3"])
def test_resize_of_images_whose_size_is_known_only_at_run_time(method):
    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
    def shrink(images):
        return tf.image.resize(images, [4, 6], method=method, antialias=True)

    for shape in [(2, 9, 13, 3), (1, 5, 7, 3)]:
        images = rng.standard_normal(shape).astype(np.float32)
        np.testing.assert_allclose(shrink(images).numpy(),
                                   tf.image.resize(images, [4, 6], method=method,
                                                   antialias=True).numpy(), atol=1e-5)

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
    def grad(images):
        with tf.GradientTape() as tape:
            tape.watch(images)
            loss = tf.reduce_sum(tf.image.resize(images, [3, 3]) ** 2)
        return tape.gradient(loss, images)

    images = rng.standard_normal((1, 6, 5, 3)).astype(np.float32)
    eager = tf.Variable(images)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.image.resize(eager, [3, 3]) ** 2)
    np.testing.assert_allclose(grad(images).numpy(), tape.gradient(loss, eager).numpy(),
                               atol=1e-5)


def test_dataset_map_decodes_crops_and_standardizes_images_of_unknown_size():
    pytest.importorskip("PIL")
    pictures = [rng.integers(0, 256, shape).astype(np.uint8) for shape in
                [(30, 40, 3), (24, 28, 3)]]
    encoded = [tf.io.encode_png(p).numpy() for p in pictures]

    def prepare(contents):
        image = tf.image.convert_image_dtype(tf.io.decode_png(contents, channels=3),
                                             tf.float32)
        image = tf.image.random_crop(image, [20, 20, 3])
        image = tf.image.random_flip_left_right(image)
        return tf.image.per_image_standardization(tf.image.resize(image, [8, 8]))

    for out in tf.data.Dataset.from_tensor_slices(encoded).map(prepare):
        assert out.shape == (8, 8, 3)
        assert abs(float(np.mean(out.numpy()))) < 1e-4
        assert abs(float(np.std(out.numpy())) - 1.0) < 1e-3


def test_central_crop_and_crop_to_bounding_box_with_run_time_sizes():
    @tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])
    def crop(image):
        return tf.image.central_crop(image, 0.6), tf.image.crop_to_bounding_box(image, 1, 2,
                                                                                3, 4)

    for shape in [(10, 12, 3), (7, 9, 3)]:
        image = rng.standard_normal(shape).astype(np.float32)
        central, box = crop(image)
        np.testing.assert_array_equal(central.numpy(), tf.image.central_crop(image, 0.6)
                                      .numpy())
        np.testing.assert_array_equal(box.numpy(), image[1:4, 2:6])


def test_crop_or_pad_with_run_time_sizes_and_pad_gradient():
    @tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])
    def fit(image):
        return tf.image.resize_with_crop_or_pad(image, 8, 9)

    for shape in [(10, 5, 3), (4, 12, 3), (8, 9, 3)]:
        image = rng.standard_normal(shape).astype(np.float32)
        np.testing.assert_array_equal(fit(image).numpy(),
                                      tf.image.resize_with_crop_or_pad(image, 8, 9).numpy())
    x = rng.standard_normal((2, 3, 4, 2))
    check_op(lambda v: tf.image.pad_to_bounding_box(v, 1, 2, 6, 7), [x],
             lambda v: np.pad(v, [[0, 0], [1, 2], [2, 1], [0, 0]]))
    with pytest.raises(ValueError, match="does not fit"):
        tf.image.pad_to_bounding_box(x, 4, 0, 6, 7)


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_resize_with_pad_of_run_time_size(method):
    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
    def fit(images):
        return tf.image.resize_with_pad(images, 12, 12, method=method)

    images = FIX["images"]
    np.testing.assert_allclose(fit(images).numpy(),
                               tf.image.resize_with_pad(images, 12, 12, method=method).numpy(),
                               atol=1e-4)
    from fluxion.ops.image.crop_ops import resize_pad_p

    x = rng.standard_normal((1, 5, 3, 2))
    check_op(lambda v: resize_pad_p.bind(v, rows=6, cols=7, method="bilinear",
                                         antialias=False), [x], None)
