"""Electronic conductivity from the contact (resistor) network of a packing."""

import json
import math
import re

import numpy as np
import pytest

from cathodetwin.analysis.transport import effective_conductivity
from cathodetwin.analysis.transport.contact_network import electronic_contact_network
from cathodetwin.materials import get_material
from cathodetwin.packing import Fibers
from cathodetwin.structure.microstructure import Microstructure, Phase

SIGMA_CAM = get_material("NCM811").electronic_conductivity_s_cm  # S/cm
R_UM = 3.0  # sphere radius in µm
BOX_XY_UM = 20.0
FIBER_R_UM = 0.075


def _chain(count: int, a_over_r: float, xy: tuple[float, float] = (10.0, 10.0)):
    """Centres (µm) of ``count`` spheres of radius R_UM stacked along z, each contact and both
    wall contacts of radius a = a_over_r · R_UM, and the height H (µm) they span."""
    d = R_UM * math.sqrt(1.0 - a_over_r**2)  # centre to contact plane
    z = d + 2.0 * d * np.arange(count)
    centres = np.column_stack([np.full(count, xy[0]), np.full(count, xy[1]), z])
    return centres, 2.0 * d * count


def _series_sigma(count: int, a_over_r: float, height: float, area: float) -> float:
    """Hand value: 2·count half-contacts in series, each ψ/(4aσ) + d/(σπr²), 10⁴ Ω per µm⁻¹."""
    a = a_over_r * R_UM
    d = R_UM * math.sqrt(1.0 - a_over_r**2)
    half = 1e4 * ((1 - a_over_r) ** 1.5 / (4 * a * SIGMA_CAM) + d / (SIGMA_CAM * math.pi * R_UM**2))
    return 1e4 * height / (2 * count * half * area)


def _bridged(make_packing, fiber: bool, x: float = 10.0):
    """Two CAM spheres overlapping one wall each by 0.2 µm, 1 µm apart, optionally bridged by
    a fibre of two segments along z whose end caps touch both; the fibre runs at ``x`` (may be
    outside the box), the sphere centres at the same x wrapped into the box."""
    height = 4 * R_UM + 0.6
    xc = x % BOX_XY_UM
    centres = [[xc, 10.0, R_UM - 0.2], [xc, 10.0, height - R_UM + 0.2]]
    z0, z1 = centres[0][2] + R_UM + FIBER_R_UM, centres[1][2] - R_UM - FIBER_R_UM
    fibers = Fibers(
        np.array([[x, 10.0, z0], [x, 10.0, 0.5 * (z0 + z1)]]),
        np.array([[x, 10.0, 0.5 * (z0 + z1)], [x, 10.0, z1]]),
        np.full(2, FIBER_R_UM), np.full(2, 2, np.int16),
    )
    return make_packing(centres, [R_UM] * 2, [0, 0], box=(BOX_XY_UM, BOX_XY_UM, height),
                        fibers=fibers if fiber else None)


def test_chain_of_spheres_is_the_series_sum(make_packing):
    centres, height = _chain(4, 0.4)
    packing = make_packing(centres, [R_UM] * 4, [0] * 4, box=(BOX_XY_UM, BOX_XY_UM, height))
    result = electronic_contact_network(packing)
    expected = _series_sigma(4, 0.4, height, BOX_XY_UM**2)
    assert result.percolating
    assert result.edge_counts["cam-cam"] == 3
    assert result.edge_counts["collector"] == result.edge_counts["separator"] == 1
    assert result.effective_conductivity_s_cm == pytest.approx(expected, rel=1e-9)
    assert result.connected_to_collector.all()
    assert result.cam_connected_volume_fraction == pytest.approx(1.0)
    json.dumps(result.to_dict(), allow_nan=False)


def test_parallel_chains_double_the_conductance(make_packing):
    centres, height = _chain(3, 0.3)
    box = (BOX_XY_UM, BOX_XY_UM, height)
    one = electronic_contact_network(make_packing(centres, [R_UM] * 3, [0] * 3, box=box))
    second, _ = _chain(3, 0.3, xy=(18.0, 3.0))  # 10.6 µm from the first: no cross contacts
    both = electronic_contact_network(
        make_packing(np.vstack([centres, second]), [R_UM] * 6, [0] * 6, box=box)
    )
    assert both.edge_counts["cam-cam"] == 4
    assert both.effective_conductivity_s_cm == pytest.approx(
        2.0 * one.effective_conductivity_s_cm, rel=1e-9
    )


@pytest.mark.parametrize("a_over_r", [0.3, 0.5])
def test_network_matches_voxel_solver_on_resolved_chain(make_packing, a_over_r):
    """Same chain, voxelised at 12 voxels per radius and solved by finite volumes.

    Measured network / voxel: 1.00 to 1.18 for a/r = 0.2 to 0.7 at 12 voxels per radius and
    0.94 to 1.16 at 24 (the voxel value itself moves by up to 10 % between the two, the
    contact disc being a few voxels wide); Holm's constriction without the finite-contact
    factor ψ would give 0.64 to 0.78. The 25 % bound leaves room for that discretisation.
    """
    centres, height = _chain(3, a_over_r, xy=(3.5, 3.5))
    box_xy = 7.0  # fits one sphere with a gap: the voxel volume needs no periodicity
    voxel = R_UM / 12
    n_xy, n_z = round(box_xy / voxel), round(height / voxel)
    grid = (np.arange(n_xy) + 0.5) * voxel
    x, y, z = np.meshgrid(grid, grid, (np.arange(n_z) + 0.5) * height / n_z, indexing="ij")
    labels = np.zeros((n_xy, n_xy, n_z), np.uint8)
    for c in centres:
        labels[(x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= R_UM**2] = 1
    phases = (Phase(0, "pore", "pore"), Phase(1, "NCM", "CAM", "NCM811"))
    micro = Microstructure(labels, (voxel, voxel, height / n_z), phases)
    reference = effective_conductivity(micro, {1: SIGMA_CAM}, axis=2, flux_tolerance=1e-6)
    # The network needs a wider periodic box; scale to the voxel box's cross-section.
    network = electronic_contact_network(
        make_packing(centres, [R_UM] * 3, [0] * 3, box=(BOX_XY_UM, BOX_XY_UM, height))
    )
    sigma_network = network.effective_conductivity_s_cm * BOX_XY_UM**2 / (n_xy * voxel) ** 2
    ratio = sigma_network / reference.effective_conductivity_s_cm
    assert 0.8 < ratio < 1.25


def _coated_pair(make_packing, shell_um: float, **options):
    """Two coated spheres on each other between the walls: outer spheres overlap each other by
    0.2 µm and the walls by 0.1 µm, so the cores are 2·shell − 0.2 µm apart and shell − 0.1 µm
    off the walls."""
    outer = R_UM + shell_um
    d = outer - 0.1
    centres = [[10.0, 10.0, d], [10.0, 10.0, 3 * d]]
    box = (BOX_XY_UM, BOX_XY_UM, 4 * d)
    packing = make_packing(centres, [outer] * 2, [0, 0], box=box, shell=[shell_um] * 2,
                           coverage=[1, 1])
    return packing, electronic_contact_network(packing, **options)


def test_asperities_bridge_a_squeezed_shell_as_exp_of_the_core_gap(make_packing):
    """Hand value: four half-contacts in series, each ψ(a/r)/(4aσ) + r/(σπr²) with a = a_o·√f,
    a_o the outer spheres' (or sphere–wall) contact radius and f = exp(−g/λ) for core gap g."""
    lam = 0.2646
    packing, result = _coated_pair(make_packing, 0.3, asperity_height_um=lam)
    outer = R_UM + 0.3
    a_o = math.sqrt(outer**2 - (outer - 0.1) ** 2)
    resistance = 0.0
    for gap, halves in ((0.2, 2), (0.4, 2)):  # two walls (one half each), the pair (two)
        a = a_o * math.sqrt(math.exp(-gap / lam))
        half = 1e4 * ((1 - a / R_UM) ** 1.5 / (4 * a * SIGMA_CAM)
                      + R_UM / (SIGMA_CAM * math.pi * R_UM**2))
        resistance += halves * half
    height = packing.box_um[2]
    assert result.percolating
    assert result.edge_counts["cam-cam"] == result.edge_counts["cam-cam through shell"] == 1
    assert result.effective_conductivity_s_cm == pytest.approx(
        1e4 * height / (resistance * BOX_XY_UM**2), rel=1e-9
    )
    assert result.entry_reach.effective_conductivity_s_cm == result.effective_conductivity_s_cm
    thicker = _coated_pair(make_packing, 0.5)[1]
    assert 0.0 < thicker.effective_conductivity_s_cm < result.effective_conductivity_s_cm


def test_shells_that_keep_cores_apart_block_conduction_without_asperities(make_packing):
    _, coated = _coated_pair(make_packing, 0.3, asperity_height_um=0.0)
    outer = R_UM + 0.3
    d = outer - 0.1
    centres = [[10.0, 10.0, d], [10.0, 10.0, 3 * d]]
    box = (BOX_XY_UM, BOX_XY_UM, 4 * d)
    assert not coated.percolating
    assert coated.effective_conductivity_s_cm == 0.0
    assert not coated.connected_to_collector.any()
    assert coated.cam_connected_volume_fraction == 0.0
    assert coated.edge_counts["cam-cam"] == coated.edge_counts["collector"] == 0
    bare = electronic_contact_network(make_packing(centres, [outer] * 2, [0, 0], box=box))
    assert bare.percolating and bare.effective_conductivity_s_cm > 0.0


def test_fibre_bridge_makes_the_network_percolate(make_packing):
    bridged = electronic_contact_network(_bridged(make_packing, fiber=True))
    assert bridged.percolating
    assert bridged.edge_counts["cam-fiber"] == 2
    assert bridged.edge_counts["fiber chain"] == 1
    assert bridged.node_counts == {"cam": 2, "carbon": 0, "fiber": 2}
    assert bridged.effective_conductivity_s_cm > 0.0
    cut = electronic_contact_network(_bridged(make_packing, fiber=False))
    assert not cut.percolating
    assert cut.effective_conductivity_s_cm == 0.0
    assert cut.connected_to_collector.tolist() == [True, False]
    assert cut.cam_connected_volume_fraction == pytest.approx(0.5)
    # Dead end: the lower sphere reaches up to its centre; the slab plane there cuts its full
    # cross-section (no resistance), leaving the collector contact of radius a² = R² − z_c².
    z_c = R_UM - 0.2
    a = math.sqrt(R_UM**2 - z_c**2)
    collector = 1e4 * ((1 - a / R_UM) ** 1.5 / (4 * a * SIGMA_CAM)
                       + z_c / (SIGMA_CAM * math.pi * R_UM**2))
    assert cut.entry_reach.depth_um == pytest.approx(z_c)
    assert cut.entry_reach.effective_conductivity_s_cm == pytest.approx(
        1e4 * z_c / (collector * BOX_XY_UM**2), rel=1e-5
    )


def test_carbon_black_sphere_bridges_like_a_fibre(make_packing):
    plain = _bridged(make_packing, fiber=False)
    middle = plain.center_um.mean(axis=0)  # the centre of the 1 µm gap between the spheres
    bridged = electronic_contact_network(make_packing(
        np.vstack([plain.center_um, middle]), [R_UM, R_UM, 0.5], [0, 0, 2], box=plain.box_um,
        materials=("NCM811", "Li6PS5Cl", "SuperP"),
    ))
    assert bridged.percolating
    assert bridged.node_counts == {"cam": 2, "carbon": 1, "fiber": 0}
    assert bridged.edge_counts["cam-carbon"] == 2
    assert bridged.connected_to_collector.tolist() == [True, True, True]


def test_chain_across_the_x_boundary_conducts_as_unwrapped(make_packing):
    # Zig-zag chain: consecutive spheres 2 µm apart in x, contacts and walls with a/r = 0.5.
    d = R_UM * math.sqrt(0.75)
    dz = math.sqrt((2 * d) ** 2 - 2.0**2)
    z = d + dz * np.arange(4)
    box = (BOX_XY_UM, BOX_XY_UM, z[-1] + d)
    zigzag = np.array([0.0, 2.0, 0.0, 2.0])

    def network(x):
        centres = np.column_stack([(x + zigzag) % BOX_XY_UM, np.full(4, 10.0), z])
        return electronic_contact_network(make_packing(centres, [R_UM] * 4, [0] * 4, box=box))

    inside, across = network(9.0), network(19.0)  # across: x = 19 and 21 ≡ 1
    assert inside.edge_counts["cam-cam"] == 3 and inside.percolating
    assert across.edge_counts == inside.edge_counts
    assert across.effective_conductivity_s_cm == pytest.approx(
        inside.effective_conductivity_s_cm, rel=1e-9
    )


def test_fibre_outside_the_box_is_wrapped(make_packing):
    inside = electronic_contact_network(_bridged(make_packing, fiber=True, x=10.0))
    outside = electronic_contact_network(_bridged(make_packing, fiber=True, x=-0.01))
    assert inside.percolating
    assert outside.edge_counts == inside.edge_counts
    assert outside.effective_conductivity_s_cm == pytest.approx(
        inside.effective_conductivity_s_cm, rel=1e-9
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [({"axis": "x"}, "axis must be one of"), ({"carbon_contact_fraction": 0.0}, "(0, 1]"),
     ({"carbon_gap_um": -0.1}, "carbon_gap_um"),
     ({"asperity_height_um": -1.0}, "asperity_height_um")],
)
def test_invalid_arguments_are_named(make_packing, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        electronic_contact_network(_bridged(make_packing, fiber=False), **options)


def test_fibre_on_a_bare_patch_of_a_half_covered_particle_reaches_the_core(make_packing):
    # One half-covered CAM particle on the collector; a vertical fibre rests on its outer
    # sphere (0.3 µm shell) and runs to the separator. It conducts only where it rests on a
    # direction the shell patches miss (bare CAM that pressing would close onto).
    from cathodetwin.packing.shell_patches import covered_along, fibonacci_sphere, shell_patches

    shell, height = 0.3, 12.0
    outer = R_UM + shell
    center = np.array([10.0, 10.0, 0.9 * R_UM])
    dirs, thr = shell_patches(np.array([0.5]), 0)
    candidates = fibonacci_sphere(2000)
    candidates = candidates[(candidates[:, 2] > 0.3) & (candidates[:, 2] < 0.8)]
    on_shell = covered_along(candidates, np.zeros(len(candidates), np.int64), np.array([0.5]),
                             dirs, thr)

    def sigma(n: np.ndarray) -> float:
        foot = center + (outer + FIBER_R_UM) * n
        fibers = Fibers(foot[None, :], np.array([[foot[0], foot[1], height]]),
                        np.array([FIBER_R_UM]), np.array([2], np.int16))
        packing = make_packing([center], [outer], [0], box=(BOX_XY_UM, BOX_XY_UM, height),
                               shell=[shell], coverage=[0.5], fibers=fibers)
        return electronic_contact_network(packing).effective_conductivity_s_cm

    assert sigma(candidates[np.flatnonzero(~on_shell)[0]]) > 0.0
    assert sigma(candidates[np.flatnonzero(on_shell)[0]]) == 0.0
