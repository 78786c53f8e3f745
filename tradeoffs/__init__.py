"""ML Tradeoffs helper package: plumbing shared by every lesson (never an exercise's answer)."""

__version__ = "0.1.0"

from .scale import Setup, get_device, get_scale, setup  # noqa: E402

__all__ = ["Setup", "get_device", "get_scale", "setup", "__version__"]
