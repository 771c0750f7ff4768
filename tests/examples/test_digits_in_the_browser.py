"""examples/digits_in_the_browser: the exported digits convnet, loaded by the demo page
itself (index.html with tfjs in headless Chromium), classifies test digits as Fluxion
does.  Skipped, with the reason, where Chromium or @tensorflow/tfjs is missing."""

import os
import re
import shutil
import sys

import numpy as np
import pytest

HERE = os.path.dirname(__file__)
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "digits_in_the_browser")
sys.path.insert(0, os.path.join(HERE, "..", "js"))
sys.path.insert(0, EXAMPLE)
import tfjs_browser  # noqa: E402

pytestmark = pytest.mark.skipif(tfjs_browser.missing() is not None,
                                reason=str(tfjs_browser.missing()))


def test_demo_page_classifies_digits_like_fluxion(tmp_path):
    from export_digits import train_and_export

    from fluxion.datasets import digits

    site = tmp_path / "site"
    site.mkdir()
    model = train_and_export(str(site / "web_model"), epochs=3)
    shutil.copy(os.path.join(EXAMPLE, "index.html"), site)
    shutil.copy(tfjs_browser.tfjs_script(), site / "tf.min.js")
    _, (x_test, y_test) = digits.load_data()
    pixels = (x_test[:3] / 16.0).astype(np.float32)
    expected = model.predict(pixels[..., None], verbose=0).argmax(axis=1)
    assert (expected == y_test[:3]).sum() >= 2  # a trained model, not noise
    for picture, digit in zip(pixels, expected):
        query = ",".join(f"{v:.6f}" for v in picture.ravel())
        dom = tfjs_browser.page_dom(str(site), f"index.html?backend=cpu&pixels={query}")
        match = re.search(r'id="result"[^>]*data-digit="(\d)"', dom)
        assert match, f"the page showed no digit: {dom[-1500:]}"
        assert int(match.group(1)) == digit
