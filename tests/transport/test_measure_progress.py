"""The transport stage reports its progress: monotone shares that end at 1."""

from cathodetwin.analysis import measure_transport
from cathodetwin.structure.synthetic import synthetic_composite


def test_transport_progress_is_monotone_and_ends_at_one():
    shares: list[float] = []
    measure_transport(synthetic_composite((24, 24, 24), seed=1), axes=(0, 2),
                      progress=shares.append)
    assert len(shares) == 2 * 2 + 3  # four voxel solves; network, utilization, reach
    assert all(0.0 < a < b for a, b in zip(shares, shares[1:], strict=False))
    assert shares[-1] == 1.0
