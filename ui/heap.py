"""Keep Python's cyclic garbage collector off the long-lived heap of the server.

The server holds torch, e3nn, pandas and Streamlit: a few hundred thousand
objects that live as long as the process. Every full collection walks all of
them (about 0.1 s on two cores), and one lands at random in a page run, so one
gallery view in four took a third of a second longer. ``gc.freeze`` moves the
objects alive now into a permanent generation that collections skip; calling
it after each run that imported new modules keeps the imports out of reach.
The price is that a reference cycle alive at a freeze is never collected,
bounded by the number of freezes (one per newly imported module set).
"""

from __future__ import annotations

import gc
import sys

_frozen_modules = 0


def freeze_new_imports() -> None:
    """After a script run: freeze the heap if modules were imported since the last freeze."""
    global _frozen_modules
    if len(sys.modules) > _frozen_modules:
        gc.collect()  # garbage is freed first, not frozen
        gc.freeze()
        _frozen_modules = len(sys.modules)
