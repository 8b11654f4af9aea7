"""`make run`: start the action server, Rasa and the web app, wait until all three answer, and
supervise them. Ctrl-C stops everything; if one of them dies, the others are stopped too, so a
half-running system never looks ready.

Usage: python -m bot.runner   (settings from the environment, see default_services)
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from bot.config import ROOT
from bot.secrets import get_or_create_secret
from bot.slack.credentials import write_credentials
from bot.tracker_endpoints import write_endpoints

ACTIONS_PORT = 5055
RASA_PORT = 5005
DEFAULT_WEB_HOST = "127.0.0.1"  # this machine only; set TILLVERKA_WEB_HOST to expose it
DEFAULT_WEB_PORT = 8000
DEFAULT_TIMEOUT_S = 180.0  # Rasa needs ~20 s to load a model; slow disks need more
STOP_GRACE_S = 10.0
TAIL_LINES = 25
POLL_S = 0.5
# Ctrl-C, `kill`, and a closed terminal (the children, in their own sessions, would not notice)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass(frozen=True)
class Service:
    """One child process: what to run and the URL that answers 200 once it is ready."""

    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str]  # the child's complete environment
    cwd: Path | None = None


def default_services(root: Path, env: Mapping[str, str]) -> list[Service]:
    """The three processes of a single-machine Tillverka, started from `root`.

    `env` is the environment they inherit. Settings read from it: TILLVERKA_WEB_HOST,
    TILLVERKA_WEB_PORT, TF_INTRA_OP_PARALLELISM_THREADS and TF_INTER_OP_PARALLELISM_THREADS
    (default 2 each); RASA_JWT_SECRET (else var/secrets/rasa_jwt, created once); SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET and SLACK_API_URL (the Slack channel, on when token and secret are set;
    the action server inherits them for advisors' notices).
    """
    jwt_secret = get_or_create_secret("rasa_jwt", "RASA_JWT_SECRET")
    web_host, web_port = listen_address(env)
    base = child_env(env)
    rasa_args = rasa_run_args(
        "127.0.0.1",
        RASA_PORT,
        endpoints=write_endpoints(
            root, env.get("DATABASE_URL"), redis_url=env.get("REDIS_URL", "")
        ),
        credentials=write_credentials(root, env),
    )
    return [
        actions_service(root, base, ACTIONS_PORT),
        Service(
            name="rasa",
            argv=[
                sys.executable,
                "-c",
                "from bot.runner import exec_rasa; exec_rasa()",
                *rasa_args,
            ],
            # "/" answers "Hello from Rasa" without a token, and only once the model is loaded.
            health_url=f"http://127.0.0.1:{RASA_PORT}/",
            env={**base, **rasa_env(env, jwt_secret)},
            cwd=root,
        ),
        Service(
            name="web",
            argv=[sys.executable, "-m", "bot.web"],
            health_url=f"{local_url(web_host, web_port)}/health",
            env={
                **base,
                "RASA_JWT_SECRET": jwt_secret,
                "TILLVERKA_WEB_HOST": web_host,
                "TILLVERKA_WEB_PORT": str(web_port),
            },
            cwd=root,
        ),
    ]


# ---- pieces shared with bot.cluster (several instances of the same processes)


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    """What every child inherits: `env`, with unbuffered output for the prefixed log lines."""
    return {**env, "PYTHONUNBUFFERED": "1"}


def actions_service(
    root: Path, base: Mapping[str, str], port: int, name: str = "actions"
) -> Service:
    """The action server on 127.0.0.1:`port`, with `base` as its environment."""
    return Service(
        name=name,
        # rasa_sdk's own entry point takes the same flags as `rasa run actions` but does not
        # import Rasa itself (~40 MB instead of ~120 MB). Neither has a host flag: SANIC_HOST
        # keeps the action server internal.
        argv=[sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        health_url=f"http://127.0.0.1:{port}/health",
        env={**base, "SANIC_HOST": "127.0.0.1"},
        cwd=root,
    )


def rasa_run_args(
    host: str, port: int, *, endpoints: Path, credentials: Path, model: str = "models"
) -> list[str]:
    """`rasa` CLI arguments of the Rasa server (exec_rasa adds the JWT secret)."""
    return [
        "run",
        "--enable-api",
        "-i",
        host,
        "-p",
        str(port),
        "--model",
        model,
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
    ]


def rasa_env(env: Mapping[str, str], jwt_secret: str) -> dict[str, str]:
    """The settings Rasa's process needs on top of what it inherits."""
    return {
        "RASA_JWT_SECRET": jwt_secret,
        # only the CLI applies these (DESIGN section 6)
        "TF_INTRA_OP_PARALLELISM_THREADS": env.get("TF_INTRA_OP_PARALLELISM_THREADS", "2"),
        "TF_INTER_OP_PARALLELISM_THREADS": env.get("TF_INTER_OP_PARALLELISM_THREADS", "2"),
    }


def listen_address(env: Mapping[str, str]) -> tuple[str, int]:
    """(host, port) the web app binds to, from TILLVERKA_WEB_HOST / TILLVERKA_WEB_PORT.

    Here rather than in bot.web, so the runner (and the Rasa process it starts via exec_rasa)
    does not import the web app and the register."""
    host = env.get("TILLVERKA_WEB_HOST", "").strip() or DEFAULT_WEB_HOST
    raw_port = env.get("TILLVERKA_WEB_PORT", "").strip() or str(DEFAULT_WEB_PORT)
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise ValueError(f"TILLVERKA_WEB_PORT must be a port number (1-65535), not {raw_port!r}")
    return host, int(raw_port)


def default_ready_line(env: Mapping[str, str]) -> str:
    host, port = listen_address(env)
    url = local_url(host, port)
    return (
        f"Tillverka is ready: {url} "
        f"(Rasa on 127.0.0.1:{RASA_PORT}, actions on 127.0.0.1:{ACTIONS_PORT}); "
        f"advisors: {url}/advisor (an account: make dev-admin)"
    )


def local_url(host: str, port: int) -> str:
    # a wildcard bind is reached through loopback from this machine
    if host in ("0.0.0.0", "::", "*"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def rasa_argv_with_secret(args: list[str], secret: str) -> list[str]:
    # One "--jwt-secret=..." item: as two, argparse takes a secret starting with "-" (one in 64
    # of token_urlsafe's) for an option and Rasa refuses to start.
    return ["rasa", *args, f"--jwt-secret={secret}"]


def exec_rasa() -> None:
    """Entry point of the Rasa child process: `rasa <argv> --jwt-secret $RASA_JWT_SECRET`.

    The secret travels in the environment (readable only by our own user), not on the command
    line, where every local user can read it with `ps`.
    """
    secret = os.environ.pop("RASA_JWT_SECRET", "")
    if not secret:
        raise SystemExit("RASA_JWT_SECRET is not set")
    sys.argv = rasa_argv_with_secret(sys.argv[1:], secret)
    from rasa.__main__ import main as rasa_main

    from bot import rasa_speedups

    rasa_speedups.install()

    sys.exit(rasa_main())


def say(text: str, *, error: bool = False) -> None:
    print(text, file=sys.stderr if error else sys.stdout, flush=True)


class _Child:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.proc: asyncio.subprocess.Process | None = None
        self.pump: asyncio.Task | None = None
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.healthy = False
        self.start_error: str | None = None

    @property
    def name(self) -> str:
        return self.service.name

    def exited(self) -> bool:
        return self.start_error is not None or (
            self.proc is not None and self.proc.returncode is not None
        )

    async def start(self) -> None:
        s = self.service
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *s.argv,
                env=s.env,
                cwd=s.cwd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                # own process group: the terminal's Ctrl-C reaches only the runner, which then
                # stops each child (and anything it forked) in order
                start_new_session=True,
            )
        except OSError as exc:
            self.start_error = f"could not be started: {exc}"
            return
        self.pump = asyncio.create_task(self._pump_output())

    async def _pump_output(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        pending = b""
        while chunk := await self.proc.stdout.read(65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                self._emit(line)
            if len(pending) > 65536:  # a runaway line without newline: show it in pieces
                self._emit(pending)
                pending = b""
        if pending:
            self._emit(pending)

    def _emit(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        self.tail.append(text)
        say(f"[{self.name}] {text}")

    async def finish_output(self) -> None:
        """Let the last lines of a dead child arrive (a grandchild may hold the pipe open)."""
        if self.pump is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.pump), timeout=1.0)
            except asyncio.TimeoutError:
                pass

    def describe_exit(self) -> str:
        if self.start_error:
            return self.start_error
        code = self.proc.returncode
        if code < 0:
            return f"was killed by {signal.Signals(-code).name}"
        return f"exited with code {code}"

    def report(self, problem: str) -> None:
        say(f"{self.name} {problem}.", error=True)
        if self.tail:
            say(f"Last output of {self.name}:", error=True)
            for line in self.tail:
                say(f"  {line}", error=True)
        else:
            say(f"{self.name} printed nothing.", error=True)

    def signal_group(self, sig: int) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass


async def _answers(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(url, allow_redirects=False) as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return False


async def _port_taken(url: str) -> bool:
    target = urlsplit(url)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(target.hostname, target.port or 80), timeout=1.0
        )
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    return True


class _Supervisor:
    def __init__(self, services: list[Service], timeout: float, ready_line: str) -> None:
        self.children = [_Child(s) for s in services]
        self.timeout = timeout
        self.ready_line = ready_line
        self.stop_requested = asyncio.Event()
        self.hurry = asyncio.Event()  # a second Ctrl-C: kill at once

    def on_signal(self) -> None:
        if self.stop_requested.is_set():
            self.hurry.set()
        self.stop_requested.set()

    async def run(self) -> int:
        taken = [c.service for c in self.children if await _port_taken(c.service.health_url)]
        if taken:
            for s in taken:
                say(
                    f"Cannot start {s.name}: something already listens at {s.health_url} "
                    "(is another `make run` still running?).",
                    error=True,
                )
            return 1
        for child in self.children:
            await child.start()
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
                code = await self._wait_until_ready(session)
            if code is None:
                say(self.ready_line)
                code = await self._watch()
            return code
        finally:
            await self._stop_all()

    async def _wait_until_ready(self, session: aiohttp.ClientSession) -> int | None:
        """None once every child answers; otherwise the exit code to give up with."""
        deadline = time.monotonic() + self.timeout
        while True:
            if self.stop_requested.is_set():
                return 0
            for child in self.children:
                if child.exited():
                    await child.finish_output()
                    child.report(f"{child.describe_exit()} before it was ready")
                    return 1
            waiting = [c for c in self.children if not c.healthy]
            results = await asyncio.gather(
                *(_answers(session, c.service.health_url) for c in waiting)
            )
            for child, ok in zip(waiting, results, strict=True):
                if ok and not child.exited():
                    child.healthy = True
                    say(f"{child.name} is up ({child.service.health_url})")
            if all(c.healthy for c in self.children):
                return None
            if time.monotonic() > deadline:
                for child in self.children:
                    if not child.healthy:
                        child.report(
                            f"did not answer at {child.service.health_url} "
                            f"within {self.timeout:g} s"
                        )
                return 1
            try:
                await asyncio.wait_for(self.stop_requested.wait(), timeout=POLL_S)
            except asyncio.TimeoutError:
                pass

    async def _watch(self) -> int:
        """Run until Ctrl-C (0) or until a child dies (1)."""
        exits = {asyncio.create_task(c.proc.wait()): c for c in self.children}
        stop = asyncio.create_task(self.stop_requested.wait())
        done, _ = await asyncio.wait([stop, *exits], return_when=asyncio.FIRST_COMPLETED)
        for task in [stop, *exits]:
            task.cancel()
        if stop in done:
            return 0
        child = next(exits[t] for t in done if t in exits)
        await child.finish_output()
        child.report(f"stopped unexpectedly ({child.describe_exit()})")
        return 1

    async def _stop_all(self) -> None:
        running = [c for c in self.children if c.proc is not None and c.proc.returncode is None]
        if running:
            say(f"Stopping {', '.join(c.name for c in running)} ...")
        for child in running:
            child.signal_group(signal.SIGTERM)
        waits = [asyncio.create_task(c.proc.wait()) for c in running]
        if waits:
            hurry = asyncio.create_task(self.hurry.wait())
            await asyncio.wait(
                [asyncio.gather(*waits), hurry],
                timeout=STOP_GRACE_S,
                return_when=asyncio.FIRST_COMPLETED,
            )
            hurry.cancel()
        for child in running:
            if child.proc.returncode is None:
                say(f"{child.name} did not stop within {STOP_GRACE_S:g} s: killing it", error=True)
                child.signal_group(signal.SIGKILL)
        if waits:
            await asyncio.gather(*waits)
        for child in self.children:
            await child.finish_output()


async def supervise(services: list[Service], *, timeout: float, ready_line: str) -> int:
    """Start `services`, print `ready_line` once all answer, run until Ctrl-C; the exit code."""
    supervisor = _Supervisor(services, timeout, ready_line)
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, supervisor.on_signal)
    try:
        return await supervisor.run()
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def missing_files(root: Path) -> list[str]:
    missing = [name for name in ("endpoints.yml", "credentials.yml") if not (root / name).is_file()]
    if not any((root / "models").glob("*.tar.gz")):
        missing.append("a trained model in models/ (run `make train`)")
    return missing


def main(
    services: list[Service] | None = None,
    *,
    ready_line: str | None = None,
    timeout: float | None = None,
) -> int:
    """Run Tillverka (or the given services) until Ctrl-C; returns the process exit code."""
    try:
        if timeout is None:
            timeout = float(os.environ.get("TILLVERKA_START_TIMEOUT", DEFAULT_TIMEOUT_S))
        if services is None:
            missing = missing_files(ROOT)
            if missing:
                say(f"Cannot start Tillverka; missing: {'; '.join(missing)}.", error=True)
                return 2
            services = default_services(ROOT, os.environ)
        if ready_line is None:
            ready_line = default_ready_line(os.environ)
    except ValueError as exc:
        say(f"Cannot start Tillverka: {exc}", error=True)
        return 2
    return asyncio.run(supervise(services, timeout=timeout, ready_line=ready_line))


if __name__ == "__main__":
    sys.exit(main())
