"""Material library: literature properties of cathode, electrolyte, carbon and anode materials."""

from cathodetwin.materials.library import (
    PROPERTY_UNITS,
    Material,
    get_material,
    list_materials,
    resolve_material,
)

__all__ = ["PROPERTY_UNITS", "Material", "get_material", "list_materials", "resolve_material"]
