"""Rewrite the stored reference metrics from builds of this checkout (after a deliberate change).

Run ``python tests/pipeline/reference/update.py`` when a version changes results on purpose;
the regression test then holds the new numbers. Only numbers are stored, flattened to dotted
paths, without timings and solver diagnostics (which vary from run to run).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reference_support import RATES, flat_numbers  # noqa: E402

from cathodetwin import __version__  # noqa: E402
from cathodetwin.pipeline import BuildOptions, build  # noqa: E402
from cathodetwin.recipe import load_recipe  # noqa: E402

if __name__ == "__main__":
    for recipe_path in sorted(HERE.glob("*.toml")):
        with tempfile.TemporaryDirectory() as tmp:
            metrics = build(load_recipe(recipe_path), tmp,
                            BuildOptions(c_rates=RATES, particle_cell=False, report=False))
        record = {"cathodetwin_version": __version__, "numbers": flat_numbers(metrics)}
        out = recipe_path.with_suffix(".json")
        out.write_text(json.dumps(record, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{out.name}: {len(record['numbers'])} numbers")
