"""The Activation Service: evaluate, simulate and describe neural-network activations."""

__version__ = "0.1.0"
