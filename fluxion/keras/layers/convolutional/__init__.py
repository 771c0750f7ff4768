"""convolutional layers."""

__all__: list = []
