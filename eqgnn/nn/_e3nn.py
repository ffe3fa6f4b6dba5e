"""e3nn, imported without loading torch's compiler.

At import, ``e3nn.o3`` decorates one function with ``torch.compiler.disable``,
and that call imports all of ``torch._dynamo``: about 1.3 s of every cold
start (a CLI verdict, a fresh worker), measured with ``python -X importtime``.
eqgnn never compiles a model, so the decorator can only matter under
``torch.compile``; while e3nn imports it is replaced by the identity, then
restored. Every eqgnn module imports e3nn through here.

e3nn builds its constants (Clebsch-Gordan coefficients, Wigner D matrices) in
torch's default dtype, which is one setting for the whole process: eqgnn
switches it to float64 only inside :func:`float64_default`, whose lock keeps
two threads of one server (two visitors' pages) from switching it at once,
where one would restore the other's setting in the middle of its work.
"""

import contextlib
import threading
from collections.abc import Iterator

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

_DEFAULT_DTYPE_LOCK = threading.RLock()  # re-entrant: a model's parts are built inside it


@contextlib.contextmanager
def float64_default() -> Iterator[None]:
    """float64 as torch's default dtype while the block runs, one thread at a time."""
    with _DEFAULT_DTYPE_LOCK:
        previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            yield
        finally:
            torch.set_default_dtype(previous)


__all__ = ["FullyConnectedNet", "Gate", "e3nn", "float64_default", "o3"]
