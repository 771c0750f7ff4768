"""activations layers."""

__all__: list = []
