"""`make cluster`'s configuration (bot/cluster.py): nginx's config, each instance's command and
environment, the operator's errors, and that deploy/ (docker compose, Kubernetes) runs the same
commands with the same environment variables and probes the same health endpoints."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import cluster as cl
from bot import config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRETS = cl.Secrets(rasa_jwt="j" * 40, cookie_key="c" * 40, admin_token="a" * 40)
DB = "postgresql://tillverka:pw@db.internal:5432/tillverka"
REDIS = "redis://127.0.0.1:6379/3"
HEALTH = {"actions": "/health", "rasa": "/", "web": cl.WEB_HEALTH_PATH}


def services(instances: int = 3, env: dict | None = None) -> dict[str, cl.Service]:
    made = cl.cluster_services(
        ROOT,
        env or {"PATH": "/usr/bin", "SLACK_BOT_TOKEN": "xoxb-1"},
        cl.Layout(instances=instances, listen_port=8100),
        database_url=DB,
        redis_url=REDIS,
        secrets=SECRETS,
        nginx="/usr/sbin/nginx",
        prefix=Path("/tmp/prefix"),
    )
    return {s.name: s for s in made}


def locations(conf: str) -> dict[str, str]:
    return dict(re.findall(r"location (?:= )?(\S+) \{(.*?)\n        \}", conf, re.S))


# ---- nginx


def test_nginx_spreads_over_every_web_app_and_passes_websockets_and_the_client_address():
    conf = cl.nginx_config(["127.0.0.1:8001", "127.0.0.1:8002"], "127.0.0.1:8000")

    upstream = re.search(r"upstream tillverka_web \{(.*?)\}", conf, re.S).group(1)
    directives = [line.split()[0] for line in upstream.splitlines() if line.strip()]
    # round robin over both web apps: no ip_hash, hash or sticky
    assert directives == ["server", "server", "keepalive"]
    assert "server 127.0.0.1:8001;" in upstream and "server 127.0.0.1:8002;" in upstream
    assert "listen 127.0.0.1:8000;" in conf
    found = locations(conf)
    assert set(found) == {"/nginx-health", "/ws", "/"}
    # a location with its own proxy_set_header inherits none: each must say everything
    for path in ("/ws", "/"):
        block = found[path]
        assert "proxy_pass http://tillverka_web;" in block
        assert "proxy_http_version 1.1;" in block
        assert "proxy_set_header Host $http_host;" in block
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in block
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in block
    assert "proxy_set_header Upgrade $http_upgrade;" in found["/ws"]
    assert "proxy_set_header Connection $connection_upgrade;" in found["/ws"]
    assert "proxy_read_timeout 1h;" in found["/ws"]
    assert "return 200" in found["/nginx-health"]
    assert "client_max_body_size 20544k;" in conf  # the 20 MB register import fits


def test_the_generated_config_is_valid_for_nginx(tmp_path):
    nginx = shutil.which("nginx") or next(
        (c for c in cl.NGINX_CANDIDATES if Path(c).exists()), None
    )
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    layout = cl.Layout(listen_port=8100)
    cl.write_nginx_config(tmp_path, layout)

    argv = cl.nginx_argv(nginx, tmp_path)
    result = subprocess.run(
        [*argv[:-2], "-t"], capture_output=True, text=True, timeout=30, check=False
    )

    assert result.returncode == 0, result.stderr
    assert argv[1:] == ["-p", f"{tmp_path}/", "-c", "nginx.conf", "-e", "stderr", "-g", "daemon off;"]


def test_an_ipv6_listen_address_is_bracketed():
    assert cl.nginx_listen("::1", 8000) == "[::1]:8000"
    assert cl.nginx_listen("0.0.0.0", 80) == "0.0.0.0:80"


# ---- the instances


def test_each_web_app_talks_to_its_own_rasa_and_each_rasa_to_its_own_action_server():
    found = services(3)

    assert list(found) == [
        *(f"{role}-{n}" for n in (1, 2, 3) for role in ("actions", "rasa", "web")),
        "nginx",
    ]
    for i, n in enumerate((1, 2, 3)):
        actions, rasa, web = found[f"actions-{n}"], found[f"rasa-{n}"], found[f"web-{n}"]
        assert actions.argv[1:] == ["-m", "rasa_sdk", "--actions", "actions", "--port", str(5055 + i)]
        assert actions.env["SANIC_HOST"] == "127.0.0.1"  # internal only
        assert rasa.argv[1:] == ["-m", "bot.cluster", "rasa", "--host", "127.0.0.1", "--port", str(5005 + i)]
        assert rasa.env["TILLVERKA_ACTIONS_URL"] == f"http://127.0.0.1:{5055 + i}/webhook"
        assert web.argv[1:] == ["-m", "bot.web", "--host", "127.0.0.1", "--port", str(8001 + i)]
        assert web.env["RASA_URL"] == f"http://127.0.0.1:{5005 + i}"
        assert web.env["TILLVERKA_PROXY_HOPS"] == "1"
        assert actions.health_url == f"http://127.0.0.1:{5055 + i}/health"
        assert rasa.health_url == f"http://127.0.0.1:{5005 + i}/"
        assert web.health_url == f"http://127.0.0.1:{8001 + i}/healthz"
        for service in (actions, rasa, web):
            assert service.env["DATABASE_URL"] == DB and service.env["REDIS_URL"] == REDIS
            assert service.env["SLACK_BOT_TOKEN"] == "xoxb-1"  # the rest is inherited
            assert service.cwd == ROOT
    nginx = found["nginx"]
    assert nginx.argv == cl.nginx_argv("/usr/sbin/nginx", Path("/tmp/prefix"))
    assert nginx.health_url == "http://127.0.0.1:8100/nginx-health"


def test_every_instance_shares_the_secrets_and_none_is_on_a_command_line():
    found = services(2)

    for n in (1, 2):
        assert found[f"rasa-{n}"].env["RASA_JWT_SECRET"] == SECRETS.rasa_jwt
        web = found[f"web-{n}"].env
        assert web["RASA_JWT_SECRET"] == SECRETS.rasa_jwt
        assert web["TILLVERKA_COOKIE_KEY"] == SECRETS.cookie_key  # a cookie works on either
        assert web["TILLVERKA_ADMIN_TOKEN"] == SECRETS.admin_token
    secrets = (SECRETS.rasa_jwt, SECRETS.cookie_key, SECRETS.admin_token, "pw")
    assert not any(s in arg for svc in found.values() for arg in svc.argv for s in secrets)


def test_secrets_are_generated_once_into_var_and_reused(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    for name in ("RASA_JWT_SECRET", "TILLVERKA_COOKIE_KEY", "TILLVERKA_ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    first, again = cl.Secrets.load(), cl.Secrets.load()

    assert first == again and len(set(vars(first).values())) == 3
    assert (tmp_path / "secrets" / "cookie_key").read_text().strip() == first.cookie_key


def test_the_ready_line_names_every_address_without_the_database_password():
    line = cl.ready_line(cl.Layout(instances=2), DB, "redis://:sesame@127.0.0.1:6379/0")

    assert line == (
        "Tillverka cluster is ready: http://127.0.0.1:8000 (nginx in front of 2 web apps on "
        "127.0.0.1:8001-8002; Rasa on 5005-5006, actions on 5055-5056; database "
        "postgresql://tillverka:***@db.internal:5432/tillverka, Redis "
        "redis://:***@127.0.0.1:6379/0); advisors: http://127.0.0.1:8000/advisor "
        "(an account: make dev-admin)"
    )


# ---- what the operator gets wrong


def test_the_number_of_instances_comes_from_the_flag_or_cluster_size():
    assert cl.instance_count(None, {}) == 2
    assert cl.instance_count(None, {"CLUSTER_SIZE": "3"}) == 3
    assert cl.instance_count(4, {"CLUSTER_SIZE": "3"}) == 4
    with pytest.raises(cl.ClusterError, match="CLUSTER_SIZE must be a whole number, not 'two'"):
        cl.instance_count(None, {"CLUSTER_SIZE": "two"})


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        (cl.Layout(instances=0), "the number of instances must be 1 to 16"),
        (cl.Layout(instances=17), "the number of instances must be 1 to 16"),
        (cl.Layout(listen_port=8001), "port(s) 8001 would be used twice"),
        (cl.Layout(instances=3, rasa_port=5053), "port(s) 5055 would be used twice"),
        (cl.Layout(web_port=65535), "the ports run past 65535"),
    ],
)
def test_impossible_layouts_are_refused_with_the_reason(layout, message):
    with pytest.raises(cl.ClusterError) as refused:
        layout.check()
    assert message in str(refused.value)


def test_the_cluster_needs_postgresql_and_a_redis_url():
    assert cl.cluster_urls({}) == (cl.DEFAULT_DATABASE_URL, cl.DEFAULT_REDIS_URL)
    assert cl.cluster_urls({"DATABASE_URL": "postgres://u@h/d"})[0] == "postgresql://u@h/d"
    with pytest.raises(cl.ClusterError, match="the cluster needs PostgreSQL"):
        cl.cluster_urls({"DATABASE_URL": "sqlite:///var/tillverka.db"})
    with pytest.raises(cl.ClusterError, match="REDIS_URL must be a redis:// URL"):
        cl.cluster_urls({"REDIS_URL": "127.0.0.1:6379"})


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_missing_postgresql_is_named_with_how_to_get_one():
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/tillverka"
    with pytest.raises(cl.ClusterError) as refused:
        cl.ensure_database(url)
    message = str(refused.value)
    assert message.startswith("PostgreSQL does not answer at 127.0.0.1:")
    assert "apt-get install postgresql" in message


def test_a_missing_redis_is_named_with_how_to_get_one():
    with pytest.raises(cl.ClusterError, match=r"Redis does not answer .*apt-get install redis"):
        cl.ensure_redis(f"redis://127.0.0.1:{closed_port()}/0")


def test_without_nginx_the_launcher_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setattr(cl, "NGINX_CANDIDATES", ())
    args = cl.parse_args([])

    code = cl.launch(args, {"PATH": "/nonexistent"})

    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "Cannot start the Tillverka cluster: nginx is not installed: apt-get install nginx"
    )


def test_bad_command_line_values_are_refused_by_name(capsys):
    for argv, words in (
        (["--instances", "many"], "'many' is not a whole number"),
        (["--web-port", "99999"], "'99999' is not a port number"),
    ):
        with pytest.raises(SystemExit):
            cl.parse_args(argv)
        assert words in capsys.readouterr().err


def test_a_rasa_server_without_its_actions_url_stops_with_the_reason(monkeypatch):
    monkeypatch.delenv("TILLVERKA_ACTIONS_URL", raising=False)
    with pytest.raises(SystemExit, match="TILLVERKA_ACTIONS_URL is not set"):
        cl.serve_rasa("127.0.0.1", 5005)


def test_nginx_conf_command_prints_the_config(capsys):
    assert cl.main(["nginx-conf", "--upstream", "web:8000", "--listen", "80"]) == 0
    assert capsys.readouterr().out == cl.nginx_config(["web:8000"], "80")


# ---- deploy/ runs what `make cluster` runs


def normalised(argv: list[str]) -> list[str]:
    """A command with the interpreter's path and the addresses' values left out."""
    out, skip = [], False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if i == 0 and arg == sys.executable:
            arg = "python"
        out.append(arg)
        if arg in ("--host", "--port"):
            out.append("<value>")
            skip = True
    return out


def cluster_roles() -> dict[str, dict]:
    """Per role: the command and the variables bot/cluster.py sets for it."""
    found = services(1)
    settings = cl.instance_env(
        cl.Layout(instances=1), 0, database_url=DB, redis_url=REDIS, secrets=SECRETS, env={}
    )
    return {
        role: {"argv": normalised(found[f"{role}-1"].argv), "env": set(settings[role])}
        for role in ("actions", "rasa", "web")
    }


def k8s_documents() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def k8s_container(docs: list[dict], name: str) -> dict:
    deployment = next(
        d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == f"tillverka-{name}"
    )
    return deployment["spec"]["template"]["spec"]["containers"][0]


def test_kubernetes_runs_the_same_commands_with_the_same_variables_and_probes():
    docs = k8s_documents()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert {("Service", f"tillverka-{r}") for r in ("rasa", "actions", "web")} <= kinds
    assert ("Ingress", "tillverka") in kinds and ("Job", "tillverka-prepare") in kinds
    configured: set[str] = set()
    for d in docs:
        if d["kind"] == "ConfigMap":
            configured |= set(d["data"])
        if d["kind"] == "Secret":
            configured |= set(d.get("stringData") or d.get("data") or {})
    for role, expected in cluster_roles().items():
        container = k8s_container(docs, role)
        assert normalised(container["command"]) == expected["argv"], role
        names = {e["name"] for e in container.get("env", [])}
        refs = {r.get("configMapRef", r.get("secretRef"))["name"] for r in container["envFrom"]}
        assert refs == {"tillverka-config", "tillverka-secrets"}
        assert expected["env"] <= names | configured, (role, expected["env"] - names - configured)
        port = int(container["command"][container["command"].index("--port") + 1])
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"] == {"path": HEALTH[role], "port": port}, role
    job = next(d for d in docs if d["kind"] == "Job")
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == [
        "python", "-m", "bot.cluster", "prepare"
    ]
    ingress = next(d for d in docs if d["kind"] == "Ingress")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "tillverka-web"  # browsers reach the web apps only


def test_docker_compose_runs_the_same_commands_with_the_same_variables_and_health_checks():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    for role, expected in cluster_roles().items():
        service = compose[role]
        assert normalised(service["command"]) == expected["argv"], role
        assert expected["env"] <= set(service["environment"]), (
            role,
            expected["env"] - set(service["environment"]),
        )
        port = service["command"][service["command"].index("--port") + 1]
        assert f"http://127.0.0.1:{port}{HEALTH[role]}'" in " ".join(service["healthcheck"]["test"])
        assert service["deploy"]["replicas"] == cl.DEFAULT_INSTANCES
    assert compose["prepare"]["command"] == ["python", "-m", "bot.cluster", "prepare"]
    nginx = compose["nginx"]
    assert nginx["command"][1:] == ["-p", "/etc/nginx/", "-c", "nginx.conf", "-e", "stderr", "-g", "daemon off;"]
    assert cl.NGINX_HEALTH_PATH in " ".join(nginx["healthcheck"]["test"])
    assert compose["web"]["environment"]["TILLVERKA_PROXY_HOPS"] == "1"


def test_deploy_nginx_conf_is_the_generated_one():
    assert (DEPLOY / "nginx.conf").read_text() == cl.nginx_config(["web:8000"], "80"), (
        "regenerate it: python -m bot.cluster nginx-conf --upstream web:8000 --listen 80 "
        "> deploy/nginx.conf"
    )
