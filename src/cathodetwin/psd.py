"""Particle size distributions of a recipe component: lognormal, measured table, carbon fibre."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, model_validator

# z-score of the 90th percentile of a standard normal: D90/D50 = GSD**Z90 for a lognormal.
Z90 = 1.2815515655446004

Basis = Literal["volume", "number"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LognormalPSD(_Strict):
    """Lognormal size distribution of particle diameters, given as D50 + GSD or D10/D50/D90 (µm).

    ``basis`` says which weighting the numbers describe: laser diffraction reports
    volume-weighted sizes ("volume", the default); image counts are number-weighted ("number").
    """

    kind: Literal["lognormal"] = "lognormal"
    d50_um: PositiveFloat
    gsd: Annotated[float, Field(ge=1.0, le=5.0)] | None = None
    d10_um: PositiveFloat | None = None
    d90_um: PositiveFloat | None = None
    basis: Basis = "volume"

    @model_validator(mode="after")
    def _one_width(self) -> LognormalPSD:
        given = [self.gsd is not None, self.d10_um is not None or self.d90_um is not None]
        if all(given):
            raise ValueError("give either gsd or D10/D90 for the width, not both")
        if not any(given):
            raise ValueError("give the width as gsd (geometric std, >= 1) or as d10_um/d90_um")
        if self.d10_um is not None and self.d10_um >= self.d50_um:
            raise ValueError(f"d10_um={self.d10_um} must be smaller than d50_um={self.d50_um}")
        if self.d90_um is not None and self.d90_um <= self.d50_um:
            raise ValueError(f"d90_um={self.d90_um} must be larger than d50_um={self.d50_um}")
        return self

    @property
    def sigma_ln(self) -> float:
        """Standard deviation of ln(d) (dimensionless)."""
        if self.gsd is not None:
            return math.log(self.gsd)
        widths = []
        if self.d10_um is not None:
            widths.append(math.log(self.d50_um / self.d10_um) / Z90)
        if self.d90_um is not None:
            widths.append(math.log(self.d90_um / self.d50_um) / Z90)
        return float(np.mean(widths))

    def number_median_um(self) -> float:
        """Number-weighted median diameter in µm (Hatch–Choate: CMD = VMD·exp(−3 ln²σg))."""
        if self.basis == "number":
            return self.d50_um
        return self.d50_um * math.exp(-3.0 * self.sigma_ln**2)

    def volume_median_um(self) -> float:
        """Volume-weighted median diameter in µm (Hatch–Choate inverse)."""
        if self.basis == "volume":
            return self.d50_um
        return self.d50_um * math.exp(3.0 * self.sigma_ln**2)

    def sauter_diameter_um(self) -> float:
        """Sauter mean diameter D[3,2] in µm = CMD·exp(2.5 ln²σg)."""
        return self.number_median_um() * math.exp(2.5 * self.sigma_ln**2)

    def mean_volume_diameter_um(self) -> float:
        """Diameter of the particle of mean volume, (E[d³])^(1/3) in µm (number basis)."""
        return self.number_median_um() * math.exp(1.5 * self.sigma_ln**2)


class TablePSD(_Strict):
    """Measured cumulative size distribution: diameters (µm) and cumulative fractions (0–1)."""

    kind: Literal["table"] = "table"
    sizes_um: list[PositiveFloat] = Field(min_length=2)
    cumulative: list[Annotated[float, Field(ge=0.0, le=1.0)]] = Field(min_length=2)
    basis: Basis = "volume"

    @model_validator(mode="after")
    def _monotone(self) -> TablePSD:
        if len(self.sizes_um) != len(self.cumulative):
            raise ValueError(
                f"sizes_um has {len(self.sizes_um)} entries but cumulative has "
                f"{len(self.cumulative)}; they must match"
            )
        if any(b <= a for a, b in zip(self.sizes_um, self.sizes_um[1:], strict=False)):
            raise ValueError("sizes_um must be strictly increasing")
        if any(b < a for a, b in zip(self.cumulative, self.cumulative[1:], strict=False)):
            raise ValueError("cumulative must be non-decreasing")
        if self.cumulative[-1] < 0.999:
            raise ValueError(f"cumulative must end at 1.0, got {self.cumulative[-1]}")
        return self

    @property
    def d50_um(self) -> float:
        """Median diameter (µm) of the table in its own basis, log-interpolated."""
        return float(np.exp(np.interp(0.5, self.cumulative, np.log(self.sizes_um))))


class FiberPSD(_Strict):
    """Carbon fibre dimensions: diameter and length in µm (monodisperse)."""

    kind: Literal["fiber"] = "fiber"
    diameter_um: PositiveFloat
    length_um: PositiveFloat

    @model_validator(mode="after")
    def _slender(self) -> FiberPSD:
        if self.length_um < self.diameter_um:
            raise ValueError(
                f"length_um={self.length_um} must be at least diameter_um={self.diameter_um}"
            )
        return self

    @property
    def d50_um(self) -> float:
        """Fibre diameter in µm (the size that sets resolution needs)."""
        return self.diameter_um


PSD = Annotated[LognormalPSD | TablePSD | FiberPSD, Field(discriminator="kind")]
