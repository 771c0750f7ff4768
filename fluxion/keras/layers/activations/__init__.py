"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax."""

from fluxion.keras.layers.activations.elu import ELU
from fluxion.keras.layers.activations.leaky_relu import LeakyReLU
from fluxion.keras.layers.activations.prelu import PReLU
from fluxion.keras.layers.activations.relu import ReLU
from fluxion.keras.layers.activations.softmax import Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
