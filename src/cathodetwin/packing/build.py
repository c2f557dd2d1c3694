"""Recipe → Packing: sample the powder, press it, unload it, add the carbon."""

from __future__ import annotations

from cathodetwin.packing.carbon import place_carbon
from cathodetwin.packing.compaction import CompactionSettings, Progress, compact
from cathodetwin.packing.packing import Packing
from cathodetwin.packing.sampling import sample_powder
from cathodetwin.recipe import Recipe


def build_packing(
    recipe: Recipe,
    progress: Progress | None = None,
    settings: CompactionSettings | None = None,
    solid_fraction_guess: float | None = None,
) -> Packing:
    """The pressed composite of a recipe at its stack pressure, carbon placed in the pores.

    Same recipe (and seed) → identical packing. ``progress`` receives the compaction's dicts and
    finally ``{"stage": "carbon", ...}``. The box z of the recipe is the target thickness: the
    powder holds solid_fraction_guess × box volume; the pressed height is ``box_um[2]`` of the
    result (see docs/packing.md).
    """
    powder = sample_powder(recipe, solid_fraction_guess=solid_fraction_guess)
    pressed = compact(powder, recipe.processing, progress=progress, settings=settings)
    packing = place_carbon(pressed, powder, seed=recipe.simulation.seed)
    packing.provenance = packing.provenance | {
        "recipe": recipe.name,
        "recipe_fingerprint": recipe.fingerprint(),
    }
    if progress is not None:
        progress(
            {
                "stage": "carbon",
                "step": int(packing.provenance["compaction"]["steps"]),
                "pressure_mpa": packing.provenance["compaction"]["stack_pressure_mpa"],
                "porosity": packing.porosity(),
                "height_um": packing.box_um[2],
            }
        )
    return packing
