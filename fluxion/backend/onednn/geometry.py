"""Pads and output sizes of a sliding window, as TensorFlow defines them.

The same rule as the NumPy kernels' ``window_geometry`` (``fluxion.core.primitives
.conv``), which this layer may not import: ``SAME`` gives ``ceil(size / stride)``
outputs and splits the padding that needs, the smaller half first; ``VALID`` pads
nothing; explicit ``((lo, hi), ...)`` pairs are taken as given.  The tests hold the
oneDNN kernels to the NumPy kernels' results, so the two rules cannot drift apart.
"""

from __future__ import annotations


def window_pads(sizes: tuple, kernel: tuple, strides: tuple, dilations: tuple,
                padding) -> tuple[tuple, tuple]:
    """``((lo, hi) per spatial axis, output size per spatial axis)`` for known sizes."""
    pads, outs = [], []
    for axis, (size, k, s, d) in enumerate(zip(sizes, kernel, strides, dilations)):
        extent = d * (k - 1) + 1
        if padding == "SAME":
            out = -(-size // s)
            total = max((out - 1) * s + extent - size, 0)
            pads.append((total // 2, total - total // 2))
        else:
            lo, hi = (0, 0) if padding == "VALID" else padding[axis]
            pads.append((lo, hi))
            out = (size + lo + hi - extent) // s + 1
        if out < 1:
            raise ValueError(f"the window (extent {extent}) does not fit spatial axis {axis} "
                             f"of size {size}")
        outs.append(out)
    return tuple(pads), tuple(outs)
