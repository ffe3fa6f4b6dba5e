"""Which store the product reads and writes: the one ``$EQGNN_STORE`` names."""

from __future__ import annotations

from eqgnn.errors import InputError
from eqgnn.paths import STORE_ENV, store_setting
from eqgnn.store._folder import ResultStore
from eqgnn.store._postgres import PostgresStore


def open_store(url: str | None = None) -> ResultStore | PostgresStore:
    """The store the product reads and writes: ``url``, else ``$EQGNN_STORE``.

    A ``postgresql://`` (or ``postgres://``) URL opens a
    :class:`~eqgnn.store._postgres.PostgresStore`, a path a folder store there,
    nothing the default folder; the shipped results come after each.
    """
    where = (url or "").strip() or store_setting()
    if where.startswith(("postgresql://", "postgres://")):
        return PostgresStore(where)
    if "://" in where:
        raise InputError(f"{STORE_ENV} / --store {where.split('://')[0]}://…: give a "
                         "postgresql:// URL or a folder")
    return ResultStore(where or None)
