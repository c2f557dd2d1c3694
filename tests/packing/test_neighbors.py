"""Hierarchical-grid Verlet lists against brute force, with a CAM:SSE size ratio of 20."""

from __future__ import annotations

import numpy as np

from cathodetwin.packing.neighbors import (
    brute_force_pairs,
    build_pairs,
    carry_history,
    incidence,
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
