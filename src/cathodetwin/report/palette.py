"""Colours of phases and powder components, shared by slices, plots and 3D renders."""

from __future__ import annotations

from collections.abc import Sequence

from cathodetwin.structure.microstructure import Phase

# Several shades per role so that two CAM powders (a bimodal blend) or two SSEs stay apart.
ROLE_SHADES: dict[str, tuple[str, ...]] = {
    "pore": ("#111111",),
    "CAM": ("#d1603d", "#e9a23b", "#9c2f3c", "#f0c987"),
    "SSE": ("#4c8bd6", "#93c0ec", "#2a5a9c"),
    "shell": ("#33b3a6", "#7fd6cb"),
    "carbon": ("#6f9e4f", "#a7c77f"),
    "binder": ("#9b72cf",),
    "coating": ("#f4d35e", "#c9a227"),
}
FALLBACK_COLOR = "#bbbbbb"


def role_colors(roles: Sequence[str]) -> list[str]:
    """Hex colour per item: the next shade of its role (so repeated roles differ)."""
    used: dict[str, int] = {}
    out = []
    for role in roles:
        shades = ROLE_SHADES.get(role, (FALLBACK_COLOR,))
        i = used.get(role, 0)
        used[role] = i + 1
        out.append(shades[i % len(shades)])
    return out


def phase_colors(phases: Sequence[Phase]) -> dict[int, str]:
    """Hex colour per phase label, in legend order."""
    ordered = sorted(phases, key=lambda p: p.label)
    return dict(zip((p.label for p in ordered), role_colors([p.role for p in ordered]),
                    strict=True))


def hex_to_rgb(color: str) -> tuple[float, float, float]:
    """(r, g, b) in 0..1 of a '#rrggbb' colour."""
    c = color.lstrip("#")
    return (int(c[0:2], 16) / 255.0, int(c[2:4], 16) / 255.0, int(c[4:6], 16) / 255.0)
