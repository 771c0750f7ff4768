"""``keras.layers``: the layer base, ``Input``, and every layer family."""

from fluxion.keras.layers.activations import *
from fluxion.keras.layers.attention import *
from fluxion.keras.layers.convolutional import *
from fluxion.keras.layers.core import *
from fluxion.keras.layers.input_layer import Input, InputLayer
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.layer_serialization import deserialize, serialize
from fluxion.keras.layers.merging import *
from fluxion.keras.layers.normalization import *
from fluxion.keras.layers.pooling import *
from fluxion.keras.layers.preprocessing import *
from fluxion.keras.layers.regularization import *
from fluxion.keras.layers.reshaping import *
from fluxion.keras.layers.rnn import *
