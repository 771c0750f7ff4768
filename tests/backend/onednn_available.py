"""Whether a oneDNN 3.x library loads here: the oneDNN backend's tests skip without one
(``needs_onednn`` on a test, or ``pytestmark = needs_onednn`` for a whole file)."""

import warnings

import pytest

from fluxion.backend import onednn

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    HAVE_ONEDNN = onednn.available()
needs_onednn = pytest.mark.skipif(not HAVE_ONEDNN, reason="no oneDNN 3.x library "
                                  "(pip install fluxion-ml[onednn])")
