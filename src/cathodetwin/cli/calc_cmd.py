"""`cathodetwin calc ...`: the papers' closed-form formulas as thin CLI wrappers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cathodetwin import formulas
from cathodetwin.errors import InputError
from cathodetwin.materials import get_material
from cathodetwin.recipe import load_recipe

app = typer.Typer(
    help="Closed-form formulas of the papers (fractions, shells, transport, energy).",
    no_args_is_help=True,
)
console = Console(markup=False, highlight=False)  # user strings are text

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON record instead of a table.")]
RecipeArg = Annotated[Path, typer.Argument(help="Recipe TOML file.")]


def _density_g_cm3(material: str, option: str) -> float:
    try:
        return get_material(material).density_g_cm3
    except ValueError as err:
        raise InputError(f"{option}: {err}") from None


def _emit(record: dict, title: str, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(record, indent=2))
        return
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in record.items():
        table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    console.print(table)


@app.command("fractions")
def fractions(path: RecipeArg, as_json: JsonOpt = False) -> None:
    """Weight %, solid volume fractions and theoretical density of a recipe's materials."""
    recipe = load_recipe(path)
    weights = formulas.recipe_material_weight_percents(recipe)
    volumes = formulas.recipe_volume_fractions(recipe)
    roles = formulas.recipe_role_volume_fractions(recipe)
    rho = formulas.recipe_theoretical_density_g_cm3(recipe)
    shells = {
        c.name: formulas.component_shell_thickness_um(c)
        for c in recipe.components
        if c.shell is not None
    }
    if as_json:
        record = {
            "material_weight_percent": weights,
            "material_volume_fraction": volumes,
            "role_volume_fraction": roles,
            "theoretical_density_g_cm3": rho,
            "shell_thickness_um": shells,
        }
        typer.echo(json.dumps(record, indent=2))
        return
    table = Table(title=f"{recipe.name}: solid fractions")
    for col in ("material", "wt%", "vol%"):
        table.add_column(col, justify="right" if col != "material" else "left")
    for name in weights:
        table.add_row(name, f"{weights[name]:.3f}", f"{100 * volumes[name]:.3f}")
    console.print(table)
    console.print("by role (vol%): " + ", ".join(f"{k} {100 * v:.2f}" for k, v in roles.items()))
    console.print(f"theoretical density {rho:.4f} g/cm³")
    for name, t in shells.items():
        console.print(f"shell on {name}: {1e3 * t:.1f} nm")


@app.command("shell-thickness")
def shell_thickness(
    radius_um: Annotated[float, typer.Option(help="Core radius (µm).")],
    weight_percent: Annotated[float, typer.Option(help="Shell wt% of the coated particle.")],
    core_material: Annotated[str, typer.Option(help="Library material of the core.")] = "NCM811",
    shell_material: Annotated[str, typer.Option(help="Library material of the shell.")] = (
        "Li6PS5Cl"
    ),
    coverage: Annotated[float, typer.Option(help="Covered share of the surface, (0, 1].")] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Shell thickness from wt%: exact concentric geometry and paper 002's Eq. 1 as printed."""
    rho_c = _density_g_cm3(core_material, "--core-material")
    rho_s = _density_g_cm3(shell_material, "--shell-material")
    ratio = weight_percent / (100.0 - weight_percent) if weight_percent < 100.0 else float("inf")
    record = {
        "core_radius_um": radius_um,
        "shell_weight_percent": weight_percent,
        "core_density_g_cm3": rho_c,
        "shell_density_g_cm3": rho_s,
        "coverage": coverage,
        "thickness_um": formulas.shell_thickness_um(
            radius_um, weight_percent, rho_c, rho_s, coverage
        ),
        "eq1_thickness_um": formulas.shell_thickness_eq1_um(radius_um, ratio, rho_c, rho_s, False),
        "eq1_glitter_cake_half_um": formulas.shell_thickness_eq1_um(
            radius_um, ratio, rho_c, rho_s, True
        ),
    }
    _emit(record, "shell thickness", as_json)


@app.command("shell-weight")
def shell_weight(
    radius_um: Annotated[float, typer.Option(help="Core radius (µm).")],
    thickness_um: Annotated[float, typer.Option(help="Shell thickness (µm).")],
    core_material: Annotated[str, typer.Option(help="Library material of the core.")] = "NCM811",
    shell_material: Annotated[str, typer.Option(help="Library material of the shell.")] = (
        "Li6PS5Cl"
    ),
    coverage: Annotated[float, typer.Option(help="Covered share of the surface, (0, 1].")] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Shell wt% of the coated particle from its thickness (exact concentric geometry)."""
    rho_c = _density_g_cm3(core_material, "--core-material")
    rho_s = _density_g_cm3(shell_material, "--shell-material")
    record = {
        "core_radius_um": radius_um,
        "thickness_um": thickness_um,
        "coverage": coverage,
        "shell_weight_percent": formulas.shell_weight_percent(
            radius_um, thickness_um, rho_c, rho_s, coverage
        ),
    }
    _emit(record, "shell weight", as_json)


@app.command("porosity")
def porosity(
    measured_volume_cm3: Annotated[float, typer.Option(help="Measured electrode volume (cm³).")],
    theoretical_volume_cm3: Annotated[float, typer.Option(help="Pore-free volume (cm³).")],
    recipe: Annotated[
        Path | None, typer.Option(help="Recipe whose real volume fractions (Eq. 3) to print.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Porosity (002 Eq. 2) and, with a recipe, real volume fractions (002 Eq. 3)."""
    phi = formulas.porosity_from_measured_volume(measured_volume_cm3, theoretical_volume_cm3)
    record: dict = {"porosity": phi}
    if recipe is not None:
        nominal = formulas.recipe_volume_fractions(load_recipe(recipe))
        real = formulas.real_volume_fractions(nominal, phi)
        record |= {f"volume_fraction_{k}": v for k, v in real.items()}
    _emit(record, "porosity", as_json)


@app.command("conductivity")
def conductivity(
    thickness_um: Annotated[float, typer.Option(help="Pellet thickness L (µm).")],
    resistance_ohm: Annotated[float, typer.Option(help="DC resistance R (Ω).")],
    area_cm2: Annotated[float, typer.Option(help="Pellet area A (cm²).")],
    as_json: JsonOpt = False,
) -> None:
    """Effective conductivity σ = L/(R·A) (002 Eq. 4)."""
    sigma = formulas.conductivity_from_resistance_s_cm(thickness_um, resistance_ohm, area_cm2)
    _emit({"sigma_eff_s_cm": sigma}, "effective conductivity", as_json)


@app.command("tortuosity")
def tortuosity(
    sigma0_s_cm: Annotated[float, typer.Option(help="Bulk conductivity of the phase (S/cm).")],
    fraction: Annotated[float, typer.Option(help="Volume fraction of the phase, (0, 1].")],
    sigma_eff_s_cm: Annotated[float, typer.Option(help="Effective conductivity (S/cm).")],
    as_json: JsonOpt = False,
) -> None:
    """Tortuosity factor τ² = σ₀·φ/σ_eff (002 Eq. 5), with the Bruggeman estimate beside it."""
    bruggeman = formulas.bruggeman_sigma_eff(sigma0_s_cm, fraction)
    record = {
        "tortuosity_factor": formulas.tortuosity_squared(sigma0_s_cm, fraction, sigma_eff_s_cm),
        "bruggeman_sigma_eff_s_cm": bruggeman,
        "bruggeman_tortuosity_factor": formulas.tortuosity_squared(
            sigma0_s_cm, fraction, bruggeman
        ),
    }
    _emit(record, "tortuosity", as_json)


@app.command("energy")
def energy(
    path: RecipeArg,
    porosity: Annotated[
        float | None,
        typer.Option(
            help="Electrode porosity; needed when the recipe gives only one of "
            "thickness and areal loading."
        ),
    ] = None,
    utilization: Annotated[float, typer.Option(help="Share of library capacity used, (0, 1].")] = (
        1.0
    ),
    li_um: Annotated[float, typer.Option(help="Li metal thickness (µm).")] = 30.0,
    separator_um: Annotated[float, typer.Option(help="Separator thickness (µm).")] = 30.0,
    separator_density: Annotated[float, typer.Option(help="Separator density (g/cm³).")] = 1.64,
    cathode_cc_um: Annotated[float, typer.Option(help="Al collector thickness (µm).")] = 0.0,
    anode_cc_um: Annotated[float, typer.Option(help="Cu collector thickness (µm).")] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Capacity and energy density of a recipe's cathode layer and of a Li-metal stack around it."""
    recipe = load_recipe(path)
    geometry = formulas.recipe_electrode_geometry(recipe, porosity)
    cathode = formulas.recipe_cathode_energy(recipe, porosity, utilization)
    stack = formulas.stack_energy_density(
        cathode.areal_capacity_mah_cm2,
        cathode.average_voltage_v,
        cathode.thickness_um,
        cathode.areal_loading_mg_cm2,
        li_thickness_um=li_um,
        separator_thickness_um=separator_um,
        separator_density_g_cm3=separator_density,
        cathode_collector_thickness_um=cathode_cc_um,
        anode_collector_thickness_um=anode_cc_um,
    )
    if as_json:
        record = {
            "electrode": geometry.to_dict(),
            "cathode": cathode.to_dict(),
            "stack": stack.to_dict(),
        }
        typer.echo(json.dumps(record, indent=2))
        return
    _emit(geometry.to_dict() | cathode.to_dict(), f"{recipe.name}: cathode layer", False)
    stack_row = {k: v for k, v in stack.to_dict().items() if not isinstance(v, dict)}
    _emit(stack_row, "stack (cathode + separator + Li + collectors)", False)
