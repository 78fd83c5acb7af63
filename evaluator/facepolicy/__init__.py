"""facepolicy: check face-recognition deployments against rules drawn from compliance documents."""

__version__ = "0.1.0"
