"""Image I/O round trips, grey-value → phase mapping and its errors."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile

from cathodetwin.structure.io import (
    export_vti,
    import_image,
    labels_from_grey,
    load_microstructure,
    parse_phase_map,
    parse_voxel_size,
    read_volume,
    save_microstructure,
    write_volume,
)
from cathodetwin.structure.microstructure import Microstructure, Phase

MAP = "0=pore,85=CAM:NCM811,170=SSE:Li6PS5Cl"


@pytest.fixture
def grey() -> np.ndarray:
    """Asymmetric (x, y, z) volume so that any axis mix-up changes it."""
    rng = np.random.default_rng(0)
    return rng.choice(np.array([0, 85, 170], np.uint8), size=(7, 5, 3))


@pytest.mark.parametrize("suffix", [".tif", ".npy", ".zarr"])
def test_round_trip(tmp_path, grey, suffix):
    path = write_volume(tmp_path / f"v{suffix}", grey)
    back = read_volume(path)
    assert back.dtype == grey.dtype
    np.testing.assert_array_equal(back, grey)


@pytest.mark.parametrize("order", ["C", "F"])
def test_raw_round_trip_with_order(tmp_path, grey, order):
    vol = grey.astype("<u2") * 3
    path = write_volume(tmp_path / "v.raw", vol, order=order)
    back = read_volume(path, shape=vol.shape, dtype="<u2", order=order)
    np.testing.assert_array_equal(back, vol)


def test_tiff_pages_are_z_slices(tmp_path, grey):
    path = write_volume(tmp_path / "v.tif", grey)
    pages = tifffile.imread(path)
    assert pages.shape == (3, 5, 7)  # (z, y, x)
    np.testing.assert_array_equal(pages[2], grey[:, :, 2].T)


def test_raw_needs_shape_and_matching_size(tmp_path, grey):
    path = write_volume(tmp_path / "v.raw", grey)
    with pytest.raises(ValueError, match="needs shape"):
        read_volume(path)
    with pytest.raises(ValueError, match="bytes"):
        read_volume(path, shape=(7, 5, 4), dtype="uint8")


def test_unknown_suffix_and_missing_file(tmp_path, grey):
    with pytest.raises(ValueError, match="unknown file type"):
        write_volume(tmp_path / "v.png", grey)
    with pytest.raises(ValueError, match="does not exist"):
        read_volume(tmp_path / "nothing.tif")


def test_parse_phase_map_forms():
    pm = parse_phase_map("170=SSE, 0=void, 85=ncm, 200=VGCF, 220=CAM:NCM622")
    assert pm[0] == Phase(0, "void", "pore", None)  # pore first
    assert pm[170] == Phase(1, "SSE", "SSE", "Li6PS5Cl")
    assert pm[85] == Phase(2, "ncm", "CAM", "NCM811")  # alias → default material
    assert pm[200] == Phase(3, "VGCF", "carbon", "VGCF")  # material → its kind
    assert pm[220] == Phase(4, "NCM622", "CAM", "NCM622")
    assert parse_phase_map({0: "pore", 1: "CAM"})[1].role == "CAM"


def test_parse_phase_map_duplicate_names_get_grey_value():
    pm = parse_phase_map("0=pore,1=CAM:NCM811,2=CAM:NCM811")
    assert {pm[1].name, pm[2].name} == {"NCM811@1", "NCM811@2"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0=pore,85", "VALUE=PHASE"),
        ("x=pore", "not an integer"),
        ("0=pore,0=CAM", "more than once"),
        ("0=pore,1=cheese", "neither a role"),
        ("0=pore,1=CAM:unobtainium", "not in the library"),
        ("0=pore,1=metal:NCM811", "role 'metal' unknown"),
        ("0=pore,1=Li", "not a cathode phase"),
        ("", "no VALUE=PHASE"),
    ],
)
def test_parse_phase_map_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_phase_map(spec)


def test_labels_from_grey_maps_uint16(grey):
    vol = grey.astype(np.uint16) * 100  # 0, 8500, 17000
    labels, phases = labels_from_grey(vol, parse_phase_map("0=pore,8500=CAM,17000=SSE"))
    assert labels.dtype == np.uint8
    np.testing.assert_array_equal(labels, np.searchsorted([0, 85, 170], grey))
    assert [p.role for p in phases] == ["pore", "CAM", "SSE"]


@pytest.mark.parametrize(
    ("volume", "message"),
    [
        (np.zeros((4, 4), np.uint8), "3D volume"),
        (np.zeros((4, 4, 4), np.float32), "dtype float32"),
        (np.zeros((0, 4, 4), np.uint8), "empty"),
        (np.full((4, 4, 4), 85, np.uint8), "only one phase"),
        (np.arange(64, dtype=np.uint8).reshape(4, 4, 4), "not mapped"),
    ],
)
def test_labels_from_grey_errors(volume, message):
    with pytest.raises(ValueError, match=message):
        labels_from_grey(volume, parse_phase_map(MAP))


def test_single_phase_through_two_grey_values_is_rejected():
    vol = np.array([0, 1] * 32, np.uint8).reshape(4, 4, 4)
    with pytest.raises(ValueError, match="only one phase"):
        labels_from_grey(vol, {0: Phase(0, "SSE", "SSE", "Li6PS5Cl"),
                               1: Phase(0, "SSE", "SSE", "Li6PS5Cl")})


def test_import_image(tmp_path, grey):
    path = write_volume(tmp_path / "scan.tif", grey)
    micro = import_image(path, MAP, "0.1,0.1,0.25")
    assert micro.voxel_size_um == (0.1, 0.1, 0.25)
    assert micro.provenance["periodic_xy"] is False
    np.testing.assert_array_equal(micro.mask("CAM"), grey == 85)


def test_parse_voxel_size():
    assert parse_voxel_size("0.2") == (0.2, 0.2, 0.2)
    assert parse_voxel_size("0.1, 0.1, 0.5") == (0.1, 0.1, 0.5)
    assert parse_voxel_size(0.3) == (0.3, 0.3, 0.3)
    for bad in ("a", "0.1,0.2", "-1"):
        with pytest.raises(ValueError, match="voxel_size"):
            parse_voxel_size(bad)


def test_save_and_load_microstructure(tmp_path, grey):
    labels, phases = labels_from_grey(grey, parse_phase_map(MAP))
    micro = Microstructure(labels, (0.1, 0.2, 0.3), phases, {"source": "test", "n": np.int64(3)})
    back = load_microstructure(save_microstructure(micro, tmp_path / "m.zarr"))
    np.testing.assert_array_equal(back.labels, micro.labels)
    assert back.phases == micro.phases
    assert back.voxel_size_um == micro.voxel_size_um
    assert back.provenance == {"source": "test", "n": 3}
    with pytest.raises(ValueError, match="not a cathodetwin"):
        load_microstructure(write_volume(tmp_path / "plain.zarr", grey))


def test_vti_export_reads_in_pyvista(tmp_path, grey):
    pv = pytest.importorskip("pyvista")
    labels, phases = labels_from_grey(grey, parse_phase_map(MAP))
    micro = Microstructure(labels, (0.1, 0.2, 0.3), phases)
    grid = pv.read(export_vti(micro, tmp_path / "m.vti"))
    assert grid.dimensions == (8, 6, 4)  # points = cells + 1
    assert grid.spacing == pytest.approx((0.1, 0.2, 0.3))
    np.testing.assert_array_equal(
        np.asarray(grid.cell_data["phase"]).reshape(micro.shape, order="F"), labels)
    assert bytes(np.asarray(grid.field_data["phase_names"])).decode().startswith("0:pore:pore")
