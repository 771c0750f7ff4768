"""The ``fluxion.signal`` namespace (``tf.signal``): FFTs, windows, framing, STFT/MDCT,
mel filter banks, MFCCs and DCTs."""

from fluxion.ops.signal.dct_ops import *
from fluxion.ops.signal.fft_ops import *
from fluxion.ops.signal.framing import *
from fluxion.ops.signal.mel_ops import *
from fluxion.ops.signal.spectral_ops import *
from fluxion.ops.signal.windows import *
