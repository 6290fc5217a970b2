"""The local Prefect stack for an engineer: ``make prefect-up`` / ``make prefect-down``.

``up`` starts a Prefect server bound to 127.0.0.1, waits until it is healthy, creates the process
work pool, deploys everything in prefect.yaml (``prefect --no-prompt deploy --all``) and starts a
worker; then it returns, leaving the server and the worker running in the background. ``down``
stops them: SIGINT (the worker ignores a single SIGTERM, ../shared/FACTS.md), then SIGKILL after a
grace period. ``status`` says what runs. The tests use the same script (tests/prefect_stack.py).

State lives in one folder (default ``.prefect-stack/``, git-ignored): ``stack.json`` (URL, pids,
start-up times), ``server.pid`` and ``worker.pid`` (pid and start time, so a reused pid is never
signalled), ``server.log``, ``worker.log``, ``setup.log``, and ``home/`` (PREFECT_HOME: the
server's SQLite database).

    python scripts/prefect_stack.py up [--port 4200] [--state-dir .prefect-stack]
    python scripts/prefect_stack.py status
    python scripts/prefect_stack.py down

Standard library only; the ``prefect`` commands run from this interpreter's environment.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = PROJECT_DIR / ".prefect-stack"
DEFAULT_PORT = 4200
POOL = "publicity"
SERVER_TIMEOUT = 180.0  # seconds: ~11 s on a new database, much more on a busy 2-core machine
WORKER_TIMEOUT = 120.0  # seconds until the worker has registered with the server
COMMAND_TIMEOUT = 300.0  # seconds for `prefect work-pool create` / `prefect deploy --all`
GRACE = 20.0  # seconds between SIGINT and SIGKILL
PROCESSES = ("worker", "server")  # stop order: the worker first, then the server it talks to
# Settings that would point the stack's commands at another server or profile.
_INHERITED_PREFECT = ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_HOME", "PREFECT_PROFILES_PATH",
                      "PREFECT_PROFILE", "PREFECT_UI_API_URL", "PREFECT_SERVER_UI_API_URL")
OFFLINE_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_CLI_PROMPT": "false",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "publicity",
}


class StackError(RuntimeError):
    """The stack could not be started or stopped; the message says why and where the logs are."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prefect() -> list[str]:
    return [sys.executable, "-m", "prefect"]


def stack_env(state_dir: Path, port: int, *, query_seconds: float | None = None) -> dict[str, str]:
    """The environment of every process of the stack: its own home and API, offline."""
    env = {k: v for k, v in os.environ.items()
           if k not in _INHERITED_PREFECT and k != "PUBLICITY_PROJECT_DIR"}
    env.update(OFFLINE_ENV)
    env["PREFECT_HOME"] = str(state_dir / "home")
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    if query_seconds is not None:
        env["PREFECT_WORKER_QUERY_SECONDS"] = str(query_seconds)
    return env


# ---- processes ----------------------------------------------------------------------------------


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[19] if len(fields) > 19 else None


def _alive(pid: int, started: str | None) -> bool:
    """Whether ``pid`` is still the process we started (not a zombie, not a reused pid)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return False
    return started is None or fields[19] == started


def _spawn(name: str, args: list[str], *, state_dir: Path, env: dict[str, str]) -> int:
    log = open(state_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
    proc = subprocess.Popen(
        args, cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,  # its own group: down signals it all
    )
    log.close()
    (state_dir / f"{name}.pid").write_text(f"{proc.pid} {_start_time(proc.pid) or ''}\n")
    return proc.pid


def _read_pid(state_dir: Path, name: str) -> tuple[int, str | None] | None:
    try:
        text = (state_dir / f"{name}.pid").read_text().split()
    except OSError:
        return None
    if not text:
        return None
    return int(text[0]), (text[1] if len(text) > 1 else None)


def running(state_dir: Path, name: str) -> int | None:
    """The pid of the stack's ``name`` process if it runs, else None."""
    record = _read_pid(state_dir, name)
    if record and _alive(*record):
        return record[0]
    return None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # the group of a process started with start_new_session is its pid
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)


def _descendants(pid: int) -> list[tuple[int, str | None]]:
    """Every process below ``pid`` (pid, start time): the worker starts each flow run in a new
    session, which signalling the worker's group would miss."""
    parents: dict[int, list[int]] = {}
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat_path.parent.name))
    found: list[tuple[int, str | None]] = []
    queue = [pid]
    while queue:
        for child in parents.get(queue.pop(), []):
            found.append((child, _start_time(child)))
            queue.append(child)
    return found


def _stop(targets: list[tuple[int, str | None]], *, grace: float) -> bool:
    """SIGINT each, SIGKILL those alive after ``grace``; True when none needed SIGKILL."""
    for pid, started in targets:
        if _alive(pid, started):
            _signal_group(pid, signal.SIGINT)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(p, s) for p, s in targets):
        time.sleep(0.2)
    gentle = True
    for pid, started in targets:
        if _alive(pid, started):
            gentle = False
            _signal_group(pid, signal.SIGKILL)
    return gentle


def stop_process(state_dir: Path, name: str, *, grace: float = GRACE) -> str:
    """SIGINT, then SIGKILL after ``grace`` seconds, for the process and what it started."""
    record = _read_pid(state_dir, name)
    if record is None:
        return f"{name}: not started"
    pid, started = record
    if not _alive(pid, started):
        (state_dir / f"{name}.pid").unlink(missing_ok=True)
        return f"{name}: not running"
    began = time.monotonic()
    children = _descendants(pid)
    gentle = _stop([record], grace=grace)
    leftovers = [c for c in children if _alive(*c)]  # e.g. flow runs the worker left behind
    if leftovers:
        gentle = _stop(leftovers, grace=grace) and gentle
    took = time.monotonic() - began
    (state_dir / f"{name}.pid").unlink(missing_ok=True)
    how = "stopped by SIGINT" if gentle else "killed (SIGKILL after SIGINT)"
    extra = f", and {len(leftovers)} processes it had started" if leftovers else ""
    return f"{name} (pid {pid}){extra}: {how} in {took:.1f} s"


# ---- steps --------------------------------------------------------------------------------------


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/health", timeout=5) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_healthy(url: str, *, pid: int, state_dir: Path, timeout: float) -> float:
    began = time.monotonic()
    record = _read_pid(state_dir, "server")
    while time.monotonic() - began < timeout:
        if _healthy(url):
            return time.monotonic() - began
        if record and not _alive(*record):
            raise StackError(
                f"The Prefect server (pid {pid}) exited before it was healthy. "
                f"{state_dir / 'server.log'}:\n{_tail(state_dir / 'server.log')}"
            )
        time.sleep(0.5)
    raise StackError(
        f"The Prefect server at {url} was not healthy after {timeout:.0f} s. "
        f"{state_dir / 'server.log'}:\n{_tail(state_dir / 'server.log')}"
    )


def run_command(args: list[str], *, env: dict[str, str], state_dir: Path, what: str) -> float:
    """Run a prefect command to completion, its output appended to setup.log; seconds taken."""
    began = time.monotonic()
    log_path = state_dir / "setup.log"
    with open(log_path, "ab") as log:
        log.write(f"\n$ {' '.join(args)}\n".encode())
        log.flush()
        try:
            result = subprocess.run(
                args, cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise StackError(f"{what} took over {COMMAND_TIMEOUT:.0f} s. {log_path}:\n"
                             f"{_tail(log_path)}") from exc
    if result.returncode != 0:
        raise StackError(f"{what} failed (exit {result.returncode}). {log_path}:\n{_tail(log_path)}")
    return time.monotonic() - began


def _worker_online(url: str, pool: str) -> bool:
    request = urllib.request.Request(
        f"{url}/api/work_pools/{pool}/workers/filter", data=b"{}", method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            workers = json.loads(response.read())
    except (urllib.error.URLError, OSError, TimeoutError, ValueError):
        return False
    return any(w.get("status") == "ONLINE" or w.get("last_heartbeat_time") for w in workers)


def up(
    state_dir: Path, *, port: int, pool: str = POOL, query_seconds: float | None = None,
    server_timeout: float = SERVER_TIMEOUT, worker_timeout: float = WORKER_TIMEOUT,
) -> dict[str, object]:
    """Start (or complete) the stack; returns what ``stack.json`` records."""
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "home").mkdir(exist_ok=True)
    info_path = state_dir / "stack.json"
    previous = json.loads(info_path.read_text()) if info_path.exists() else {}
    server_pid = running(state_dir, "server")
    if server_pid and previous.get("port"):
        port = int(previous["port"])
    elif port == 0:
        port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = stack_env(state_dir, port, query_seconds=query_seconds)
    timings: dict[str, float] = {}
    began = time.monotonic()
    if server_pid is None:
        server_pid = _spawn(
            "server", [*_prefect(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            state_dir=state_dir, env=env,
        )
    timings["server_healthy_s"] = wait_healthy(url, pid=server_pid, state_dir=state_dir,
                                               timeout=server_timeout)
    timings["work_pool_s"] = run_command(
        [*_prefect(), "work-pool", "create", pool, "--type", "process", "--overwrite"],
        env=env, state_dir=state_dir, what=f"Creating the work pool {pool!r}",
    )
    timings["deploy_s"] = run_command(
        [*_prefect(), "--no-prompt", "deploy", "--all"],
        env=env, state_dir=state_dir, what="`prefect --no-prompt deploy --all`",
    )
    worker_pid = running(state_dir, "worker")
    if worker_pid is None:
        worker_began = time.monotonic()
        # Only the worker gets the project folder: prefect.yaml's pull step reads it when a run
        # starts (a deploy with it set would bake this machine's path into the deployment).
        worker_env = {**env, "PUBLICITY_PROJECT_DIR": str(PROJECT_DIR)}
        worker_pid = _spawn(
            "worker", [*_prefect(), "worker", "start", "--pool", pool, "--type", "process",
                       "--name", f"publicity-{socket.gethostname()}-{port}"],
            state_dir=state_dir, env=worker_env,
        )
        while not _worker_online(url, pool):
            if not _alive(*(_read_pid(state_dir, "worker") or (worker_pid, None))):
                raise StackError(f"The worker exited. {state_dir / 'worker.log'}:\n"
                                 f"{_tail(state_dir / 'worker.log')}")
            if time.monotonic() - worker_began > worker_timeout:
                raise StackError(f"The worker did not come online in {worker_timeout:.0f} s. "
                                 f"{state_dir / 'worker.log'}:\n{_tail(state_dir / 'worker.log')}")
            time.sleep(0.5)
        timings["worker_online_s"] = time.monotonic() - worker_began
    timings["total_s"] = time.monotonic() - began
    info: dict[str, object] = {
        "url": url, "api_url": f"{url}/api", "ui_url": f"{url}/", "port": port, "pool": pool,
        "server_pid": server_pid, "worker_pid": worker_pid, "prefect_home": str(state_dir / "home"),
        "project_dir": str(PROJECT_DIR), "timings": {k: round(v, 1) for k, v in timings.items()},
    }
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    return info


def down(state_dir: Path, *, grace: float = GRACE) -> list[str]:
    return [stop_process(state_dir, name, grace=grace) for name in PROCESSES]


def status(state_dir: Path) -> list[str]:
    info_path = state_dir / "stack.json"
    info = json.loads(info_path.read_text()) if info_path.exists() else {}
    lines = []
    for name in ("server", "worker"):
        pid = running(state_dir, name)
        lines.append(f"{name}: {'running, pid %d' % pid if pid else 'not running'}")
    if info.get("url") and running(state_dir, "server"):
        health = "healthy" if _healthy(str(info["url"])) else "not answering"
        lines.append(f"UI: {info['ui_url']} ({health}); API: {info['api_url']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--state-dir", type=Path,
                        default=Path(os.environ.get("PREFECT_STACK_DIR", DEFAULT_STATE_DIR)))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PREFECT_STACK_PORT", DEFAULT_PORT)),
                        help="server port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--pool", default=POOL)
    parser.add_argument("--query-seconds", type=float, default=None,
                        help="the worker's PREFECT_WORKER_QUERY_SECONDS (Prefect's default: 10)")
    parser.add_argument("--server-timeout", type=float, default=SERVER_TIMEOUT)
    parser.add_argument("--grace", type=float, default=GRACE, help="seconds from SIGINT to SIGKILL")
    args = parser.parse_args(argv)
    state_dir = args.state_dir.resolve()
    if args.command == "down":
        for line in down(state_dir, grace=args.grace):
            print(line)
        return 0
    if args.command == "status":
        for line in status(state_dir):
            print(line)
        return 0
    try:
        info = up(state_dir, port=args.port, pool=args.pool, query_seconds=args.query_seconds,
                  server_timeout=args.server_timeout)
    except StackError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        print("Stopping what was started:", "; ".join(down(state_dir, grace=args.grace)),
              file=sys.stderr)
        return 1
    timings = info["timings"]
    print(f"Prefect UI:  {info['ui_url']}")
    print(f"API:         {info['api_url']}   (export PREFECT_API_URL={info['api_url']})")
    print(f"work pool:   {info['pool']} (process), worker pid {info['worker_pid']}")
    print(f"logs:        {state_dir}/server.log, worker.log, setup.log")
    print("start-up:    " + ", ".join(f"{k} {v}" for k, v in timings.items()))  # type: ignore[union-attr]
    print("stop with:   make prefect-down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
