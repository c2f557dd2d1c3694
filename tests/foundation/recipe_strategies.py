"""Hypothesis strategies that generate valid recipe dicts (as Recipe.model_dump(mode="json"))."""

from __future__ import annotations

from hypothesis import strategies as st

from cathodetwin.materials import PROPERTY_UNITS

MATERIALS = {
    "CAM": ["NCM811", "NCM83-SC", "NCM622", "NCWA"],
    "SSE": ["Li6PS5Cl", "Li6PS5Cl-fine", "Li5.5PS4.5Cl1.5"],
    "carbon": ["VGCF", "SuperP"],
    "binder": ["SuperP"],
    "coating": ["LiNbO3"],
}


def _pos(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


@st.composite
def lognormal_psd(draw: st.DrawFn) -> dict:
    d50 = draw(_pos(0.1, 30.0))
    psd: dict = {
        "kind": "lognormal",
        "d50_um": d50,
        "basis": draw(st.sampled_from(["volume", "number"])),
    }
    if draw(st.booleans()):
        psd["gsd"] = draw(_pos(1.0, 5.0))
    else:
        which = draw(st.sampled_from(["d10", "d90", "both"]))
        if which in ("d10", "both"):
            psd["d10_um"] = d50 * draw(_pos(0.1, 0.95))
        if which in ("d90", "both"):
            psd["d90_um"] = d50 * draw(_pos(1.05, 10.0))
    return psd


@st.composite
def table_psd(draw: st.DrawFn) -> dict:
    n = draw(st.integers(min_value=2, max_value=6))
    steps = draw(st.lists(_pos(0.05, 5.0), min_size=n, max_size=n))
    sizes, total = [], 0.0
    for s in steps:
        total += s
        sizes.append(total)
    cum = sorted(draw(st.lists(_pos(0.0, 1.0), min_size=n - 1, max_size=n - 1)))
    return {
        "kind": "table",
        "sizes_um": sizes,
        "cumulative": [*cum, 1.0],
        "basis": draw(st.sampled_from(["volume", "number"])),
    }


@st.composite
def fiber_psd(draw: st.DrawFn) -> dict:
    d = draw(_pos(0.02, 1.0))
    return {"kind": "fiber", "diameter_um": d, "length_um": d * draw(_pos(1.0, 100.0))}


@st.composite
def component(draw: st.DrawFn, name: str, weight_percent: float) -> dict:
    role = draw(st.sampled_from(list(MATERIALS)))
    comp: dict = {
        "name": name,
        "material": draw(st.sampled_from(MATERIALS[role])),
        "role": role,
        "weight_percent": weight_percent,
    }
    if role in ("CAM", "SSE"):
        comp["psd"] = draw(st.one_of(lognormal_psd(), table_psd()))
    elif role == "carbon":
        psd = draw(st.one_of(st.none(), fiber_psd(), lognormal_psd()))
        if psd is not None:
            comp["psd"] = psd
    elif draw(st.booleans()):
        comp["psd"] = draw(lognormal_psd())
    if role == "CAM" and draw(st.booleans()):
        shell: dict = {
            "material": draw(st.sampled_from(MATERIALS["SSE"])),
            "coverage": draw(_pos(0.05, 1.0)),
        }
        if draw(st.booleans()):
            shell["thickness_um"] = draw(_pos(0.01, 3.0))
        else:
            shell["weight_percent"] = draw(_pos(0.5, 60.0))
        comp["shell"] = shell
    if role == "CAM" and draw(st.booleans()):
        comp["buffer"] = {"material": "LiNbO3", "thickness_nm": draw(_pos(0.5, 50.0))}
    props = draw(st.lists(st.sampled_from(sorted(PROPERTY_UNITS)), max_size=2, unique=True))
    comp["overrides"] = {p: draw(_pos(0.1, 10.0)) for p in props}
    return comp


@st.composite
def recipe_dict(draw: st.DrawFn) -> dict:
    """A valid recipe as a plain dict: 1–4 components whose weight % sum to 100."""
    n = draw(st.integers(min_value=1, max_value=4))
    raw = draw(st.lists(_pos(1.0, 100.0), min_size=n, max_size=n))
    weights = [min(100.0, 100.0 * w / sum(raw)) for w in raw]
    components = [draw(component(f"comp{i}", w)) for i, w in enumerate(weights)]
    electrode: dict = {}
    which = draw(st.sampled_from(["thickness", "loading", "both"]))
    if which in ("thickness", "both"):
        electrode["thickness_um"] = draw(_pos(5.0, 500.0))
    if which in ("loading", "both"):
        electrode["areal_loading_mg_cm2"] = draw(_pos(1.0, 100.0))
    voxel = draw(_pos(0.05, 1.0))
    box = [draw(_pos(8.5 * voxel, 80.0)) for _ in range(3)]
    return {
        "name": draw(st.text(min_size=1, max_size=12)),
        "description": draw(st.text(max_size=20)),
        "components": components,
        "processing": {
            "pressing_pressure_mpa": draw(_pos(1.0, 2000.0)),
            "stack_pressure_mpa": draw(_pos(0.0, 500.0)),
            "temperature_c": draw(_pos(-40.0, 150.0)),
        },
        "electrode": electrode,
        "simulation": {
            "box_um": box,
            "voxel_size_um": voxel,
            "seed": draw(st.integers(min_value=0, max_value=2**32 - 1)),
        },
    }


GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=False),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
"""Values of any type that replace a field in a mutated recipe."""
