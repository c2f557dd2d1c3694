"""Where a voxel transport solve runs: the CPU op tables or the CUDA one, chosen by name.

``device="cpu"`` uses the numba kernels of :mod:`kernels` (serial or threaded);
``device="cuda"`` the numba.cuda op table of :mod:`ops_cuda` on the first GPU, imported only
when asked for, so the CPU path needs no GPU software. The solver, the multigrid and the
deflation are the same code on both.
"""

from __future__ import annotations

from types import SimpleNamespace

from cathodetwin.analysis.transport import kernels
from cathodetwin.errors import InputError

DEVICES = ("cpu", "cuda")


def check_device(device: str) -> str:
    """The device name; InputError unless it is one of :data:`DEVICES`."""
    if device not in DEVICES:
        raise InputError(f"device must be one of {DEVICES}, got {device!r}")
    return device


def cuda_ops() -> SimpleNamespace:
    """The CUDA op table; InputError naming ``device`` when no usable GPU is found."""
    try:
        from numba import cuda
    except ImportError as error:  # numba without its CUDA target (numba-cuda)
        raise InputError(
            f"device='cuda' needs numba's CUDA target (numba-cuda), which is not importable "
            f"({error}); use device='cpu'"
        ) from error
    if not cuda.is_available():
        raise InputError(
            "device='cuda' needs an NVIDIA GPU with a working CUDA driver, and numba found none; "
            "use device='cpu'"
        )
    from cathodetwin.analysis.transport.ops_cuda import CUDA

    return CUDA


def op_table(device: str, threads: int) -> SimpleNamespace:
    """Op table for ``device``: CUDA, or the CPU's threaded or serial build for ``threads``."""
    if check_device(device) == "cuda":
        return cuda_ops()
    return kernels.PARALLEL if threads > 1 else kernels.SERIAL
