"""`cathodetwin analyze IMAGE`: structural measurements of a segmented image volume."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from cathodetwin.analysis.geometry.particles import cam_particle_ids
from cathodetwin.analysis.structure_metrics import StructureMetrics, measure_structure
from cathodetwin.analysis.transport import CarrierTransport
from cathodetwin.analysis.transport.measure import TransportMetrics, measure_transport
from cathodetwin.atomic import write_json_atomic
from cathodetwin.cli.failure import err_console, set_output_dir
from cathodetwin.errors import InputError
from cathodetwin.structure.io import import_image
from cathodetwin.structure.microstructure import CAM_SIDE_ROLES

console = Console(markup=False, highlight=False)  # user strings are text


# Plausible ranges: voxel edge of FIB-SEM / X-ray CT of battery electrodes, and the equivalent
# diameter of CAM particles (cathode powders are 1–20 µm; fines and agglomerates widen it).
VOXEL_SIZE_RANGE_UM = (1e-3, 100.0)  # outside: a warning
VOXEL_SIZE_LIMITS_UM = (1e-9, 1e9)  # outside: refused (areas and volumes would overflow)
CAM_DIAMETER_RANGE_UM = (0.05, 500.0)


def sanity_warnings(voxel_size_um: tuple[float, float, float],
                    cam_ids: np.ndarray | None) -> list[str]:
    """Warnings for a voxel size outside 1 nm–100 µm or implausible implied CAM particle sizes."""
    lo, hi = VOXEL_SIZE_RANGE_UM
    out = [f"--voxel-size {v:g} µm is outside {lo * 1e3:g} nm–{hi:g} µm: is the unit µm? "
           "Every length and area below scales with it"
           for v in sorted(set(voxel_size_um)) if not lo <= v <= hi]
    if cam_ids is not None and cam_ids.any():
        n = int(np.unique(cam_ids[cam_ids > 0]).size)
        volume_um3 = float(np.count_nonzero(cam_ids)) * float(np.prod(voxel_size_um))
        d_um = (6.0 * volume_um3 / (np.pi * n)) ** (1.0 / 3.0)
        dlo, dhi = CAM_DIAMETER_RANGE_UM
        if not dlo <= d_um <= dhi:
            out.append(f"the CAM particles are {d_um:.3g} µm across on average at --voxel-size "
                       f"{'x'.join(f'{v:g}' for v in voxel_size_um)} µm; cathode particles are "
                       f"{dlo:g}–{dhi:g} µm: check the voxel size")
    return out


def check_output_file(output: Path) -> None:
    """InputError unless ``output`` can be written as a file (checked before any computing)."""
    if output.is_dir():
        raise InputError(f"--output {output}: is a directory; give a file name, e.g. "
                         f"{output / 'structure_metrics.json'}")
    parent = next((p for p in output.parents if p.exists()), None)
    if parent is None or not parent.is_dir():
        raise InputError(f"--output {output}: {parent} is not a directory")
    try:  # a real write: access() says yes to root on a read-only file system
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as err:
        raise InputError(f"--output {output}: {parent} is not writable ({err.strerror})") from None


def _fmt(value: float | None, spec: str = ".3g") -> str:
    return "-" if value is None else format(value, spec)


def summary_table(metrics: StructureMetrics, transport: TransportMetrics | None,
                  title: str) -> Table:
    """A short rich table of the headline structural numbers (and utilization, if solved)."""
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
    if transport is not None and transport.utilization_voxel is not None:
        u = transport.utilization_voxel
        rows.append(("CAM utilization, ionic (vol)", _fmt(u.ionic_volume_fraction)))
        rows.append(("CAM utilization, ionic+electronic (vol)",
                     _fmt(u.ionic_electronic_volume_fraction)))
    if metrics.cam_contacts is not None:
        rows.append(("CAM–CAM contacts (image)", str(metrics.cam_contacts.n_contacts_image)))
    for name, value in rows:
        table.add_row(name, value)
    return table


def transport_table(conduction: CarrierTransport) -> Table:
    """Rich table of σ_eff, tortuosity factor and flux mismatch per carrier and axis."""
    table = Table(title="transport")
    for col in ("carrier", "axis", "σ_eff (S/cm)", "tortuosity factor", "flux mismatch"):
        table.add_column(col)
    for carrier, results in (("ionic", conduction.ionic), ("electronic", conduction.electronic)):
        for r in results:
            table.add_row(carrier, "xyz"[r.axis], _fmt(r.effective_conductivity_s_cm),
                          _fmt(r.tortuosity_factor), _fmt(r.flux_mismatch, ".1e"))
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
    transport: Annotated[bool, typer.Option(
        help="Also solve ionic and electronic conduction (tortuosity factor, σ_eff).")] = True,
    axes: Annotated[str, typer.Option(
        help="Transport axes: 'z' (through-plane), a comma list of x, y, z, or 'all'.")] = "z",
) -> None:
    """Measure a segmented image: fractions, connectivity, interfaces, pores, tortuosity."""
    from cathodetwin.cli.build_cmd import parse_axes
    from cathodetwin.pipeline import json_safe

    check_output_file(output)
    chosen_axes = parse_axes(axes)
    set_output_dir(output.parent if output.parent.is_dir() else Path.cwd())
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
    lo, hi = VOXEL_SIZE_LIMITS_UM
    if not all(lo <= v <= hi for v in micro.voxel_size_um):
        raise InputError(f"--voxel-size: {voxel_size!r} µm; allowed: {lo:g} to {hi:g} µm per "
                         "axis (image voxels are usually 0.001–100 µm)")
    has_cam = bool(micro.mask(*CAM_SIDE_ROLES).any())
    particles = cam_particle_ids(micro) if has_cam else None  # found once for both stages
    for warning in sanity_warnings(micro.voxel_size_um, particles.ids if particles else None):
        err_console.print(f"warning: {warning}", style="yellow")
    metrics = measure_structure(micro, cam_particles=particles)
    record = metrics.to_dict() | {"image": str(image), "phases": phases}
    conduction = (measure_transport(micro, axes=chosen_axes, cam_particles=particles)
                  if transport else None)
    if conduction is not None:
        record["transport"] = conduction.to_dict()
    output.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(output, json_safe(record))
    console.print(summary_table(metrics, conduction, f"{image.name}: {micro.shape} voxels at "
                                                     f"{micro.voxel_size_um} µm"))
    if conduction is not None:
        console.print(transport_table(conduction))
    console.print(f"metrics written to {output}")
