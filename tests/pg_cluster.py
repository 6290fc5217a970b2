"""A throwaway PostgreSQL cluster for tests: Debian's binaries, a temporary folder, a loopback port.

No system service is needed (.ci/run only installs the ``postgresql`` package): ``initdb`` makes a
cluster in a temporary folder, ``pg_ctl`` starts it on a free 127.0.0.1 port with durability off
(a test database is thrown away), and ``stop`` removes it. Running as root (CI containers),
the server runs as the ``postgres`` user the package creates, since PostgreSQL refuses root.

    cluster = PostgresCluster.start()            # or the ``pg_cluster`` fixture of a test module
    url = cluster.create_database("t1")          # postgresql+psycopg://postgres@127.0.0.1:PORT/t1
    cluster.stop()

``PostgresCluster.unavailable()`` says why a cluster cannot be started here (no binaries, no
``postgres`` user to run as), for a clear ``pytest.skip``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

SEARCH_DIRS = ("/usr/lib/postgresql/*/bin",)  # Debian keeps the server binaries off PATH
START_TIMEOUT = 60  # seconds for pg_ctl -w
SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and Path(found).with_name("initdb").exists():
        return Path(os.path.realpath(found)).parent
    candidates = sorted(
        glob.glob(f"{SEARCH_DIRS[0]}/pg_ctl"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresCluster:
    def __init__(self, *, root: Path, bin_dir: Path, port: int, run_as: str | None) -> None:
        self.root = root
        self.bin_dir = bin_dir
        self.port = port
        self.run_as = run_as
        self.data = root / "data"
        self._engine: sa.Engine | None = None

    @staticmethod
    def unavailable() -> str | None:
        """Why no cluster can be started here, or None."""
        if _bin_dir() is None:
            return (
                "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
                "/usr/lib/postgresql/*/bin: apt-get install postgresql"
            )
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to run PostgreSQL as"
            if shutil.which("runuser") is None:
                return "running as root without runuser(1) to start PostgreSQL as 'postgres'"
        return None

    @classmethod
    def start(cls) -> PostgresCluster:
        reason = cls.unavailable()
        if reason:
            raise RuntimeError(reason)
        bin_dir = _bin_dir()
        assert bin_dir is not None
        run_as = "postgres" if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="pg-test-"))
        if run_as:
            user = pwd.getpwnam(run_as)
            os.chown(root, user.pw_uid, user.pw_gid)
            root.chmod(0o700)
        cluster = cls(root=root, bin_dir=bin_dir, port=_free_port(), run_as=run_as)
        try:
            cluster._run(
                "initdb", "-D", str(cluster.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                "--locale=C", "--no-sync",
            )
            cluster._run(
                "pg_ctl", "-D", str(cluster.data), "-l", str(root / "server.log"), "-w",
                "-t", str(START_TIMEOUT),
                "-o", f"-p {cluster.port} -k {root} {SERVER_OPTIONS}", "start",
            )
        except Exception:
            cluster._cleanup()
            raise
        return cluster

    def _run(self, program: str, *args: str) -> None:
        argv = [str(self.bin_dir / program), *args]
        if self.run_as:
            argv = ["runuser", "-u", self.run_as, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=self.root)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({done.returncode}): {done.stderr or done.stdout}\n{tail}"
            )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database (dropped first if a previous run left one); its URL."""
        if self._engine is None:
            self._engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with self._engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
        return self.url(name)

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            self._cleanup()

    def _cleanup(self) -> None:
        for _ in range(3):
            try:
                shutil.rmtree(self.root)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.2)
