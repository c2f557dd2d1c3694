"""Headless 3D renders: packed particles and the SSE network (VTK offscreen, else matplotlib).

VTK needs an OpenGL context without a display: EGL (Debian: ``libegl1`` + ``libegl-mesa0``,
software llvmpipe) or OSMesa (``libosmesa6``). Which window class works is probed once per
process in a child process (a failing GL context can abort the interpreter); when none works
the renders fall back to a matplotlib 3D plot and say so in their note.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.image import imsave
from mpl_toolkits.mplot3d.art3d import Line3DCollection, Poly3DCollection
from scipy.ndimage import gaussian_filter
from skimage.measure import block_reduce, marching_cubes

from cathodetwin.errors import InputError
from cathodetwin.packing import Packing
from cathodetwin.report.figures import figure_png
from cathodetwin.report.palette import ROLE_SHADES, hex_to_rgb, role_colors
from cathodetwin.structure.microstructure import IONIC_ROLES, Microstructure

Backend = Literal["auto", "vtk", "matplotlib"]
WINDOW_ENV = "VTK_DEFAULT_OPENGL_WINDOW"
HEADLESS_WINDOWS: tuple[str, ...] = ("vtkEGLRenderWindow", "vtkOSOpenGLRenderWindow")
PROBE_TIMEOUT_S = 60.0
MAX_PARTICLES = 20_000
MAX_FIBERS = 5_000
MAX_NETWORK_VOXELS_PER_AXIS = 96
MPL_MAX_NETWORK_VOXELS_PER_AXIS = 40
WINDOW_PX = (960, 720)
SHELL_OPACITY = 0.35
CAMERA_ZOOM = 1.0
NETWORK_SMOOTHING_VOXELS = 0.7  # Gaussian sigma on the (downsampled) SSE fraction field
NETWORK_CMAP = ListedColormap(colormaps["Blues"](np.linspace(0.35, 1.0, 256)))
_NO_VTK_HINT = (
    "VTK found no headless OpenGL (install EGL: apt-get install libegl1 libegl-mesa0, or "
    "OSMesa: libosmesa6); shown with matplotlib instead"
)
_PROBE = """
import vtkmodules.vtkRenderingOpenGL2
from vtkmodules.vtkFiltersSources import vtkSphereSource
from vtkmodules.vtkRenderingCore import (vtkActor, vtkPolyDataMapper, vtkRenderer,
                                         vtkRenderWindow, vtkWindowToImageFilter)
from vtkmodules.util.numpy_support import vtk_to_numpy
win = vtkRenderWindow(); win.SetOffScreenRendering(1); win.SetSize(48, 48)
ren = vtkRenderer(); ren.SetBackground(1, 1, 1); win.AddRenderer(ren)
src = vtkSphereSource(); mapper = vtkPolyDataMapper()
mapper.SetInputConnection(src.GetOutputPort())
actor = vtkActor(); actor.SetMapper(mapper); actor.GetProperty().SetColor(1, 0, 0)
ren.AddActor(actor); win.Render()
grab = vtkWindowToImageFilter(); grab.SetInput(win); grab.Update()
px = vtk_to_numpy(grab.GetOutput().GetPointData().GetScalars())
print("RENDERED", win.GetClassName(), int(((px[:, 0] > 128) & (px[:, 1] < 100)).sum()))
"""


@dataclass(frozen=True)
class Render:
    """A rendered image (PNG bytes), the backend that drew it, a caption note and its legend."""

    png: bytes
    backend: str
    note: str
    legend: tuple[tuple[str, str], ...] = ()  # (name, '#rrggbb')


def _probe(window: str) -> bool:
    env = dict(os.environ)
    if window:
        env[WINDOW_ENV] = window
    try:
        out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                             text=True, timeout=PROBE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    words = out.stdout.split()
    return out.returncode == 0 and len(words) == 3 and words[0] == "RENDERED" and int(words[2]) > 0


@functools.cache
def vtk_window() -> str | None:
    """VTK render-window class that renders offscreen here ('' = VTK's default), or None."""
    with_display = bool(os.environ.get("DISPLAY")) or not sys.platform.startswith("linux")
    candidates = ([""] if with_display else []) + list(HEADLESS_WINDOWS)
    for window in candidates:
        if _probe(window):
            return window
    return None


@contextlib.contextmanager
def _window_env(window: str) -> Iterator[None]:
    old = os.environ.get(WINDOW_ENV)
    if window:
        os.environ[WINDOW_ENV] = window
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(WINDOW_ENV, None)
        else:
            os.environ[WINDOW_ENV] = old


def _use_vtk(backend: Backend) -> str | None:
    if backend not in ("auto", "vtk", "matplotlib"):
        raise InputError(f"backend={backend!r}; allowed: 'auto', 'vtk', 'matplotlib'")
    if backend == "matplotlib":
        return None
    window = vtk_window()
    if window is None and backend == "vtk":
        raise RuntimeError(_NO_VTK_HINT.split(";")[0])
    return window


def corner_reach(center_um: np.ndarray, box_um: tuple[float, float, float]) -> np.ndarray:
    """Per point: largest share of a box edge between it and the far corner (x, y, z max)."""
    box = np.asarray(box_um, float)
    return np.max((box - center_um) / box, axis=1)


def corner_subset(center_um: np.ndarray, box_um: tuple[float, float, float],
                  limit: int) -> np.ndarray:
    """Indices of the ``limit`` particles nearest the far corner, the one the camera faces."""
    if center_um.shape[0] <= limit:
        return np.arange(center_um.shape[0])
    reach = corner_reach(center_um, box_um)
    return np.sort(np.argsort(reach, kind="stable")[:limit])


def _sphere_resolution(n: int) -> int:
    return 20 if n < 2_000 else 12 if n < 8_000 else 8


@dataclass(frozen=True)
class _Scene:
    centers: np.ndarray
    core_radius: np.ndarray
    outer_radius: np.ndarray
    has_shell: np.ndarray
    colors: np.ndarray  # (n, 3) 0..1
    legend: list[tuple[str, str]]
    fibers: tuple[np.ndarray, np.ndarray, float] | None
    note: str


def _particle_scene(packing: Packing, max_particles: int) -> _Scene:
    keep = corner_subset(packing.center_um, packing.box_um, max_particles)
    comp_colors = role_colors(packing.component_roles)
    colors = np.array([hex_to_rgb(comp_colors[c]) for c in packing.component[keep]])
    has_shell = (packing.shell_thickness_um[keep] > 0) & (packing.coverage[keep] > 0)
    present = sorted(set(packing.component[keep].tolist()))
    legend = [(packing.component_names[c], comp_colors[c]) for c in present]
    if has_shell.any():
        legend.append(("SSE shell", ROLE_SHADES["shell"][0]))
    fibers = None
    note = f"{keep.size} particles"
    reach = float(corner_reach(packing.center_um[keep], packing.box_um).max())
    if keep.size < len(packing):
        note = (f"{keep.size} of {len(packing)} particles: those nearest the corner in view "
                f"(sub-box of {100 * reach:.0f} % of each edge)")
    if len(packing.fibers):
        f = packing.fibers
        mid = 0.5 * (f.start_um + f.end_um)
        sel = np.flatnonzero(corner_reach(mid, packing.box_um) <= reach)[:MAX_FIBERS]
        if sel.size:
            fibers = (f.start_um[sel], f.end_um[sel], float(np.mean(f.radius_um[sel])))
            carbon = [i for i, r in enumerate(packing.component_roles) if r == "carbon"]
            legend.append((packing.component_names[carbon[0]] if carbon else "carbon fibre",
                           comp_colors[carbon[0]] if carbon else ROLE_SHADES["carbon"][0]))
            note += f"; carbon fibres: {sel.size} of {len(f)} segments drawn"
    return _Scene(packing.center_um[keep], packing.core_radius_um[keep],
                  packing.radius_um[keep], has_shell, colors, legend, fibers, note)


def _vtk_particles(scene: _Scene, box_um: tuple[float, float, float], window: str) -> bytes:
    import pyvista as pv

    res = _sphere_resolution(scene.centers.shape[0])
    sphere = pv.Sphere(radius=1.0, theta_resolution=res, phi_resolution=res)
    with _window_env(window):
        plotter = pv.Plotter(off_screen=True, window_size=WINDOW_PX)
        try:
            plotter.set_background("white")
            cloud = pv.PolyData(scene.centers)
            cloud["r"] = scene.core_radius
            cloud["rgb"] = (255 * scene.colors).astype(np.uint8)
            plotter.add_mesh(cloud.glyph(scale="r", geom=sphere, orient=False), scalars="rgb",
                             rgb=True, smooth_shading=True, specular=0.3)
            if scene.has_shell.any():
                shells = pv.PolyData(scene.centers[scene.has_shell])
                shells["r"] = scene.outer_radius[scene.has_shell]
                plotter.add_mesh(shells.glyph(scale="r", geom=sphere, orient=False),
                                 color=ROLE_SHADES["shell"][0], opacity=SHELL_OPACITY,
                                 smooth_shading=True)
            if scene.fibers is not None:
                start, end, radius = scene.fibers
                pts = np.empty((2 * start.shape[0], 3))
                pts[0::2], pts[1::2] = start, end
                lines = np.column_stack([np.full(start.shape[0], 2), 2 * np.arange(start.shape[0]),
                                         2 * np.arange(start.shape[0]) + 1]).ravel()
                plotter.add_mesh(pv.PolyData(pts, lines=lines).tube(radius=radius, n_sides=8),
                                 color=scene.legend[-1][1])
            plotter.add_mesh(pv.Box(bounds=(0, box_um[0], 0, box_um[1], 0, box_um[2])).outline(),
                             color="#888888")
            plotter.show_axes()
            _iso_camera(plotter, box_um)
            return _screenshot_png(plotter)
        finally:
            plotter.close()


def _iso_camera(plotter: Any, box_um: tuple[float, float, float]) -> None:
    """Isometric view (z up) of a pyvista Plotter, framing the box whatever sticks out."""
    plotter.camera_position = "iso"
    plotter.reset_camera(bounds=(0.0, box_um[0], 0.0, box_um[1], 0.0, box_um[2]))
    plotter.camera.zoom(CAMERA_ZOOM)


def crop_white(image: np.ndarray, margin_px: int = 12) -> np.ndarray:
    """The image cut to its non-white content plus a margin (unchanged if all white)."""
    ink = np.any(image[..., :3] < 250, axis=-1)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return image
    r0, r1 = max(rows[0] - margin_px, 0), min(rows[-1] + margin_px + 1, image.shape[0])
    c0, c1 = max(cols[0] - margin_px, 0), min(cols[-1] + margin_px + 1, image.shape[1])
    return image[r0:r1, c0:c1]


def _screenshot_png(plotter: Any) -> bytes:
    """PNG bytes of a pyvista Plotter's current image, cropped to its content."""
    image = crop_white(plotter.screenshot(return_img=True))
    buf = io.BytesIO()
    imsave(buf, image, format="png")
    return buf.getvalue()


def _mpl_particles(scene: _Scene, box_um: tuple[float, float, float]) -> bytes:
    fig = Figure(figsize=(7.5, 6.0))
    ax = fig.add_subplot(projection="3d")
    scale_pt = 300.0 / max(box_um)  # points per µm at this figure size, roughly
    ax.scatter(*scene.centers.T, s=(scale_pt * scene.outer_radius) ** 2, c=scene.colors,
               depthshade=True, edgecolors="none", alpha=0.9)
    if scene.fibers is not None:
        start, end, _ = scene.fibers
        ax.add_collection3d(Line3DCollection(np.stack([start, end], axis=1),
                                             colors=scene.legend[-1][1], linewidths=0.8))
    ax.set_xlim(0, box_um[0])
    ax.set_ylim(0, box_um[1])
    ax.set_zlim(0, box_um[2])
    ax.set_box_aspect(box_um)
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    ax.set_zlabel("z (µm)")
    return figure_png(fig)


def render_particles(packing: Packing, *, max_particles: int = MAX_PARTICLES,
                     backend: Backend = "auto") -> Render:
    """Spheres coloured by powder (SSE shells translucent, fibres as tubes), up to the cap."""
    if len(packing) == 0:
        raise ValueError("packing: has no particles to render")
    if max_particles < 1:
        raise InputError(f"max_particles={max_particles}; allowed: >= 1")
    scene = _particle_scene(packing, max_particles)
    window = _use_vtk(backend)
    if window is None:
        note = scene.note if backend == "matplotlib" else f"{scene.note}; {_NO_VTK_HINT}"
        return Render(_mpl_particles(scene, packing.box_um), "matplotlib", note,
                      tuple(scene.legend))
    return Render(_vtk_particles(scene, packing.box_um, window), "vtk", scene.note,
                  tuple(scene.legend))


def downsample_mask(mask: np.ndarray, max_per_axis: int) -> tuple[np.ndarray, int]:
    """Block-mean of a boolean volume so no axis exceeds ``max_per_axis``; (field, factor)."""
    factor = max(1, int(np.ceil(max(mask.shape) / max_per_axis)))
    if factor == 1:
        return mask.astype(np.float32), 1
    # on the bool volume itself: no full-size float copy of a large twin
    return block_reduce(mask, (factor,) * 3, np.mean).astype(np.float32), factor


def _network_field(micro: Microstructure, max_per_axis: int) -> tuple[np.ndarray, np.ndarray, str]:
    mask = micro.mask(*IONIC_ROLES)
    if not mask.any():
        raise ValueError("microstructure: has no SSE or shell voxels; no SSE network to render")
    field, factor = downsample_mask(mask, max_per_axis)
    field = np.pad(gaussian_filter(field, NETWORK_SMOOTHING_VOXELS,
                                        mode=("wrap", "wrap", "nearest")), 1)
    spacing = np.asarray(micro.voxel_size_um) * factor
    averaged = f"{factor}×{factor}×{factor} block-averaged, " if factor > 1 else ""
    note = (f"SSE + shell voxels ({100 * mask.mean():.1f} % of the volume), {averaged}lightly "
            "smoothed, iso-surface at 50 %, closed at the box faces")
    return field, spacing, note


def _vtk_network(field: np.ndarray, spacing: np.ndarray, size_um: tuple[float, float, float],
                 window: str) -> bytes:
    import pyvista as pv

    grid = pv.ImageData(dimensions=field.shape, spacing=tuple(spacing),
                        origin=tuple(-0.5 * spacing))
    grid.point_data["sse"] = field.ravel(order="F")
    surface = grid.contour([0.5], scalars="sse")
    surface["z_um"] = surface.points[:, 2]
    with _window_env(window):
        plotter = pv.Plotter(off_screen=True, window_size=WINDOW_PX)
        try:
            plotter.set_background("white")
            plotter.add_mesh(surface, scalars="z_um", cmap=NETWORK_CMAP, clim=(0.0, size_um[2]),
                             smooth_shading=True, specular=0.2,
                             scalar_bar_args={"title": "z (µm)", "color": "black",
                                              "vertical": True, "fmt": "%.0f", "n_labels": 3,
                                              "title_font_size": 22, "label_font_size": 18,
                                              "position_x": 0.9, "position_y": 0.25,
                                              "height": 0.5, "width": 0.05})
            plotter.add_mesh(pv.Box(bounds=(0, size_um[0], 0, size_um[1], 0, size_um[2]))
                             .outline(), color="#888888")
            plotter.show_axes()
            _iso_camera(plotter, size_um)
            return _screenshot_png(plotter)
        finally:
            plotter.close()


def _mpl_network(field: np.ndarray, spacing: np.ndarray,
                 size_um: tuple[float, float, float]) -> bytes:
    verts, faces, normals, _ = marching_cubes(field, 0.5, spacing=tuple(spacing))
    verts -= 0.5 * spacing  # the pad adds one block before the first voxel centre
    light = np.array([0.4, -0.5, 0.75]) / np.linalg.norm([0.4, -0.5, 0.75])
    shade = 0.35 + 0.65 * np.clip(np.abs(normals[faces].mean(axis=1) @ light), 0, 1)
    base = np.array(hex_to_rgb(ROLE_SHADES["SSE"][0]))
    fig = Figure(figsize=(7.5, 6.0))
    ax = fig.add_subplot(projection="3d")
    ax.add_collection3d(Poly3DCollection(verts[faces], facecolors=shade[:, None] * base,
                                         linewidths=0))
    ax.set_xlim(0, size_um[0])
    ax.set_ylim(0, size_um[1])
    ax.set_zlim(0, size_um[2])
    ax.set_box_aspect(size_um)
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    ax.set_zlabel("z (µm)")
    return figure_png(fig)


def render_sse_network(micro: Microstructure, *, backend: Backend = "auto",
                       max_voxels_per_axis: int = MAX_NETWORK_VOXELS_PER_AXIS) -> Render:
    """Iso-surface of the ion-conducting solid (SSE + shell), coloured by height z (µm)."""
    window = _use_vtk(backend)
    if window is None:
        field, spacing, note = _network_field(micro, min(max_voxels_per_axis,
                                                         MPL_MAX_NETWORK_VOXELS_PER_AXIS))
        if backend != "matplotlib":
            note = f"{note}; {_NO_VTK_HINT}"
        return Render(_mpl_network(field, spacing, micro.size_um), "matplotlib", note)
    field, spacing, note = _network_field(micro, max_voxels_per_axis)
    return Render(_vtk_network(field, spacing, micro.size_um, window), "vtk", note)
