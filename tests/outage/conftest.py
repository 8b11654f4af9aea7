"""A stack on its own PostgreSQL and Redis, which the tests stop and start under it.

The servers are private: started here, on free ports, with their data in a temporary folder.
The machine's shared PostgreSQL (5432) and Redis (6379), which other test suites use, are never
touched. PostgreSQL's server binaries come from Debian's `postgresql` package
(/usr/lib/postgresql/<version>/bin); initdb refuses to run as root, so as root the servers run
as the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.stack import (
    START_TIMEOUT_S,
    actions_process,
    free_port,
    rasa_process,
    require_model,
    seed_register,
    service_env,
    web_process,
    write_test_endpoints,
)

SERVER_START_S = 60.0  # PostgreSQL replays its log after a fast stop: seconds at most


def _wait(ready, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start within {SERVER_START_S:g} s\n{tail}")


class PrivateRedis:
    """redis-server on a free port, a child process without persistence (a restart empties it,
    as a failed-over cache would be)."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("the outage tests need redis-server (Debian: apt-get install redis-server)")
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = folder / "redis.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", str(self.folder)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        _wait(self.answers, f"redis-server on port {self.port}", self.log)

    def answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _postgres_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        pytest.fail(
            "the outage tests need PostgreSQL's server binaries (initdb, pg_ctl) under "
            "/usr/lib/postgresql/<version>/bin: apt-get install postgresql"
        )
    return found[-1].parent


class PrivatePostgres:
    """A PostgreSQL cluster of its own in `folder` (trust authentication, loopback only)."""

    def __init__(self, folder: Path) -> None:
        self.bin = _postgres_bin()
        self.port = free_port()
        self.folder = folder
        self.data, self.sockets, self.log = folder / "data", folder / "sockets", folder / "pg.log"
        self.sockets.mkdir()
        self.owner = None
        if os.geteuid() == 0:  # initdb and postgres refuse root
            self.owner = pwd.getpwnam("postgres")
            for path in (folder, self.sockets):
                os.chown(path, self.owner.pw_uid, self.owner.pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/tillverka"

    def _run(self, *argv: str) -> None:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.owner is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed:\n{done.stdout}\n{done.stderr}")

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres",
                  "--encoding=UTF8", "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "tillverka")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", str(int(SERVER_START_S)), "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


class OutageStack:
    """The action server, Rasa (tracker store on the private PostgreSQL, lock store on the
    private Redis) and the web app (REDIS_URL on the private Redis).

    Attributes: web_url, rasa_url, jwt_secret, redis (PrivateRedis), postgres (PrivatePostgres),
    log_dir; the same names as tests/web's Stack, so its Browser works here."""

    def __init__(self, tmp: Path, postgres: PrivatePostgres, redis: PrivateRedis) -> None:
        self.postgres, self.redis = postgres, redis
        self.log_dir = tmp / "logs"
        self.log_dir.mkdir()
        web_port, rasa_port, actions_port = free_port(), free_port(), free_port()
        self.web_url = f"http://localhost:{web_port}"
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self.jwt_secret = secrets.token_urlsafe(48)
        self.database_url = postgres.url
        base = {**service_env(tmp, postgres.url), "REDIS_URL": redis.url}
        web_env = {
            **base,
            "RASA_URL": self.rasa_url,
            "RASA_JWT_SECRET": self.jwt_secret,
            "TILLVERKA_COOKIE_KEY": secrets.token_urlsafe(48),
            "TILLVERKA_ADMIN_TOKEN": secrets.token_urlsafe(48),
        }
        endpoints = write_test_endpoints(tmp, postgres.url, actions_port, redis_url=redis.url)
        self.processes = [
            actions_process(base, actions_port, self.log_dir),
            rasa_process(
                base, rasa_port, endpoints, "credentials.yml", self.log_dir, self.jwt_secret
            ),
            web_process(web_env, web_port, self.log_dir),
        ]

    def start(self) -> None:
        for process in self.processes:
            process.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        for process in self.processes:
            process.wait_healthy(deadline)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def rasa_log(self) -> str:
        return (self.log_dir / "rasa.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def outage_stack():
    require_model()
    tmp = Path(tempfile.mkdtemp(prefix="tillverka-outage-"))
    servers = Path(tempfile.mkdtemp(prefix="tillverka-outage-servers-"))
    redis = PrivateRedis(tmp)
    postgres = PrivatePostgres(servers)
    stack = None
    try:
        redis.start()
        postgres.create()
        seed_register(postgres.url)
        stack = OutageStack(tmp, postgres, redis)
        stack.start()
        yield stack
    finally:
        if stack is not None:
            stack.stop()
        redis.stop()
        postgres.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(servers, ignore_errors=True)
