"""3D renders: particle cap, SSE field downsampling, VTK offscreen and the matplotlib fallback."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.image import imread
from report_support import random_packing

from cathodetwin.report.render3d import (
    corner_subset,
    crop_white,
    downsample_mask,
    render_particles,
    render_sse_network,
    vtk_window,
)
from cathodetwin.structure.microstructure import Microstructure, Phase

PHASES = (Phase(0, "pore", "pore"), Phase(1, "NCM811", "CAM", "NCM811"),
          Phase(2, "LPSCl", "SSE", "Li6PS5Cl"))


def gyroid_micro(n: int = 48) -> Microstructure:
    """A periodic SSE network (gyroid-like) with a CAM sphere in the middle."""
    x, y, z = np.meshgrid(*(np.arange(n) * 2 * np.pi / n,) * 3, indexing="ij")
    labels = np.zeros((n, n, n), np.uint8)
    labels[np.sin(x) * np.cos(y) + np.sin(y) * np.cos(z) + np.sin(z) * np.cos(x) > 0.3] = 2
    labels[(x - np.pi) ** 2 + (y - np.pi) ** 2 + (z - np.pi) ** 2 < 1.0] = 1
    return Microstructure(labels, (0.25, 0.25, 0.25), PHASES)


def image(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


def test_corner_subset_takes_the_particles_nearest_the_far_corner() -> None:
    box = (10.0, 10.0, 10.0)
    centers = np.array([[9.0, 9.0, 9.0], [1.0, 1.0, 1.0], [5.0, 9.5, 9.5], [9.9, 9.9, 2.0]])
    assert corner_subset(centers, box, 2).tolist() == [0, 2]
    assert corner_subset(centers, box, 10).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("shape", [(40, 40, 40), (37, 50, 23)])
def test_downsampling_keeps_the_sse_volume_fraction(shape: tuple[int, int, int]) -> None:
    mask = np.random.default_rng(1).random(shape) < 0.3
    field, factor = downsample_mask(mask, 16)
    assert max(field.shape) <= 16 and factor == int(np.ceil(max(shape) / 16))
    if all(n % factor == 0 for n in shape):  # exact blocks: the mean of means is the mean
        assert np.isclose(field.mean(), mask.mean())
    assert 0.0 <= field.min() and field.max() <= 1.0


def test_matplotlib_fallback_draws_both_views() -> None:
    packing = random_packing()
    parts = render_particles(packing, backend="matplotlib", max_particles=50)
    assert parts.backend == "matplotlib"
    assert parts.note.startswith(f"50 of {len(packing)} particles")
    assert [name for name, _ in parts.legend][:2] == ["NCM811", "LPSCl-fine"]
    net = render_sse_network(gyroid_micro(), backend="matplotlib")
    assert net.backend == "matplotlib" and "iso-surface" in net.note
    for png in (parts.png, net.png):
        img = image(png)
        assert img.shape[0] > 200 and img[..., :3].std() > 0.05  # not a blank canvas


def test_vtk_offscreen_render_is_not_blank() -> None:
    if vtk_window() is None:
        pytest.skip("no headless OpenGL for VTK here (needs EGL or OSMesa); fallback tested")
    parts = render_particles(random_packing(), backend="vtk")
    net = render_sse_network(gyroid_micro(), backend="vtk")
    for r in (parts, net):
        img = image(r.png)
        assert r.backend == "vtk" and 300 < img.shape[0] <= 720 and 300 < img.shape[1] <= 960
        non_white = np.any(img[..., :3] < 0.9, axis=-1).mean()
        assert 0.2 < non_white < 0.95


def test_crop_white_keeps_the_content_and_a_margin() -> None:
    img = np.full((100, 200, 3), 255, np.uint8)
    img[40:50, 60:90] = (10, 20, 200)
    out = crop_white(img, margin_px=5)
    assert out.shape == (20, 40, 3)
    assert np.array_equal(out[5:15, 5:35], img[40:50, 60:90])
    blank = np.full((10, 10, 3), 255, np.uint8)
    assert crop_white(blank).shape == blank.shape


def test_bad_inputs_are_refused() -> None:
    empty = Microstructure(np.zeros((8, 8, 8), np.uint8), (1.0, 1.0, 1.0), PHASES)
    with pytest.raises(ValueError, match="no SSE"):
        render_sse_network(empty, backend="matplotlib")
    with pytest.raises(ValueError, match="backend"):
        render_particles(random_packing(), backend="opengl")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_particles"):
        render_particles(random_packing(), max_particles=0)
