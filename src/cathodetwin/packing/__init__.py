"""Powder sampling, DEM compaction and the Packing type."""

from cathodetwin.packing.packing import Contacts, Fibers, Packing

__all__ = ["Contacts", "Fibers", "Packing"]
