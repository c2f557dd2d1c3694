"""Fixtures for the trust tests: the real command line and one small build made through it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# A tiny recipe whose names carry rich markup and matplotlib mathtext (issue 20, item 3).
NASTY_NAME = "Zhou 2025 [fine LPSC] [/] $\\badcmd$"
CAM_NAME = "NCM811 [bold]x[/bold]"
SSE_NAME = "LPSCl $\\alpha$ [/]"
TINY_TOML = f'''# my own comments: a build must never lose them
name = "{NASTY_NAME.replace(chr(92), chr(92) * 2)}"

[[components]]
name = "{CAM_NAME}"
material = "NCM811"
role = "CAM"
weight_percent = 75.0
psd = {{ kind = "lognormal", d50_um = 2.0, gsd = 1.2 }}

[[components]]
name = "{SSE_NAME.replace(chr(92), chr(92) * 2)}"
material = "Li6PS5Cl"
role = "SSE"
weight_percent = 25.0
psd = {{ kind = "lognormal", d50_um = 0.9, gsd = 1.2 }}

[processing]
pressing_pressure_mpa = 300.0
stack_pressure_mpa = 10.0

[electrode]
thickness_um = 50.0

[simulation]
box_um = [8.0, 8.0, 6.0]
voxel_size_um = 0.2
seed = 3
'''


@dataclass(frozen=True)
class Ran:
    """Exit status and output of one command."""

    returncode: int
    stdout: str
    stderr: str


def cathodetwin(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed console entry point ``cathodetwin.cli:main`` in a fresh interpreter
    (output piped, so the command sees no terminal)."""
    code = "from cathodetwin.cli import main\nmain()\n"
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """``cli(*args, cwd=None)``: the entry point ``cathodetwin.cli:main`` in this process
    (no interpreter start-up), as the console script runs it; output captured, no terminal."""
    from cathodetwin.cli import main

    def run(*args: str, cwd: Path | None = None) -> Ran:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            main(list(args))
        out = capsys.readouterr()
        code = ended.value.code
        return Ran(0 if code is None else int(code), out.out, out.err)

    return run


def no_traceback(result: Ran | subprocess.CompletedProcess) -> bool:
    """Whether neither stream shows a Python traceback."""
    return "Traceback" not in result.stdout + result.stderr


@pytest.fixture(scope="session")
def tiny_recipe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny recipe with markup and mathtext in its names, as a file."""
    path = tmp_path_factory.mktemp("recipe") / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def cli_build(tiny_recipe: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, subprocess.CompletedProcess]:
    """``cathodetwin build tiny.toml -o DIR --no-mechanics`` run once (read-only for tests)."""
    out = tmp_path_factory.mktemp("build") / "twin"
    result = cathodetwin("build", str(tiny_recipe), "-o", str(out), "--no-mechanics")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result
