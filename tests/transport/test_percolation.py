"""Which voxels connect the inlet face to the outlet face."""

import numpy as np

from cathodetwin.analysis.transport.percolation import connected_to_both_faces


def test_spanning_channel_with_dead_end_and_isolated_pocket():
    mask = np.zeros((5, 5, 8), dtype=bool)
    mask[2, 2, :] = True  # channel along z
    mask[2, 3:5, 4] = True  # dead end attached to the channel
    mask[0, 0, 2:5] = True  # pocket touching neither face
    mask[4, 4, :3] = True  # cluster touching only the inlet face
    kept = connected_to_both_faces(mask, axis=2)
    expected = np.zeros_like(mask)
    expected[2, 2, :] = True
    expected[2, 3:5, 4] = True
    assert np.array_equal(kept, expected)


def test_face_connectivity_only():
    mask = np.zeros((3, 3, 4), dtype=bool)
    mask[0, 0, :2] = True
    mask[1, 1, 2:] = True  # touches the first part only along an edge
    assert not connected_to_both_faces(mask, axis=2).any()


def test_periodic_wrap_joins_clusters():
    mask = np.zeros((6, 4, 6), dtype=bool)
    mask[0, 1, :3] = True  # starts at the inlet (z = 0), leaves through x = 0 ...
    mask[5, 1, 2:] = True  # ... and re-enters at x = 5, reaching the outlet
    assert not connected_to_both_faces(mask, axis=2).any()
    kept = connected_to_both_faces(mask, axis=2, periodic_axes=(0, 1))
    assert np.array_equal(kept, mask)


def test_empty_and_full_volumes():
    assert not connected_to_both_faces(np.zeros((3, 3, 3), bool), axis=0).any()
    assert connected_to_both_faces(np.ones((3, 3, 3), bool), axis=1).all()
