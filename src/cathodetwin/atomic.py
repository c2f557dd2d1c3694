"""Atomic file writes: readers see the old file or the whole new one, never half of it."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import numpy as np


@contextmanager
def atomic_file(path: str | Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success fsync it and rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json_atomic(
    path: str | Path, data: object, indent: int = 1, allow_nan: bool = False
) -> None:
    """Write JSON to ``path`` atomically; strict (no NaN/Infinity) unless ``allow_nan``."""
    with atomic_file(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=indent, allow_nan=allow_nan)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 text to ``path`` atomically."""
    with atomic_file(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def save_npy_atomic(path: str | Path, array: np.ndarray) -> None:
    """Write one array as .npy atomically."""
    with atomic_file(path, "wb") as fh:
        np.save(fh, array)
