"""regularization layers."""

__all__: list = []
