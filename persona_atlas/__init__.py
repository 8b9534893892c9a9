"""persona-atlas: persona-vector experiments to trustworthy, published results."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("persona-atlas")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"
