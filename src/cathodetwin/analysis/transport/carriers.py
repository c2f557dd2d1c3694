"""Ionic and electronic conduction of a composite cathode with library conductivities."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cathodetwin.analysis.transport.conduction import effective_conductivity
from cathodetwin.analysis.transport.results import CarrierTransport, ConductionResult
from cathodetwin.errors import InputError
from cathodetwin.structure.microstructure import (
    CARRIER_ROLES,
    THROUGH_PLANE_AXIS,
    Microstructure,
)

CARRIER_PROPERTY = {
    "ionic": "ionic_conductivity_s_cm",
    "electronic": "electronic_conductivity_s_cm",
}


def carrier_conductivities(micro: Microstructure, carrier: str) -> dict[int, float]:
    """Conductivity in S/cm per label for ``carrier`` from the phases' materials.

    Ionic: SSE and shell phases conduct with their material's pellet ionic conductivity where
    the library has one (voxels do not resolve grain boundaries), else its ionic conductivity;
    electronic:
    CAM and carbon phases with their electronic conductivity; every other phase is insulating.
    """
    if carrier not in CARRIER_ROLES:
        raise InputError(f"carrier must be one of {tuple(CARRIER_ROLES)}, got {carrier!r}")
    table: dict[int, float] = {}
    for phase in micro.phases:
        if phase.role not in CARRIER_ROLES[carrier]:
            continue
        if phase.material is None:
            raise InputError(
                f"phase {phase.name!r} (role {phase.role}) has no material, so its {carrier} "
                f"conductivity is unknown; set Phase.material or pass conductivities"
            )
        # a voxel image does not resolve grain boundaries: its electrolyte conducts like the pellet
        value = (phase.material.continuum_ionic_conductivity_s_cm if carrier == "ionic"
                 else getattr(phase.material, CARRIER_PROPERTY[carrier]))
        if value is None:
            raise InputError(
                f"material {phase.material.name!r} of phase {phase.name!r} has no "
                f"{CARRIER_PROPERTY[carrier]}; set it in the recipe's overrides or pass "
                "conductivities"
            )
        table[phase.label] = float(value)
    return table


def ionic_and_electronic(
    micro: Microstructure,
    *,
    axes: Sequence[int] = (THROUGH_PLANE_AXIS,),
    conductivities: Mapping[str, Mapping[int, float]] | None = None,
    periodic: bool = False,
    flux_tolerance: float = 1e-5,
    threads: int | None = None,
    device: str = "cpu",
    progress: Callable[[float], None] | None = None,
) -> CarrierTransport:
    """Ionic (SSE + shell) and electronic (CAM + carbon) σ_eff (S/cm) and τ along each axis.

    Each carrier is solved by :func:`effective_conductivity` with its phases' material
    conductivities. τ uses σ0 = the volume-weighted mean conductivity of the carrier's phases
    and φ = their volume fraction (for one conducting material: its bulk conductivity and
    volume fraction).

    Parameters
    ----------
    micro : Microstructure
        The volume; its phases' materials give the conductivities.
    axes : sequence of int, optional
        Transport axes (0, 1, 2 = x, y, z); default z, through-plane.
    conductivities : mapping, optional
        Per carrier a table label → S/cm that replaces the materials' values, e.g.
        ``{"ionic": {2: 1e-3}}``.
    periodic : bool, optional
        Lateral faces periodic (default: no flux).
    flux_tolerance : float, optional
        Relative spread of the current through the planes normal to the axis at which the
        solve stops.
    threads : int, optional
        Threads to use; default the idle cores.
    device : {"cpu", "cuda"}, optional
        Where the voxel solves run: "cpu" (numba, ``threads``) or "cuda" (the first GPU, via
        numba.cuda).
    progress : callable, optional
        Called with the share of the solves done (0–1) after each solve.

    Returns
    -------
    CarrierTransport
        ``ionic`` and ``electronic``: one :class:`ConductionResult` per axis (σ_eff in S/cm,
        τ, MacMullin number, percolation).

    Examples
    --------
    >>> from cathodetwin.analysis import ionic_and_electronic
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> both = ionic_and_electronic(synthetic_composite((24, 24, 24), seed=1), axes=(0, 2))
    >>> [r.axis_name for r in both.ionic], both.along("ionic", 2).percolating
    (['x', 'z'], True)
    >>> both.along("ionic", 2).effective_conductivity_s_cm > 0
    True
    """
    overrides = dict(conductivities or {})
    unknown = set(overrides) - set(CARRIER_ROLES)
    if unknown:
        raise InputError(
            f"conductivities keys must be among {tuple(CARRIER_ROLES)}, got {sorted(unknown)}"
        )
    results: dict[str, list[ConductionResult]] = {}
    total = len(CARRIER_ROLES) * len(axes)
    for carrier in CARRIER_ROLES:
        table = overrides.get(carrier) or carrier_conductivities(micro, carrier)
        results[carrier] = []
        for axis in axes:
            results[carrier].append(effective_conductivity(
                micro, table, axis=axis, periodic=periodic, flux_tolerance=flux_tolerance,
                threads=threads, device=device,
            ))
            if progress is not None:
                progress(sum(map(len, results.values())) / total)
    return CarrierTransport(ionic=tuple(results["ionic"]),
                            electronic=tuple(results["electronic"]))
