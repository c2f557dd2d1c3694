"""Fixtures for the study tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from study_support import CALLS_ENV


@pytest.fixture
def calls_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Directory where counting point functions leave one file per call."""
    d = tmp_path / "calls"
    d.mkdir()
    monkeypatch.setenv(CALLS_ENV, str(d))
    return d
