"""``keras.models``: Model, Sequential, and model (de)serialization helpers."""

from fluxion.keras.models.cloning import clone_model
from fluxion.keras.models.functional import Functional
from fluxion.keras.models.model import Model, model_from_json
from fluxion.keras.models.sequential import Sequential
from fluxion.keras.saving.saving_api import load_model, save_model
