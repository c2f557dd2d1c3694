"""Voxel twins: the Microstructure type, voxelization of packings and image I/O."""

from cathodetwin.structure.io import (
    export_vti,
    import_image,
    load_microstructure,
    save_microstructure,
)
from cathodetwin.structure.microstructure import ROLES, THROUGH_PLANE_AXIS, Microstructure, Phase
from cathodetwin.structure.voxelize import voxelize, voxelize_with_owners

__all__ = [
    "ROLES",
    "THROUGH_PLANE_AXIS",
    "Microstructure",
    "Phase",
    "export_vti",
    "import_image",
    "load_microstructure",
    "save_microstructure",
    "voxelize",
    "voxelize_with_owners",
]
