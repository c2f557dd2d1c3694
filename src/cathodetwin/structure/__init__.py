"""Voxel twins: the Microstructure type, voxelization of packings and image I/O."""

from cathodetwin.structure.microstructure import ROLES, THROUGH_PLANE_AXIS, Microstructure, Phase

__all__ = ["ROLES", "THROUGH_PLANE_AXIS", "Microstructure", "Phase"]
