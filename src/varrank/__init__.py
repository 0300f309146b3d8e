"""varrank: clinical variant annotation and prioritisation, one patient at a time."""

__version__ = "0.1.0"
