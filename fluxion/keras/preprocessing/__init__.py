"""``keras.preprocessing``: the legacy namespace Keras 3 keeps, re-exporting ``keras.utils``.

``keras.preprocessing.image`` (``load_img``, ``img_to_array``, ``smart_resize``...) and
``keras.preprocessing.sequence`` (``pad_sequences``) are the ``keras.utils`` functions;
``keras.preprocessing.text`` is the legacy ``Tokenizer`` (``tf.keras`` still has it).
"""

from fluxion.keras.preprocessing import image, sequence, text
from fluxion.keras.utils.image_dataset_utils import image_dataset_from_directory
from fluxion.keras.utils.text_dataset_utils import text_dataset_from_directory
from fluxion.keras.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = ["image", "sequence", "text", "image_dataset_from_directory",
           "text_dataset_from_directory", "timeseries_dataset_from_array"]
