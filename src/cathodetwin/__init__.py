"""cathodetwin: digital twins of composite cathodes for sulfide all-solid-state batteries."""

__version__ = "0.8.0"
