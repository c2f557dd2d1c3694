"""Voxel twins: the Microstructure type, voxelization of packings and image I/O."""

from cathodetwin.structure.io import (
    export_vti,
    import_image,
    load_microstructure,
    save_microstructure,
)
from cathodetwin.structure.microstructure import (
    CAM_SIDE_ROLES,
    CARRIER_ROLES,
    ELECTRONIC_ROLES,
    IONIC_ROLES,
    ROLES,
    THROUGH_PLANE_AXIS,
    Microstructure,
    Phase,
)
from cathodetwin.structure.voxelize import voxelize, voxelize_with_owners

__all__ = [
    "CAM_SIDE_ROLES",
    "CARRIER_ROLES",
    "ELECTRONIC_ROLES",
    "IONIC_ROLES",
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
