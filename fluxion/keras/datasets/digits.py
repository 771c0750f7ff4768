"""``keras.datasets.digits``: the bundled 8x8 handwritten digits; needs no network.

See ``fluxion.datasets.digits`` for the source and licence.
"""

from fluxion.datasets.digits import load_data

__all__ = ["load_data"]
