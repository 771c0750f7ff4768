"""The ``fluxion.image`` namespace (``tf.image``): resizing, crops, flips, colour spaces,
photometric adjustments, codecs (via Pillow), NMS, quality measures and patches."""

from fluxion.ops.image.adjust_ops import *
from fluxion.ops.image.bbox_ops import *
from fluxion.ops.image.codec_ops import *
from fluxion.ops.image.color_ops import *
from fluxion.ops.image.crop_ops import *
from fluxion.ops.image.dtype_ops import *
from fluxion.ops.image.flip_ops import *
from fluxion.ops.image.glimpse_ops import *
from fluxion.ops.image.nms_ops import *
from fluxion.ops.image.patch_ops import *
from fluxion.ops.image.quality_ops import *
from fluxion.ops.image.resize_ops import *
