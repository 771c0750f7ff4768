"""``keras.applications``: ImageNet models with Keras's architectures, layer names and
weight files (``weights="imagenet"`` downloads the same files, hash-checked, into
``~/.keras/models``).

Submodules follow Keras's: ``vgg16``, ``vgg19``, ``resnet``, ``resnet50``,
``resnet_v2``, ``mobilenet``, ``mobilenet_v2``, ``densenet``, ``imagenet_utils``, each
with its ``preprocess_input`` and ``decode_predictions``.
"""

from __future__ import annotations

import sys
import types

from fluxion.keras.applications import (
    convnext,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    xception,
)
from fluxion.keras.applications import densenet as _densenet
from fluxion.keras.applications import resnet as _resnet
from fluxion.keras.applications import vgg as _vgg
from fluxion.keras.applications.convnext import (
    ConvNeXtBase,
    ConvNeXtLarge,
    ConvNeXtSmall,
    ConvNeXtTiny,
    ConvNeXtXLarge,
)
from fluxion.keras.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from fluxion.keras.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from fluxion.keras.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from fluxion.keras.applications.inception_resnet_v2 import InceptionResNetV2
from fluxion.keras.applications.inception_v3 import InceptionV3
from fluxion.keras.applications.mobilenet import MobileNet
from fluxion.keras.applications.mobilenet_v2 import MobileNetV2
from fluxion.keras.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from fluxion.keras.applications.nasnet import NASNetLarge, NASNetMobile
from fluxion.keras.applications.resnet import (
    ResNet50,
    ResNet50V2,
    ResNet101,
    ResNet101V2,
    ResNet152,
    ResNet152V2,
)
from fluxion.keras.applications.vgg import VGG16, VGG19
from fluxion.keras.applications.xception import Xception

__all__ = ["ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
           "DenseNet121", "DenseNet169", "DenseNet201", "EfficientNetB0", "EfficientNetB1",
           "EfficientNetB2", "EfficientNetB3", "EfficientNetB4", "EfficientNetB5", "EfficientNetB6",
           "EfficientNetB7", "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
           "EfficientNetV2B3", "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S",
           "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2", "MobileNetV3Large",
           "MobileNetV3Small", "NASNetLarge", "NASNetMobile", "ResNet101", "ResNet101V2",
           "ResNet152", "ResNet152V2", "ResNet50", "ResNet50V2", "VGG16", "VGG19", "Xception",
           "convnext", "densenet", "efficientnet", "efficientnet_v2", "imagenet_utils",
           "inception_resnet_v2", "inception_v3", "mobilenet", "mobilenet_v2", "mobilenet_v3",
           "nasnet", "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "xception"]


def _namespace(name: str, doc: str, **members) -> types.ModuleType:
    """A Keras-named submodule (``keras.applications.resnet_v2``...) over our modules."""
    module = types.ModuleType(f"{__name__}.{name}", doc)
    module.__dict__.update(members)
    sys.modules[module.__name__] = module
    return module


vgg16 = _namespace("vgg16", "VGG16.", VGG16=VGG16, preprocess_input=_vgg.preprocess_input,
                   decode_predictions=_vgg.decode_predictions)
vgg19 = _namespace("vgg19", "VGG19.", VGG19=VGG19, preprocess_input=_vgg.preprocess_input,
                   decode_predictions=_vgg.decode_predictions)
resnet = _namespace("resnet", "ResNet50/101/152.", ResNet50=ResNet50, ResNet101=ResNet101,
                    ResNet152=ResNet152, preprocess_input=_resnet.preprocess_input,
                    decode_predictions=_resnet.decode_predictions)
resnet50 = _namespace("resnet50", "ResNet50.", ResNet50=ResNet50,
                      preprocess_input=_resnet.preprocess_input,
                      decode_predictions=_resnet.decode_predictions)
resnet_v2 = _namespace("resnet_v2", "ResNet50V2/101V2/152V2.", ResNet50V2=ResNet50V2,
                       ResNet101V2=ResNet101V2, ResNet152V2=ResNet152V2,
                       preprocess_input=_resnet.preprocess_input_v2,
                       decode_predictions=_resnet.decode_predictions)
densenet = _namespace("densenet", "DenseNet121/169/201.", DenseNet121=DenseNet121,
                      DenseNet169=DenseNet169, DenseNet201=DenseNet201,
                      preprocess_input=_densenet.preprocess_input,
                      decode_predictions=_densenet.decode_predictions)
