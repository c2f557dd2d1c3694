"""Metrics as table rows: flatten nested results to dotted keys, units from key suffixes."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Scalar = float | int | str | bool | None
Leaf = Scalar | tuple[float | int | None, ...]

# Unit of a key from its suffix (longest suffix wins); see the PREAMBLE's naming convention.
UNIT_SUFFIXES: dict[str, str] = {
    "_per_um": "µm⁻¹", "_um3": "µm³", "_um2": "µm²", "_um": "µm", "_nm": "nm", "_mm": "mm",
    "_cm": "cm", "_m2_g": "m²/g", "_s_cm": "S/cm", "_mpa": "MPa", "_gpa": "GPa", "_kpa": "kPa",
    "_kj_m3": "kJ/m³", "_mj_m3": "MJ/m³", "_mah_g": "mAh/g", "_mah_cm2": "mAh/cm²",
    "_ma_cm2": "mA/cm²", "_a_cm2": "A/cm²", "_mwh_cm2": "mWh/cm²", "_wh_kg": "Wh/kg",
    "_wh_l": "Wh/L", "_mg_cm2": "mg/cm²", "_g_cm3": "g/cm³", "_g": "g", "_mg": "mg",
    "_v": "V", "_s": "s", "_ms": "ms", "_percent": "%", "_fraction": "fraction", "_c": "°C",
    "_k": "K", "_n": "N", "_ev": "eV", "_gib": "GiB", "_mib": "MiB", "_voxels": "voxels",
}
EXACT_UNITS: dict[str, str] = {"c_rate": "C", "c_rates": "C"}
# Keys whose list items are best named by one of these fields (first unique one wins).
ITEM_LABEL_KEYS: tuple[str, ...] = (
    "name", "c_rate", "stack_pressure_mpa", "threshold_percent", "label", "direction",
)
_SUFFIXES_LONGEST_FIRST = sorted(UNIT_SUFFIXES, key=len, reverse=True)


@dataclass(frozen=True)
class Row:
    """One table row: dotted key, the value (scalar or series of numbers) and its unit."""

    key: str
    value: Leaf
    unit: str


def unit_of_key(key: str) -> str:
    """Display unit of one key name from its suffix ('' when the key carries none)."""
    name = key.lower()
    if name in EXACT_UNITS:
        return EXACT_UNITS[name]
    for suffix in _SUFFIXES_LONGEST_FIRST:
        if name.endswith(suffix) and len(name) > len(suffix):
            return UNIT_SUFFIXES[suffix]
    return ""


def unit_of_path(path: str) -> str:
    """Unit of a dotted path: the leaf's own suffix, else the nearest ancestor's (timings_s.x)."""
    parts = [p.split("[", 1)[0] for p in path.split(".")]
    for part in reversed(parts):
        unit = unit_of_key(part)
        if unit:
            return unit
    return ""


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _item_names(items: Sequence[Mapping]) -> list[str]:
    """Bracketed names of a list's dicts: ``[key=value]`` for a unique label key, else index."""
    for key in ITEM_LABEL_KEYS:
        values = [item.get(key) for item in items]
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values) and (
            len(set(values)) == len(values)
        ):
            return [f"[{key}={v:g}]" if _is_number(v) else f"[{key}={v}]" for v in values]
    return [f"[{i}]" for i in range(len(items))]


def _join(prefix: str, key: str) -> str:
    if not prefix:
        return key
    return prefix + key if key.startswith("[") else f"{prefix}.{key}"


def flatten(obj: object, prefix: str = "") -> list[tuple[str, Leaf]]:
    """(dotted key, leaf) pairs of a JSON-like object; lists of numbers stay one series leaf."""
    if isinstance(obj, Mapping):
        out: list[tuple[str, Leaf]] = []
        for key, value in obj.items():
            out += flatten(value, _join(prefix, str(key)))
        return out
    if isinstance(obj, list | tuple):
        if all(_is_number(x) or x is None for x in obj):
            return [(prefix, tuple(obj))]
        if all(isinstance(x, Mapping) for x in obj):
            names = _item_names(obj)
        else:
            names = [f"[{i}]" for i in range(len(obj))]
        out = []
        for name, item in zip(names, obj, strict=True):
            out += flatten(item, _join(prefix, name))
        return out
    if obj is None or isinstance(obj, str | bool | int | float):
        return [(prefix, obj)]
    raise ValueError(f"metrics: value at {prefix!r} has type {type(obj).__name__}; allowed: JSON")


def rows_of(section: object) -> list[Row]:
    """Table rows of one metrics section, units from the key suffixes."""
    return [Row(key, value, unit_of_path(key)) for key, value in flatten(section)]


def format_number(x: float | int | None, digits: int = 4) -> str:
    """Number as text with ``digits`` significant digits (integers exact, None as n/a)."""
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.{digits}g}"


def format_leaf(value: Leaf, digits: int = 4) -> str:
    """Display text of a leaf: numbers to ``digits`` significant digits, series comma-joined."""
    if isinstance(value, tuple):
        return ", ".join(format_number(v, digits) for v in value)
    if isinstance(value, str):
        return value
    return format_number(value, digits)


def exact_text(value: float | int | None) -> str:
    """Round-trip JSON text of a number ('null' for None, 'NaN' / 'Infinity' as json writes)."""
    return json.dumps(value)
