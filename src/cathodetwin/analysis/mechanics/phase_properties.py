"""Map a Microstructure's phases to elastic inputs from their materials."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cathodetwin.errors import InputError
from cathodetwin.structure.microstructure import Microstructure


@dataclass(frozen=True)
class PhaseElasticInputs:
    """Per-label E (GPa), Poisson ratio, linear eigenstrain, names and role groups."""

    youngs_modulus_gpa: dict[int, float]
    poisson_ratio: dict[int, float]
    eigenstrain: dict[int, float]
    names: dict[int, str]
    cam_labels: tuple[int, ...]
    electrolyte_labels: tuple[int, ...]
    sources: dict[str, str]


def elastic_inputs(
    micro: Microstructure, *, state_of_charge: float = 1.0
) -> PhaseElasticInputs:
    """Young's modulus (GPa), Poisson ratio and CAM eigenstrain (-) of each phase's material.

    Pores get E = 0; the CAM's linear eigenstrain is volume_change_percent / 300 × SOC (the
    isotropic share of the full-charge volume change, scaled linearly with the state of
    charge). Electrolyte labels are the SSE and shell phases.

    Parameters
    ----------
    micro : Microstructure
        The volume; every phase but the pores needs a material with E and ν, a CAM also its
        volume change.
    state_of_charge : float, optional
        0..1; scales the full-charge volume change linearly (default 1, full charge).

    Returns
    -------
    PhaseElasticInputs
        Per label E (GPa), ν (-), eigenstrain (-) and name; the CAM and electrolyte labels; and
        the literature source of each value used.

    Examples
    --------
    >>> from cathodetwin.analysis import elastic_inputs
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> inputs = elastic_inputs(synthetic_composite((8, 8, 8)), state_of_charge=0.5)
    >>> inputs.cam_labels, inputs.electrolyte_labels, inputs.youngs_modulus_gpa[0]
    ((1,), (2,), 0.0)
    """
    if not 0.0 <= state_of_charge <= 1.0:
        raise InputError(f"state_of_charge = {state_of_charge}; allowed: 0 <= soc <= 1")
    present = set(np.flatnonzero(np.bincount(micro.labels.ravel(), minlength=256)).tolist())
    legend = {p.label for p in micro.phases}
    unknown = sorted(present - legend)
    if unknown:
        raise InputError(f"labels {unknown} occur in the volume but not in the phase legend")
    e_gpa: dict[int, float] = {}
    nu: dict[int, float] = {}
    eig: dict[int, float] = {}
    sources: dict[str, str] = {}
    for phase in micro.phases:
        if phase.role == "pore":
            e_gpa[phase.label], nu[phase.label] = 0.0, 0.0
            continue
        if phase.material is None:
            raise InputError(f"phase {phase.name!r} (role {phase.role}) has no material; "
                             "the mechanics needs its Young's modulus and Poisson ratio")
        mat = phase.material
        if mat.youngs_modulus_gpa is None or mat.poisson_ratio is None:
            raise InputError(f"material {mat.name!r} of phase {phase.name!r} lacks "
                             "youngs_modulus_gpa or poisson_ratio")
        e_gpa[phase.label] = mat.youngs_modulus_gpa
        nu[phase.label] = mat.poisson_ratio
        sources[f"{mat.name}.youngs_modulus_gpa"] = mat.source("youngs_modulus_gpa")
        sources[f"{mat.name}.poisson_ratio"] = mat.source("poisson_ratio")
        if phase.role == "CAM":
            if mat.volume_change_percent is None:
                raise InputError(f"CAM material {mat.name!r} lacks volume_change_percent")
            eig[phase.label] = mat.volume_change_percent / 100.0 / 3.0 * state_of_charge
            sources[f"{mat.name}.volume_change_percent"] = mat.source("volume_change_percent")
    return PhaseElasticInputs(
        youngs_modulus_gpa=e_gpa,
        poisson_ratio=nu,
        eigenstrain=eig,
        names={p.label: p.name for p in micro.phases},
        cam_labels=micro.labels_with_role("CAM"),
        electrolyte_labels=micro.labels_with_role("SSE") + micro.labels_with_role("shell"),
        sources=sources,
    )
