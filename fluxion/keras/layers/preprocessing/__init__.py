"""Preprocessing layers: normalization, discretization, categorical encodings, hashing,
string and integer lookups, text vectorization, and image resizing and augmentation.

None of them needs TensorFlow: string work runs in NumPy kernels of Fluxion primitives
(``string_ops``), so the layers run eagerly, inside traced models and in ``Dataset.map``.
"""

from fluxion.keras.layers.preprocessing.category_encoding import CategoryEncoding
from fluxion.keras.layers.preprocessing.center_crop import CenterCrop
from fluxion.keras.layers.preprocessing.discretization import Discretization
from fluxion.keras.layers.preprocessing.feature_space import FeatureSpace
from fluxion.keras.layers.preprocessing.hashed_crossing import HashedCrossing
from fluxion.keras.layers.preprocessing.hashing import Hashing
from fluxion.keras.layers.preprocessing.integer_lookup import IntegerLookup
from fluxion.keras.layers.preprocessing.normalization import Normalization
from fluxion.keras.layers.preprocessing.random_brightness import RandomBrightness
from fluxion.keras.layers.preprocessing.random_contrast import RandomContrast
from fluxion.keras.layers.preprocessing.random_crop import RandomCrop
from fluxion.keras.layers.preprocessing.random_flip import RandomFlip
from fluxion.keras.layers.preprocessing.random_rotation import RandomRotation
from fluxion.keras.layers.preprocessing.random_translation import RandomTranslation
from fluxion.keras.layers.preprocessing.random_zoom import RandomZoom
from fluxion.keras.layers.preprocessing.rescaling import Rescaling
from fluxion.keras.layers.preprocessing.resizing import Resizing
from fluxion.keras.layers.preprocessing.string_lookup import StringLookup
from fluxion.keras.layers.preprocessing.text_vectorization import TextVectorization

__all__ = ["CategoryEncoding", "CenterCrop", "Discretization", "HashedCrossing", "Hashing",
           "IntegerLookup", "Normalization", "RandomBrightness", "RandomContrast",
           "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation",
           "RandomZoom", "Rescaling", "Resizing", "StringLookup", "TextVectorization"]
