"""Where eqgnn's files live: the data it ships and the user's cache.

The one module that knows the layout, so every other module asks here.

- **Shipped data** (failure cases, the lesson, the QM9 subset, precomputed
  results) is the repository's ``data/`` folder. An installed wheel carries
  it as package data in ``eqgnn/data/``; a checkout (``pip install -e .`` or
  plain ``python -m eqgnn``) reads ``data/`` beside the package. It is
  read-only.
- **The user cache** is ``$EQGNN_CACHE``, else ``~/.cache/eqgnn``: converted
  QM9 arrays and, unless ``$EQGNN_STORE`` names another folder (or a
  PostgreSQL database, :func:`eqgnn.store.open_store`), the writable result
  store.
"""

from __future__ import annotations

import os
from pathlib import Path

from eqgnn.errors import InputError

_PACKAGE = Path(__file__).resolve().parent


def _shipped_data() -> Path:
    """``eqgnn/data`` in an installed wheel, else the checkout's ``data/``."""
    packaged = _PACKAGE / "data"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "data"


DATA_DIR = _shipped_data()
"""The shipped data folder (read-only)."""

CASES_DIR = DATA_DIR / "cases"
"""The failure-case gallery: one JSON pair per case and ``index.json``."""

LESSON_FILE = DATA_DIR / "lesson.json"
"""The guided lesson's steps."""

QM9_SUBSET = DATA_DIR / "qm9_subset.extxyz"
"""The QM9 molecules shipped for machines without ``qm9pack``."""

SHIPPED_RESULTS = DATA_DIR / "results"
"""Precomputed job results, answered before anything is trained."""


def cache_dir() -> Path:
    """The user cache: ``$EQGNN_CACHE``, else ``~/.cache/eqgnn``."""
    return Path(os.environ.get("EQGNN_CACHE") or Path.home() / ".cache" / "eqgnn")


STORE_ENV = "EQGNN_STORE"
"""Names the writable result store: a folder, or a ``postgresql://`` URL."""


def store_setting() -> str:
    """``$EQGNN_STORE`` as set (empty: the default folder). The store's earlier variable,
    ``EQGNN_RESULTS``, set alone would send results somewhere its owner does not look:
    it is refused in one line."""
    setting = os.environ.get(STORE_ENV, "").strip()
    if not setting and os.environ.get("EQGNN_RESULTS"):
        raise InputError(f"EQGNN_RESULTS is no longer read: name the result store with "
                         f"{STORE_ENV} (a folder or a postgresql:// URL)")
    return setting


def results_dir() -> Path:
    """The writable folder store: ``$EQGNN_STORE`` when it names a folder, else
    ``<cache>/results``."""
    setting = store_setting()
    return Path(setting) if setting and "://" not in setting else cache_dir() / "results"
