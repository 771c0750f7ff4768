"""Writes image_ops_fixtures.npz: real Keras 3's keras.ops.image results (TensorFlow
backend) on fixed inputs.

Run once with Keras installed: ``/work/refvenv/bin/python make_image_ops_fixtures.py``.
"""

import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402

I = keras.ops.image  # noqa: E741
rng = np.random.default_rng(0)
out = {}
images = rng.uniform(0, 1, (2, 10, 12, 3)).astype(np.float32)
out["images"] = images
out["resize"] = I.resize(images, (7, 15))
out["resize_nearest"] = I.resize(images, (5, 5), interpolation="nearest")
out["resize_bicubic_aa"] = I.resize(images, (4, 5), interpolation="bicubic", antialias=True)
out["resize_crop"] = I.resize(images, (6, 6), crop_to_aspect_ratio=True)
out["resize_pad"] = I.resize(images, (6, 6), pad_to_aspect_ratio=True, fill_value=0.5)
out["resize_cf"] = I.resize(np.transpose(images, (0, 3, 1, 2)), (4, 8),
                            data_format="channels_first")
out["resize_u8"] = I.resize((images * 255).astype(np.uint8), (5, 7))
transform = np.array([[1.1, 0.2, -1.5, -0.1, 0.9, 2.0, 0.001, 0.002],
                      [0.8, -0.3, 3.0, 0.25, 1.2, -1.0, 0.0, 0.0]], np.float32)
out["transform"] = transform
for interpolation in ("nearest", "bilinear"):
    for mode in ("constant", "nearest", "wrap", "reflect"):
        out[f"affine_{interpolation}_{mode}"] = I.affine_transform(
            images, transform, interpolation=interpolation, fill_mode=mode, fill_value=0.25)
grid = np.stack(np.meshgrid(np.linspace(-2.3, 11.7, 9), np.linspace(-1.6, 13.2, 8),
                            indexing="ij"), axis=0).astype(np.float32)
out["coords"] = grid
for order in (0, 1):
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        try:  # some modes index out of bounds in Keras's TF backend; those are left out
            out[f"map_{order}_{mode}"] = I.map_coordinates(images[0, :, :, 0], grid, order,
                                                           fill_mode=mode, fill_value=0.5)
        except Exception as error:  # noqa: BLE001
            print(f"map_coordinates order={order} mode={mode}: {type(error).__name__}")
out["crop"] = I.crop_images(images, top_cropping=1, left_cropping=2, target_height=5,
                            target_width=6)
out["crop_sides"] = I.crop_images(images[0], top_cropping=2, bottom_cropping=3,
                                  left_cropping=1, right_cropping=4)
out["pad"] = I.pad_images(images, top_padding=1, left_padding=2, target_height=14,
                          target_width=15)
out["pad_sides"] = I.pad_images(images[0], top_padding=2, bottom_padding=1, left_padding=0,
                                right_padding=3)
out["patches"] = I.extract_patches(images, 3)
out["patches_same"] = I.extract_patches(images, (2, 3), strides=(3, 2), dilation_rate=1,
                                        padding="same")
out["gray"] = I.rgb_to_grayscale(images)
out["hsv"] = I.rgb_to_hsv(images)
out["rgb"] = I.hsv_to_rgb(out["hsv"])
out["blur"] = I.gaussian_blur(images, kernel_size=(3, 5), sigma=(1.0, 2.0))
out["sobel"] = I.sobel_edges(images)
out["ssim"] = I.ssim(images, np.clip(images + 0.1 * rng.standard_normal(images.shape), 0, 1)
                     .astype(np.float32), filter_size=5)
out["ssim_other"] = np.clip(images + 0.1 * rng.standard_normal(images.shape), 0, 1)
out["ssim"] = I.ssim(images, out["ssim_other"].astype(np.float32), filter_size=5)
start = np.array([[0, 0], [11, 0], [0, 9], [11, 9]], np.float32)
end = np.array([[1, 0.5], [10, 1], [0, 8], [11.5, 9.2]], np.float32)
out["persp_start"], out["persp_end"] = start, end
out["perspective"] = I.perspective_transform(images, start, end)
out["scale_translate"] = I.scale_and_translate(images, (2, 7, 9, 3), np.array([0.7, 0.8]),
                                               np.array([0.5, -1.0]), (1, 2), "bilinear")
out["scale_translate_l3"] = I.scale_and_translate(images, (2, 14, 6, 3), np.array([1.4, 0.5]),
                                                  np.array([0.0, 0.5]), (1, 2), "lanczos3",
                                                  antialias=True)
out = {k: np.asarray(keras.ops.convert_to_numpy(v)) for k, v in out.items()}
np.savez_compressed(os.path.join(os.path.dirname(__file__), "image_ops_fixtures.npz"), **out)
