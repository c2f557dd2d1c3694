"""Flattening of build metrics for the stored reference builds (tests/pipeline/reference)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RATES = (0.1, 1.0, 3.0)
# Run-to-run noise, not results: timings, iterative-solver diagnostics and the sampled curves.
VOLATILE = ("timings_s", "wall_seconds", "wall_time_s", "solver_time_s", "solver_setup_time_s",
            "flux_mismatch", "iterations", "relative_residual", "discharge_curves",
            "charge_curves", "fingerprint")


def flat_numbers(node: Any, prefix: str = "") -> dict[str, float]:
    """Every number in nested metrics as {dotted path: value}, volatile entries left out."""
    out: dict[str, float] = {}
    if isinstance(node, Mapping):
        items = node.items()
    elif isinstance(node, list):
        items = ((f"[{i}]", v) for i, v in enumerate(node))
    else:
        if isinstance(node, int | float) and not isinstance(node, bool):
            out[prefix] = float(node)
        return out
    for key, value in items:
        if key in VOLATILE:
            continue
        path = f"{prefix}{key}" if key.startswith("[") else f"{prefix}.{key}" if prefix else key
        out |= flat_numbers(value, path)
    return out
