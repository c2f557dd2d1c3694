"""Choosing where a transport solve runs, and the CUDA path under numba's simulator."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cathodetwin.analysis.transport import (
    effective_conductivity,
    ionic_and_electronic,
    required_memory_bytes,
    tortuosity_factor,
)
from cathodetwin.errors import InputError

CUDA_TESTS = Path(__file__).with_name("test_cuda_kernels.py")


def _gpu_present() -> bool:
    try:
        from numba import cuda
    except ImportError:
        return False
    return cuda.is_available()


def test_unknown_device_is_refused():
    volume = np.ones((4, 4, 4), dtype=bool)
    with pytest.raises(InputError, match="device"):
        tortuosity_factor(volume, device="gpu")
    with pytest.raises(InputError, match="device"):
        effective_conductivity(volume.astype(np.uint8), {1: 1.0}, device="GPU")
    with pytest.raises(InputError, match="device"):
        required_memory_bytes((4, 4, 4), device="tpu")


@pytest.mark.skipif(_gpu_present(), reason="a CUDA GPU is present")
def test_cuda_without_a_gpu_names_the_option():
    with pytest.raises(InputError, match="device='cuda'.*device='cpu'"):
        tortuosity_factor(np.ones((4, 4, 4), dtype=bool), device="cuda")


def test_cuda_memory_estimate_counts_the_device_arrays():
    cpu = required_memory_bytes((100, 100, 100))
    gpu = required_memory_bytes((100, 100, 100), device="cuda")
    assert gpu > cpu > 50 * 100**3


def test_ionic_and_electronic_pass_the_device_on():
    from cathodetwin.structure.microstructure import Microstructure, Phase

    labels = np.zeros((6, 6, 8), dtype=np.uint8)
    labels[:3] = 1
    labels[3:] = 2
    micro = Microstructure(labels, (0.5, 0.5, 0.5), (
        Phase(0, "pore", "pore"), Phase(1, "NCM811", "CAM", "NCM811"),
        Phase(2, "LPSCl", "SSE", "Li6PS5Cl")))
    with pytest.raises(InputError, match="device"):
        ionic_and_electronic(micro, device="gpu")


def test_cuda_kernels_under_the_simulator():
    """Runs test_cuda_kernels.py in a fresh process with NUMBA_ENABLE_CUDASIM=1.

    The simulator replaces numba.cuda for the whole process, so it must not be switched on
    in this one. Every test there must run and pass, none be skipped.
    """
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         str(CUDA_TESTS)],
        env=env, capture_output=True, text=True, timeout=600,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "passed" in summary and "skipped" not in summary, summary
