"""Fixtures for the report tests: one real build directory and its report, per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_support import build_directory

from cathodetwin.report import write_report


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete build directory (read-only for tests: copy it before changing anything)."""
    return build_directory(tmp_path_factory.mktemp("build") / "twin")


@pytest.fixture(scope="session")
def report_path(build_dir: Path) -> Path:
    """report.html written for the complete build."""
    return write_report(build_dir)
