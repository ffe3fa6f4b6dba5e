"""S seeds of one model trained as one: stacked weights, one vectorised call.

The pair classifier of :mod:`eqgnn.protocol` and the L sweep's regressors
(:mod:`eqgnn.lsweep`) both train every seed at once this way: one forward and
one backward serve all seeds, each seed's loss and optimiser state its own.
"""

from __future__ import annotations

import torch
from torch import nn

from eqgnn.models import seed_parameters


class StackedSeeds:
    """S seeds' weights for one module, stacked, run by one vectorised call.

    The weights are drawn into the one module seed after seed and copied out as
    tensors (copying an e3nn module itself would recompile its tensor products).
    """

    def __init__(self, classifier: nn.Module, seeds: list[int], device, dtype):
        drawn = []
        for seed in seeds:
            seed_parameters(classifier, seed)
            drawn.append({k: v.detach().clone() for k, v in classifier.state_dict().items()})
        classifier.to(device=device, dtype=dtype)
        trainable = {name for name, _ in classifier.named_parameters()}
        self.params, self.buffers = {}, {}
        for name in drawn[0]:
            stacked = torch.stack([d[name] for d in drawn]).to(device)
            if stacked.is_floating_point():
                stacked = stacked.to(dtype)
            if name in trainable:
                self.params[name] = stacked.requires_grad_()
            else:
                self.buffers[name] = stacked
        self.module = classifier

    def __call__(self, batch):
        """The module's output on ``batch`` for every seed, with a leading seed axis
        (the pair classifier: logits (S, 2, 2) and embeddings (S, 2, D))."""
        from torch.func import functional_call, vmap

        def one(params, buffers):
            return functional_call(self.module, (params, buffers), (batch,))

        return vmap(one)(self.params, self.buffers)
