"""Particle separation and contacts, the measure_structure composer and the analyze command."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from cathodetwin.analysis.geometry.particles import (
    contact_pairs,
    geometric_contacts,
    packing_cam_contacts,
    separate_particles,
)
from cathodetwin.analysis.structure_metrics import StructureMetrics, measure_structure
from cathodetwin.analysis.transport.measure import TransportMetrics, measure_transport
from cathodetwin.cli.analyze_cmd import analyze
from cathodetwin.structure.io import write_volume
from cathodetwin.structure.voxelize import voxelize, voxelize_with_owners


def balls(shape, centres, radius) -> np.ndarray:
    g = np.indices(shape).astype(float) + 0.5
    out = np.zeros(shape, bool)
    for c in centres:
        out |= ((g - np.asarray(c, float)[:, None, None, None]) ** 2).sum(axis=0) <= radius**2
    return out


def test_two_touching_spheres_make_one_contact(make_packing):
    # packing: two CAM spheres of 1 µm touching with a 1 % overlap, plus a distant third
    p = make_packing([[3.0, 5.0, 5.0], [4.98, 5.0, 5.0], [8.0, 8.0, 8.0]], [1.0, 1.0, 1.0],
                     [0, 0, 0])
    assert packing_cam_contacts(p) == (3, 1)
    # image only: one CAM blob of two spheres, split by the watershed
    mask = balls((60, 40, 40), [(20.2, 20.1, 20.3), (39.6, 20.2, 20.1)], 10.0)
    ids, n = separate_particles(mask, voxel_size_um=(0.1, 0.1, 0.1), periodic_xy=False)
    assert n == 2
    assert contact_pairs(ids, periodic_xy=False).tolist() == [[1, 2]]
    sizes = np.bincount(ids.ravel())[1:]
    assert sizes[0] == pytest.approx(sizes[1], rel=0.05)


def test_watershed_keeps_a_single_sphere_whole():
    mask = balls((40, 40, 40), [(19.7, 20.4, 20.1)], 12.0)
    assert separate_particles(mask, voxel_size_um=(1.0, 1.0, 1.0), periodic_xy=False)[1] == 1


def test_geometric_contacts_use_periodic_images(make_packing):
    p = make_packing([[0.5, 5, 5], [9.0, 5, 5], [5, 5, 5]], [1.0, 0.8, 0.5], [0, 1, 1])
    i, j, overlap = geometric_contacts(p)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1)]
    assert overlap[0] == pytest.approx(1.8 - 1.5)


def composite(make_packing):
    rng = np.random.default_rng(11)
    n_cam, n_sse = 12, 120
    centres = rng.random((n_cam + n_sse, 3)) * [10, 10, 10]
    radii = np.r_[rng.uniform(1.2, 1.8, n_cam), rng.uniform(0.5, 0.8, n_sse)]
    comp = [0] * n_cam + [1] * n_sse
    return make_packing(centres, radii, comp)


def test_measure_structure_with_packing_is_json_and_consistent(make_packing):
    p = composite(make_packing)
    m, owners = voxelize_with_owners(p, 0.2)
    res = measure_structure(m, p)
    d = json.loads(json.dumps(res.to_dict()))
    assert sum(d["fractions"]["volume_fraction"].values()) == pytest.approx(1.0)
    assert d["fractions"]["porosity"] == pytest.approx(float(np.mean(m.labels == 0)))
    util = d["utilization_particle_contacts"]["by_min_overlap_percent"]
    fr = [util[k]["particle_fraction"] for k in ("0", "2", "5", "10")]
    assert fr == sorted(fr, reverse=True) and 0 < fr[0] <= 1
    contacts = d["cam_contacts"]
    assert contacts["n_cam_particles_packing"] == 12
    # touching CAM pairs in the packing also share voxel faces in the image
    assert contacts["n_cam_cam_contacts_image"] == contacts["n_cam_cam_contacts_packing"]
    tort = d["ionic_geometric_tortuosity"]
    assert tort["median_tortuosity"] is None or tort["median_tortuosity"] >= 1.0
    assert sum(tort["histogram_fraction"]) == pytest.approx(1.0) or not tort["histogram_fraction"]
    # passing the owners gives the same numbers without re-drawing the packing
    again = measure_structure(m, p, particle_ids=owners).to_dict()
    assert again["cam_contacts"] | {"image_particle_method": "packing particles"} == contacts
    # the record reads back as the same typed result (a resumed build)
    assert StructureMetrics.from_dict(d) == replace(res, timings_s=d["timings_s"])


def test_measure_transport_utilization_and_round_trip(make_packing):
    p = composite(make_packing)
    m, owners = voxelize_with_owners(p, 0.2)
    res = measure_transport(m, p)
    vox = res.to_dict()["utilization_voxel"]
    assert 0 <= vox["ionic_electronic_cam_volume_fraction"] <= vox["ionic_cam_volume_fraction"] <= 1
    assert vox["cam_unit"] == "packing particles"
    again = measure_transport(m, p, particle_ids=owners)
    assert again.utilization_voxel == replace(res.utilization_voxel, unit="given particle ids")
    assert res.electronic_conductivity_source == "contact network"
    back = TransportMetrics.from_dict(json.loads(json.dumps(res.to_dict())))
    assert back.to_dict() == json.loads(json.dumps(res.to_dict()))
    assert back.ionic_conductivity_eff_s_cm == res.ionic_conductivity_eff_s_cm


def test_measure_structure_rejects_a_foreign_packing(make_packing):
    p = composite(make_packing)
    m = voxelize(p, 0.2)
    other = make_packing([[5, 5, 5]], [2.0], [0])
    with pytest.raises(ValueError, match="not voxelized from this packing"):
        measure_structure(m, other)


def test_measure_structure_image_only_uses_watershed(make_packing):
    m = voxelize(composite(make_packing), 0.2)
    m.provenance = {"source": "image", "periodic_xy": False}
    d = measure_structure(m).to_dict()
    assert d["utilization_particle_contacts"] is None
    assert d["cam_contacts"]["image_particle_method"] == "watershed particles"
    assert d["cam_contacts"]["n_cam_particles_image"] >= 1


def test_analyze_command_writes_json(tmp_path):
    lab = np.zeros((40, 40, 40), np.uint8)
    lab[balls(lab.shape, [(12.3, 20.1, 20.2), (28.1, 20.4, 19.8)], 9.0)] = 85
    lab[:, :, 30:] = np.where(lab[:, :, 30:] == 0, 170, lab[:, :, 30:])
    path = write_volume(tmp_path / "scan.tif", lab)
    app = typer.Typer()
    app.command()(analyze)
    out = tmp_path / "m.json"
    res = CliRunner().invoke(app, [str(path), "--phases", "0=pore,85=CAM:NCM811,170=SSE",
                                   "--voxel-size", "0.1", "--output", str(out)])
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text())
    assert d["shape_voxels"] == [40, 40, 40]
    assert d["fractions"]["volume_fraction"]["NCM811"] == pytest.approx(np.mean(lab == 85))
    assert "porosity" in res.output
    bad = CliRunner().invoke(app, [str(path), "--phases", "0=pore,85=CAM", "--voxel-size", "0.1"])
    assert bad.exit_code != 0 and "not mapped" in str(bad.exception)
