"""Geometry of a voxel twin: phase fractions, connectivity, interfaces, pores, paths, particles."""
