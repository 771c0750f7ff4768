"""keras.ops.image against real Keras 3's results (ops_fixtures/make_image_ops_fixtures.py,
TensorFlow backend): every resize method with antialias, warps with each fill mode,
map_coordinates, scale_and_translate, crops, pads, patches, colour, blur, edges, SSIM;
gradients by finite differences."""

import os

import numpy as np
import pytest

from fluxion.keras import ops
from fluxion.testing.op_check import check_op

FIX = np.load(os.path.join(os.path.dirname(__file__), "ops_fixtures",
                           "image_ops_fixtures.npz"))
X = FIX["images"]
I = ops.image  # noqa: E741

CASES = {
    "resize": lambda: I.resize(X, (7, 15)),
    "resize_nearest": lambda: I.resize(X, (5, 5), interpolation="nearest"),
    "resize_bicubic_aa": lambda: I.resize(X, (4, 5), interpolation="bicubic", antialias=True),
    "resize_crop": lambda: I.resize(X, (6, 6), crop_to_aspect_ratio=True),
    "resize_pad": lambda: I.resize(X, (6, 6), pad_to_aspect_ratio=True, fill_value=0.5),
    "resize_cf": lambda: I.resize(np.transpose(X, (0, 3, 1, 2)), (4, 8),
                                  data_format="channels_first"),
    "resize_u8": lambda: I.resize((X * 255).astype(np.uint8), (5, 7)),
    "crop": lambda: I.crop_images(X, top_cropping=1, left_cropping=2, target_height=5,
                                  target_width=6),
    "crop_sides": lambda: I.crop_images(X[0], top_cropping=2, bottom_cropping=3,
                                        left_cropping=1, right_cropping=4),
    "pad": lambda: I.pad_images(X, top_padding=1, left_padding=2, target_height=14,
                                target_width=15),
    "pad_sides": lambda: I.pad_images(X[0], top_padding=2, bottom_padding=1, left_padding=0,
                                      right_padding=3),
    "patches": lambda: I.extract_patches(X, 3),
    "patches_same": lambda: I.extract_patches(X, (2, 3), strides=(3, 2), padding="same"),
    "gray": lambda: I.rgb_to_grayscale(X),
    "hsv": lambda: I.rgb_to_hsv(X),
    "rgb": lambda: I.hsv_to_rgb(FIX["hsv"]),
    "blur": lambda: I.gaussian_blur(X, kernel_size=(3, 5), sigma=(1.0, 2.0)),
    "sobel": lambda: I.sobel_edges(X),
    "ssim": lambda: I.ssim(X, FIX["ssim_other"].astype(np.float32), filter_size=5),
    "perspective": lambda: I.perspective_transform(X, FIX["persp_start"], FIX["persp_end"]),
    "scale_translate": lambda: I.scale_and_translate(X, (2, 7, 9, 3), np.array([0.7, 0.8]),
                                                     np.array([0.5, -1.0]), (1, 2),
                                                     "bilinear"),
    "scale_translate_l3": lambda: I.scale_and_translate(X, (2, 14, 6, 3),
                                                        np.array([1.4, 0.5]),
                                                        np.array([0.0, 0.5]), (1, 2),
                                                        "lanczos3", antialias=True),
}
for _interp in ("nearest", "bilinear"):
    for _mode in ("constant", "nearest", "wrap", "reflect"):
        CASES[f"affine_{_interp}_{_mode}"] = (
            lambda i=_interp, m=_mode: I.affine_transform(X, FIX["transform"], interpolation=i,
                                                          fill_mode=m, fill_value=0.25))
for _order in (0, 1):
    for _mode in ("constant", "nearest", "wrap"):
        CASES[f"map_{_order}_{_mode}"] = (
            lambda o=_order, m=_mode: I.map_coordinates(X[0, :, :, 0], FIX["coords"], o,
                                                        fill_mode=m, fill_value=0.5))


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name):
    got = np.asarray(CASES[name]().numpy())
    want = FIX[name]
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), atol=2e-5)


def test_gradients_flow_to_images():
    rng = np.random.default_rng(5)
    image = rng.standard_normal((1, 5, 6, 2))
    transform = np.array([0.9, 0.13, 0.31, -0.07, 1.1, 0.27, 0.0, 0.0])
    check_op(lambda v: I.affine_transform(v, transform, fill_mode="reflect"), [image], None,
             traced=False)
    check_op(lambda v: I.gaussian_blur(v, (3, 3), (1.0, 1.0)), [image], None)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="interpolation"):
        I.resize(X, (3, 3), interpolation="cubic")
    with pytest.raises(ValueError, match="rank"):
        I.resize(X[0, 0], (3, 3))


def test_resizing_layer_uses_every_method_and_antialias():
    from fluxion import keras

    layer = keras.layers.Resizing(4, 5, interpolation="bicubic", antialias=True)
    np.testing.assert_allclose(layer(X).numpy(), FIX["resize_bicubic_aa"], atol=2e-5)
    assert keras.layers.Resizing.from_config(layer.get_config()).antialias
