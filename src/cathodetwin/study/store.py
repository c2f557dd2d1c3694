"""Result store: one JSON file per finished point, named by the resolved recipe's fingerprint and
written atomically, so an interrupted study loses nothing and recomputes nothing stored."""

from __future__ import annotations

import json
import numbers
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cathodetwin.atomic import write_json_atomic

MetricValue = float | int | str | bool | None
Status = Literal["ok", "failed"]


@dataclass(frozen=True)
class PointRecord:
    """Outcome of one point: its metrics (unit-suffixed keys) or the error, and run time in s."""

    fingerprint: str
    status: Status
    metrics: dict[str, MetricValue] = field(default_factory=dict)
    error: str | None = None
    elapsed_s: float = 0.0
    recipe: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return {
            "fingerprint": self.fingerprint,
            "status": self.status,
            "metrics": dict(self.metrics),
            "error": self.error,
            "elapsed_s": self.elapsed_s,
            "recipe": self.recipe,
        }

    @classmethod
    def from_dict(cls, data: dict) -> PointRecord:
        """Inverse of ``to_dict``."""
        return cls(
            fingerprint=data["fingerprint"],
            status=data["status"],
            metrics=data.get("metrics", {}),
            error=data.get("error"),
            elapsed_s=float(data.get("elapsed_s", 0.0)),
            recipe=data.get("recipe", {}),
        )


def flat_metrics(metrics: object) -> dict[str, MetricValue]:
    """Check a point function's output is a flat str → scalar dict; numpy scalars become Python.

    Raises ValueError naming the offending key and type.
    """
    if not isinstance(metrics, dict):
        raise ValueError(
            f"point function returned {type(metrics).__name__}; expected dict[str, float | str]"
        )
    out: dict[str, MetricValue] = {}
    for key, value in metrics.items():
        if not isinstance(key, str):
            raise ValueError(f"metric key {key!r} is {type(key).__name__}; keys must be str")
        if value is None or isinstance(value, bool | str):
            out[key] = value
        elif isinstance(value, numbers.Integral):
            out[key] = int(value)
        elif isinstance(value, numbers.Real):
            out[key] = float(value)
        else:
            raise ValueError(
                f"metric {key!r} is {type(value).__name__}; point functions must return "
                "flat scalars (float, int, str, bool)"
            )
    return out


class StoreWarning(UserWarning):
    """A stored record could not be read and is treated as missing."""


class ResultStore:
    """Directory of finished points, ``<root>/<fingerprint>.json`` each."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, fingerprint: str) -> Path:
        """File of the record for ``fingerprint``."""
        return self.root / f"{fingerprint}.json"

    def get(self, fingerprint: str) -> PointRecord | None:
        """The stored record, or None if the point has not finished or its file is unreadable
        (a warning names the file; the point is computed again)."""
        path = self.path(fingerprint)
        try:
            return PointRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
            warnings.warn(f"study record {path} is unreadable ({type(err).__name__}: {err}); "
                          "the point is computed again", StoreWarning, stacklevel=2)
            return None

    def put(self, record: PointRecord) -> None:
        """Store a record atomically (replacing an older one for the same fingerprint)."""
        write_json_atomic(self.path(record.fingerprint), record.to_dict(), allow_nan=True)
