"""`cathodetwin analyze IMAGE`: structural measurements of a segmented image volume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cathodetwin.analysis.structure import StructureMetrics, measure_structure
from cathodetwin.errors import InputError
from cathodetwin.structure.io import import_image

console = Console()


def _fmt(value: float | None, spec: str = ".3g") -> str:
    return "-" if value is None else format(value, spec)


def summary_table(metrics: StructureMetrics, title: str) -> Table:
    """A short rich table of the headline structural numbers."""
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    f, i, p, t = metrics.fractions, metrics.interfaces, metrics.pores, metrics.ionic_tortuosity
    rows = [
        ("porosity", _fmt(f.porosity)),
        *((f"volume fraction {k}", _fmt(v)) for k, v in f.volume_fraction.items() if v > 0),
        ("specific CAM–SSE area (µm⁻¹)", _fmt(i.specific_cam_sse_area_per_um)),
        ("specific CAM–SSE area (m²/g CAM)", _fmt(i.specific_cam_sse_area_m2_g)),
        ("SSE coverage of CAM surface", _fmt(i.sse_coverage)),
        ("mean pore diameter (µm)", _fmt(p.mean_diameter_um)),
        ("number of pores", str(p.n_pores)),
        ("median SSE geometric tortuosity", _fmt(t.median)),
    ]
    for c in metrics.connectivity.networks:
        rows.append((f"{c.name} network connected through", _fmt(c.to_both)))
    if metrics.voxel_utilization is not None:
        u = metrics.voxel_utilization
        rows.append(("CAM utilization, ionic (vol)", _fmt(u.ionic_volume_fraction)))
        rows.append(("CAM utilization, ionic+electronic (vol)",
                     _fmt(u.ionic_electronic_volume_fraction)))
    if metrics.cam_contacts is not None:
        rows.append(("CAM–CAM contacts (image)", str(metrics.cam_contacts.n_contacts_image)))
    for name, value in rows:
        table.add_row(name, value)
    return table


def analyze(
    image: Annotated[Path, typer.Argument(help="Segmented volume: .tif/.tiff stack, .npy, "
                                               ".zarr or raw (.raw/.bin/.dat/.vol).")],
    phases: Annotated[str, typer.Option(
        "--phases", "-p",
        help="Grey value → phase, e.g. '0=pore,85=CAM:NCM811,170=SSE:Li6PS5Cl'. "
             "PHASE is ROLE, ROLE:MATERIAL or a library MATERIAL.")],
    voxel_size: Annotated[str, typer.Option(
        "--voxel-size", "-v", help="Voxel edge in µm: '0.2' or 'x,y,z' e.g. '0.1,0.1,0.25'.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Metrics JSON file to write.")] = Path("structure_metrics.json"),
    shape: Annotated[str | None, typer.Option(
        help="Raw files only: voxel counts 'nx,ny,nz'.")] = None,
    dtype: Annotated[str | None, typer.Option(
        help="Raw files only: numpy dtype, e.g. 'uint8', '<u2'.")] = None,
    order: Annotated[str, typer.Option(
        help="Raw files only: 'F' (x fastest, ImageJ) or 'C' (z fastest).")] = "F",
) -> None:
    """Measure a segmented image: fractions, connectivity, interfaces, pores, tortuosity."""
    raw: dict[str, object] = {}
    if shape is not None:
        try:
            raw["shape"] = tuple(int(s) for s in shape.split(","))
        except ValueError:
            raise InputError(f"--shape: {shape!r} is not three integers 'nx,ny,nz'") from None
    if dtype is not None:
        raw["dtype"] = dtype
    if shape is not None or dtype is not None:
        raw["order"] = order
    micro = import_image(image, phases, voxel_size, **raw)
    metrics = measure_structure(micro)
    record = metrics.to_dict() | {"image": str(image), "phases": phases}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(record, indent=2), encoding="utf-8")
    console.print(summary_table(metrics, f"{image.name}: {micro.shape} voxels at "
                                         f"{micro.voxel_size_um} µm"))
    console.print(f"metrics written to {output}")
