"""Particle-resolved half-cell: every CAM particle its own sphere, contact and wiring.

Each CAM particle of a :class:`~cathodetwin.cell.particle_network.ParticleNetwork` stores Li
in its own sphere (finite-volume shells, the DFN's diffusivity), reacts by symmetric
Butler–Volmer on its own CAM–electrolyte contact area (the DFN's exchange current per area)
and is fed by the ionic graph from the separator plane and by the electronic graph from the
collector plane. The electrolyte is a single-ion conductor (t+ = 1: a pure resistor network);
the counter electrode is Li metal behind the SSE separator, as in the DFN
(:mod:`cathodetwin.cell.model`). Galvanostatic steps by implicit Euler: per step, Newton on
the network potentials with each particle's current eliminated (its own Butler–Volmer equation
solved by a safeguarded scalar Newton at every trial potential; particle concentrations
eliminated exactly, their diffusivity lagged a step), a backtracking line search on the node
balances, and conjugate gradients preconditioned by a kept sparse LU of the combined graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from cathodetwin.analysis.transport.multigrid import factorize_spd
from cathodetwin.cell import parameters as par
from cathodetwin.cell.cam_functions import cam_tables, electronic_conductivity_s_cm
from cathodetwin.cell.inputs import StackSpec
from cathodetwin.cell.particle_network import ParticleNetwork
from cathodetwin.errors import InputError, SolverError
from cathodetwin.materials import Material, get_material

CAUSES = ("ionic", "electronic", "kinetic")
STRANDED_BELOW = 0.5  # a particle that delivered under half its window is stranded
NEWTON_ITERATIONS = 25  # per implicit step; a step that does not converge is halved
LOCAL_ITERATIONS = 60  # safeguarded scalar Newton on each particle's equation, at most
LOCAL_TOLERANCE = 1e-13  # each particle's current solved to this share of the cell's
LINE_SEARCH_HALVINGS = 12  # backtracking halvings of a Newton update, at most
CG_ITERATIONS = 20  # more and the preconditioner's LU is refactored at the current Jacobian
CG_TOLERANCE = 1e-12  # relative residual of each Newton update, or …
CG_SHARE_OF_TOLERANCE = 0.1  # … this share of the balances' tolerance, whichever is larger
CUTOFF_CAPACITY = 1e-4  # share of the capacity below which no step is shortened further
STIFF_FLOOR_SHARE = 1e-2  # a rounding floor above this share of the current is refused
VOLTAGE_TOLERANCE_V = 1e-6  # particle equations φ_s − φ_e = U − η converged to this


@dataclass(frozen=True)
class ParticleCellOptions:
    """Numerical and physical options of the particle-resolved cell."""

    shells: int = 20  # finite-volume shells per particle (the DFN's radial points)
    soc_dependent_conductivity: bool = True  # CAM σ_e follows x (library lithiated/delithiated)
    max_step_capacity: float = 0.05  # share of the capacity passed per step, at most
    max_step_voltage_v: float = 0.05  # larger voltage changes per step halve the step
    temperature_c: float = 25.0
    conductivity_reference_c: float = 25.0  # temperature of the network's ionic σ
    counter_electrode: str = "Li"

    def __post_init__(self) -> None:
        if self.shells < 2:
            raise InputError(f"shells={self.shells} is not allowed; expected >= 2")
        if not 0.0 < self.max_step_capacity <= 0.2:
            raise InputError(f"max_step_capacity={self.max_step_capacity}; expected (0, 0.2]")
        if self.counter_electrode not in ("Li", "LTO"):
            raise InputError(f"counter_electrode={self.counter_electrode!r}; use 'Li' or 'LTO'")


@dataclass(frozen=True)
class ParticleStep:
    """One galvanostatic discharge: curve, per-particle end state and charge balance."""

    c_rate: float
    capacity_mah_g: np.ndarray
    voltage_v: np.ndarray
    reached_cutoff: bool
    end_soc: np.ndarray  # (P,) share of each particle's window delivered (0..1)
    cause: np.ndarray  # (P,) index into CAUSES of what limits it most (−1: not stranded)
    connected: np.ndarray  # (P,) bool: ionic and electronic path and contact area
    no_ionic_path: np.ndarray  # (P,) bool
    no_electronic_path: np.ndarray  # (P,) bool
    charge_balance_error: float  # |Li stored − ∫I dt| / ∫I dt


@dataclass
class _State:
    c: np.ndarray  # (P, n) mol/m³
    phi_e: np.ndarray
    phi_s: np.ndarray
    j: np.ndarray  # (P,) A, discharge positive
    extra: dict = field(default_factory=dict)


def _components(n: int, i: np.ndarray, j: np.ndarray, root: int, cut: int) -> np.ndarray:
    """Nodes joined to ``root`` without passing through node ``cut``."""
    keep = (i != cut) & (j != cut)
    graph = coo_matrix((np.ones(int(keep.sum())), (i[keep], j[keep])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    return comp == comp[root]


class ParticleCell:
    """A particle-resolved half-cell of one network; run galvanostatic discharges."""

    def __init__(self, network: ParticleNetwork, *, stack: StackSpec | None = None,
                 sse_material: Material | str = "Li6PS5Cl",
                 options: ParticleCellOptions | None = None):
        self.net = network
        self.opt = options or ParticleCellOptions()
        self.stack = stack or StackSpec()
        sse = sse_material if isinstance(sse_material, Material) else get_material(sse_material)
        self.sse = sse
        t_k = self.opt.temperature_c + par.ZERO_CELSIUS_K
        self.t_k = t_k
        self.b_v = 2.0 * par.GAS_CONSTANT_J_MOL_K * t_k / par.FARADAY_C_MOL
        self.tab = cam_tables(round(t_k, 6))
        self.ionic_factor = par.arrhenius_factor(
            sse.activation_energy_ev, self.opt.temperature_c, self.opt.conductivity_reference_c)
        net = network
        mats = [net.materials[k] for k in net.material_index]
        self.v_min = max(float(m.voltage_min_v) for m in net.materials)
        self.v_max = min(float(m.voltage_max_v) for m in net.materials)
        self.c_max = np.array([par.max_concentration_mol_m3(
            m.specific_capacity_mah_g, m.density_g_cm3, self.v_max) for m in mats])
        self.x0 = par.charged_stoichiometry(self.v_max)
        self.x1 = par.value("cam", "discharged_stoichiometry")
        vol_m3 = net.volume_um3 * 1e-18
        self.vol_m3 = vol_m3
        density = np.array([m.density_g_cm3 for m in mats])
        self.cam_mass_g = float(np.sum(vol_m3 * 1e6 * density))
        cap = np.array([m.specific_capacity_mah_g for m in mats])
        self.one_c_a = float(np.sum(cap * vol_m3 * 1e6 * density)) * 1e-3
        self.area_m2 = net.reaction_area_um2 * 1e-12
        self.box_m2 = net.box_um[0] * net.box_um[1] * 1e-12
        self.mats = mats
        # paths: ions from the separator plane (collector plane blocks), electrons from the
        # collector plane (separator plane blocks)
        ion, el = net.ionic, net.electronic
        self.ion_ok = _components(ion.n_nodes, ion.i, ion.j, ion.top, ion.bottom)
        self.el_ok = _components(el.n_nodes, el.i, el.j, el.bottom, el.top)
        self.no_ion = ~self.ion_ok[net.ion_node] | ~(self.area_m2 > 0)
        self.no_el = (net.el_node < 0) | ~self.el_ok[np.maximum(net.el_node, 0)]
        self.active = ~self.no_ion & ~self.no_el
        self._index()
        self.separator_ohm = (self.stack.separator_thickness_um * 1e-4
                              / (sse.continuum_ionic_conductivity_s_cm * self.ionic_factor)
                              / (self.box_m2 * 1e4))
        self.li_j0_a = par.value("counter", "li_exchange_current_a_m2") * self.box_m2
        self.offset_v = (0.0 if self.opt.counter_electrode == "Li"
                         else float(get_material("Li4Ti5O12").average_voltage_v))

    def _index(self) -> None:
        """Unknown numbering: ionic nodes reached (separator plane grounded), then electronic
        nodes reached (with the collector plane), then nothing else."""
        net = self.net
        ion, el = net.ionic, net.electronic
        ion_unknown = self.ion_ok.copy()
        ion_unknown[ion.top] = False
        ion_unknown[ion.bottom] = False
        el_unknown = self.el_ok.copy()
        el_unknown[el.top] = False
        self.n_e = int(ion_unknown.sum())
        self.n_s = int(el_unknown.sum())
        self.ion_idx = np.full(ion.n_nodes, -1, np.int64)
        self.ion_idx[ion_unknown] = np.arange(self.n_e)
        self.el_idx = np.full(el.n_nodes, -1, np.int64)
        self.el_idx[el_unknown] = self.n_e + np.arange(self.n_s)
        self.collector = int(self.el_idx[el.bottom])
        act = np.flatnonzero(self.active)
        self.act = act
        self.p_e = self.ion_idx[net.ion_node[act]]
        self.p_s = self.el_idx[net.el_node[act]]
        # ionic conductances (fixed): edges between unknowns, and to the grounded plane
        g_e = ion.conductance_s() * self.ionic_factor
        eu, ev, eg, egu, egg = self._edges(ion.i, ion.j, g_e, self.ion_idx, ion.top)
        self.el_inner = (self.el_idx[el.i] >= 0) & (self.el_idx[el.j] >= 0)
        su, sv = self.el_idx[el.i[self.el_inner]], self.el_idx[el.j[self.el_inner]]
        self.ion_g = eg
        self.ground_g = np.bincount(egu, egg, self.n_e + self.n_s)
        self.pattern = _Pattern(np.concatenate([eu, su]), np.concatenate([ev, sv]),
                                self.n_e + self.n_s)

    @staticmethod
    def _edges(i, j, g, idx, ground):
        """(u, v, g) between unknowns and (u, g) to the grounded node."""
        u, v = idx[i], idx[j]
        inner = (u >= 0) & (v >= 0)
        to_ground_i = (u >= 0) & (j == ground)
        to_ground_j = (v >= 0) & (i == ground)
        gu = np.concatenate([u[to_ground_i], v[to_ground_j]])
        gg = np.concatenate([g[to_ground_i], g[to_ground_j]])
        return u[inner], v[inner], g[inner], gu, gg

    def _el_conductance(self, x_mean: np.ndarray) -> np.ndarray:
        """Conductances (S) of the electronic edges between unknowns at mean Li content x."""
        el = self.net.electronic
        scale = None
        if self.opt.soc_dependent_conductivity:
            sigma = np.empty(self.net.size)
            for k, mat in enumerate(self.net.materials):
                sel = self.net.material_index == k
                sigma[sel] = electronic_conductivity_s_cm(mat, x_mean[sel])
            ref = np.where(self.net.sigma_ref_s_cm > 0, self.net.sigma_ref_s_cm, sigma)
            scale = ref / np.maximum(sigma, 1e-300)
        return el.conductance_s(scale)[self.el_inner]

    def _step_end_x(self, st: _State, dt: float) -> np.ndarray:
        """(P,) mean Li content of each particle at the end of a step of ``dt`` s, predicted
        from its last current (the inactive at the charged state): a σ_e lagged by a step made
        the carbon-free 003 cathode's capacity follow the step length (94.6 / 86.9 / 85.4
        mAh/g at 5 / 1 / 0.25 % steps)."""
        cmax = self.c_max[self.act]
        x = np.full(self.net.size, self.x0)
        x[self.act] = (np.sum(st.c * self.geom[1], 1) / np.sum(self.geom[1], 1)
                       + st.j * dt / (par.FARADAY_C_MOL * self.vol_m3[self.act])) / cmax
        return x

    # --- solid diffusion ---------------------------------------------------------------
    def _geometry(self):
        n = self.opt.shells
        r = self.net.radius_um[self.act] * 1e-6
        dr = r / n
        faces = dr[:, None] * np.arange(n + 1)[None, :]
        vol = 4.0 / 3.0 * np.pi * (faces[:, 1:] ** 3 - faces[:, :-1] ** 3)
        area = 4.0 * np.pi * faces[:, 1:-1] ** 2
        return dr, vol, area, 4.0 * np.pi * r**2

    def _affine_surface(self, c: np.ndarray, dt: float):
        """Implicit-Euler concentrations c_new = a + b j and surface c_s = α + β j."""
        dr, vol, area, surf = self.geom
        cmax = self.c_max[self.act][:, None]
        d_cell = self.tab.diffusivity(np.clip(c / cmax, 0.0, 1.0))
        d_face = 0.5 * (d_cell[:, 1:] + d_cell[:, :-1])
        k = area * d_face / dr[:, None]  # (P, n−1)
        diag = (vol / dt).copy()
        diag[:, :-1] += k
        diag[:, 1:] += k
        off = -k
        rhs_a = vol / dt * c
        rhs_b = np.zeros_like(c)
        rhs_b[:, -1] = 1.0 / par.FARADAY_C_MOL
        a = _thomas(off, diag, off, rhs_a)
        b = _thomas(off, diag, off, rhs_b)
        grad = 0.5 * dr / (par.FARADAY_C_MOL * surf * d_cell[:, -1])  # c_s − c_last per A
        return a, b, a[:, -1], b[:, -1] + grad

    # --- one implicit step ---------------------------------------------------------------
    def _step(self, st: _State, current_a: float, dt: float):
        """Newton on (φ_e, φ_s, j); returns the new state or None if it failed."""
        a_c, b_c, alpha, beta = self._affine_surface(st.c, dt)
        cmax = self.c_max[self.act]
        area = self.area_m2[self.act]
        j_hi = (cmax * (1.0 - 1e-9) - alpha) / beta
        j_lo = (cmax * 1e-6 - alpha) / beta
        # with every surface full within the step the particles cannot take the current:
        # no potentials solve this step (the discharge ends in it, or a shorter one is needed)
        self.exhausted = float(np.sum(j_hi)) < current_a
        if self.exhausted:
            return None
        n = self.n_e + self.n_s
        if self.opt.soc_dependent_conductivity:
            self._el_cache = None  # σ_e follows the Li content: a new Laplacian every step
        if self._el_cache is None:
            lap = self.pattern.laplacian(
                np.concatenate([self.ion_g, self._el_conductance(self._step_end_x(st, dt))]),
                self.ground_g)
            self._el_cache = (lap, abs(lap))
        lap, abs_lap = self._el_cache
        phi = np.concatenate([st.phi_e, st.phi_s])
        j = st.j.copy()
        scale_a = max(abs(current_a), 1e-30)
        self.newton_log: list[tuple[float, float, float]] = []
        def kinetics(j: np.ndarray):
            """Surface x, η (V), U − η (V) and its derivative in j (V/A) of each particle."""
            xs = np.clip((alpha + beta * j) / cmax, 1e-9, 1.0 - 1e-12)
            j0 = np.maximum(self.tab.exchange_current(xs), 1e-30) * area
            z = j / (2.0 * j0)
            eta = self.b_v * np.arcsinh(z)
            dxdj = beta / cmax
            dz = 1.0 / (2.0 * j0) - z * self.tab.dexchange(xs) * area / j0 * dxdj
            fp = self.tab.docv(xs) * dxdj - self.b_v / np.sqrt(1.0 + z * z) * dz
            return xs, eta, self.tab.ocv(xs) - eta, np.minimum(fp, -1e-12)

        def local(drop: np.ndarray, j: np.ndarray):
            """Each particle's current at its potential drop: the root of drop = U − η in
            [j_lo, j_hi] (monotone), by Newton safeguarded with bisection; and dj/d(drop)."""
            lo, hi = j_lo.copy(), j_hi.copy()
            j = np.clip(j, lo, hi)
            for _ in range(LOCAL_ITERATIONS):
                xs, eta, f, fp = kinetics(j)
                g = drop - f  # rises with j
                # converged when the Newton correction is below the balances' tolerance
                done = np.abs(g / fp) < LOCAL_TOLERANCE * scale_a
                if done.all():
                    break
                lo = np.where(g < 0.0, j, lo)
                hi = np.where(g > 0.0, j, hi)
                step = j + g / fp
                inside = (step > lo) & (step < hi)
                j = np.where(done, j, np.where(inside, step, 0.5 * (lo + hi)))
            xs, eta, f, fp = kinetics(j)
            g = drop - f
            # a particle held at a limit (surface full or empty) with its equation pushing
            # past it is solved: nothing in its window satisfies it (j_hi may be ≤ 0)
            held = ((j >= j_hi - 1e-12 * np.abs(j_hi)) & (g < 0.0)) | (
                (j <= j_lo + 1e-12 * np.abs(j_lo)) & (g > 0.0))
            self.held = held
            # so is one whose current is pinned to the local tolerance: on the steep ends of
            # U(x) its voltage residual g stays above the balances' 1 µV with j exact
            pinned = np.abs(g / fp) < LOCAL_TOLERANCE * scale_a
            # a held particle's current does not follow its drop: it adds nothing to the
            # Jacobian (−1/f' there is the clamp's 1e12 S, which left LU and CG singular)
            return j, xs, eta, np.where(held | pinned, 0.0, g), np.where(held, 0.0, -1.0 / fp)

        pe, ps = self.p_e, self.p_s

        # the electronic block has no ground (its rows sum to zero): its balances are taken
        # on potentials relative to the collector, which keeps their rounding at the scale of
        # the drops (mV), not of the electrode potential (4 V) times the largest conductance
        shift = np.zeros(n)

        def relative(phi: np.ndarray) -> np.ndarray:
            shift[self.n_e:] = phi[self.collector]
            return phi - shift

        def residual(phi: np.ndarray, j: np.ndarray) -> np.ndarray:
            res = lap @ relative(phi)
            res += np.bincount(pe, j, n) - np.bincount(ps, j, n)
            res[self.collector] += current_a
            return res

        j, xs, eta, r_p, gk = local(phi[ps] - phi[pe], j)
        res = residual(phi, j)
        stalled = False
        for it in range(NEWTON_ITERATIONS):
            # rounding noise of the node balances: the potentials are stored absolute (4 V),
            # so a node joined by large conductances balances only to ε |φ| Σ|g| (16 ε; 256 ε
            # where the line search stalls, i.e. the update is below that noise)
            floor = float(np.max(abs_lap @ np.abs(phi))) * np.finfo(float).eps
            if floor > STIFF_FLOOR_SHARE * scale_a:
                raise SolverError(
                    f"particle cell: the network is too stiff for {current_a:.3g} A: a node "
                    f"joined by {float(np.max(abs_lap.diagonal())):.3g} S balances only to "
                    f"{floor:.3g} A of rounding; merge such nodes or use the DFN")
            tol_a = 1e-10 * scale_a + (256.0 if stalled else 16.0) * floor
            err_a = float(np.max(np.abs(res))) / tol_a
            err_v = float(np.max(np.abs(r_p)))
            if it > 0 and err_a < 1.0 and err_v < VOLTAGE_TOLERANCE_V:
                # Σ j = I exactly (the balances hold to their rounding); the rest goes to the
                # particles inside their limits, so that none is pushed past a full surface
                free = ~self.held
                total = float(np.sum(j[free]))
                if total != 0.0:
                    j[free] *= 1.0 + (current_a - float(np.sum(j))) / total
                return _State(a_c + b_c * j[:, None], phi[:self.n_e], phi[self.n_e:], j,
                              {"eta": eta, "xs": xs})
            self.newton_log.append((float(np.max(np.abs(res))) / scale_a, err_v, floor / scale_a))
            # Newton on the node balances with each particle's current eliminated (its own
            # equation solved exactly at every trial potential): the Jacobian is the graph
            # with each particle a conductance dj/d(drop) between its nodes
            dphi = self._newton_solve(lap, gk, -res, CG_SHARE_OF_TOLERANCE * tol_a)
            if dphi is None or not np.all(np.isfinite(dphi)):
                return None
            # backtracking line search on the node balances' norm: a particle behind a tiny
            # contact makes the full step overshoot (its current flips between its limits)
            # (a trial that overflows is rejected like any other that does not descend)
            norm = float(np.linalg.norm(res))
            lam = 1.0
            with np.errstate(over="ignore", invalid="ignore"):
                for _ in range(LINE_SEARCH_HALVINGS):
                    trial = phi + lam * dphi
                    out = local(trial[ps] - trial[pe], j)
                    res_t = residual(trial, out[0])
                    if float(np.linalg.norm(res_t)) <= (1.0 - 1e-4 * lam) * norm:
                        break
                    lam *= 0.5
                else:
                    stalled = True
            phi, res = trial, res_t
            j, xs, eta, r_p, gk = out
        return None

    def _newton_solve(self, lap, gk: np.ndarray, rhs: np.ndarray,
                      atol: float) -> np.ndarray | None:
        """Newton update of the combined graph (each particle a conductance gk between its
        nodes): conjugate gradients preconditioned by the LU of an earlier Jacobian, which is
        refactored when CG needs more than ``CG_ITERATIONS`` iterations; solved to the larger
        of ``CG_TOLERANCE`` relative and ``atol`` (A) absolute (an inexact Newton: the update
        need not be finer than the balances it aims at)."""
        n = rhs.size
        pe, ps = self.p_e, self.p_s

        def jacobian(x: np.ndarray) -> np.ndarray:
            flow = gk * (x[pe] - x[ps])
            return lap @ x + np.bincount(pe, flow, n) - np.bincount(ps, flow, n)

        if self._lu is not None:
            x, its = _pcg(jacobian, self._lu.solve, rhs, CG_ITERATIONS, atol)
            self.solves[1] += its
            if x is not None:
                return x
        mat = lap + coo_matrix((np.concatenate([-gk, -gk, gk, gk]),
                                (np.concatenate([pe, ps, pe, ps]),
                                 np.concatenate([ps, pe, pe, ps]))), shape=(n, n))
        try:
            self._lu = factorize_spd(mat)
        except RuntimeError:
            return None
        self.solves[0] += 1
        return self._lu.solve(rhs)

    def _voltage(self, st: _State, current_a: float) -> float:
        phi_c = st.phi_s[self.collector - self.n_e]
        li = self.b_v * np.arcsinh(current_a / (2.0 * self.li_j0_a))
        return float(phi_c - current_a * self.separator_ohm - li - self.offset_v)

    def discharge(self, c_rate: float, max_steps: int = 4000) -> ParticleStep:
        """Constant-current discharge from the charged rest state to the lower cut-off."""
        if not c_rate > 0.0:
            raise InputError(f"c_rate={c_rate!r} is not allowed; expected a positive C-rate")
        self.geom = self._geometry()
        self._el_cache = None
        self._lu = None
        self.solves = [0, 0]  # LU factorizations, CG iterations
        na = self.act.size
        current = c_rate * self.one_c_a
        cmax = self.c_max[self.act]
        c = np.repeat((self.x0 * cmax)[:, None], self.opt.shells, 1)
        if na == 0:
            return self._result(c_rate, c, np.zeros(1), np.array([self.v_min]), False, None, 0.0)
        vol = self.vol_m3[self.act]
        j = current * vol * cmax / np.sum(vol * cmax)
        u0 = float(self.tab.ocv(np.array([self.x0]))[0])
        st = _State(c, np.zeros(self.n_e), np.full(self.n_s, u0), j)
        window = float(np.sum(vol * cmax * (self.x1 - self.x0))) * par.FARADAY_C_MOL
        dt_max = self.opt.max_step_capacity * window / current
        dt_fine = CUTOFF_CAPACITY * window / current  # no step is shortened below this
        dt = dt_max / 20.0
        first = self._step(st, current, dt * 1e-6)
        if first is None:
            raise SolverError(f"particle cell: no initial state at {c_rate:g}C")
        st = _State(c, first.phi_e, first.phi_s, first.j)
        v = self._voltage(first, current)
        t, t_state, q_list, v_list = 0.0, 0.0, [0.0], [v]
        reached = v > self.v_min
        for _ in range(max_steps):
            if not reached:
                break
            new = self._step(st, current, dt)
            v_new = self._voltage(new, current) if new is not None else -np.inf
            # a step of under CUTOFF_CAPACITY is not held to the bound (the voltage collapses
            # as the surfaces fill)
            too_big = (abs(v_new - v) > self.opt.max_step_voltage_v and v_new > self.v_min
                       and dt > dt_fine)
            if new is None and self.exhausted and dt <= dt_fine:
                # the surfaces are full: no step takes the current, the voltage collapses
                q_list.append(current * t)
                v_list.append(self.v_min)
                break
            if new is None or too_big:
                if dt < dt_max * 1e-7:
                    reached = False  # the solver gave up before the cut-off
                    break
                dt *= 0.5
                continue
            if v_new <= self.v_min:
                if dt > dt_fine and v - v_new > 0.002:
                    dt *= 0.25
                    continue
                q_list.append(current * (t + (v - self.v_min) / (v - v_new) * dt))
                v_list.append(self.v_min)
                st, t_state = new, t + dt  # the state just past the cut-off
                break
            t += dt
            st, t_state, v = new, t, v_new
            q_list.append(current * t)
            v_list.append(v)
            dt = min(dt * 1.5, dt_max)
        stored = float(np.sum((st.c - c) * self.geom[1]) * par.FARADAY_C_MOL)
        passed = current * t_state
        balance = abs(stored - passed) / passed if passed > 0 else 0.0
        q = np.asarray(q_list) / 3.6 / self.cam_mass_g  # C → mAh, per g
        return self._result(c_rate, st.c, q, np.asarray(v_list), reached, st, balance)

    def _result(self, c_rate, c, q, v, reached, st, balance) -> ParticleStep:
        p = self.net.size
        end = np.zeros(p)
        cause = np.full(p, -1, np.int64)
        if self.act.size:
            cmax = self.c_max[self.act]
            x_mean = np.sum(c * self.geom[1], 1) / np.sum(self.geom[1], 1) / cmax
            end[self.act] = (x_mean - self.x0) / (self.x1 - self.x0)
        stranded = end < STRANDED_BELOW
        cause[stranded & self.no_ion] = 0
        cause[stranded & self.no_el & ~self.no_ion] = 1
        if st is not None and self.act.size:
            drops = self._drops(st)
            sel = stranded[self.act]
            cause[self.act[sel]] = np.argmax(drops[sel], axis=1)
        return ParticleStep(float(c_rate), q, v, reached, np.clip(end, 0.0, 1.0), cause,
                            self.active.copy(), self.no_ion.copy(), self.no_el.copy(),
                            float(balance))

    def _drops(self, st: _State) -> np.ndarray:
        """(P_active, 3) losses in V at the end state: ionic, electronic, kinetic (η + the
        solid-diffusion polarisation U(x̄) − U(x_s))."""
        phi_e = st.phi_e[self.p_e]
        phi_s = st.phi_s[self.p_s - self.n_e]
        phi_c = st.phi_s[self.collector - self.n_e]
        cmax = self.c_max[self.act]
        x_mean = np.sum(st.c * self.geom[1], 1) / np.sum(self.geom[1], 1) / cmax
        xs = st.extra.get("xs", x_mean)
        eta = st.extra.get("eta", np.zeros_like(x_mean))
        kinetic = np.abs(eta) + np.abs(self.tab.ocv(x_mean) - self.tab.ocv(xs))
        return np.stack([np.abs(phi_e), np.abs(phi_c - phi_s), kinetic], axis=1)


class _Pattern:
    """Sparsity of a graph Laplacian on fixed edges, filled with new conductances cheaply."""

    def __init__(self, u: np.ndarray, v: np.ndarray, n: int):
        rows = np.concatenate([u, v, u, v, np.arange(n)])
        cols = np.concatenate([v, u, u, v, np.arange(n)])
        keys, self.slot = np.unique(rows * n + cols, return_inverse=True)
        self.n = n
        counts = np.bincount(keys // n, minlength=n)
        self.indptr = np.concatenate([[0], np.cumsum(counts)])
        self.indices = keys % n

    def laplacian(self, g: np.ndarray, ground: np.ndarray) -> csr_matrix:
        """The Laplacian (S) of edge conductances ``g`` plus ``ground`` on the diagonal."""
        values = np.concatenate([-g, -g, g, g, ground])
        data = np.bincount(self.slot, values, self.indptr[-1])
        return csr_matrix((data, self.indices.copy(), self.indptr.copy()),
                          shape=(self.n, self.n))


def _pcg(matvec, precond, rhs: np.ndarray, max_iter: int,
         atol: float = 0.0) -> tuple[np.ndarray | None, int]:
    """Preconditioned conjugate gradients to ``CG_TOLERANCE`` relative or ``atol`` absolute
    residual (2-norm), whichever is larger; (None,
    iterations) when it does not get there in ``max_iter`` or breaks down (a stale
    preconditioner can make the iterates overflow: that is a refactorisation, not a warning)."""
    with np.errstate(all="ignore"):
        x, k = _pcg_iterate(matvec, precond, rhs, max_iter, atol)
    if x is None or not np.all(np.isfinite(x)):
        return None, k
    return x, k


def _pcg_iterate(matvec, precond, rhs: np.ndarray, max_iter: int, atol: float):
    """The iterations of :func:`_pcg`: (solution or None, iterations)."""
    x = np.zeros_like(rhs)
    r = rhs.copy()
    norm = float(np.linalg.norm(rhs))
    target = max(CG_TOLERANCE * norm, atol)
    if norm <= target:
        return x, 0
    z = precond(r)
    p = z.copy()
    rz = float(r @ z)
    for k in range(1, max_iter + 1):
        q = matvec(p)
        pq = float(p @ q)
        if not (rz > 0.0 and pq > 0.0):  # breakdown: the preconditioner is not SPD enough
            return None, k
        alpha = rz / pq
        x += alpha * p
        r -= alpha * q
        if float(np.linalg.norm(r)) <= target:
            return x, k
        z = precond(r)
        rz_new = float(r @ z)
        if not (np.isfinite(rz_new) and rz_new > 0.0):
            return None, k
        p = z + (rz_new / rz) * p
        rz = rz_new
    return None, max_iter


def _thomas(lower: np.ndarray, diag: np.ndarray, upper: np.ndarray, rhs: np.ndarray):
    """Batched tridiagonal solve: rows (P, n), off-diagonals (P, n − 1)."""
    n = diag.shape[1]
    cp = np.zeros_like(upper)
    dp = np.zeros_like(rhs)
    cp[:, 0] = upper[:, 0] / diag[:, 0]
    dp[:, 0] = rhs[:, 0] / diag[:, 0]
    for k in range(1, n):
        m = diag[:, k] - lower[:, k - 1] * cp[:, k - 1]
        if k < n - 1:
            cp[:, k] = upper[:, k] / m
        dp[:, k] = (rhs[:, k] - lower[:, k - 1] * dp[:, k - 1]) / m
    x = np.zeros_like(rhs)
    x[:, -1] = dp[:, -1]
    for k in range(n - 2, -1, -1):
        x[:, k] = dp[:, k] - cp[:, k] * x[:, k + 1]
    return x
