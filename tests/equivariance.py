"""The one invariance / equivariance check every model test calls.

Following e3nn's ``util/test.py``: transform the input, run the model, and
compare with the transformed output of the untransformed input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from eqgnn.batch import collate
from eqgnn.structure import Structure
from eqgnn.transforms import permute, random_rotation, reflect, rotate, translate

TOLERANCE = {torch.float64: 1e-9, torch.float32: 1e-4}


def _embed(model, structures, graph, dtype):
    batch = collate(structures, graph=graph, dtype=dtype, device="cpu")
    with torch.no_grad():
        return model(batch)


def _close(a: torch.Tensor, b: torch.Tensor, dtype) -> float:
    """Relative error; 0 means identical."""
    scale = max(a.abs().max().item(), b.abs().max().item(), 1e-30)
    return (a - b).abs().max().item() / scale


def transformed(
    structures: Sequence[Structure], kind: str, rng: np.random.Generator
) -> list[Structure]:
    """Each structure under a random group element of ``kind``."""
    out = []
    for s in structures:
        if kind == "rotate":
            s = rotate(s, random_rotation(rng))
        elif kind == "translate":
            s = translate(s, rng.normal(size=3) * 5.0)
        elif kind == "permute":
            s = permute(s, rng.permutation(len(s)))
        elif kind == "reflect":
            s = reflect(s, rng.normal(size=3))
        else:
            raise ValueError(kind)
        out.append(s)
    return out


def assert_invariant(
    model: torch.nn.Module,
    structures: Sequence[Structure],
    graph: str | None = None,
    dtype: torch.dtype = torch.float64,
    kinds: Sequence[str] = ("rotate", "translate", "permute", "reflect"),
    seed: int = 0,
) -> None:
    """Embeddings unchanged by random rotations, translations, permutations, reflections."""
    rng = np.random.default_rng(seed)
    ref = _embed(model, structures, graph, dtype).embedding
    assert ref.abs().max() > 0, "embedding is identically zero: the check would be empty"
    for kind in kinds:
        got = _embed(model, transformed(structures, kind, rng), graph, dtype).embedding
        err = _close(ref, got, dtype)
        assert err < TOLERANCE[dtype], f"not invariant under {kind}: relative error {err:.2e}"


def wigner_d(irreps, matrix: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
    """e3nn's D(R) of ``irreps``, computed in ``dtype``.

    e3nn builds D from its generators in torch's default dtype; in float32
    that is only good to ~1e-7, too coarse for a float64 check.
    """
    from e3nn import o3

    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        return o3.Irreps(irreps).D_from_matrix(torch.as_tensor(matrix, dtype=dtype))
    finally:
        torch.set_default_dtype(previous)


def assert_equivariant(
    model: torch.nn.Module,
    structures: Sequence[Structure],
    irreps,
    graph: str | None = None,
    dtype: torch.dtype = torch.float64,
    seed: int = 0,
    reflect_too: bool = True,
    output: str = "node_features",
) -> None:
    """``output`` (node features or the embedding) transforms with D of ``irreps``.

    Under a rotation R, features f(RX) = D(R) f(X); under the inversion,
    parity-odd irreps change sign (``reflect_too``).
    """
    rng = np.random.default_rng(seed)
    ref = getattr(_embed(model, structures, graph, dtype), output)
    assert ref.abs().max() > 0, f"{output} is identically zero: the check would be empty"
    rot = random_rotation(rng)
    moved = [rotate(s, rot) for s in structures]
    inverted = [s.with_positions(-s.positions) for s in structures]
    checks = [("rotation", moved, rot)] + ([("inversion", inverted, -np.eye(3))]
                                           if reflect_too else [])
    for name, inputs, matrix in checks:
        got = getattr(_embed(model, inputs, graph, dtype), output)
        err = _close(ref @ wigner_d(irreps, matrix, dtype).T, got, dtype)
        assert err < TOLERANCE[dtype], f"{output} not equivariant under {name}: {err:.2e}"
