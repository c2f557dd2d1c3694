"""Carbon additive placed into the pore space of a pressed packing, next to particle surfaces.

Carbon (and binder) does not take part in the compaction; it is added afterwards so that its
solid volume matches the recipe (the share of the pressed solid fixed by weight % and density):

- Fibres (e.g. VGCF): each fibre starts touching a particle surface (particle chosen with
  probability ∝ its surface area, point uniform on it) and grows through the pore space in
  steps of one fibre radius. When the next step would enter a particle, another fibre or a wall,
  the fibre bends into a random forward direction (up to 50 tries); if none is free it ends
  there, so fibres in tight pores are shorter than the nominal length. A fibre is a polyline of
  capped cylinders (``Packing.fibers``); its volume is Σ(πr²ℓ + ⅔πr³) over its segments.
- Agglomerates (carbon black, binder): spheres with diameters drawn (by number, tails cut as
  for particles) from the component's psd, or of 0.5 µm without one, each touching a
  particle surface at a random point, kept if they overlap nothing; once 20 000 surface tries
  in a row fail (surfaces saturated), also at random points anywhere in the pores. They are
  appended to the particles as members of the carbon component.

Fibres and agglomerates never overlap particles or each other, so their volume counts once.
Placement stops at the object that brings the placed volume closest to the target. A pore
space too small or too narrow for all of it is a result, not an error: a too-dense compact
takes less carbon; the report records placed / requested volume (``placed_fraction``,
``pore_space_full``) and the build goes on.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from numba import njit

from cathodetwin.packing.packing import Fibers, Packing
from cathodetwin.packing.sampling import ComponentSpec, Powder, _SizeDistribution

MAX_FAILURES = 400_000  # failed tries before giving up, at least
FAILURES_PER_OBJECT = 300  # ... or this many per expected fibre or agglomerate
TURN_TRIES = 50
AGGLOMERATE_POOL = 100_003  # agglomerate sizes drawn per component, used in turn
SURFACE_STREAK = 20_000  # failed surface tries in a row before agglomerates go anywhere


@njit(cache=True)
def _cell_range(c, r, lo, width, n, periodic):
    a = int(math.floor((c - r - lo) / width))
    b = int(math.floor((c + r - lo) / width))
    if periodic:
        if b - a + 1 > n:
            b = a + n - 1
    else:
        a = max(a, 0)
        b = min(b, n - 1)
    return a, b


@njit(cache=True)
def _register(k, center, radius, dims, widths, head, nxt, who, used):
    x0, x1 = _cell_range(center[k, 0], radius[k], 0.0, widths[0], dims[0], True)
    y0, y1 = _cell_range(center[k, 1], radius[k], 0.0, widths[1], dims[1], True)
    z0, z1 = _cell_range(center[k, 2], radius[k], 0.0, widths[2], dims[2], False)
    for cz in range(z0, z1 + 1):
        for cy in range(y0, y1 + 1):
            for cx in range(x0, x1 + 1):
                c = (cz * dims[1] + cy % dims[1]) * dims[0] + cx % dims[0]
                if used >= who.size:
                    return -1
                who[used] = k
                nxt[used] = head[c]
                head[c] = used
                used += 1
    return used


@njit(cache=True)
def _free(p, r, center, radius, dims, widths, box, head, nxt, who):
    """Whether a sphere (p, r) lies inside the layer and overlaps no registered sphere."""
    if p[2] - r < 0.0 or p[2] + r > box[2]:
        return False
    x0, x1 = _cell_range(p[0], r, 0.0, widths[0], dims[0], True)
    y0, y1 = _cell_range(p[1], r, 0.0, widths[1], dims[1], True)
    z0, z1 = _cell_range(p[2], r, 0.0, widths[2], dims[2], False)
    for cz in range(z0, z1 + 1):
        for cy in range(y0, y1 + 1):
            for cx in range(x0, x1 + 1):
                e = head[(cz * dims[1] + cy % dims[1]) * dims[0] + cx % dims[0]]
                while e >= 0:
                    k = who[e]
                    dx = center[k, 0] - p[0]
                    dx -= box[0] * math.floor(dx / box[0] + 0.5)
                    dy = center[k, 1] - p[1]
                    dy -= box[1] * math.floor(dy / box[1] + 0.5)
                    dz = center[k, 2] - p[2]
                    rr = r + radius[k]
                    if dx * dx + dy * dy + dz * dz < rr * rr:
                        return False
                    e = nxt[e]
    return True


@njit(cache=True)
def _unit(rng):
    while True:
        v = 2.0 * rng.random(3) - 1.0
        n = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
        if 1e-6 < n <= 1.0:
            return v / n


@njit(cache=True)
def _surface_point(rng, cum_area, center, radius, gap):
    """A random point at distance ``gap`` outside a random particle surface, and its normal."""
    u = rng.random() * cum_area[-1]
    k = min(np.searchsorted(cum_area, u), cum_area.size - 1)
    n = _unit(rng)
    return center[k] + (radius[k] + gap) * n, n


@njit(cache=True)
def _place(n_particles, center, radius, cum_area, box, dims, widths, head, nxt, who, used,
           radii, fiber_length, target_volume, max_failures, rng):
    """Place fibres (fiber_length > 0) or spheres until the volume is closest to the target.

    ``center``/``radius`` hold the particles followed by free slots for new spheres (fibre
    beads or agglomerates). Attempt k uses radius ``radii[k % radii.size]`` (fibres: one
    radius). Returns (segments (M, 6), agglomerate count, placed volume, spheres used, entries
    used, status); status 1 = pore space exhausted, 2 = out of memory.
    """
    n_obj = n_particles
    attempt = 0
    segs = np.zeros((0, 6))
    seg_list = []
    placed = 0.0
    agglomerates = 0
    failures = 0
    streak = 0
    status = 0
    while placed < target_volume:
        if failures > max_failures:
            status = 1
            break
        r = radii[attempt % radii.size]
        attempt += 1
        gap = 1.0001 * r
        cap = 2.0 / 3.0 * math.pi * r**3
        if fiber_length <= 0.0 and streak > SURFACE_STREAK:  # surfaces saturated: any pore
            p = rng.random(3) * box
            n = _unit(rng)
        else:
            p, n = _surface_point(rng, cum_area, center[:n_particles], radius[:n_particles], gap)
        if not _free(p, r * 0.999, center[:n_obj], radius[:n_obj], dims, widths, box, head, nxt,
                     who):
            failures += 1
            streak += 1
            continue
        streak = 0
        if fiber_length <= 0.0:  # agglomerate
            vol = 4.0 / 3.0 * math.pi * r**3
            if placed + vol - target_volume > target_volume - placed:
                break
            if n_obj >= radius.size:
                return segs, agglomerates, placed, n_obj, used, 2
            center[n_obj] = p
            radius[n_obj] = r
            used = _register(n_obj, center, radius, dims, widths, head, nxt, who, used)
            if used < 0:
                return segs, agglomerates, placed, n_obj, used, 2
            n_obj += 1
            agglomerates += 1
            placed += vol
            continue
        u = _unit(rng)
        if u[0] * n[0] + u[1] * n[1] + u[2] * n[2] < 0.0:
            u = -u
        beads = [p.copy()]
        fiber_segs = []
        seg_start = p.copy()
        q = p.copy()
        length = 0.0
        while length < fiber_length - 1e-12:
            step = min(r, fiber_length - length)
            nq = q + step * u
            if not _free(nq, r * 0.999, center[:n_obj], radius[:n_obj], dims, widths, box, head,
                         nxt, who):
                turned = False
                for _ in range(TURN_TRIES):
                    w = _unit(rng)
                    if w[0] * u[0] + w[1] * u[1] + w[2] * u[2] <= 0.0:
                        w = -w
                    cand = q + step * w
                    if _free(cand, r * 0.999, center[:n_obj], radius[:n_obj], dims, widths, box,
                             head, nxt, who):
                        turned = True
                        break
                if not turned:
                    break
                if length > 0.0:
                    fiber_segs.append(np.concatenate((seg_start, q)))
                seg_start = q.copy()
                u = w
                nq = cand
            q = nq
            length += step
            beads.append(q.copy())
        if length < 2.0 * r:
            failures += 1
            continue
        fiber_segs.append(np.concatenate((seg_start, q)))
        vol = 0.0
        for s in fiber_segs:
            ell = math.sqrt((s[3] - s[0]) ** 2 + (s[4] - s[1]) ** 2 + (s[5] - s[2]) ** 2)
            vol += math.pi * r * r * ell + cap
        if placed + vol - target_volume > target_volume - placed:
            break
        if n_obj + len(beads) > radius.size:
            return segs, agglomerates, placed, n_obj, used, 2
        for b in beads:
            center[n_obj] = b
            radius[n_obj] = r
            used = _register(n_obj, center, radius, dims, widths, head, nxt, who, used)
            if used < 0:
                return segs, agglomerates, placed, n_obj, used, 2
            n_obj += 1
        for s in fiber_segs:
            seg_list.append(s)
        placed += vol
    segs = np.zeros((len(seg_list), 6))
    for k in range(len(seg_list)):
        segs[k] = seg_list[k]
    return segs, agglomerates, placed, n_obj, used, status


def _grid(packing: Packing, cell_um: float):
    box = np.asarray(packing.box_um, float)
    dims = np.maximum(1, np.floor(box / cell_um)).astype(np.int64)
    widths = box / dims
    return box, dims, widths


def place_carbon(packing: Packing, powder: Powder, seed: int) -> Packing:
    """Add the powder's carbon/binder components to a pressed packing (see module docstring)."""
    extra = [(k, s) for k, s in enumerate(powder.components) if s.placement != "particles"]
    if not extra:
        return packing
    center = packing.center_um.copy()
    center[:, 0] %= packing.box_um[0]
    center[:, 1] %= packing.box_um[1]
    radius = packing.radius_um.copy()
    area = np.cumsum(4.0 * np.pi * radius**2)
    new_centers, new_radii, new_comp = [], [], []
    fib_start, fib_end, fib_r, fib_comp = [], [], [], []
    report = {}
    obstacles_c, obstacles_r = center, radius
    for k, spec in extra:
        radii = _object_radii(spec, np.random.default_rng([seed, k, 1]))
        r = float(radii.max())
        box, dims, widths = _grid(packing, max(8.0 * r, float(np.median(radius))))
        n_slots = _slots(spec, float(np.min(radii)))
        c_all = np.concatenate([obstacles_c, np.zeros((n_slots, 3))])
        r_all = np.concatenate([obstacles_r, np.zeros(n_slots)])
        span = np.ceil(2.0 * r_all[: obstacles_r.size, None] / widths) + 1
        capacity = int(np.sum(np.prod(np.minimum(span, dims), axis=1))) + 8 * n_slots
        head = -np.ones(int(np.prod(dims)), np.int64)
        nxt = np.empty(capacity, np.int64)
        who = np.empty(capacity, np.int64)
        used = 0
        for i in range(obstacles_r.size):
            used = _register(i, c_all, r_all, dims, widths, head, nxt, who, used)
        length = spec.fiber_length_um if spec.placement == "fibers" else 0.0
        budget = max(MAX_FAILURES, FAILURES_PER_OBJECT * _expected_objects(spec, radii))
        segs, n_agg, placed, n_obj, used, status = _place(
            obstacles_r.size, c_all, r_all, area, box, dims, widths, head, nxt, who, used, radii,
            length, spec.volume_um3, budget, np.random.default_rng([seed, k]),
        )
        if status == 2:
            raise RuntimeError(f"carbon component {spec.name!r}: ran out of placement memory")
        if spec.placement == "fibers":
            fib_start.append(segs[:, :3])
            fib_end.append(segs[:, 3:])
            fib_r.append(np.full(len(segs), radii[0]))
            fib_comp.append(np.full(len(segs), k, np.int16))
        else:
            new_centers.append(c_all[obstacles_r.size:obstacles_r.size + n_agg])
            new_radii.append(r_all[obstacles_r.size:obstacles_r.size + n_agg].copy())
            new_comp.append(np.full(n_agg, k, np.int16))
        obstacles_c, obstacles_r = c_all[:n_obj], r_all[:n_obj]
        report[spec.name] = {
            "placement": spec.placement,
            "target_volume_um3": spec.volume_um3,
            "placed_volume_um3": placed,
            "placed_fraction": placed / spec.volume_um3 if spec.volume_um3 > 0 else 1.0,
            "pore_space_full": status == 1,
            "objects": int(len(segs) if spec.placement == "fibers" else n_agg),
        }
    n_new = sum(len(a) for a in new_radii)
    fibers = packing.fibers
    if fib_r:
        fibers = Fibers(
            np.concatenate([fibers.start_um, *fib_start]),
            np.concatenate([fibers.end_um, *fib_end]),
            np.concatenate([fibers.radius_um, *fib_r]),
            np.concatenate([fibers.component, *fib_comp]),
        )
    zeros = np.zeros(n_new)
    return replace(
        packing,
        center_um=np.concatenate([center, *new_centers]) if n_new else center,
        radius_um=np.concatenate([packing.radius_um, *new_radii]) if n_new else packing.radius_um,
        component=np.concatenate([packing.component, *new_comp]) if n_new else packing.component,
        shell_thickness_um=np.concatenate([packing.shell_thickness_um, zeros]),
        coverage=np.concatenate([packing.coverage, zeros]),
        buffer_thickness_um=np.concatenate([packing.buffer_thickness_um, zeros]),
        fibers=fibers,
        provenance=packing.provenance | {"carbon": report},
    )


def _object_radii(spec: ComponentSpec, rng: np.random.Generator) -> np.ndarray:
    """Radii (µm) to try in turn: the fibre radius, or agglomerates drawn from the psd."""
    if spec.placement == "fibers":
        return np.array([spec.fiber_diameter_um / 2.0])
    if spec.agglomerate_psd is None:
        return np.array([spec.agglomerate_diameter_um / 2.0])
    sizes = _SizeDistribution(spec.agglomerate_psd, 0.01, 0.005)
    return sizes.draw_um(rng, AGGLOMERATE_POOL) / 2.0


def _expected_objects(spec: ComponentSpec, radii: np.ndarray) -> int:
    """Rough number of fibres or agglomerates that make up the component's volume."""
    if spec.placement == "fibers":
        one = math.pi * radii[0] ** 2 * spec.fiber_length_um
    else:
        one = float(np.mean(4.0 / 3.0 * math.pi * radii**3))
    return int(spec.volume_um3 / one) + 1


def _slots(spec: ComponentSpec, r: float) -> int:
    """Free sphere slots for the beads or agglomerates of one component (with margin)."""
    if spec.placement == "fibers":
        per_bead = math.pi * r**3  # one bead per step of r along a cylinder of radius r
        return int(1.3 * spec.volume_um3 / per_bead) + 1000
    return int(1.3 * spec.volume_um3 / (4.0 / 3.0 * math.pi * r**3)) + 100
