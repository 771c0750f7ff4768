"""core layers."""

__all__: list = []
