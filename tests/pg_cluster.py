"""A throw-away PostgreSQL cluster for the tests and benchmarks that run the store on
PostgreSQL: initdb into a temporary directory, started on a free port with its socket in that
directory, removed when stopped. Each store a test opens gets a schema of its own in it.

Loaded by path (tests/conftest.py, benchmarks/), not imported as a package.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: Debian keeps them out of PATH, by major version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    return Path(folders[-1]) if folders else None


class Cluster:
    """A PostgreSQL server of its own, for as long as this object is not stopped."""

    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (initdb not found): apt-get install postgresql")
        self.folder = Path(tempfile.mkdtemp(prefix="cesce-pg-"))
        # initdb refuses to run as root: the cluster then belongs to the postgres user.
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if as_user:
            shutil.chown(self.folder, "postgres")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        data = self.folder / "data"
        self._ctl = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data)]
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "cesce", "--auth=trust",
                        "--no-locale", "-E", "UTF8"], check=True, capture_output=True)
        # Durability is the server's and is not what these tests judge (SIGKILL of a replica
        # leaves the server running): fsync off spares the disk the other tests share.
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
                   " -c synchronous_commit=off -c full_page_writes=off -c max_connections=400")
        subprocess.run([*self._ctl, "-o", options, "-l", str(self.folder / "log"), "-w", "start"], check=True,
                       capture_output=True)
        self.url = f"postgresql://cesce@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run([*self._ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``schema`` first on the search path: the store's tables go there."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"] + [("options", f"-csearch_path={schema}")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def new_schema(url: str) -> tuple[str, str]:
    """A fresh, empty schema in the database at ``url``: its name and the URL that uses it."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return schema, with_schema(url, schema)


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
