"""``fluxion.compat``: the TF 1 API (``compat.v1``) and ``compat.v2`` (``fluxion`` itself)."""

from fluxion.compat import root_namespace, v1


def __getattr__(name: str):
    if name == "v2":
        return root_namespace.root()
    raise AttributeError(f"module 'fluxion.compat' has no attribute {name!r}")
