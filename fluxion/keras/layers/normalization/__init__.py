"""Normalization layers (``keras.layers.BatchNormalization`` and family)."""

from fluxion.keras.layers.normalization.batch_normalization import BatchNormalization
from fluxion.keras.layers.normalization.group_normalization import GroupNormalization
from fluxion.keras.layers.normalization.layer_normalization import LayerNormalization
from fluxion.keras.layers.normalization.rms_normalization import RMSNormalization
from fluxion.keras.layers.normalization.unit_normalization import UnitNormalization

__all__ = ["RMSNormalization", "BatchNormalization", "GroupNormalization", "LayerNormalization",
           "UnitNormalization"]
