"""Scatter and gather written with torch alone (no torch_scatter)."""

from __future__ import annotations

import torch


def scatter_sum(src: torch.Tensor, index: torch.Tensor, dim_size: int) -> torch.Tensor:
    """out[index[e]] += src[e] along the first dimension."""
    out = src.new_zeros((dim_size,) + tuple(src.shape[1:]))
    return out.index_add_(0, index, src)


def scatter_mean(src: torch.Tensor, index: torch.Tensor, dim_size: int) -> torch.Tensor:
    """The mean of ``src`` rows per index; empty groups give zeros."""
    total = scatter_sum(src, index, dim_size)
    count = scatter_sum(torch.ones_like(index, dtype=src.dtype), index, dim_size)
    return total / count.clamp(min=1).view((-1,) + (1,) * (src.dim() - 1))
