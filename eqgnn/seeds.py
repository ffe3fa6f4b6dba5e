"""S seeds of one model trained as one: stacked weights, one vectorised call.

The pair classifier of :mod:`eqgnn.protocol` and the L sweep's regressors
(:mod:`eqgnn.lsweep`) both train every seed at once this way: one forward and
one backward serve all seeds, each seed's loss and optimiser state its own.

Two kinds of module cannot go through ``torch.func`` and run seed after seed
instead, with the same numbers (``vectorised`` is then False):

- one that ``vmap`` cannot transform (one that flips ``requires_grad`` inside
  its forward, as mace-torch's MACE does): the stacked weights, one call each;
- one that registers a submodule twice (torch-geometric's SchNet keeps its
  filter network as ``mlp`` and as ``conv.nn``): ``functional_call`` does not
  put such weights back, so each seed gets its own copy of the module.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from eqgnn.models import seed_parameters


def shares_weights(module: nn.Module) -> bool:
    """Is some parameter or buffer reachable under two names?"""
    names = [*module.named_parameters(remove_duplicate=False),
             *module.named_buffers(remove_duplicate=False)]
    return len({id(t) for _, t in names}) != len(names)


class StackedSeeds:
    """S seeds' weights for one module, stacked, run by one vectorised call.

    The weights are drawn into the one module seed after seed and copied out as
    tensors (copying an e3nn module itself would recompile its tensor products).
    ``params`` holds every trainable tensor, for the optimiser.
    """

    def __init__(self, classifier: nn.Module, seeds: list[int], device, dtype):
        self.module = classifier
        self.copies: list[nn.Module] = []
        self.params, self.buffers = {}, {}
        if shares_weights(classifier):
            for seed in seeds:
                self.copies.append(copy.deepcopy(seed_parameters(classifier, seed)).to(
                    device=device, dtype=dtype))
            self.params = {f"{s}.{name}": p for s, c in enumerate(self.copies)
                           for name, p in c.named_parameters()}
            self.vectorised: bool | None = False
            return
        drawn = []
        for seed in seeds:
            seed_parameters(classifier, seed)
            drawn.append({k: v.detach().clone() for k, v in classifier.state_dict().items()})
        classifier.to(device=device, dtype=dtype)
        trainable = {name for name, _ in classifier.named_parameters()}
        for name in drawn[0]:
            stacked = torch.stack([d[name] for d in drawn]).to(device)
            if stacked.is_floating_point():
                stacked = stacked.to(dtype)
            if name in trainable:
                self.params[name] = stacked.requires_grad_()
            else:
                self.buffers[name] = stacked
        self.vectorised = None  # decided by the first call

    def __call__(self, batch):
        """The module's output on ``batch`` for every seed, with a leading seed axis
        (the pair classifier: logits (S, 2, 2) and embeddings (S, 2, D))."""
        from torch.func import functional_call, vmap

        if self.copies:
            return _stacked([c(batch) for c in self.copies])

        def one(params, buffers):
            return functional_call(self.module, (params, buffers), (batch,))

        if self.vectorised is not False:
            try:
                out = vmap(one)(self.params, self.buffers)
            except RuntimeError:
                if self.vectorised:  # vmap ran before: this failure is the module's own
                    raise
                self.vectorised = False  # a real error raises again from the loop below
            else:
                self.vectorised = True
                return out
        seeds = next(iter(self.params.values())).shape[0]
        return _stacked([one({k: v[s] for k, v in self.params.items()},
                             {k: v[s] for k, v in self.buffers.items()}) for s in range(seeds)])


def _stacked(outputs: list[tuple]) -> tuple:
    return tuple(torch.stack(parts) for parts in zip(*outputs))
