"""Recipe: what the user wants to make; TOML load/save and validation with readable errors."""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from pathlib import Path
from typing import Annotated, Literal

import tomli_w
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    ValidationError,
    model_validator,
)

from cathodetwin.errors import RecipeError
from cathodetwin.materials import PROPERTY_UNITS, Material, get_material, list_materials
from cathodetwin.psd import PSD, FiberPSD

ComponentRole = Literal["CAM", "SSE", "carbon", "binder", "coating"]
WEIGHT_SUM_TOLERANCE = 0.01  # percent points
SIGNED = frozenset({"volume_change_percent"})  # properties that may be negative

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

def _known_material(name: str) -> str:
    if name not in list_materials():
        raise ValueError(f"material {name!r} is not in the library; known: {list_materials()}")
    return name

def _known_overrides(v: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(v) - set(PROPERTY_UNITS))
    if unknown:
        raise ValueError(f"unknown property {unknown}; allowed: {sorted(PROPERTY_UNITS)}")
    bad = {k: x for k, x in v.items() if not math.isfinite(x) or (x < 0 and k not in SIGNED)}
    if bad:
        raise ValueError(f"override values {bad} must be finite and >= 0 ({sorted(SIGNED)} "
                         "may be negative)")
    return v

MaterialName = Annotated[str, AfterValidator(_known_material)]
Overrides = Annotated[dict[str, float], AfterValidator(_known_overrides)]

class _Resolvable:
    """A part made of a library material (``material``) with property ``overrides``."""

    def resolved_material(self) -> Material:
        """The library material with this part's overrides applied."""
        where = getattr(self, "name", type(self).__name__.lower())
        return get_material(self.material).with_overrides(  # type: ignore[attr-defined]
            self.overrides, source=f"recipe override ({where})"  # type: ignore[attr-defined]
        )

class Shell(_Strict, _Resolvable):
    """SSE shell on a CAM core, given as thickness (µm) or as wt% of the coated particle."""

    material: MaterialName
    thickness_um: PositiveFloat | None = None
    weight_percent: Annotated[float, Field(gt=0.0, lt=100.0)] | None = None
    coverage: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    overrides: Overrides = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_amount(self) -> Shell:
        if (self.thickness_um is None) == (self.weight_percent is None):
            raise ValueError("give the shell as exactly one of thickness_um or weight_percent")
        return self

class Buffer(_Strict, _Resolvable):
    """Thin buffer coating on the CAM surface (e.g. LiNbO3), thickness in nm."""

    material: MaterialName = "LiNbO3"
    thickness_nm: Annotated[float, Field(gt=0.0, le=1000.0)]
    overrides: Overrides = Field(default_factory=dict)

class Component(_Strict, _Resolvable):
    """One powder in the mix: a library material with a role, weight % and size distribution.

    For a core–shell CAM the weight_percent is that of the coated particle (core + buffer +
    shell), as the mechanofused powder is weighed; the split is derived from the geometry.
    """

    name: str = Field(min_length=1)
    material: MaterialName
    role: ComponentRole
    weight_percent: Annotated[float, Field(gt=0.0, le=100.0)]
    psd: PSD | None = None
    shell: Shell | None = None
    buffer: Buffer | None = None
    overrides: Overrides = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Component:
        if (self.shell or self.buffer) and self.role != "CAM":
            raise ValueError(f"only CAM may have a shell or buffer, not role {self.role}")
        if self.role in ("CAM", "SSE") and self.psd is None:
            raise ValueError(f"a {self.role} component needs a psd (particle size distribution)")
        if isinstance(self.psd, FiberPSD) and self.role != "carbon":
            raise ValueError(f"psd kind 'fiber' is only for carbon, not role {self.role}")
        return self

class Processing(_Strict):
    """Cold pressing and cycling conditions: pressures in MPa, temperature in °C."""

    pressing_pressure_mpa: Annotated[float, Field(gt=0.0, le=2000.0)] = 375.0
    stack_pressure_mpa: Annotated[float, Field(ge=0.0, le=500.0)] = 10.0
    temperature_c: Annotated[float, Field(ge=-40.0, le=150.0)] = 25.0

class Electrode(_Strict):
    """Cathode layer: thickness in µm or areal loading in mg/cm² of composite (one or both)."""

    thickness_um: PositiveFloat | None = None
    areal_loading_mg_cm2: PositiveFloat | None = None

    @model_validator(mode="after")
    def _something(self) -> Electrode:
        if self.thickness_um is None and self.areal_loading_mg_cm2 is None:
            raise ValueError("give thickness_um or areal_loading_mg_cm2 (or both)")
        return self

class Simulation(_Strict):
    """Simulated box (x, y lateral; z through-plane) in µm, voxel edge in µm, random seed."""

    box_um: tuple[PositiveFloat, PositiveFloat, PositiveFloat] = (30.0, 30.0, 30.0)
    voxel_size_um: PositiveFloat = 0.25
    seed: Annotated[int, Field(ge=0, lt=2**32)] = 0

    @model_validator(mode="after")
    def _resolvable(self) -> Simulation:
        n = [b / self.voxel_size_um for b in self.box_um]
        if min(n) < 8:
            raise ValueError(
                f"box_um={list(self.box_um)} at voxel_size_um={self.voxel_size_um} gives "
                f"{[round(v) for v in n]} voxels; need at least 8 per axis"
            )
        return self

class Recipe(_Strict):
    """A composite-cathode recipe: components, processing, electrode and simulation settings."""

    name: str = Field(min_length=1)
    description: str = ""
    components: list[Component] = Field(min_length=1)
    processing: Processing = Processing()
    electrode: Electrode = Electrode(thickness_um=60.0)
    simulation: Simulation = Simulation()

    @model_validator(mode="after")
    def _mix(self) -> Recipe:
        names = [c.name for c in self.components]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"component names must be unique; repeated: {dup}")
        total = sum(c.weight_percent for c in self.components)
        if abs(total - 100.0) > WEIGHT_SUM_TOLERANCE:
            raise ValueError(
                f"weight_percent of all components sums to {total:.4g}; must be 100 "
                f"(± {WEIGHT_SUM_TOLERANCE})"
            )
        return self

    def components_with_role(self, role: str) -> list[Component]:
        """Components whose role is ``role``."""
        return [c for c in self.components if c.role == role]

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(f"no component {name!r}; have {[c.name for c in self.components]}")

    def to_toml(self) -> str:
        """TOML text that loads back into an equal Recipe."""
        return tomli_w.dumps(self.model_dump(mode="json", exclude_none=True))

    def fingerprint(self) -> str:
        """Stable SHA-256 hex digest of the fully resolved recipe (for caches and result stores)."""
        canon = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canon.encode()).hexdigest()

    def with_changes(self, changes: dict[str, object]) -> Recipe:
        """Copy with dotted-path changes applied (e.g. ``{"components.NCM.weight_percent": 80}``).

        Path parts address dict keys, list indices, or components by name. The result is
        validated again, so an impossible change raises RecipeError.
        """
        data = self.model_dump(mode="json")
        for path, value in changes.items():
            _set_path(data, path, value)
        return recipe_from_dict(data, source=f"{self.name} with {sorted(changes)}")

def _set_path(data: dict, path: str, value: object) -> None:
    parts = path.split(".")
    node: object = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if part.isdigit() and int(part) < len(node):
                idx = int(part)
            else:
                named = [k for k, item in enumerate(node) if isinstance(item, dict)
                         and item.get("name") == part]
                if not named:
                    raise RecipeError(path, [f"{path}: no list item {part!r} (index or name)"])
                idx = named[0]
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise RecipeError(path, [f"{path}: {part!r} addresses inside a {type(node).__name__}"])


def describe_errors(err: ValidationError) -> list[str]:
    """One line per problem: the field path, the value given and what is allowed."""
    lines = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"]) or "(recipe)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] in ("missing",):
            lines.append(f"{loc}: required field is missing")
        elif isinstance(e.get("input"), dict | list):
            lines.append(f"{loc}: {msg}")
        else:
            lines.append(f"{loc}: got {e.get('input')!r}; {msg}")
    return lines

def recipe_from_dict(data: dict, source: str = "<dict>") -> Recipe:
    """Validate a plain dict into a Recipe, raising RecipeError naming every bad field."""
    try:
        return Recipe.model_validate(data)
    except ValidationError as err:
        raise RecipeError(source, describe_errors(err)) from None

def recipe_from_toml(text: str, source: str = "<string>") -> Recipe:
    """Parse and validate recipe TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RecipeError(source, [f"not valid TOML: {err}"]) from None
    return recipe_from_dict(data, source)

def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe TOML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise RecipeError(str(path), [f"cannot read file: {err.strerror}"]) from None
    except UnicodeDecodeError:
        raise RecipeError(str(path), ["not UTF-8 text; a recipe is a TOML file"]) from None
    return recipe_from_toml(text, source=str(path))

def default_recipe_path() -> Path:
    """Path of the bundled default recipe (NCM811 + fine LPSCl + VGCF)."""
    return Path(__file__).with_name("data") / "default_recipe.toml"

def default_recipe() -> Recipe:
    """The bundled default recipe."""
    return load_recipe(default_recipe_path())

def save_recipe(recipe: Recipe, path: str | Path) -> None:
    """Write a recipe as TOML."""
    Path(path).write_text(recipe.to_toml(), encoding="utf-8")
