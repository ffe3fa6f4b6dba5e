r"""lambda(X) = rho(g_X)^-1 f(X) for the steerable model, the type converter, and the report.

Wang et al. (ICLR 2024), Lemma 1 (SCIENCE.md, Claim 3): with the moving
frame g_X of :mod:`eqgnn.frames._moving_frame`, an equivariant feature
f(X) of irreps A is rho_A(g_X) lambda(X) with lambda(X) = rho_A(g_X)^-1 f(X)
invariant: f(RX) = rho_A(R) f(X) and g_{RX} = R g_X give
lambda(RX) = rho_A(g_X)^-1 rho_A(R)^-1 rho_A(R) f(X) = lambda(X). So f carries
exactly dim A invariant numbers, and through the frame it can be re-expressed
in any irreps B of the same dimension:

    f_B = rho_B(g_X) M rho_A(g_X)^-1 f_A,   f_A = rho_A(g_X) M^T rho_B(g_X)^-1 f_B,

with M a fixed orthogonal D x D matrix; f_B is again equivariant. With B =
D x 0e, a type-l feature becomes 2l + 1 scalars and back: type does not
matter at fixed dimension where the stabiliser is trivial.

f is the embedding of an untrained equivariant-readout TFN-style model
(``eqgnn.models``); rho is e3nn's D (an orthogonal matrix, so rho^-1 =
rho^T), applied block by block. torch and e3nn are imported inside the
functions, so importing :mod:`eqgnn.frames` stays light.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eqgnn.errors import InputError
from eqgnn.frames._moving_frame import moving_frame
from eqgnn.frames._stabiliser import check_group, check_lmax, free_components, rank, stabiliser
from eqgnn.oracle import DEFAULT_TOL
from eqgnn.structure import Structure
from eqgnn.transforms import random_rotation, rotate

SAMPLES = 20  # random rotations (and, under O3, improper maps) lambda is checked under
SEED = 0


def frame_report(
    structure: Structure,
    lmax: int = 4,
    group: str = "O3",
    tol: float = DEFAULT_TOL,
    graph: str | None = None,
    with_model: bool = True,
    to: str | None = None,
) -> dict:
    """Everything SCIENCE.md, Claim 3 says about one structure, JSON-able.

    ``rank``, ``stabiliser`` (order, proper, improper, Schoenflies name),
    ``free_components`` per type up to ``lmax``, ``frame`` (unique, matrix,
    reason, rule); with a unique frame and ``with_model``, also the model's
    ``irreps``, ``features`` f, ``lambda``, ``reconstruction_error``
    |rho(g_X) lambda - f|, ``lambda_max_change`` over random rotations (and
    reflections under O3), and ``converter`` from f's irreps to ``to``
    (default D x 0e).
    """
    check_group(group)
    check_lmax(lmax)
    if graph is not None:
        from eqgnn.graph import parse_rule

        parse_rule(graph)
    stab = stabiliser(structure, group, tol)
    frame = moving_frame(structure, group, tol)
    report = {
        "structure": structure.name, "group": group, "lmax": lmax, "tol": tol,
        "rank": rank(structure, tol), "stabiliser": stab.to_dict(),
        "free_components": free_components(stab, lmax), "frame": frame.to_dict(),
    }
    if frame.unique and with_model:
        report.update(lambda_report(structure, lmax, group, tol, graph, to))
    return report


def lambda_report(
    structure: Structure,
    lmax: int,
    group: str = "O3",
    tol: float = DEFAULT_TOL,
    graph: str | None = None,
    to: str | None = None,
    model=None,
) -> dict:
    """lambda, its reconstruction and invariance, and the converter's errors (module docstring).

    The checks run on ``SAMPLES`` seeded random orthogonal maps of the input:
    proper rotations, and under O3 every other one composed with -I. ``model``:
    :func:`steerable_model` of the same lmax and group, if already built.
    """
    model = model if model is not None else steerable_model(lmax, group, graph)
    irreps_a = model.irreps_node_features
    irreps_b = _target_irreps(to, irreps_a)
    rng = np.random.default_rng(SEED)
    motions = [random_rotation(rng) * (-1.0 if group == "O3" and k % 2 else 1.0)
               for k in range(SAMPLES)]
    inputs = [structure] + [rotate(structure, r) for r in motions]
    lambdas, feats, frames = invariant_lambda(model, inputs, group, tol, graph)
    m = _orthogonal(irreps_a.dim, SEED)
    f_b = _through_frame(irreps_a, irreps_b, frames, feats, m)
    back = _through_frame(irreps_b, irreps_a, frames[0], f_b[0], m.T)
    expected_b = apply_rho(irreps_b, np.stack(motions), np.broadcast_to(f_b[0], f_b[1:].shape))
    return {
        "irreps": str(irreps_a),
        "model": f"tfn preset, lmax {lmax}, {group}, equivariant readout, seed 0",
        "lambda": lambdas[0].tolist(),
        "features": feats[0].tolist(),
        "reconstruction_error": _max_abs(apply_rho(irreps_a, frames[0], lambdas[0]) - feats[0]),
        "lambda_max_change": _max_abs(lambdas[1:] - lambdas[0]),
        "samples": SAMPLES,
        "converter": {
            "irreps_a": str(irreps_a),
            "irreps_b": str(irreps_b),
            "round_trip_error": _max_abs(back - feats[0]),
            "equivariance_error": _max_abs(f_b[1:] - expected_b),
        },
    }


def steerable_model(lmax: int, group: str = "O3", graph: str | None = None):
    """The seeded (seed 0) float64 TFN-style model whose embedding f transforms with
    ``model.irreps_node_features`` (the equivariant readout)."""
    import torch

    from eqgnn.config import config_from_options
    from eqgnn.models import build_model

    config = config_from_options("tfn", lmax=lmax, readout="equivariant", graph=graph,
                                 group=group)
    return build_model(config, seed=0, dtype=torch.float64)


def invariant_lambda(
    model, structures: Sequence[Structure], group: str = "O3", tol: float = DEFAULT_TOL,
    graph: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lambda, f, g_X) per structure: lambda = rho(g_X)^T f, rows in input order.

    Every structure needs a unique frame; one that has none raises
    :class:`InputError` (a structure at the edge of the tolerance can lose it
    under a rotation, by float rounding).
    """
    frames = []
    for s in structures:
        frame = moving_frame(s, group, tol)
        if not frame.unique:
            raise InputError(f"{s.name}: {frame.reason}; lambda needs a unique frame")
        frames.append(frame.matrix)
    feats = features(model, structures, graph)
    frames = np.stack(frames)
    return apply_rho(model.irreps_node_features, frames, feats, inverse=True), feats, frames


def features(model, structures: Sequence[Structure], graph: str | None = None) -> np.ndarray:
    """The model's embedding f of each structure (rows), in float64 on the CPU."""
    import torch

    from eqgnn.batch import collate

    batch = collate(list(structures), graph=graph, dtype="float64", device="cpu")
    with torch.no_grad():
        return model(batch).embedding.numpy()


def apply_rho(irreps, matrix: np.ndarray, f: np.ndarray, inverse: bool = False) -> np.ndarray:
    """rho(g) f (rho(g)^-1 f with ``inverse``) for features f (..., D) of ``irreps``.

    ``matrix`` is one g (3, 3) or one per row of f (k, 3, 3); rho is applied
    block by block (one D per irrep, never the full D x D matrix). e3nn's
    D_from_matrix handles an improper g through parity, D_(l,p)(g) =
    p D_l(-g); it builds D in torch's default dtype, so float64 is made the
    default while it runs (in float32 D is only good to ~1e-7).
    """
    import torch

    from eqgnn.nn import float64_default, o3

    irreps = o3.Irreps(irreps)
    out = np.empty_like(f)
    lead = f.shape[:-1]
    with float64_default():
        g = torch.as_tensor(np.asarray(matrix), dtype=torch.float64)
        for (mul, ir), part in zip(irreps, irreps.slices()):
            d = ir.D_from_matrix(g).numpy()
            block = f[..., part].reshape(*lead, mul, ir.dim)
            out[..., part] = (block @ (d if inverse else np.swapaxes(d, -1, -2))).reshape(*lead, -1)
    return out


def _through_frame(irreps_in, irreps_out, g: np.ndarray, f: np.ndarray,
                   m: np.ndarray) -> np.ndarray:
    """rho_out(g) M rho_in(g)^-1 f: a feature of irreps_in re-expressed in irreps_out (rows of
    f with one g each, or one f and g)."""
    return apply_rho(irreps_out, g, apply_rho(irreps_in, g, f, inverse=True) @ m.T)


def _target_irreps(to: str | None, irreps_a):
    """The converter's irreps B: ``to``, or D x 0e; its dimension must be A's."""
    from eqgnn.nn import o3

    if to is None:
        return o3.Irreps(f"{irreps_a.dim}x0e")
    try:
        irreps_b = o3.Irreps(to)
    except (ValueError, AssertionError) as exc:
        raise InputError(f"--to {to!r} is not an irreps string such as '8x0e+4x1o' "
                         f"({exc})") from None
    if irreps_b.dim != irreps_a.dim:
        raise InputError(f"--to {to!r} has dimension {irreps_b.dim}, but the features "
                         f"{irreps_a} have dimension {irreps_a.dim}: give irreps of "
                         f"dimension {irreps_a.dim}")
    return irreps_b


def _orthogonal(dim: int, seed: int) -> np.ndarray:
    """A seeded random orthogonal matrix (QR of a Gaussian, signs fixed: Haar-distributed)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(dim, dim)))
    return q * np.sign(np.diag(r))


def _max_abs(x: np.ndarray) -> float:
    return float(np.max(np.abs(x))) if np.size(x) else 0.0
