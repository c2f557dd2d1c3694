"""Blocks of the inverse of a grounded Laplacian by sparse triangular solves (one factorisation).

The ionic network's access resistance of a CAM particle needs M = (A⁻¹)_KK, the transfer
resistances among the electrolyte nodes K it touches, with A the Laplacian grounded at the
separator (symmetric positive definite). A dense solve per contact (A x = e_k over all nodes)
costs the whole factor each time; at full thickness that is 3.3·10⁴ solves over 3.9·10⁴ nodes.

Here A is factorised once by SuperLU with a symmetric minimum-degree ordering and diagonal
pivots (SymmetricMode, threshold 0, so the row and column permutations are the same P):
P A Pᵀ = L U with U = D Lᵀ, hence A⁻¹ = Pᵀ L⁻ᵀ D⁻¹ L⁻¹ P and

    (A⁻¹)_kl = x_kᵀ D⁻¹ x_l,    x_k = L⁻¹ e_{P(k)}.

x_k is nonzero only on the reach of P(k) in the graph of L (its ancestors in the elimination
tree; Gilbert & Peierls, SIAM J. Sci. Stat. Comput. 9 (1988) 862), so no backward solve is
needed and the forward solve is sparse up to the trailing block T of L that is at least half
dense (the last separators, where every reach ends); the columns of one group (one CAM's
contacts, close together) are solved at once over the union of their reaches. On T the
right-hand sides r_k = x_k[T] left before T's own elimination are solved together, a batch of
columns at a time, by a dense triangular solve (BLAS): x_k[T] = L_TT⁻¹ r_k. Same numbers as
the dense solves up to round-off (tests/transport/test_transfer_resistance.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.linalg import solve_triangular
from scipy.sparse import csc_matrix

from cathodetwin.analysis.transport.multigrid import factorize_spd


@njit(cache=True)
def _group_reach(indptr, indices, starts, cut, mark, reach, stack):
    """Sorted union (in reach[:m]) of the reaches of ``starts`` in the graph of L before ``cut``."""
    m = 0
    top = 0
    for s in starts:
        if not mark[s]:
            mark[s] = True
            stack[top] = s
            top += 1
    while top:
        top -= 1
        j = stack[top]
        reach[m] = j
        m += 1
        if j < cut:
            for p in range(indptr[j], indptr[j + 1]):
                i = indices[p]
                if not mark[i]:
                    mark[i] = True
                    stack[top] = i
                    top += 1
    reach[:m].sort()  # lower triangular: increasing index is a topological order
    for q in range(m):
        mark[reach[q]] = False
    return m


@njit(cache=True)
def _sparse_part(indptr, indices, data, inv_diag, cut, rows, ptr, out_ptr, out, trailing):
    """Each group's Σ_{i<cut} x_a x_c / D (A⁻¹ units) into out; trailing right-hand sides."""
    n = inv_diag.size
    kmax = 0
    for b in range(ptr.size - 1):
        kmax = max(kmax, ptr[b + 1] - ptr[b])
    xs = np.zeros((n, kmax))
    mark = np.zeros(n, np.bool_)
    reach = np.empty(n, np.int64)
    stack = np.empty(n, np.int64)
    for b in range(ptr.size - 1):
        k = ptr[b + 1] - ptr[b]
        starts = rows[ptr[b]:ptr[b + 1]]
        m = _group_reach(indptr, indices, starts, cut, mark, reach, stack)
        for a in range(k):
            xs[starts[a], a] = 1.0
        below = 0
        for q in range(m):  # x = L⁻¹ E for the group's k unit columns at once
            j = reach[q]
            if j >= cut:
                break
            below += 1
            for p in range(indptr[j], indptr[j + 1]):
                i = indices[p]
                if i != j:
                    lij = data[p]
                    for a in range(k):
                        xs[i, a] -= lij * xs[j, a]
        block = np.empty((below, k))
        weighted = np.empty((below, k))
        for q in range(m):
            j = reach[q]
            for a in range(k):
                if q < below:
                    block[q, a] = xs[j, a]
                    weighted[q, a] = xs[j, a] * inv_diag[j]
                else:
                    trailing[j - cut, ptr[b] + a - ptr[0]] = xs[j, a]
                xs[j, a] = 0.0
        out[out_ptr[b]:out_ptr[b + 1]] = (block.T @ weighted).ravel()


def _trailing_start(lower: csc_matrix) -> int:
    """First column of the trailing block of L whose columns are all at least half dense."""
    n = lower.shape[0]
    counts = np.diff(lower.indptr)
    cut = n
    while cut > 0 and 2 * counts[cut - 1] >= n - cut + 1:
        cut -= 1
    return cut


def inverse_blocks(matrix: csc_matrix, groups: list[np.ndarray],
                   batch_columns: int = 2048) -> list[np.ndarray]:
    """(A⁻¹)_GG per index group G of sparse SPD A (units of A⁻¹), batch_columns per dense solve."""
    if not groups:
        return []
    lu = factorize_spd(matrix)
    if not np.array_equal(lu.perm_r, lu.perm_c):
        raise RuntimeError("SuperLU left the diagonal: the matrix is not positive definite")
    lower = csc_matrix(lu.L)
    lower.sort_indices()
    inv_diag = 1.0 / lu.U.diagonal()
    cut = _trailing_start(lower)
    dense = lower[cut:, cut:].toarray()
    sizes = np.array([g.size for g in groups], dtype=np.int64)
    ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    out_ptr = np.concatenate([[0], np.cumsum(sizes**2)]).astype(np.int64)
    out = np.zeros(int(out_ptr[-1]))
    rows = lu.perm_r[np.concatenate(groups)].astype(np.int64)
    indptr, indices = lower.indptr.astype(np.int64), lower.indices.astype(np.int64)
    first = 0
    while first < sizes.size:
        last = int(np.searchsorted(ptr, ptr[first] + batch_columns, side="right")) - 1
        last = max(last, first + 1)
        trailing = np.zeros((lower.shape[0] - cut, int(ptr[last] - ptr[first])))
        _sparse_part(indptr, indices, lower.data, inv_diag, cut, rows, ptr[first:last + 1],
                     out_ptr[first:last + 1], out, trailing)
        solved = solve_triangular(dense, trailing, lower=True, unit_diagonal=True,
                                  check_finite=False)
        weighted = solved * inv_diag[cut:, None]
        for b in range(first, last):
            cols = slice(int(ptr[b] - ptr[first]), int(ptr[b + 1] - ptr[first]))
            out[out_ptr[b]:out_ptr[b + 1]] += (solved[:, cols].T @ weighted[:, cols]).ravel()
        first = last
    return [out[out_ptr[b]:out_ptr[b + 1]].reshape(s, s) for b, s in enumerate(sizes)]
