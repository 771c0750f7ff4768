"""The data of each summary kind, as TensorFlow 2 writes it, computed with NumPy.

Each function takes NumPy arrays and returns the array that goes into the summary's
``TensorProto``; the plugin metadata comes from TensorBoard's own helpers
(``summary_ops``).  The layouts are those of TF 2's ``tf.summary`` ops, so TensorBoard
shows Fluxion's runs exactly as TensorFlow's:

- scalar: a float32 scalar;
- histogram: float64 ``[k, 3]`` rows of ``(left edge, right edge, count)``;
- image: strings ``[width, height, png_1, ..., png_n]``;
- text: the string tensor itself;
- audio: strings ``[n, 2]`` of ``(wav bytes, label)``.
"""

from __future__ import annotations

import io
import wave

import numpy as np

DEFAULT_BUCKET_COUNT = 30


def scalar(data: np.ndarray) -> np.ndarray:
    data = np.asarray(data)
    if data.ndim != 0 and data.size != 1:
        raise ValueError(f"a scalar summary takes a single value, got shape {list(data.shape)}")
    return np.asarray(data, dtype=np.float32).reshape(())


def histogram_buckets(data: np.ndarray, bucket_count: int = DEFAULT_BUCKET_COUNT) -> np.ndarray:
    """TF 2's bucketing: ``bucket_count`` equal-width buckets between min and max.

    Empty data gives ``bucket_count`` rows of zeros; a single distinct value gives rows
    whose edges all equal it, with every count in the last bucket.
    """
    bucket_count = max(int(bucket_count), 0)
    values = np.asarray(data, dtype=np.float64).reshape(-1)
    if values.size == 0 or bucket_count == 0:
        return np.zeros((bucket_count, 3), dtype=np.float64)
    low, high = values.min(), values.max()
    span = high - low
    if span == 0:
        counts = np.zeros(bucket_count, dtype=np.float64)
        counts[-1] = values.size
        edges = np.full(bucket_count, high, dtype=np.float64)
        return np.stack([edges, edges, counts], axis=1)
    width = span / bucket_count
    indices = np.minimum(np.floor((values - low) / width).astype(np.int64), bucket_count - 1)
    counts = np.bincount(indices, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(low, high, bucket_count + 1)
    edges[-1] = high  # the last edge is the maximum exactly, whatever the rounding
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def _to_uint8(images: np.ndarray) -> np.ndarray:
    if images.dtype == np.uint8:
        return images
    if np.issubdtype(images.dtype, np.floating):
        # TF's convert_image_dtype(..., uint8, saturate=True): [0, 1] -> [0, 255].
        scaled = np.clip(images.astype(np.float64) * 255.5, 0, 255)
        return scaled.astype(np.uint8)
    if np.issubdtype(images.dtype, np.integer):
        info = np.iinfo(images.dtype)
        return np.clip(images.astype(np.int64) * 255 // max(info.max, 1), 0, 255).astype(np.uint8)
    raise TypeError(f"an image summary takes uint8 or float images, got dtype {images.dtype}")


def image(data: np.ndarray, max_outputs: int = 3) -> np.ndarray:
    images = np.asarray(data)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"an image summary takes a [k, height, width, channels] tensor with 1, 3 or 4 "
            f"channels, got shape {list(images.shape)}")
    from PIL import Image  # the image extra; Pillow is TensorBoard's own dependency too

    images = _to_uint8(images[: max(int(max_outputs), 0)])
    encoded = []
    for picture in images:
        if picture.shape[-1] == 1:
            picture = picture[..., 0]
        buffer = io.BytesIO()
        Image.fromarray(picture).save(buffer, format="PNG")
        encoded.append(buffer.getvalue())
    height, width = int(data.shape[1]), int(data.shape[2])
    return np.array([str(width).encode(), str(height).encode(), *encoded], dtype=object)


def text(data: np.ndarray) -> np.ndarray:
    array = np.asarray(data)
    if array.dtype.kind == "U":
        array = np.vectorize(lambda s: s.encode("utf-8"), otypes=[object])(array)
    elif array.dtype != object:
        raise TypeError(f"a text summary takes a string tensor, got dtype {array.dtype}")
    return array.astype(object)


def _wav_bytes(clip: np.ndarray, sample_rate: int) -> bytes:
    samples = np.round(np.clip(clip, -1.0, 1.0) * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(samples.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(int(sample_rate))
        wav.writeframes(samples.tobytes())
    return buffer.getvalue()


def audio(data: np.ndarray, sample_rate: int, max_outputs: int = 3) -> np.ndarray:
    clips = np.asarray(data, dtype=np.float32)
    if clips.ndim != 3:
        raise ValueError(f"an audio summary takes a [k, samples, channels] tensor of floats "
                         f"in [-1, 1], got shape {list(clips.shape)}")
    rows = [[_wav_bytes(clip, sample_rate), b""] for clip in clips[: max(int(max_outputs), 0)]]
    return np.array(rows, dtype=object).reshape(len(rows), 2)
