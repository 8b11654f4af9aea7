"""A two-instance cluster started by `python -m bot.cluster` itself (what `make cluster` runs),
once per test session: nginx, two web apps, two Rasa servers and two action servers, on a fresh
PostgreSQL database the launcher creates (dropped afterwards) and a Redis database of our own
(flushed first). Free ports, a private var/ (the launcher generates the shared secrets there).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tests.stack import ROOT, flush_redis, require_model

INSTANCES = 2
READY_PREFIX = "Tillverka cluster is ready: "
START_TIMEOUT_S = 300.0  # two Rasa servers load the model at once on two cores
STOP_TIMEOUT_S = 60.0
REDIS_DB = int(os.environ.get("TILLVERKA_TEST_CLUSTER_REDIS_DB", "12"))
REDIS_BASE = os.environ.get("TILLVERKA_TEST_REDIS", "redis://127.0.0.1:6379")
POSTGRES_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# settings the launcher must choose itself, not inherit from whoever runs the tests
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "RASA_JWT_SECRET",
    "TILLVERKA_COOKIE_KEY",
    "TILLVERKA_ADMIN_TOKEN",
    "CLUSTER_SIZE",
    "TILLVERKA_START_TIMEOUT",
)


def free_port_run(count: int) -> int:
    """The first of `count` consecutive free ports (the launcher numbers instances from it)."""
    for _ in range(200):
        first = random.randrange(20000, 60000 - count)
        try:
            for port in range(first, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError(f"no {count} consecutive free ports")


class Cluster:
    """The running cluster.

    Attributes: nginx_url, web_urls (each web app directly), rasa_urls, database_url, redis_url,
    var_dir, log (the launcher's output), ready_line; after start(): jwt_secret, cookie_key.
    """

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.var_dir = tmp / "var"
        self.log = tmp / "cluster.log"
        rasa, actions, web = (free_port_run(INSTANCES) for _ in range(3))
        nginx = free_port_run(1)
        self.nginx_url = f"http://127.0.0.1:{nginx}"
        self.web_urls = [f"http://127.0.0.1:{web + i}" for i in range(INSTANCES)]
        self.rasa_urls = [f"http://127.0.0.1:{rasa + i}" for i in range(INSTANCES)]
        self.database_name = f"tillverka_cluster_{uuid.uuid4().hex[:12]}"
        self.database_url = make_url(POSTGRES_BASE).set(database=self.database_name)
        self.database_url = self.database_url.render_as_string(hide_password=False)
        self.redis_url = f"{REDIS_BASE}/{REDIS_DB}"
        self.argv = [
            sys.executable,
            "-m",
            "bot.cluster",
            "--instances",
            str(INSTANCES),
            "--rasa-port",
            str(rasa),
            "--actions-port",
            str(actions),
            "--web-port",
            str(web),
        ]
        inherited = {
            k: v
            for k, v in os.environ.items()
            if k not in NOT_INHERITED and not k.startswith("SLACK_")
        }
        self.env = {
            **inherited,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "TILLVERKA_VAR_DIR": str(self.var_dir),
            "TILLVERKA_WEB_HOST": "127.0.0.1",
            "TILLVERKA_WEB_PORT": str(nginx),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.proc: subprocess.Popen | None = None
        self.ready_line: str | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # our Ctrl-C stays ours; stop() sends the launcher its own
        )
        threading.Thread(target=self._read_output, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._ready.wait(0.5):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the cluster did not become ready (launcher "
                    f"{'exited with ' + str(self.proc.returncode) if self.proc.poll() is not None else 'still starting'}"
                    f")\n{self.tail()}"
                )
        secrets = self.var_dir / "secrets"
        self.jwt_secret = (secrets / "rasa_jwt").read_text().strip()
        self.cookie_key = (secrets / "cookie_key").read_text().strip()

    def _read_output(self) -> None:
        with self.log.open("a", encoding="utf-8") as out:
            for line in self.proc.stdout:
                out.write(line)
                out.flush()
                if line.startswith(READY_PREFIX):
                    self.ready_line = line.rstrip("\n")
                    self._ready.set()

    def stop(self) -> int | None:
        """Ctrl-C to the launcher, as an operator would; its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"last output of the cluster ({self.log}):\n" + "\n".join(text)


def _drop_database(name: str) -> None:
    admin = create_engine(POSTGRES_BASE, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def cluster():
    require_model()
    tmp = Path(tempfile.mkdtemp(prefix="tillverka-cluster-"))
    running = Cluster(tmp)
    try:
        flush_redis(running.redis_url, "cluster")
        running.start()
        yield running
    finally:
        running.stop()
        from bot.db import engine_for

        engine_for(running.database_url).dispose()  # our own connections, before the drop
        _drop_database(running.database_name)
        shutil.rmtree(tmp, ignore_errors=True)
