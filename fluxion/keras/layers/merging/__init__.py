"""merging layers."""

__all__: list = []
