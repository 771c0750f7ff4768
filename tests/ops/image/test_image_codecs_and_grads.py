"""Image codecs via Pillow (files written by real TensorFlow decode here; Fluxion's files
round-trip), and gradients of the differentiable image ops by finite differences."""

import os

import numpy as np
import pytest

import fluxion as tf
from fluxion.ops.image.quality_ops import ssim_components
from fluxion.testing.op_check import check_op

pytest.importorskip("PIL")
FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "image_fixtures.npz"))
rng = np.random.default_rng(4)


def test_decodes_files_written_by_tensorflow():
    png = FIX["png_bytes"].tobytes()
    np.testing.assert_array_equal(tf.image.decode_png(png).numpy(), FIX["u8"][0])
    np.testing.assert_array_equal(tf.image.decode_image(png).numpy(), FIX["u8"][0])
    png16 = FIX["png16_bytes"].tobytes()
    np.testing.assert_array_equal(tf.image.decode_png(png16, dtype=tf.uint16).numpy(),
                                  FIX["u16"])
    jpeg = FIX["jpeg_bytes"].tobytes()
    decoded = tf.image.decode_jpeg(jpeg).numpy().astype(int)
    # libjpeg versions differ by a few levels in their IDCT rounding
    assert np.abs(decoded - FIX["jpeg_decoded"]).max() <= 8
    assert tf.image.is_jpeg(jpeg).numpy() and not tf.image.is_jpeg(png).numpy()
    np.testing.assert_array_equal(tf.image.extract_jpeg_shape(jpeg).numpy(), [16, 18, 3])
    assert tf.image.decode_jpeg(jpeg, channels=1).shape == (16, 18, 1)
    crop = tf.image.decode_and_crop_jpeg(jpeg, [2, 3, 5, 6]).numpy()
    np.testing.assert_array_equal(crop, tf.image.decode_jpeg(jpeg).numpy()[2:7, 3:9])


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_round_trip(channels):
    image = rng.integers(0, 256, (7, 9, channels)).astype(np.uint8)
    encoded = tf.image.encode_png(image)
    assert encoded.dtype == tf.string and encoded.shape == ()
    np.testing.assert_array_equal(tf.image.decode_png(encoded).numpy(), image)
    as_float = tf.image.decode_image(encoded, dtype=tf.float32).numpy()
    np.testing.assert_allclose(as_float, image / 255.0, atol=1e-6)
    if channels == 1:
        wide = (image.astype(np.uint16) * 257)
        np.testing.assert_array_equal(
            tf.image.decode_png(tf.image.encode_png(wide), dtype=tf.uint16).numpy(), wide)


def test_jpeg_round_trip_and_quality_and_gif():
    smooth = np.tile(np.linspace(0, 255, 32, dtype=np.uint8)[None, :, None], (24, 1, 3))
    encoded = tf.image.encode_jpeg(smooth, quality=95)
    assert np.abs(tf.image.decode_jpeg(encoded).numpy().astype(int) - smooth).max() <= 4
    degraded = tf.image.adjust_jpeg_quality(smooth.astype(np.float32) / 255, 20)
    assert degraded.dtype == tf.float32 and degraded.shape == (24, 32, 3)
    assert tf.image.stateless_random_jpeg_quality(smooth, 50, 90, seed=[1, 2]).shape == \
        (24, 32, 3)
    import io

    from PIL import Image

    frames = [Image.fromarray(np.full((5, 6, 3), v, np.uint8)) for v in (0, 120, 250)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    gif = buffer.getvalue()
    assert tf.image.decode_gif(gif).shape == (3, 5, 6, 3)
    assert tf.image.decode_image(gif).shape == (3, 5, 6, 3)
    assert tf.image.decode_image(gif, expand_animations=False).shape == (5, 6, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a decodable image"):
        tf.image.decode_png(b"not an image")


def test_image_op_gradients():
    x = rng.uniform(0.05, 0.95, (1, 5, 6, 3))
    y = rng.uniform(0.05, 0.95, (1, 5, 6, 3))
    check_op(lambda a: tf.image.rgb_to_yuv(a), [x], None)
    check_op(lambda a: tf.image.hsv_to_rgb(a), [x * 0.9 + 0.02], None, second_order=False)
    check_op(lambda a: tf.image.rgb_to_hsv(a), [x], None, second_order=False)
    check_op(lambda a: tf.image.adjust_contrast(a, 1.4), [x], None)
    check_op(lambda a: tf.image.per_image_standardization(a), [x], None)
    check_op(lambda a: tf.image.sobel_edges(a), [x], None)
    check_op(lambda a: tf.image.total_variation(a * 1.0 + 0.0), [x], None,
             second_order=False)
    check_op(lambda a: tf.image.extract_patches(a, [1, 2, 3, 1], [1, 2, 2, 1], [1, 1, 1, 1],
                                                "SAME"), [x], None)
    check_op(lambda a, b: ssim_components(a, b, 1.0, 3, 1.5, 0.01, 0.03)[0], [x, y], None,
             second_order=False)
