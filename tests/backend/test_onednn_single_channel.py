"""Filter and bias gradients over one input channel as one matrix product
(``fluxion.backend.onednn.single_channel``) against NumPy's kernels.  Skipped without
oneDNN."""


import numpy as np
import pytest
from onednn_available import needs_onednn

from fluxion.backend import onednn
from fluxion.backend.onednn import conv, conv_fused, single_channel
from fluxion.core.primitives.conv import conv_filter_grad_p, conv_p

pytestmark = needs_onednn

CASES = [  # x shape, filter shape, strides, padding, dilations
    ((64, 28, 28, 1), (3, 3, 1, 32), (1, 1), "VALID", (1, 1)),
    ((16, 30, 30, 1), (5, 3, 1, 24), (2, 1), "SAME", (1, 1)),
    ((16, 30, 30, 1), (3, 3, 1, 24), (1, 2), ((2, 0), (1, 3)), (2, 1)),
    ((64, 500, 1), (5, 1, 32), (1,), "SAME", (1,)),
    ((8, 12, 12, 12, 1), (3, 3, 3, 1, 16), (1, 1, 1), "VALID", (1, 1, 1)),
]


def _arrays(case, seed=0):
    x_shape, w_shape, strides, padding, dilations = case
    attrs = dict(strides=strides, padding=padding, dilations=dilations, groups=1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    y_shape = conv_p.kernel(x, w, **attrs).shape
    g = rng.standard_normal(y_shape).astype(np.float32)
    return x, w, g, attrs


@pytest.mark.parametrize("case", CASES, ids=str)
def test_one_channel_filter_and_bias_gradients_match_numpys(case):
    x, w, g, attrs = _arrays(case)
    api = onednn.api()
    want_dw = conv_filter_grad_p.kernel(x, g, w, **attrs)
    want_db = g.reshape(-1, g.shape[-1]).astype(np.float64).sum(0)
    product = single_channel.filter_grad(api, x, g, w, with_bias=True, **attrs)
    assert product is not None  # the product ran, not the convolution primitive
    scale = np.abs(want_dw).max()
    for got_dw, got_db in (product, conv_fused.conv_filter_bias_grad(api, x, g, w, **attrs)):
        np.testing.assert_allclose(got_dw, want_dw, rtol=1e-4, atol=1e-5 * scale)
        np.testing.assert_allclose(got_db, want_db, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(conv.conv_filter_grad(api, x, g, w, **attrs), want_dw,
                               rtol=1e-4, atol=1e-5 * scale)


def test_other_cases_go_to_the_convolution_primitive():
    api = onednn.api()
    x, w, g, attrs = _arrays(CASES[0])
    small = single_channel.filter_grad(api, x[:1, :6, :6], g[:1, :4, :4], w, with_bias=True,
                                       **attrs)
    assert small is None  # too little work for oneDNN's product
    dw, db = conv_fused.conv_filter_bias_grad(api, x[:1, :6, :6], g[:1, :4, :4], w, **attrs)
    np.testing.assert_allclose(dw, conv_filter_grad_p.kernel(x[:1, :6, :6], g[:1, :4, :4], w,
                                                             **attrs), rtol=1e-4, atol=1e-4)
    three = np.repeat(x, 3, axis=-1)
    w3 = np.repeat(w, 3, axis=-2)
    assert single_channel.filter_grad(api, three, g, w3, with_bias=True, **attrs) is None
    assert single_channel.filter_grad(api, x.astype(np.float64), g.astype(np.float64), w,
                                      with_bias=True, **attrs) is None
    grouped = dict(attrs, groups=2)
    assert single_channel.filter_grad(api, x, g, w, with_bias=True, **grouped) is None
