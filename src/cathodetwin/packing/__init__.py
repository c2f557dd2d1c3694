"""Powder sampling, DEM compaction and the Packing type."""

from cathodetwin.packing.build import build_packing
from cathodetwin.packing.compaction import CompactionSettings, compact
from cathodetwin.packing.packing import Contacts, Fibers, Packing
from cathodetwin.packing.sampling import ComponentSpec, Powder, sample_powder

__all__ = [
    "CompactionSettings",
    "ComponentSpec",
    "Contacts",
    "Fibers",
    "Packing",
    "Powder",
    "build_packing",
    "compact",
    "sample_powder",
]
