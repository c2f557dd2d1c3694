"""Issue 20: fuzzing the command line with recipes and images finds no traceback and no exit
status other than 0 (done) or 2 (bad input). Runs the real entry point in-process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cathodetwin.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "foundation"))
from recipe_strategies import recipe_dict  # noqa: E402

# Names as users write them: rich markup, mathtext, backslashes, quotes, any unicode.
NAMES = st.one_of(
    st.text(min_size=0, max_size=16),
    st.sampled_from(["[/]", "[bold]x", "Zhou 2025 [fine LPSC]", "$\\badcmd$", "$x^$", "a\\b",
                     '"quoted"', "[link=file:///etc]x[/link]", "\x00", " ", "NCM811"]),
)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1e-300, 1e300, 1e-9, 1e6, 2.0**53]),
    st.integers(min_value=-(2**70), max_value=2**70),
)
NUMBER_FIELDS = (
    ("simulation", "voxel_size_um"), ("simulation", "seed"),
    ("processing", "pressing_pressure_mpa"), ("processing", "stack_pressure_mpa"),
    ("electrode", "thickness_um"),
)
# A few seconds in the suite; CT_FUZZ_EXAMPLES=500 CT_FUZZ_RANDOM=1 for a deeper search.
FUZZ = settings(max_examples=int(os.environ.get("CT_FUZZ_EXAMPLES", "25")), deadline=None,
                derandomize=not os.environ.get("CT_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


def run(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """Exit status and all output of ``cathodetwin ARGV``."""
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out = capsys.readouterr()
    code = ended.value.code
    return (0 if code is None else int(code)), out.out + out.err


@st.composite
def odd_recipes(draw: st.DrawFn) -> dict:
    data = draw(recipe_dict())
    data["name"] = draw(NAMES)
    for comp in data["components"]:
        comp["name"] = draw(NAMES)
    section, key = draw(st.sampled_from(NUMBER_FIELDS))
    data[section][key] = draw(NUMBERS)
    if draw(st.booleans()):
        data["simulation"]["box_um"] = [draw(NUMBERS), 8.0, 8.0]
    comp = draw(st.sampled_from(data["components"]))
    if "psd" in comp and "d50_um" in comp["psd"] and draw(st.booleans()):
        comp["psd"]["d50_um"] = draw(NUMBERS)
    return data


def _toml(data: dict) -> str | None:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):  # e.g. integers beyond TOML's 64 bits
        return None


@FUZZ
@given(data=odd_recipes())
def test_recipe_commands_on_odd_recipes(data: dict, tmp_path: Path,
                                        capsys: pytest.CaptureFixture) -> None:
    text = _toml(data)
    if text is None:
        return
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    for argv in (["recipe", "check", str(path)], ["calc", "fractions", str(path), "--json"]):
        code, output = run(argv, capsys)
        assert code in (0, 2), output[-3000:]
        assert "Traceback" not in output


@FUZZ
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(
    lambda b: b.decode("latin-1"))))
def test_recipe_check_on_any_text(text: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "any.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, output = run(["recipe", "check", str(path)], capsys)
    assert code == 2 and "Traceback" not in output


PHASES = st.one_of(
    st.sampled_from(["0=pore,1=CAM:NCM811,2=SSE:Li6PS5Cl", "0=pore,1=NCM811", "1=CAM",
                     "0=pore,1=CAM:NCM811,2=SSE:Li6PS5Cl,3=carbon:VGCF", "0=SSE:Li6PS5Cl",
                     "", "=", "0=pore,0=CAM", "300=CAM", "-1=pore", "x=pore", "0=unknown"]),
    st.text(max_size=20),
)
VOXELS = st.one_of(
    st.sampled_from(["0.25", "1e6", "1e-9", "0", "-1", "nan", "inf", "0.1,0.1,0.25", "1,2",
                     "a", ""]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def odd_images(draw: st.DrawFn) -> np.ndarray:
    ndim = draw(st.sampled_from([1, 2, 3, 3, 3, 4]))
    shape = tuple(draw(st.lists(st.integers(0, 9), min_size=ndim, max_size=ndim)))
    dtype = draw(st.sampled_from(["uint8", "uint16", "int64", "float32", "bool"]))
    levels = draw(st.sampled_from([2, 3, 4]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return (rng.integers(0, levels, size=shape)).astype(dtype)


@FUZZ
@given(image=odd_images(), phases=PHASES, voxel=VOXELS)
def test_analyze_on_odd_images(image: np.ndarray, phases: str, voxel: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "img.npy"
    np.save(path, image)
    code, output = run(["analyze", str(path), "--phases", phases, "--voxel-size", voxel,
                        "--no-transport", "-o", str(tmp_path / "m.json")], capsys)
    assert code in (0, 2), output[-3000:]
    assert "Traceback" not in output
