"""tf.image colour conversions, adjustments, dtype conversion, quality measures, patches,
boxes, NMS and geometry against real TensorFlow's outputs
(fixtures/make_image_fixtures.py)."""

import os

import numpy as np
import pytest

import fluxion as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "image_fixtures.npz"))
RGB, U8, NOISY = FIX["rgb"], FIX["u8"], FIX["noisy"]
NOISY_U8 = (NOISY * 255).astype(np.uint8)
I = tf.image  # noqa: E741
BOXES, SCORES = FIX["nms_boxes"], FIX["nms_scores"]
RGBA = np.concatenate([RGB, np.ones_like(RGB[..., :1])], axis=-1)

CASES = {
    "hsv": lambda: I.rgb_to_hsv(RGB),
    "hsv_back": lambda: I.hsv_to_rgb(FIX["hsv"]),
    "yuv": lambda: I.rgb_to_yuv(RGB),
    "yuv_back": lambda: I.yuv_to_rgb(FIX["yuv"]),
    "yiq": lambda: I.rgb_to_yiq(RGB),
    "yiq_back": lambda: I.yiq_to_rgb(FIX["yiq"]),
    "gray": lambda: I.rgb_to_grayscale(RGB),
    "gray_u8": lambda: I.rgb_to_grayscale(U8),
    "brightness": lambda: I.adjust_brightness(RGB, 0.2),
    "brightness_u8": lambda: I.adjust_brightness(U8, 0.2),
    "contrast": lambda: I.adjust_contrast(RGB, 1.7),
    "contrast_u8": lambda: I.adjust_contrast(U8, 0.6),
    "saturation": lambda: I.adjust_saturation(RGB, 1.8),
    "saturation_u8": lambda: I.adjust_saturation(U8, 0.4),
    "hue": lambda: I.adjust_hue(RGB, 0.3),
    "hue_neg": lambda: I.adjust_hue(RGB, -0.45),
    "hue_u8": lambda: I.adjust_hue(U8, 0.1),
    "gamma": lambda: I.adjust_gamma(RGB, 2.2, 0.9),
    "gamma_u8": lambda: I.adjust_gamma(U8, 0.5),
    "standardized": lambda: I.per_image_standardization(RGB),
    "standardized_u8": lambda: I.per_image_standardization(U8),
    "constant_standardized": lambda: I.per_image_standardization(np.ones((4, 4, 3),
                                                                         np.float32)),
    "u8_to_f": lambda: I.convert_image_dtype(U8, tf.float32),
    "f_to_u8": lambda: I.convert_image_dtype(RGB, tf.uint8),
    "f_to_u8_sat": lambda: I.convert_image_dtype(RGB * 1.5 - 0.2, tf.uint8, saturate=True),
    "u8_to_u16": lambda: I.convert_image_dtype(U8, tf.uint16),
    "u16_to_u8": lambda: I.convert_image_dtype(FIX["u8_to_u16"] + 300, tf.uint8),
    "f_to_i32": lambda: I.convert_image_dtype(RGB[0, :2, :2], tf.int32),
    "psnr": lambda: I.psnr(RGB, NOISY, 1.0),
    "psnr_u8": lambda: I.psnr(U8, NOISY_U8, 255),
    "ssim": lambda: I.ssim(RGB, NOISY, 1.0),
    "ssim_small": lambda: I.ssim(RGB, NOISY, 1.0, filter_size=5, filter_sigma=1.0),
    "ssim_map": lambda: I.ssim(RGB, NOISY, 1.0, return_index_map=True),
    "ssim_u8": lambda: I.ssim(U8, NOISY_U8, 255),
    "ms_ssim": lambda: I.ssim_multiscale(FIX["big"], FIX["big_noisy"], 1.0),
    "ms_ssim3": lambda: I.ssim_multiscale(FIX["big"], FIX["big_noisy"], 1.0,
                                          power_factors=(0.3, 0.3, 0.4), filter_size=7),
    "sobel": lambda: I.sobel_edges(RGB),
    "grad_dy": lambda: I.image_gradients(RGB)[0],
    "grad_dx": lambda: I.image_gradients(RGB)[1],
    "tv": lambda: I.total_variation(RGB),
    "tv3": lambda: I.total_variation(RGB[0]),
    "patches_valid": lambda: I.extract_patches(RGB, [1, 3, 4, 1], [1, 2, 3, 1], [1, 1, 1, 1],
                                               "VALID"),
    "patches_same": lambda: I.extract_patches(RGB, [1, 3, 2, 1], [1, 4, 3, 1], [1, 2, 2, 1],
                                              "SAME"),
    "drawn": lambda: I.draw_bounding_boxes(RGB, FIX["draw_boxes"], [[1, 0, 0, 1],
                                                                   [0, 1, 0, 1]]),
    "drawn_default": lambda: I.draw_bounding_boxes(RGBA, FIX["draw_boxes"], None),
    "nms": lambda: I.non_max_suppression(BOXES, SCORES, 10, 0.3),
    "nms_thresh": lambda: I.non_max_suppression(BOXES, SCORES, 30, 0.5, score_threshold=0.4),
    "soft_idx": lambda: I.non_max_suppression_with_scores(BOXES, SCORES, 15, 0.6,
                                                          soft_nms_sigma=0.5)[0],
    "soft_scores": lambda: I.non_max_suppression_with_scores(BOXES, SCORES, 15, 0.6,
                                                             soft_nms_sigma=0.5)[1],
    "padded_idx": lambda: I.non_max_suppression_padded(BOXES, SCORES, 20, 0.4,
                                                       pad_to_max_output_size=True)[0],
    "padded_valid": lambda: I.non_max_suppression_padded(BOXES, SCORES, 20, 0.4,
                                                         pad_to_max_output_size=True)[1],
    "nms_overlaps": lambda: I.non_max_suppression_overlaps(FIX["overlaps"], SCORES[:12], 6,
                                                           0.5),
    "central": lambda: I.central_crop(RGB, 0.55),
    "crop_or_pad": lambda: I.resize_with_crop_or_pad(RGB, 11, 25),
    "rot1": lambda: I.rot90(RGB, 1),
    "rot3": lambda: I.rot90(RGB[0], 3),
}
COMBINED = ["c_boxes", "c_scores", "c_classes", "c_valid"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tensorflow(name):
    got = CASES[name]().numpy()
    want = FIX[name]
    assert got.shape == want.shape
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=1e-4,
                               atol=1e-4)
    if want.dtype.kind in "iu":
        assert got.dtype == want.dtype


def test_combined_non_max_suppression_matches_tensorflow():
    result = I.combined_non_max_suppression(BOXES.reshape(2, 20, 1, 4), FIX["cscores"], 4, 9,
                                            0.5, 0.2)
    for name, value in zip(COMBINED, result):
        np.testing.assert_allclose(value.numpy(), FIX[name], atol=1e-6)


def test_geometry_ops_match_numpy():
    x = RGB[0]
    np.testing.assert_array_equal(I.flip_left_right(x).numpy(), x[:, ::-1])
    np.testing.assert_array_equal(I.flip_up_down(RGB).numpy(), RGB[:, ::-1])
    np.testing.assert_array_equal(I.transpose(x).numpy(), x.transpose(1, 0, 2))
    np.testing.assert_array_equal(I.rot90(x, 2).numpy(), np.rot90(x, 2))
    np.testing.assert_array_equal(I.crop_to_bounding_box(x, 2, 3, 5, 6).numpy(),
                                  x[2:7, 3:9])
    padded = I.pad_to_bounding_box(x, 1, 2, 20, 25).numpy()
    np.testing.assert_array_equal(padded[1:17, 2:20], x)
    assert padded.sum() == pytest.approx(x.sum(), rel=1e-5)
    np.testing.assert_array_equal(I.grayscale_to_rgb(x[..., :1]).numpy(),
                                  np.repeat(x[..., :1], 3, -1))
    with pytest.raises(ValueError, match="exceeds"):
        I.crop_to_bounding_box(x, 10, 0, 10, 4)


def test_random_variants_are_seeded_and_valid():
    stateless = I.stateless_random_flip_left_right(RGB, seed=[3, 4]).numpy()
    assert np.array_equal(stateless, I.stateless_random_flip_left_right(RGB, [3, 4]).numpy())
    for got, img in zip(stateless, RGB):
        assert np.array_equal(got, img) or np.array_equal(got, img[:, ::-1])
    flipped = I.random_flip_up_down(RGB).numpy()
    for got, img in zip(flipped, RGB):
        assert np.array_equal(got, img) or np.array_equal(got, img[::-1])
    crop = I.stateless_random_crop(RGB[0], [5, 6, 3], seed=[1, 2]).numpy()
    assert crop.shape == (5, 6, 3)
    assert any(np.array_equal(crop, RGB[0, i:i + 5, j:j + 6]) for i in range(12)
               for j in range(13))
    assert I.random_crop(RGB, [1, 4, 4, 3]).shape == (1, 4, 4, 3)
    bright = I.stateless_random_brightness(RGB, 0.3, seed=[5, 6]).numpy() - RGB
    assert np.allclose(bright, bright.flat[0], atol=1e-6) and abs(bright.flat[0]) <= 0.3
    contrast = I.stateless_random_contrast(RGB, 0.5, 1.5, seed=[1, 1])
    hue = I.stateless_random_hue(RGB, 0.2, seed=[1, 1])
    saturation = I.random_saturation(RGB, 0.5, 1.5)
    for out in (contrast, hue, saturation, I.random_hue(RGB, 0.1),
                I.random_contrast(RGB, 0.2, 0.4), I.random_brightness(RGB, 0.1)):
        assert out.shape == RGB.shape and out.dtype == tf.float32
    with pytest.raises(ValueError, match="max_delta"):
        I.random_hue(RGB, 0.7)


def test_sample_distorted_bounding_box_properties():
    box = np.array([[[0.1, 0.2, 0.5, 0.6]]], np.float32)
    for i in range(20):
        begin, size, bbox = I.stateless_sample_distorted_bounding_box(
            [100, 200, 3], box, seed=[i, 7], min_object_covered=0.5,
            aspect_ratio_range=(0.5, 2.0), area_range=(0.1, 0.9))
        (top, left, zero), (h, w, minus) = begin.numpy(), size.numpy()
        assert zero == 0 and minus == -1
        assert 0 <= top and top + h <= 100 and 0 <= left and left + w <= 200
        whole = (top, left, h, w) == (0, 0, 100, 200)
        if not whole:
            assert 0.1 * 20000 - 200 <= h * w <= 0.9 * 20000 + 200
            inter = max(0, min(top + h, 50) - max(top, 10)) * \
                max(0, min(left + w, 120) - max(left, 40))
            assert inter / (40 * 80) >= 0.5
        np.testing.assert_allclose(bbox.numpy()[0, 0], [top / 100, left / 200,
                                                        (top + h) / 100, (left + w) / 200])
    again = I.stateless_sample_distorted_bounding_box([100, 200, 3], box, seed=[3, 7],
                                                      min_object_covered=0.5)
    first = I.stateless_sample_distorted_bounding_box([100, 200, 3], box, seed=[3, 7],
                                                      min_object_covered=0.5)
    assert np.array_equal(again[0].numpy(), first[0].numpy())
    crop = tf.slice(tf.zeros([100, 200, 3]), *I.sample_distorted_bounding_box(
        [100, 200, 3], np.zeros((1, 0, 4), np.float32),
        use_image_if_no_bounding_boxes=True)[:2])
    assert crop.shape[2] == 3
    with pytest.raises(ValueError, match="use_image_if_no_bounding_boxes"):
        I.sample_distorted_bounding_box([10, 10, 3], np.zeros((1, 0, 4), np.float32))


@pytest.mark.parametrize("centered", [True, False])
@pytest.mark.parametrize("normalized", [True, False])
def test_extract_glimpse_matches_tensorflow(centered, normalized):
    offsets = FIX["glimpse_offsets"] * (1.0 if normalized else 3.0)
    got = I.extract_glimpse(FIX["glimpse_input"], [3, 4], offsets, centered=centered,
                            normalized=normalized, noise="zero")
    np.testing.assert_array_equal(got.numpy(), FIX[f"glimpse_{int(centered)}{int(normalized)}"])
    noisy = I.extract_glimpse(FIX["glimpse_input"], [3, 4], offsets, centered=centered,
                              normalized=normalized).numpy()
    inside = FIX[f"glimpse_{int(centered)}{int(normalized)}"] != 0
    np.testing.assert_array_equal(noisy[inside], got.numpy()[inside])
    assert noisy.min() >= 0 and noisy.max() <= FIX["glimpse_input"].max()
