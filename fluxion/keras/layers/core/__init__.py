"""Core layers: Dense, EinsumDense, Activation, Embedding, Masking, Lambda, Identity, TFSMLayer."""

from fluxion.keras.layers.core.activation import Activation
from fluxion.keras.layers.core.dense import Dense
from fluxion.keras.layers.core.einsum_dense import EinsumDense
from fluxion.keras.layers.core.embedding import Embedding
from fluxion.keras.layers.core.identity import Identity
from fluxion.keras.layers.core.lambda_layer import Lambda
from fluxion.keras.layers.core.masking import Masking
from fluxion.keras.layers.core.tfsm_layer import TFSMLayer

__all__ = ["Activation", "Dense", "EinsumDense", "Embedding", "Identity", "Lambda", "Masking",
           "TFSMLayer"]
