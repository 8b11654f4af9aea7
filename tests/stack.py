"""Our servers as real child processes for the test suites that need them (conversation, web,
Slack): free ports, one process group each with its output in a log, health waits, and the
environment and files every one of them shares."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "tillverka.tar.gz"
START_TIMEOUT_S = 180.0  # Rasa loads the model in ~20-40 s on two cores
STOP_GRACE_S = 15.0
LOG_TAIL_LINES = 40


def require_model() -> None:
    """Fail with what to do when the suites that load the model run without one."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (make test does)")


def flush_redis(redis_url: str, suite: str) -> None:
    """Empty the Redis database a suite uses; fail clearly when Redis is not running."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        pytest.fail(f"the {suite} tests need Redis at {redis_url} ({exc}); start redis-server")
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One child in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], health_url: str, log: Path):
        self.name, self.argv, self.env, self.health_url, self.log = name, argv, env, health_url, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # stop() reaches anything it forks
            )

    def wait_healthy(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} before it answered "
                    f"{self.health_url}\n{self.tail()}"
                )
            try:
                with urllib.request.urlopen(self.health_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer {self.health_url} in time\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        except OSError:
            return ""
        return f"last output of {self.name} ({self.log}):\n" + "\n".join(lines)


def service_env(tmp: Path, database_url: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment all our test servers share: one database, a private var/, quiet logs."""
    return {
        **(os.environ if env is None else env),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url,
        "TILLVERKA_VAR_DIR": str(tmp / "var"),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def actions_process(base: dict[str, str], port: int, log_dir: Path) -> Process:
    """The action server, as `make run` starts it (internal only)."""
    return Process(
        "actions",
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        {**base, "SANIC_HOST": "127.0.0.1"},
        f"http://127.0.0.1:{port}/health",
        log_dir / "actions.log",
    )


def rasa_process(
    base: dict[str, str],
    port: int,
    endpoints: Path,
    credentials: Path | str,
    log_dir: Path,
    jwt_secret: str,
    health_path: str = "/",
) -> Process:
    """Rasa with its HTTP API behind a JWT, as `make run` starts it (the secret off argv)."""
    return Process(
        "rasa",
        [
            sys.executable,
            "-c",
            "from bot.runner import exec_rasa; exec_rasa()",
            "run",
            "--enable-api",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(credentials),
        ],
        {
            **base,
            "RASA_JWT_SECRET": jwt_secret,
            "TF_INTRA_OP_PARALLELISM_THREADS": "2",
            "TF_INTER_OP_PARALLELISM_THREADS": "2",
        },
        f"http://127.0.0.1:{port}{health_path}",
        log_dir / "rasa.log",
    )


def web_process(env: dict[str, str], port: int, log_dir: Path) -> Process:
    """The web app (chat, advisor workspace, register API)."""
    return Process(
        "web",
        [sys.executable, "-m", "bot.web", "--host", "127.0.0.1", "--port", str(port)],
        env,
        f"http://127.0.0.1:{port}/health",
        log_dir / "web.log",
    )


def write_test_endpoints(
    tmp: Path, database_url: str, actions_port: int, redis_url: str = ""
) -> Path:
    """Rasa's endpoints: the tracker store on `database_url`, actions on `actions_port`, and
    Rasa's Redis lock store on `redis_url` (default: in memory, whatever REDIS_URL says)."""
    from bot.tracker_endpoints import write_endpoints

    path = write_endpoints(ROOT, database_url, out=tmp / "endpoints.yml", redis_url=redis_url)
    endpoints = yaml.safe_load(path.read_text())
    endpoints["action_endpoint"] = {"url": f"http://127.0.0.1:{actions_port}/webhook"}
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def seed_register(database_url: str) -> None:
    from bot.register.seed import ensure_seeded
    from bot.register.store import RegisterStore

    ensure_seeded(RegisterStore(database_url))
