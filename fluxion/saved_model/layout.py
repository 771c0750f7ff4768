"""The saved-model directory's names: its format tag, file names and signature keys.

Shared by the writer (``saver``) and the reader (``loader``), which otherwise need
nothing from each other.  ``FORMAT.md`` in this package describes the layout.
"""

from __future__ import annotations

import os

from fluxion.saved_model.loaded_function import (
    CLASSIFY_METHOD_NAME,
    PREDICT_METHOD_NAME,
    REGRESS_METHOD_NAME,
)

FORMAT_NAME = "fluxion-saved-model"
FORMAT_VERSION = 1
DOCUMENT = "saved_model.json"
VARIABLES_PREFIX = os.path.join("variables", "variables")
CONSTANTS_PREFIX = os.path.join("constants", "constants")
DEFAULT_SIGNATURE = "serving_default"
METHOD_NAMES = (PREDICT_METHOD_NAME, CLASSIFY_METHOD_NAME, REGRESS_METHOD_NAME)
