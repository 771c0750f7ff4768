"""``keras.callbacks``: hooks into ``fit``, ``evaluate`` and ``predict`` (Keras 3 names)."""

from fluxion.keras.callbacks.backup_and_restore import BackupAndRestore
from fluxion.keras.callbacks.callback import Callback
from fluxion.keras.callbacks.callback_list import CallbackList
from fluxion.keras.callbacks.csv_logger import CSVLogger
from fluxion.keras.callbacks.early_stopping import EarlyStopping
from fluxion.keras.callbacks.history import History
from fluxion.keras.callbacks.hparams_callback import HParamsCallback
from fluxion.keras.callbacks.lambda_callback import LambdaCallback
from fluxion.keras.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from fluxion.keras.callbacks.model_checkpoint import ModelCheckpoint
from fluxion.keras.callbacks.progbar_logger import ProgbarLogger
from fluxion.keras.callbacks.tensorboard import TensorBoard
from fluxion.keras.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
    "HParamsCallback", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint",
    "ProgbarLogger", "ReduceLROnPlateau", "TensorBoard", "TerminateOnNaN",
]
