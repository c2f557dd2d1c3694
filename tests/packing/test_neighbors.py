"""Hierarchical-grid Verlet lists against brute force, with a CAM:SSE size ratio of 20."""

from __future__ import annotations

import numpy as np

from cathodetwin.packing.neighbors import (
    brute_force_pairs,
    build_pairs,
    carry_history,
    incidence,
    moves_um,
    refresh_pairs,
    size_levels,
)


def test_pair_list_matches_brute_force_for_size_ratio_20() -> None:
    rng = np.random.default_rng(0)
    big = rng.uniform(2.0, 2.5, 12)
    small = rng.uniform(0.1, 0.2, 1500)
    radius = np.concatenate([big, small])
    box = (14.0, 13.0)
    pos = np.column_stack([rng.uniform(-3, 17, radius.size), rng.uniform(0, 13, radius.size),
                           rng.uniform(0, 9, radius.size)])
    level, n_levels = size_levels(radius)
    assert n_levels >= 5
    skin = 0.1
    pi, pj, slots = build_pairs(pos, radius, level, n_levels, box, skin, slots=1)
    found = {(min(a, b), max(a, b)) for a, b in zip(pi.tolist(), pj.tolist(), strict=True)}
    assert len(found) == pi.size  # every unordered pair once
    assert found == brute_force_pairs(pos, radius, box, skin)
    again = build_pairs(pos, radius, level, n_levels, box, skin, slots=slots)
    assert np.array_equal(again[0], pi) and np.array_equal(again[1], pj)  # slots: speed only


def test_a_crowded_block_is_searched_again_with_more_slots() -> None:
    # One large sphere touched by 1500 fine ones: 1500 pairs > 1 slot × 1024 particles.
    rng = np.random.default_rng(1)
    direction = rng.normal(size=(1500, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    pos = np.vstack([[10.0, 10.0, 10.0], 10.0 + 3.05 * direction])
    radius = np.concatenate([[3.0], np.full(1500, 0.1)])
    level, n_levels = size_levels(radius)
    pi, pj, slots = build_pairs(pos, radius, level, n_levels, (20.0, 20.0), 0.05, slots=1)
    assert slots == 4
    assert np.count_nonzero(pi == 0) == 1500


def test_incidence_lists_every_pair_on_both_sides() -> None:
    pi = np.array([0, 0, 2], np.int32)
    pj = np.array([1, 2, 1], np.int32)
    start, entries = incidence(pi, pj, 3)
    per = [sorted(entries[start[i]:start[i + 1]].tolist()) for i in range(3)]
    assert per == [[0, 1], [-3, -1], [-2, 2]]


def test_history_follows_the_unordered_pair_into_the_new_list() -> None:
    old_i = np.array([0, 3, 2, 1])
    old_j = np.array([1, 2, 4, 4])
    value = np.array([0.5, 0.0, 0.25, 0.125])
    new_i = np.array([1, 2, 4, 0, 0])
    new_j = np.array([0, 3, 2, 4, 3])
    out = carry_history(old_i, old_j, value, new_i, new_j, 5)
    assert out.tolist() == [0.5, 0.0, 0.25, 0.0, 0.0]


def test_refresh_lists_every_pair_a_moved_particle_can_reach() -> None:
    # A list built at skin 0.2; then 100 particles jump (up to 1.5 radii, growing 10 %) and the
    # rest drift by 0.4-0.5 of the skin. After the refresh the list must hold every pair
    # with a mover that can touch before any particle moves more than the skin from its own
    # reference.
    rng = np.random.default_rng(2)
    radius = np.concatenate([rng.uniform(2.0, 2.5, 10), rng.uniform(0.1, 0.2, 1200)])
    box = (14.0, 13.0)
    pos = np.column_stack([rng.uniform(0, 14, radius.size), rng.uniform(0, 13, radius.size),
                           rng.uniform(0, 9, radius.size)])
    level, n_levels = size_levels(radius)
    skin = 0.2
    pi, pj, _ = build_pairs(pos, radius, level, n_levels, box, skin)
    start, entries = incidence(pi, pj, radius.size)
    ref, ref_r, height = pos.copy(), radius.copy(), 9.0
    movers = np.sort(rng.choice(radius.size, 100, replace=False))
    step = rng.normal(size=pos.shape)
    step /= np.linalg.norm(step, axis=1, keepdims=True)
    size = rng.uniform(0.4 * skin, 0.5 * skin, radius.size)
    size[movers] = rng.uniform(0.5, 1.5, movers.size)
    pos = pos + step * (size * radius)[:, None]
    radius = radius.copy()
    radius[movers] *= 1.1
    ref_z = ref.copy()
    ref_z[:, 2] /= height
    slack = moves_um(pos, ref_z, radius, ref_r, height)
    assert np.all(np.delete(slack / ref_r, movers) <= 0.5 * skin + 1e-12)
    slack[movers] = 0.0
    add_i, add_j = refresh_pairs(pos, radius, level, n_levels, box, skin, movers,
                                 slack * (1.0 + skin), start, entries, pi, pj)
    listed = {(min(a, b), max(a, b)) for a, b in zip(np.concatenate([pi, add_i]).tolist(),
                                                     np.concatenate([pj, add_j]).tolist(),
                                                     strict=True)}
    assert len(listed) == pi.size + add_i.size  # nothing listed twice
    assert np.all(np.isin(add_i, movers))
    # Worst case from here: a mover moves up to the skin from its new reference (here), any
    # other particle up to the skin from its old one, i.e. the skin plus its move so far.
    moved = np.isin(np.arange(radius.size), movers)
    reach = np.where(moved, skin * radius, skin * ref_r + slack)
    d = pos[:, None, :] - pos[None, :, :]
    for ax in (0, 1):
        d[..., ax] -= box[ax] * np.floor(d[..., ax] / box[ax] + 0.5)
    dist = np.sqrt((d**2).sum(-1))
    can_touch = dist < radius[:, None] + radius[None, :] + reach[:, None] + reach[None, :]
    can_touch &= moved[:, None] | moved[None, :]  # the others' pairs: from the old build
    i, j = np.nonzero(np.triu(can_touch, k=1))
    missing = set(zip(i.tolist(), j.tolist(), strict=True)) - listed
    assert not missing
    assert add_i.size > 0


def test_moving_with_the_punch_is_not_a_move() -> None:
    # References taken at heights 10 and 8 µm (z stored as a share of the height); now h = 6.
    ref = np.array([[1.0, 2.0, 0.5], [3.0, 1.0, 0.25]])
    radius_ref = np.array([1.0, 0.5])
    pos = ref * np.array([1.0, 1.0, 6.0])  # carried affinely by the punch
    assert np.allclose(moves_um(pos, ref, radius_ref, radius_ref, 6.0), 0.0)
    pos[0] += [0.3, 0.0, 0.4]  # non-affine step of 0.5 µm
    radius = radius_ref + np.array([0.0, 0.1])  # particle 1 grew by 0.1 µm
    assert np.allclose(moves_um(pos, ref, radius, radius_ref, 6.0), [0.5, 0.1])
