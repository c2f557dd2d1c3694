"""Measurements on a Microstructure: structure, transport, mechanics."""
