"""The CUDA op table against the CPU one: every kernel, the setup and whole solves.

Runs where numba.cuda is usable: on a GPU, or under numba's CUDA simulator, which
``test_devices.py`` starts in a separate process (``NUMBA_ENABLE_CUDASIM=1``) so that the
simulator never replaces numba.cuda in the main test process. Skipped otherwise.
"""

import numpy as np
import pytest
from scipy import ndimage

cuda = pytest.importorskip("numba.cuda")
if not cuda.is_available():
    pytest.skip("no CUDA GPU and not under the CUDA simulator", allow_module_level=True)

from cathodetwin.analysis.transport import (  # noqa: E402
    effective_conductivity,
    multigrid,
    tortuosity_factor,
)
from cathodetwin.analysis.transport.deflation import ClusterDeflation  # noqa: E402
from cathodetwin.analysis.transport.kernels import SERIAL  # noqa: E402
from cathodetwin.analysis.transport.ops_cuda import CUDA, SIMULATED  # noqa: E402

# Odd lateral sizes: equal colours meet across the periodic wrap faces.
SHAPES = [(5, 7, 3), (4, 6, 8)]


def _sigma(shape, seed, fill=0.7):
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.5, 2.0, shape)
    return np.where(rng.random(shape) < fill, values, 0.0).astype(np.float32)


def _faces(ops, sigma, periodic):
    n0, n1, n2 = sigma.shape
    g = (ops.empty((n0 + 1, n1, n2), dtype=np.float32), ops.empty(sigma.shape, dtype=np.float32),
         ops.empty(sigma.shape, dtype=np.float32))
    ops.face_conductances(ops.to_device(sigma), 1.0, 2.0, 0.5, periodic, periodic, *g)
    return g


def _both(sigma, periodic):
    """Face arrays on the host (CPU kernel) and on the device (CUDA kernel)."""
    return _faces(SERIAL, sigma, periodic), _faces(CUDA, sigma, periodic)


def _close(device_array, host_array, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(CUDA.to_host(device_array), host_array, rtol=rtol, atol=atol)


@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_grid_kernels_match_cpu(shape, periodic):
    sigma = _sigma(shape, 1)
    host, dev = _both(sigma, periodic)
    for h, d in zip(host, dev, strict=True):
        _close(d, h, rtol=1e-6, atol=0)  # the CPU build may reorder (fastmath): 1 ulp
    assert CUDA.wrap_faces_conduct(dev[1], dev[2]) == SERIAL.wrap_faces_conduct(*host[1:])
    rng = np.random.default_rng(2)
    x64, b64 = rng.random(shape), rng.random(shape)
    x32, b32 = x64.astype(np.float32), b64.astype(np.float32)
    for x in (x64, x32):  # the CG works in float64, the multigrid in float32
        out = np.empty(shape, dtype=x.dtype)
        SERIAL.apply_operator(x, *host, out)
        d_out = CUDA.empty(shape, dtype=x.dtype)
        CUDA.apply_operator(CUDA.to_device(x), *dev, d_out)
        _close(d_out, out)
        SERIAL.residual(x, b64.astype(x.dtype), *host, out)
        CUDA.residual(CUDA.to_device(x), CUDA.to_device(b64.astype(x.dtype)), *dev, d_out)
        _close(d_out, out)
    # The four half-sweeps of a smoothing pair, in the solver's order.
    x, d_x = x32.copy(), CUDA.to_device(x32)
    d_b = CUDA.to_device(b32)
    SERIAL.jacobi_start(x, b32, *host, 0)
    CUDA.jacobi_start(d_x, d_b, *dev, 0)
    _close(d_x, x)
    for colour, reverse in ((1, False), (1, True), (0, True), (0, False)):
        SERIAL.gauss_seidel_colour(x, b32, *host, colour, reverse)
        CUDA.gauss_seidel_colour(d_x, d_b, *dev, colour, reverse)
        _close(d_x, x, rtol=1e-5)
    coarse_shape = tuple((n + 1) // 2 for n in shape)
    coarse = [np.empty((coarse_shape[0] + 1, *coarse_shape[1:]), np.float32),
              np.empty(coarse_shape, np.float32), np.empty(coarse_shape, np.float32)]
    d_coarse = [CUDA.empty(c.shape, dtype=np.float32) for c in coarse]
    SERIAL.coarsen_conductances(*host, *coarse)
    CUDA.coarsen_conductances(*dev, *d_coarse)
    for h, d in zip(coarse, d_coarse, strict=True):
        _close(d, h, rtol=1e-6, atol=0)
    restricted = np.empty(coarse_shape, np.float32)
    d_restricted = CUDA.empty(coarse_shape, dtype=np.float32)
    SERIAL.restrict_residual(x32, b32, *host, restricted)
    CUDA.restrict_residual(CUDA.to_device(x32), d_b, *dev, d_restricted)
    _close(d_restricted, restricted, rtol=1e-5)
    prolonged, d_prolonged = x32.copy(), CUDA.to_device(x32)
    SERIAL.prolong_add(prolonged, restricted, 0.5)
    CUDA.prolong_add(d_prolonged, CUDA.to_device(restricted), 0.5)
    _close(d_prolonged, prolonged)
    np.testing.assert_allclose(CUDA.plane_currents(CUDA.to_device(x64), dev[0], 1.0, 0.0),
                               SERIAL.plane_currents(x64, host[0], 1.0, 0.0), rtol=1e-6)
    masked, d_masked = x64.copy(), CUDA.to_device(x64)
    SERIAL.mask_inactive(masked, *host)
    CUDA.mask_inactive(d_masked, *dev)
    _close(d_masked, masked, rtol=0, atol=0)
    rhs, d_rhs = np.empty(shape), CUDA.empty(shape)
    SERIAL.boundary_rhs(rhs, host[0], 1.0, 0.25)
    CUDA.boundary_rhs(d_rhs, dev[0], 1.0, 0.25)
    _close(d_rhs, rhs, rtol=0, atol=0)
    profile, d_profile = np.empty(shape), CUDA.empty(shape)
    SERIAL.linear_profile(profile, 1.0, 0.0)
    CUDA.linear_profile(d_profile, 1.0, 0.0)
    _close(d_profile, profile, rtol=0, atol=0)


def test_vector_kernels_match_cpu():
    rng = np.random.default_rng(3)
    shape = (7, 5, 6)
    a, b, c, d = (rng.random(shape) for _ in range(4))
    z32 = rng.random(shape).astype(np.float32)
    dev = [CUDA.to_device(v) for v in (a, b, c, d)]
    assert CUDA.dot(dev[0], CUDA.to_device(z32)) == pytest.approx(SERIAL.dot(a, z32), rel=1e-12)
    CUDA.cg_update(*dev, 0.3)
    SERIAL.cg_update(a, b, c, d, 0.3)
    CUDA.cg_direction(dev[2], dev[3], -0.7)
    SERIAL.cg_direction(c, d, -0.7)
    for h, v in zip((a, b, c, d), dev, strict=True):
        _close(v, h, rtol=1e-14, atol=0)
    out, d_out = np.empty(shape, np.float32), CUDA.empty(shape, dtype=np.float32)
    SERIAL.lincomb(out, 0.5, z32, -2.0, z32)
    CUDA.lincomb(d_out, 0.5, CUDA.to_device(z32), -2.0, CUDA.to_device(z32))
    _close(d_out, out, rtol=0, atol=0)
    CUDA.copy(d_out, dev[0])  # device float64 -> float32
    _close(d_out, a.astype(np.float32), rtol=0, atol=0)
    CUDA.copy(d_out, b)  # host -> device
    _close(d_out, b.astype(np.float32), rtol=0, atol=0)
    CUDA.fill(d_out, 2.5)
    _close(d_out, np.full(shape, 2.5, np.float32), rtol=0, atol=0)
    _close(CUDA.zeros((3, 2), dtype=np.int32), np.zeros((3, 2), np.int32), rtol=0, atol=0)


@pytest.mark.parametrize("periodic", [False, True])
def test_spanning_cluster_matches_cpu_labelling(periodic):
    rng = np.random.default_rng(4)
    noise = ndimage.gaussian_filter(rng.random((9, 8, 7)), 1.0)
    labels = np.digitize(noise, np.quantile(noise, [0.3, 0.6])).astype(np.uint8)  # 0, 1, 2
    for conducting in (np.array([False, True, False]), np.array([False, True, True])):
        lut = np.zeros(256, bool)
        lut[:3] = conducting
        expected = SERIAL.spanning_cluster(labels, lut, periodic)
        d_labels = CUDA.to_device(labels)
        mask = CUDA.spanning_cluster(d_labels, lut, periodic)
        np.testing.assert_array_equal(CUDA.to_host(mask).astype(bool), expected)
        assert CUDA.count_nonzero(mask) == np.count_nonzero(expected)
        np.testing.assert_array_equal(CUDA.present_labels(d_labels, mask),
                                      SERIAL.present_labels(labels, expected))
        table = np.array([0.0, 0.25, 4.0] + [0.0] * 253, np.float32)
        _close(CUDA.conductivity_field(d_labels, table, mask),
               SERIAL.conductivity_field(labels, table, expected), rtol=0, atol=0)


def test_deflation_kernels_match_cpu():
    rng = np.random.default_rng(5)
    shape = (8, 7, 6)
    labels = np.where(rng.random(shape) < 0.3, 3, 1).astype(np.uint8)
    sigma = np.where(labels == 3, 1.0, 1e-3).astype(np.float32)
    host, dev = _both(sigma, False)
    active = np.ones(shape, bool)
    cpu = ClusterDeflation(labels, np.array([3]), active, *host)
    gpu = ClusterDeflation(labels, np.array([3]), CUDA.to_device(active.astype(np.uint8)), *dev,
                           ops=CUDA)
    np.testing.assert_array_equal(CUDA.to_host(gpu.ids), cpu.ids)
    x = rng.random(shape)
    d_x = CUDA.to_device(x)
    cpu.flatten_islands(x)
    gpu.flatten_islands(d_x)
    _close(d_x, x, rtol=1e-12, atol=0)
    z, r = rng.random(shape).astype(np.float32), rng.random(shape)
    d_z = CUDA.to_device(z)
    cpu.correct(z, r)
    gpu.correct(d_z, CUDA.to_device(r))
    _close(d_z, z, rtol=1e-5, atol=1e-6)


@pytest.fixture
def deep_hierarchy(monkeypatch):
    """Tiny volumes still get three multigrid levels (the coarsest ≤ 16 voxels)."""
    monkeypatch.setattr(multigrid, "COARSEST_MAX_VOXELS", 16)


def _blobs(shape, seed, porosity=0.5):
    noise = ndimage.gaussian_filter(np.random.default_rng(seed).random(shape), 1.0)
    return noise > np.quantile(noise, 1.0 - porosity)


SOLVE_SHAPE = (6, 5, 5) if SIMULATED else (40, 36, 30)


@pytest.mark.parametrize("periodic", [False, True])
def test_tortuosity_equals_cpu(deep_hierarchy, periodic):
    volume = _blobs(SOLVE_SHAPE, 6)
    cpu = tortuosity_factor(volume, axis=0, periodic=periodic, threads=1, return_fields=True)
    gpu = tortuosity_factor(volume, axis=0, periodic=periodic, device="cuda",
                            return_fields=True)
    assert gpu.percolating and gpu.converged
    assert gpu.tortuosity_factor == pytest.approx(cpu.tortuosity_factor, rel=1e-6)
    assert abs(gpu.iterations - cpu.iterations) <= 1  # round-off may move the stop by one
    assert gpu.percolating_fraction == cpu.percolating_fraction
    np.testing.assert_array_equal(np.isnan(gpu.potential_v), np.isnan(cpu.potential_v))
    np.testing.assert_allclose(gpu.potential_v, cpu.potential_v, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gpu.current_density_a_cm2, cpu.current_density_a_cm2,
                               rtol=1e-4, atol=1e-6)


def test_high_contrast_multiphase_equals_cpu(deep_hierarchy):
    """Carbon islands (10³ S/cm) bridged by CAM (10⁻³ S/cm): the deflation runs on the GPU."""
    rng = np.random.default_rng(7)
    labels = np.where(_blobs(SOLVE_SHAPE, 8, porosity=0.35), 3, 1).astype(np.uint8)
    labels[rng.random(SOLVE_SHAPE) < 0.1] = 0
    table = {1: 1e-3, 3: 1e3}
    cpu = effective_conductivity(labels, table, axis=0, threads=1)
    gpu = effective_conductivity(labels, table, axis=0, device="cuda")
    assert gpu.percolating and gpu.converged
    assert gpu.effective_conductivity_s_cm == pytest.approx(cpu.effective_conductivity_s_cm,
                                                             rel=1e-6)


def test_blocked_volume_does_not_percolate_on_the_gpu():
    volume = np.ones((6, 5, 4), dtype=bool)
    volume[3] = False
    result = tortuosity_factor(volume, device="cuda", axis=0)
    assert not result.percolating and result.tortuosity_factor == np.inf
