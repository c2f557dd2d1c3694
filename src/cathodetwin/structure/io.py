"""Image I/O for voxel volumes: TIFF stacks, zarr, .npy, raw binary, VTK .vti export.

Array axes inside cathodetwin are (x, y, z). File conventions:

* multi-page TIFF: one page per z slice, each page rows = y, columns = x (ImageJ/Avizo stack);
* raw binary: the user gives ``shape`` as (nx, ny, nz), ``dtype`` (e.g. ``"<u2"``) and
  ``order``: ``"F"`` (default) means x varies fastest, as ImageJ/Avizo write raw stacks;
* .npy and zarr store the (x, y, z) array as is; a cathodetwin zarr group also keeps the
  phase legend, voxel size and provenance (:func:`save_microstructure`).

Segmented grey values become phases through a mapping such as
``"0=pore,85=CAM:NCM811,170=SSE:Li6PS5Cl"`` (see :func:`parse_phase_map`). Bad input raises
:class:`cathodetwin.errors.InputError` (a ValueError) naming the parameter and what is allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import tifffile
import zarr

from cathodetwin.errors import InputError
from cathodetwin.materials import Material, get_material, list_materials
from cathodetwin.structure.microstructure import ROLES, Microstructure, Phase

DEFAULT_MATERIAL: dict[str, str | None] = {
    "pore": None, "CAM": "NCM811", "SSE": "Li6PS5Cl", "shell": "Li6PS5Cl",
    "carbon": "VGCF", "binder": None, "coating": "LiNbO3",
}
ROLE_ALIASES: dict[str, str] = {
    "void": "pore", "air": "pore", "pores": "pore", "porosity": "pore",
    "am": "CAM", "ncm": "CAM", "nmc": "CAM", "cathode": "CAM",
    "se": "SSE", "lpsc": "SSE", "lpscl": "SSE", "electrolyte": "SSE",
    "c": "carbon", "cb": "carbon", "cc": "carbon", "vgcf": "carbon",
}
TIFF_SUFFIXES = (".tif", ".tiff")
RAW_SUFFIXES = (".raw", ".bin", ".dat", ".vol")
_MAX_LISTED = 10


def _role_of(token: str) -> str | None:
    for r in ROLES:
        if token.lower() == r.lower():
            return r
    return ROLE_ALIASES.get(token.lower())


def _material_named(token: str) -> str | None:
    for m in list_materials():
        if token.lower() == m.lower():
            return m
    return None


def _phase_spec(value: int, token: str) -> tuple[str, str, str | None]:
    """(name, role, material) for one mapping entry such as ``CAM:NCM811`` or ``pore``."""
    token = token.strip()
    if ":" in token:
        role_txt, mat_txt = (t.strip() for t in token.split(":", 1))
        role = _role_of(role_txt)
        if role is None:
            raise InputError(
                f"phases: value {value}: role {role_txt!r} unknown; use one of {ROLES}"
            )
        mat = _material_named(mat_txt)
        if mat is None:
            raise InputError(
                f"phases: value {value}: material {mat_txt!r} is not in the library; "
                f"known: {list_materials()}"
            )
        return mat, role, mat
    mat = _material_named(token)
    if mat is not None:
        kind = get_material(mat).kind
        if kind not in ROLES:
            raise InputError(
                f"phases: value {value}: material {mat!r} is of kind {kind!r}, which is not a "
                f"cathode phase; give a role explicitly, e.g. {value}=CAM:{mat}"
            )
        return mat, kind, mat
    role = _role_of(token)
    if role is None:
        raise InputError(
            f"phases: value {value}: {token!r} is neither a role {ROLES} (or alias "
            f"{sorted(ROLE_ALIASES)}) nor a library material; write e.g. {value}=CAM:NCM811"
        )
    return token, role, DEFAULT_MATERIAL[role]


def parse_phase_map(spec: str | Mapping[int, str]) -> dict[int, Phase]:
    """Grey value → Phase from ``"0=pore,85=CAM:NCM811,170=SSE"`` (or a dict of the same).

    Each entry is ``VALUE=ROLE:MATERIAL``, ``VALUE=ROLE`` (library default material:
    CAM NCM811, SSE/shell Li6PS5Cl, carbon VGCF, coating LiNbO3) or ``VALUE=MATERIAL`` (role
    from the material's kind). Roles and materials match case-insensitively; aliases such as
    NCM, SE, LPSCl, CB, void are accepted. Labels are numbered 0, 1, ... with pore phases
    first, then in the order given; the phase name is the material or the word given.
    """
    if isinstance(spec, str):
        entries: list[tuple[int, str]] = []
        for item in (s for s in re.split(r"[,;]", spec) if s.strip()):
            if "=" not in item:
                raise InputError(f"phases: entry {item.strip()!r} must look like VALUE=PHASE")
            v_txt, token = item.split("=", 1)
            try:
                entries.append((int(v_txt.strip()), token))
            except ValueError:
                raise InputError(
                    f"phases: grey value {v_txt.strip()!r} in {item.strip()!r} is not an integer"
                ) from None
    else:
        entries = [(int(v), str(t)) for v, t in spec.items()]
    if not entries:
        raise InputError(f"phases: no VALUE=PHASE entries in {spec!r}")
    values = [v for v, _ in entries]
    dup = sorted({v for v in values if values.count(v) > 1})
    if dup:
        raise InputError(f"phases: grey value(s) {dup} are mapped more than once")
    specs = [(v, *_phase_spec(v, t)) for v, t in entries]
    specs.sort(key=lambda s: s[2] != "pore")  # stable: pore first, order kept otherwise
    names = [s[1] for s in specs]
    out: dict[int, Phase] = {}
    for label, (v, name, role, mat) in enumerate(specs):
        unique = name if names.count(name) == 1 else f"{name}@{v}"
        out[v] = Phase(label, unique, role, mat)  # type: ignore[arg-type]
    return out


def _value_counts(volume: np.ndarray) -> dict[int, int]:
    if volume.dtype.kind == "u" and volume.dtype.itemsize <= 2:
        counts = np.bincount(volume.ravel(), minlength=1)
        nz = np.flatnonzero(counts)
        return {int(v): int(counts[v]) for v in nz}
    vals, counts = np.unique(volume, return_counts=True)
    return {int(v): int(c) for v, c in zip(vals, counts, strict=True)}


def check_volume(volume: np.ndarray) -> None:
    """Raise ValueError unless ``volume`` is a non-empty 3D integer array."""
    if volume.ndim != 3:
        raise InputError(
            f"image must be a 3D volume (x, y, z); got {volume.ndim}D shape {volume.shape}. "
            "A single slice cannot be analysed: stack the slices into one volume"
        )
    if volume.size == 0:
        raise InputError(f"image is empty: shape {volume.shape}")
    if volume.dtype.kind not in "ui":
        raise InputError(
            f"image dtype {volume.dtype} is not allowed: a segmented volume must hold integer "
            "grey values (uint8, uint16, int32, ...); segment or round it first"
        )


def labels_from_grey(
    volume: np.ndarray, phase_map: Mapping[int, Phase]
) -> tuple[np.ndarray, tuple[Phase, ...]]:
    """uint8 label volume and phase legend for a segmented integer ``volume``.

    Raises ValueError for 2D, empty or non-integer input, unmapped grey values (listed with
    voxel counts) and volumes in which only one phase occurs.
    """
    check_volume(volume)
    counts = _value_counts(volume)
    unmapped = {v: c for v, c in counts.items() if v not in phase_map}
    if unmapped:
        listed = ", ".join(f"{v} ({c} voxels)" for v, c in list(unmapped.items())[:_MAX_LISTED])
        more = f" and {len(unmapped) - _MAX_LISTED} more" if len(unmapped) > _MAX_LISTED else ""
        raise InputError(
            f"phases: grey value(s) {listed}{more} occur in the image but are not mapped; "
            f"mapped: {sorted(phase_map)}"
        )
    present = {phase_map[v].label for v in counts}
    if len(present) < 2:
        only = phase_map[next(iter(counts))]
        raise InputError(
            f"image holds only one phase ({only.name!r}, role {only.role}); a cathode volume "
            "needs at least two"
        )
    keys = np.array(sorted(phase_map), dtype=np.int64)
    lut_vals = np.array([phase_map[int(k)].label for k in keys], np.uint8)
    if volume.dtype.kind == "u" and volume.dtype.itemsize <= 2:
        lut = np.zeros(int(keys.max()) + 1 if keys.max() > 0 else 1, np.uint8)
        lut[keys[keys >= 0]] = lut_vals[keys >= 0]
        labels = lut[volume]
    else:
        labels = lut_vals[np.searchsorted(keys, volume)]
    phases = tuple(sorted(phase_map.values(), key=lambda p: p.label))
    return labels.astype(np.uint8, copy=False), phases


def parse_voxel_size(text: str | float | tuple[float, ...]) -> tuple[float, float, float]:
    """Voxel edge(s) in µm from ``0.2`` or ``"0.2,0.2,0.5"`` (x, y, z)."""
    if isinstance(text, str):
        parts = [p for p in re.split(r"[,x× ]+", text.strip()) if p]
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            raise InputError(
                f"voxel_size: {text!r} is not a number or three comma-separated numbers (µm)"
            ) from None
    elif isinstance(text, int | float):
        vals = [float(text)]
    else:
        vals = [float(v) for v in text]
    if len(vals) == 1:
        vals = vals * 3
    if len(vals) != 3 or not all(v > 0 and np.isfinite(v) for v in vals):
        raise InputError(f"voxel_size: need one or three positive numbers in µm, got {text!r}")
    return (vals[0], vals[1], vals[2])


def read_volume(
    path: str | Path, *, shape: tuple[int, int, int] | None = None,
    dtype: str | np.dtype | None = None, order: str = "F", offset: int = 0,
    dataset: str = "labels",
) -> np.ndarray:
    """Read an image volume as an (x, y, z) array from TIFF, .npy, zarr or raw binary.

    Raw files need ``shape`` (nx, ny, nz) and ``dtype``; ``offset`` skips a header (bytes).
    For a zarr group ``dataset`` names the array. A TIFF with one page comes back 2D.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"image: {path} does not exist")
    suffix = path.suffix.lower()
    if suffix in TIFF_SUFFIXES:
        arr = tifffile.imread(path)
        if arr.ndim == 3:
            return np.ascontiguousarray(arr.transpose(2, 1, 0))
        if arr.ndim == 2:
            return arr.T
        raise InputError(
            f"image: {path} has shape {arr.shape}; expected a stack of single-channel pages"
        )
    if suffix == ".npy":
        return np.load(path)
    if suffix == ".zarr":
        node = zarr.open(str(path), mode="r")
        if isinstance(node, zarr.Group):
            if dataset not in node:
                raise InputError(
                    f"image: zarr group {path} has no array {dataset!r}; has {list(node.keys())}"
                )
            node = node[dataset]
        return np.asarray(node[...])
    if suffix in RAW_SUFFIXES:
        return _read_raw(path, shape, dtype, order, offset)
    raise InputError(
        f"image: unknown file type {suffix!r} for {path}; use one of "
        f"{TIFF_SUFFIXES + ('.npy', '.zarr') + RAW_SUFFIXES}"
    )


def _read_raw(
    path: Path, shape: tuple[int, int, int] | None, dtype: str | np.dtype | None, order: str,
    offset: int,
) -> np.ndarray:
    if shape is None or dtype is None:
        raise InputError(
            f"image: raw file {path} needs shape (nx, ny, nz) and dtype (e.g. 'uint8', '<u2')"
        )
    if order not in ("C", "F"):
        raise InputError(f"order: got {order!r}; use 'F' (x fastest) or 'C' (z fastest)")
    if len(shape) != 3 or min(shape) < 1:
        raise InputError(f"shape: need three positive voxel counts (nx, ny, nz), got {shape}")
    dt = np.dtype(dtype)
    count = int(np.prod(shape))
    expected = offset + count * dt.itemsize
    actual = path.stat().st_size
    if actual != expected:
        raise InputError(
            f"image: raw file {path} has {actual} bytes but shape {tuple(shape)} of {dt} "
            f"with offset {offset} needs {expected}"
        )
    flat = np.fromfile(path, dtype=dt, count=count, offset=offset)
    return np.ascontiguousarray(flat.reshape(tuple(shape), order=order))


def write_volume(
    path: str | Path, volume: np.ndarray, *, order: str = "F", chunk: int = 64
) -> Path:
    """Write an (x, y, z) array as TIFF stack, .npy, zarr array or raw binary; returns path.

    Raw files are written in ``order`` ("F": x fastest) with the array's own dtype.
    """
    path = Path(path)
    volume = np.asarray(volume)
    if volume.ndim != 3:
        raise InputError(f"volume must be 3D (x, y, z), got shape {volume.shape}")
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix in TIFF_SUFFIXES:
        tifffile.imwrite(path, np.ascontiguousarray(volume.transpose(2, 1, 0)),
                         bigtiff=volume.nbytes > 2**31, photometric="minisblack")
    elif suffix == ".npy":
        np.save(path, volume)
    elif suffix == ".zarr":
        arr = zarr.open_array(str(path), mode="w", shape=volume.shape, dtype=volume.dtype,
                              chunks=tuple(min(chunk, n) for n in volume.shape))
        arr[...] = volume
    elif suffix in RAW_SUFFIXES:
        if order not in ("C", "F"):
            raise InputError(f"order: got {order!r}; use 'F' (x fastest) or 'C' (z fastest)")
        with open(path, "wb") as fh:
            fh.write(volume.tobytes(order=order))
    else:
        raise InputError(
            f"path: unknown file type {suffix!r}; use one of "
            f"{TIFF_SUFFIXES + ('.npy', '.zarr') + RAW_SUFFIXES}"
        )
    return path


def import_image(
    path: str | Path, phases: str | Mapping[int, str],
    voxel_size_um: str | float | tuple[float, ...], **read_kwargs: object,
) -> Microstructure:
    """Microstructure from a segmented image file, a grey-value mapping and the voxel size (µm).

    ``read_kwargs`` go to :func:`read_volume` (shape, dtype, order, offset for raw files).
    Imported volumes are not periodic (provenance ``periodic_xy`` False).
    """
    phase_map = parse_phase_map(phases)
    spacing = parse_voxel_size(voxel_size_um)
    volume = read_volume(path, **read_kwargs)  # type: ignore[arg-type]
    labels, legend = labels_from_grey(volume, phase_map)
    provenance = {
        "source": "image",
        "path": str(path),
        "grey_values": {str(v): p.label for v, p in phase_map.items()},
        "periodic_xy": False,
    }
    return Microstructure(labels, spacing, legend, provenance)


def _json_default(obj: object) -> object:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def save_microstructure(micro: Microstructure, path: str | Path, *, chunk: int = 64) -> Path:
    """Write a Microstructure as a zarr group (labels + legend, voxel size, provenance)."""
    path = Path(path)
    if path.suffix.lower() != ".zarr":
        raise InputError(f"path: a Microstructure is saved as a .zarr directory, got {path}")
    group = zarr.open_group(str(path), mode="w")
    arr = group.create_array("labels", shape=micro.shape, dtype=np.uint8,
                             chunks=tuple(min(chunk, n) for n in micro.shape))
    arr[...] = micro.labels
    meta = {
        "format": "cathodetwin.microstructure/1",
        "voxel_size_um": list(micro.voxel_size_um),
        "phases": [
            {"label": p.label, "name": p.name, "role": p.role,
             "material": p.material and p.material.to_dict()}
            for p in micro.phases
        ],
        "provenance": micro.provenance,
    }
    group.attrs.update(json.loads(json.dumps(meta, default=_json_default)))
    return path


def load_microstructure(path: str | Path) -> Microstructure:
    """Read a Microstructure written by :func:`save_microstructure`."""
    path = Path(path)
    try:
        group = zarr.open_group(str(path), mode="r")
    except (FileNotFoundError, ValueError) as err:
        raise InputError(f"path: {path} is not a cathodetwin zarr group ({err})") from None
    attrs = dict(group.attrs)
    if attrs.get("format") != "cathodetwin.microstructure/1":
        raise InputError(f"path: {path} is not a cathodetwin Microstructure (no format tag)")
    phases = tuple(Phase(**(p | {"material": _phase_material(p["material"])}))
                   for p in attrs["phases"])
    labels = np.asarray(group["labels"][...])
    return Microstructure(labels, tuple(attrs["voxel_size_um"]), phases,  # type: ignore[arg-type]
                          attrs.get("provenance", {}))


def _phase_material(record: dict | str | None) -> Material | str | None:
    """A saved phase's material: its record, or a library name (files before 0.4.0)."""
    return Material.from_dict(record) if isinstance(record, dict) else record


def export_vti(micro: Microstructure, path: str | Path) -> Path:
    """Write the labels as VTK XML ImageData (.vti, appended raw) for ParaView; cell data "phase".

    Each voxel is one cell; spacing is the voxel size in µm; the legend goes in a header comment
    and the field data array "phase_names" (label:name:role).
    """
    path = Path(path)
    if path.suffix.lower() != ".vti":
        raise InputError(f"path: VTK ImageData needs a .vti suffix, got {path}")
    nx, ny, nz = micro.shape
    sx, sy, sz = micro.voxel_size_um
    data = micro.labels.tobytes(order="F")  # VTK: x fastest
    legend = ";".join(f"{p.label}:{p.name}:{p.role}" for p in micro.phases)
    legend_bytes = legend.encode("utf-8")
    header = (
        '<?xml version="1.0"?>\n'
        f"<!-- cathodetwin labels; legend {legend.replace('--', '- -')} -->\n"
        '<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" '
        'header_type="UInt64">\n'
        f'  <ImageData WholeExtent="0 {nx} 0 {ny} 0 {nz}" Origin="0 0 0" '
        f'Spacing="{sx!r} {sy!r} {sz!r}">\n'
        "    <FieldData>\n"
        f'      <DataArray type="UInt8" Name="phase_names" NumberOfTuples="{len(legend_bytes)}" '
        f'format="appended" offset="0"/>\n'
        "    </FieldData>\n"
        f'    <Piece Extent="0 {nx} 0 {ny} 0 {nz}">\n'
        '      <CellData Scalars="phase">\n'
        f'        <DataArray type="UInt8" Name="phase" format="appended" '
        f'offset="{8 + len(legend_bytes)}"/>\n'
        "      </CellData>\n"
        "    </Piece>\n"
        "  </ImageData>\n"
        '  <AppendedData encoding="raw">\n   _'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(header.encode("utf-8"))
        fh.write(np.uint64(len(legend_bytes)).tobytes())
        fh.write(legend_bytes)
        fh.write(np.uint64(len(data)).tobytes())
        fh.write(data)
        fh.write(b"\n  </AppendedData>\n</VTKFile>\n")
    return path
