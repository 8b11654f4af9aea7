"""The `make run` supervisor, run as a real process on small stand-in services."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot import config
from bot.runner import default_ready_line, default_services, rasa_argv_with_secret

ROOT = Path(__file__).resolve().parents[2]

# A stand-in service: prints its pid, waits, then answers 200 on every GET; optionally dies
# after a while or ignores SIGTERM.
STANDIN = r"""
import http.server, os, signal, sys, threading, time
port, delay, die_after = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
if "ignore-term" in sys.argv[4:]:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(f"pid={os.getpid()}", flush=True)
time.sleep(delay)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", port), Handler)
if die_after >= 0:
    threading.Timer(die_after, lambda: (print("fatal: lost my socket", flush=True), os._exit(4))).start()
print("listening", flush=True)
server.serve_forever()
"""

# Runs bot.runner.main on the services described in argv[1] (JSON).
DRIVER = r"""
import json, os, sys
import bot.runner as runner
spec = json.loads(sys.argv[1])
runner.STOP_GRACE_S = spec.get("grace", runner.STOP_GRACE_S)
services = [
    runner.Service(name=s["name"], argv=s["argv"], health_url=s["url"], env=dict(os.environ))
    for s in spec["services"]
]
sys.exit(runner.main(services, ready_line="READY: all up", timeout=spec["timeout"]))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def standin(name: str, *, delay: float = 0.0, die_after: float = -1, extra: tuple = ()) -> dict:
    port = free_port()
    argv = [sys.executable, "-c", STANDIN, str(port), str(delay), str(die_after), *extra]
    return {"name": name, "argv": argv, "url": f"http://127.0.0.1:{port}/health", "port": port}


def crasher(name: str) -> dict:
    code = "print('error: no model found in models/', flush=True); raise SystemExit(3)"
    return {"name": name, "argv": [sys.executable, "-c", code], "url": "http://127.0.0.1:9/"}


class RunnerProcess:
    """`python -m bot.runner`-like subprocess whose output lines we can wait for."""

    def __init__(self, services: list[dict], timeout: float = 15, grace: float | None = None):
        spec = {"services": services, "timeout": timeout}
        if grace is not None:
            spec["grace"] = grace
        self.proc = subprocess.Popen(
            [sys.executable, "-c", DRIVER, json.dumps(spec)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, pattern: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if re.search(pattern, line):
                return line
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines))

    def finish(self, timeout: float = 20) -> int:
        code = self.proc.wait(timeout=timeout)
        while (line := self._queue.get(timeout=5)) is not None:
            self.lines.append(line)
        return code

    def child_pids(self) -> dict[str, int]:
        found = {}
        for line in self.lines:
            if m := re.match(r"\[(\w+)\] pid=(\d+)$", line):
                found[m.group(1)] = int(m.group(2))
        return found

    def kill(self) -> None:
        for pid in [self.proc.pid, *self.child_pids().values()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def start_runner():
    started: list[RunnerProcess] = []

    def start(*args, **kwargs) -> RunnerProcess:
        runner = RunnerProcess(*args, **kwargs)
        started.append(runner)
        return runner

    yield start
    for runner in started:  # only matters when a test failed half-way
        runner.kill()
        runner.proc.wait(timeout=5)


def is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_ready_line_comes_after_every_service_answers_and_ctrl_c_stops_all(start_runner):
    runner = start_runner([standin("quick"), standin("slow", delay=1.0)])

    runner.wait_for_line(r"^READY: all up$")
    up = [i for i, line in enumerate(runner.lines) if re.match(r"(quick|slow) is up \(", line)]
    ready = runner.lines.index("READY: all up")
    assert len(up) == 2 and max(up) < ready
    assert runner.lines.index("[slow] listening") < ready  # output is prefixed by service
    pids = runner.child_pids()
    assert set(pids) == {"quick", "slow"} and not any(is_gone(p) for p in pids.values())

    runner.proc.send_signal(signal.SIGINT)

    assert runner.finish() == 0
    assert all(is_gone(pid) for pid in pids.values())
    assert any(line.startswith("Stopping quick, slow") for line in runner.lines)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGHUP])
def test_kill_or_a_closed_terminal_also_stops_everything_cleanly(start_runner, stop_signal):
    runner = start_runner([standin("only")])
    runner.wait_for_line(r"^READY")
    pid = runner.child_pids()["only"]

    runner.proc.send_signal(stop_signal)

    assert runner.finish() == 0
    assert is_gone(pid)


def test_a_child_crashing_at_start_stops_the_others_and_names_it(start_runner):
    runner = start_runner([standin("healthy"), crasher("broken")])

    code = runner.finish()

    output = "\n".join(runner.lines)
    assert code != 0
    assert "broken exited with code 3 before it was ready" in output
    assert "error: no model found in models/" in output  # the tail of its output
    assert "READY" not in output
    assert is_gone(runner.child_pids()["healthy"])


def test_a_service_that_never_answers_times_out(start_runner):
    runner = start_runner([standin("sleepy", delay=60)], timeout=1)

    code = runner.finish()

    output = "\n".join(runner.lines)
    assert code == 1
    assert re.search(r"sleepy did not answer at http://127\.0\.0\.1:\d+/health within 1 s", output)
    assert "[sleepy] pid=" in output  # its tail is shown
    assert is_gone(runner.child_pids()["sleepy"])


def test_a_child_dying_after_start_up_stops_the_others(start_runner):
    runner = start_runner([standin("steady"), standin("fragile", die_after=1.0)])
    runner.wait_for_line(r"^READY")

    code = runner.finish()

    output = "\n".join(runner.lines)
    assert code == 1
    assert "fragile stopped unexpectedly (exited with code 4)" in output
    assert "fatal: lost my socket" in output
    assert is_gone(runner.child_pids()["steady"])


def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period(start_runner):
    runner = start_runner([standin("stubborn", extra=("ignore-term",))], grace=0.5)
    runner.wait_for_line(r"^READY")
    pid = runner.child_pids()["stubborn"]

    runner.proc.send_signal(signal.SIGINT)

    assert runner.finish() == 0
    assert "stubborn did not stop within 0.5 s: killing it" in runner.lines
    assert is_gone(pid)


def test_refuses_to_start_when_a_port_is_already_taken(start_runner):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        service = standin("web")
        service["url"] = f"http://127.0.0.1:{port}/health"
        runner = start_runner([service])

        code = runner.finish()

    assert code == 1
    assert f"Cannot start web: something already listens at http://127.0.0.1:{port}/health" in (
        "\n".join(runner.lines)
    )
    assert "[web] pid=" not in "\n".join(runner.lines)  # nothing was started


def test_default_services_keep_rasa_and_actions_internal_and_the_secret_off_the_command_line(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    monkeypatch.delenv("RASA_JWT_SECRET", raising=False)
    env = {"PATH": "/usr/bin", "TILLVERKA_WEB_PORT": "8123", "TF_INTRA_OP_PARALLELISM_THREADS": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}
    (tmp_path / "endpoints.yml").write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n")
    (tmp_path / "credentials.yml").write_text("rest:\n")

    services = {s.name: s for s in default_services(tmp_path, env)}

    assert list(services) == ["actions", "rasa", "web"]
    actions, rasa, web = services["actions"], services["rasa"], services["web"]
    assert actions.env["SANIC_HOST"] == "127.0.0.1"
    assert actions.argv[-4:] == ["--actions", "actions", "--port", "5055"]
    assert actions.health_url == "http://127.0.0.1:5055/health"
    assert rasa.argv[rasa.argv.index("-i") + 1] == "127.0.0.1"
    assert "--enable-api" in rasa.argv and rasa.health_url == "http://127.0.0.1:5005/"
    secret = (tmp_path / "secrets" / "rasa_jwt").read_text().strip()
    assert rasa.env["RASA_JWT_SECRET"] == secret == web.env["RASA_JWT_SECRET"]
    assert not any(secret in arg for s in services.values() for arg in s.argv)
    endpoints = Path(rasa.argv[rasa.argv.index("--endpoints") + 1])
    assert f"db: {tmp_path}/t.db" in endpoints.read_text()  # transcripts beside our tables
    assert rasa.env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert rasa.env["TF_INTER_OP_PARALLELISM_THREADS"] == "2"
    assert web.health_url == "http://127.0.0.1:8123/health"
    assert web.env["TILLVERKA_WEB_HOST"] == "127.0.0.1"
    assert all(s.cwd == tmp_path and s.env["PATH"] == "/usr/bin" for s in services.values())


def test_ready_line_text():
    assert default_ready_line({}) == (
        "Tillverka is ready: http://127.0.0.1:8000 (Rasa on 127.0.0.1:5005, actions on "
        "127.0.0.1:5055); advisors: http://127.0.0.1:8000/advisor (an account: make dev-admin)"
    )
    # a public bind is still reached through loopback from this machine
    line = default_ready_line({"TILLVERKA_WEB_HOST": "0.0.0.0", "TILLVERKA_WEB_PORT": "9000"})
    assert line.startswith("Tillverka is ready: http://127.0.0.1:9000 (")


def test_bad_web_port_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    with pytest.raises(ValueError, match="TILLVERKA_WEB_PORT must be a port number"):
        default_services(tmp_path, {"TILLVERKA_WEB_PORT": "eighty"})


def test_slack_is_switched_on_by_token_and_secret_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    (tmp_path / "endpoints.yml").write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n")
    (tmp_path / "credentials.yml").write_text("rest:\n")
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s" * 32}

    services = {s.name: s for s in default_services(tmp_path, env)}

    rasa = services["rasa"]
    credentials = Path(rasa.argv[rasa.argv.index("--credentials") + 1])
    assert credentials == tmp_path / "var" / "credentials.yml"
    assert "bot.slack.channel.TillverkaSlackInput" in credentials.read_text()
    assert services["actions"].env["SLACK_BOT_TOKEN"] == "xoxb-test"  # advisors' notices
    assert not any("xoxb-test" in arg for s in services.values() for arg in s.argv)


@pytest.mark.parametrize("secret", ["abc123", "-starts-with-a-dash", "--looks-like-an-option"])
def test_rasa_reads_any_generated_jwt_secret(secret):
    from rasa.__main__ import create_argument_parser

    argv = rasa_argv_with_secret(["run", "--enable-api", "-p", "5005"], secret)
    parsed = create_argument_parser().parse_args(argv[1:])
    assert parsed.jwt_secret == secret
    assert parsed.port == 5005
