"""A throwaway PostgreSQL server for the tests: Debian's binaries, a cluster in a temp dir.

``initdb`` and ``postgres`` refuse to run as root (as CI runs), so there they run
as the ``postgres`` user the Debian package creates. The server listens on a
Unix socket only, in the cluster's own folder: nothing else on the machine
can reach it, and it is stopped when the test session ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MISSING = "PostgreSQL not installed (Debian package postgresql): initdb not found"


def binaries() -> Path | None:
    """The folder of Debian's PostgreSQL programs (newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a fresh cluster; yield a URL of its database ``eqgnn``; stop and delete it."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError(MISSING)
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    home = Path(tempfile.mkdtemp(prefix="eqgnn-pg-"))
    data, socket = home / "data", home / "socket"
    socket.mkdir()
    if as_user:
        owner = pwd.getpwnam("postgres")
        for path in (home, socket):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = str(40000 + os.getpid() % 20000)
    run = lambda *argv: subprocess.run([*as_user, *argv], check=True, capture_output=True,  # noqa: E731
                                       text=True, timeout=120)
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "eqgnn", "--auth=trust",
            "-E", "UTF8", "--no-sync")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(home / "log"), "-o",
            f"-k {socket} -p {port} -c listen_addresses='' -c fsync=off", "start")
        try:
            run(str(bin_dir / "createdb"), "-h", str(socket), "-p", port, "-U", "eqgnn", "eqgnn")
            yield f"postgresql://eqgnn@/eqgnn?host={socket}&port={port}"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(home, ignore_errors=True)
