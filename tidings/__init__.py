"""tidings: read news the way an analyst would, and turn it into facts you can check."""

from tidings.settings import Settings, load_settings

__version__ = "0.1.0"
version = __version__

__all__ = ["Settings", "load_settings", "version", "__version__"]
