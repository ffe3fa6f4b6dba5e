"""e3nn, imported without loading torch's compiler.

At import, ``e3nn.o3`` decorates one function with ``torch.compiler.disable``,
and that call imports all of ``torch._dynamo``: about 1.3 s of every cold
start (a CLI verdict, a fresh worker), measured with ``python -X importtime``.
eqgnn never compiles a model, so the decorator can only matter under
``torch.compile``; while e3nn imports it is replaced by the identity, then
restored. Every eqgnn module imports e3nn through here.
"""

import torch


def _no_compiler_disable(fn=None, recursive=True, *, reason=None):
    """``torch.compiler.disable`` for code that is never compiled: the function as it is."""
    return fn if fn is not None else (lambda function: function)


_compiler_disable = torch.compiler.disable
torch.compiler.disable = _no_compiler_disable
try:
    import e3nn
    from e3nn import o3
    from e3nn.nn import FullyConnectedNet, Gate
finally:
    torch.compiler.disable = _compiler_disable

__all__ = ["FullyConnectedNet", "Gate", "e3nn", "o3"]
