"""Single-twin report: figures, headless 3D renders and a self-contained report.html."""

from cathodetwin.report.builddir import BuildData, load_build
from cathodetwin.report.extract import MissingData
from cathodetwin.report.html import metrics_table, render_report, write_report
from cathodetwin.report.render3d import Render, render_particles, render_sse_network, vtk_window
from cathodetwin.report.tables import flatten, unit_of_key, unit_of_path

__all__ = [
    "BuildData",
    "MissingData",
    "Render",
    "flatten",
    "load_build",
    "metrics_table",
    "render_particles",
    "render_report",
    "render_sse_network",
    "unit_of_key",
    "unit_of_path",
    "vtk_window",
    "write_report",
]
