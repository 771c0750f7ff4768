"""``IndexedSlices``: a sparse set of rows of a dense tensor (``tf.IndexedSlices``)."""

from __future__ import annotations


class IndexedSlices:
    """Rows ``values[i]`` at positions ``indices[i]`` of a tensor of ``dense_shape``."""

    def __init__(self, values, indices, dense_shape=None):
        self.values = values
        self.indices = indices
        self.dense_shape = dense_shape

    def __repr__(self) -> str:
        return (f"IndexedSlices(indices={self.indices!r}, values={self.values!r}, "
                f"dense_shape={self.dense_shape!r})")
