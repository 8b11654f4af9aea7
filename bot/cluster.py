"""`make cluster`: N Rasa servers, N action servers and N web apps behind nginx on one machine,
on PostgreSQL and Redis, supervised like `make run` (bot.runner: one ready line, Ctrl-C stops
all, one child dying stops all).

Instance i (1..N) is a chain: web app i -> Rasa i -> action server i. nginx spreads browsers
over the web apps (round robin, no stickiness: the conversation id is in the signed cookie,
pushes and rate limits go through Redis), so consecutive messages of one conversation reach
different Rasa servers; the shared SQL tracker store and Redis lock store keep them in order.

Usage:
  python -m bot.cluster [--instances N]        the cluster (N: --instances, CLUSTER_SIZE, else 2)
  python -m bot.cluster prepare                create the database, our tables, the sample register
  python -m bot.cluster rasa --host H --port P one Rasa server, its endpoints from the environment
  python -m bot.cluster nginx-conf --upstream HOST:PORT... --listen ADDR   print nginx's config

The `prepare` and `rasa` commands are what deploy/ runs in containers, so the files there and
`make cluster` start the same programs with the same environment variables (docs/scale-out.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import config
from bot.runner import (
    DEFAULT_TIMEOUT_S,
    Service,
    actions_service,
    child_env,
    exec_rasa,
    listen_address,
    local_url,
    missing_files,
    rasa_env,
    rasa_run_args,
    say,
)
from bot.runner import main as supervise_main
from bot.secrets import get_or_create_secret

DEFAULT_INSTANCES = 2
MAX_INSTANCES = 16
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/tillverka"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
FIRST_RASA_PORT = 5005
FIRST_ACTIONS_PORT = 5055
FIRST_WEB_PORT = 8001
# the web app's readiness: 200 only while its database and Redis answer
WEB_HEALTH_PATH = "/healthz"
NGINX_HEALTH_PATH = "/nginx-health"
# where Rasa reaches its action server (an endpoints.yml setting, per instance here)
ACTIONS_URL_VAR = "TILLVERKA_ACTIONS_URL"
EXTRA_START_S = 60.0  # Rasa servers load their models at once: more instances, slower start
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")


class ClusterError(Exception):
    """Why the cluster cannot start, in words for the operator."""


@dataclass(frozen=True)
class Layout:
    """How many instances and where each listens; nginx listens on listen_host:listen_port."""

    instances: int = DEFAULT_INSTANCES
    rasa_port: int = FIRST_RASA_PORT  # instance i uses first port + i - 1
    actions_port: int = FIRST_ACTIONS_PORT
    web_port: int = FIRST_WEB_PORT
    listen_host: str = "127.0.0.1"
    listen_port: int = 8000

    def ports(self, first: int) -> list[int]:
        return [first + i for i in range(self.instances)]

    def check(self) -> None:
        if not 1 <= self.instances <= MAX_INSTANCES:
            raise ClusterError(f"the number of instances must be 1 to {MAX_INSTANCES}")
        everything = [
            self.listen_port,
            *self.ports(self.rasa_port),
            *self.ports(self.actions_port),
            *self.ports(self.web_port),
        ]
        if max(everything) > 65535:
            raise ClusterError("the ports run past 65535: choose lower first ports")
        clashes = sorted({p for p in everything if everything.count(p) > 1})
        if clashes:
            raise ClusterError(
                f"port(s) {', '.join(map(str, clashes))} would be used twice: choose other first "
                "ports (--rasa-port, --actions-port, --web-port) or TILLVERKA_WEB_PORT"
            )


def instance_count(cli_value: int | None, env: Mapping[str, str]) -> int:
    """--instances, else CLUSTER_SIZE, else 2."""
    if cli_value is not None:
        return cli_value
    raw = env.get("CLUSTER_SIZE", "").strip()
    if not raw:
        return DEFAULT_INSTANCES
    if not raw.isdigit():
        raise ClusterError(f"CLUSTER_SIZE must be a whole number, not {raw!r}")
    return int(raw)


def cluster_urls(env: Mapping[str, str]) -> tuple[str, str]:
    """(DATABASE_URL, REDIS_URL) of the cluster: from `env`, else the local defaults. The
    database must be PostgreSQL: SQLite cannot take writes from several Rasa servers."""
    database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    redis_url = env.get("REDIS_URL", "").strip() or DEFAULT_REDIS_URL
    if not database_url.startswith(("postgresql:", "postgresql+", "postgres:")):
        raise ClusterError(
            "the cluster needs PostgreSQL: set DATABASE_URL=postgresql://... "
            f"(or leave it unset for {DEFAULT_DATABASE_URL})"
        )
    if database_url.startswith("postgres:"):  # Heroku style; SQLAlchemy 1.4 wants the long name
        database_url = "postgresql:" + database_url[len("postgres:") :]
    if not redis_url.startswith(("redis://", "rediss://")):
        raise ClusterError(f"REDIS_URL must be a redis:// URL (e.g. {DEFAULT_REDIS_URL})")
    return database_url, redis_url


def shown(url: str) -> str:
    """`url` for the terminal: the password masked."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not parseable: show nothing of it rather than a password
        return "(the configured URL)"


# ---- the processes


@dataclass(frozen=True)
class Secrets:
    rasa_jwt: str
    cookie_key: str
    admin_token: str

    @classmethod
    def load(cls) -> Secrets:
        """From the environment, else var/secrets (created once): every instance shares them,
        or a cookie signed by one web app would be refused by the other."""
        return cls(
            rasa_jwt=get_or_create_secret("rasa_jwt", "RASA_JWT_SECRET"),
            cookie_key=get_or_create_secret("cookie_key", "TILLVERKA_COOKIE_KEY"),
            admin_token=get_or_create_secret("admin_token", "TILLVERKA_ADMIN_TOKEN"),
        )


def instance_env(
    layout: Layout,
    index: int,
    *,
    database_url: str,
    redis_url: str,
    secrets: Secrets,
    env: Mapping[str, str],
) -> dict[str, dict[str, str]]:
    """The settings of instance `index` (0-based) by role (actions, rasa, web), on top of what
    every child inherits. deploy/ sets the same variables (tests/unit/test_cluster_config.py)."""
    shared = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    rasa_port = layout.rasa_port + index
    actions_port = layout.actions_port + index
    return {
        "actions": {**shared, "SANIC_HOST": "127.0.0.1"},
        "rasa": {
            **shared,
            **rasa_env(env, secrets.rasa_jwt),
            ACTIONS_URL_VAR: f"http://127.0.0.1:{actions_port}/webhook",
        },
        "web": {
            **shared,
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "RASA_JWT_SECRET": secrets.rasa_jwt,
            "TILLVERKA_COOKIE_KEY": secrets.cookie_key,
            "TILLVERKA_ADMIN_TOKEN": secrets.admin_token,
            # nginx is the one proxy in front: the client is the last X-Forwarded-For entry
            "TILLVERKA_PROXY_HOPS": "1",
        },
    }


def rasa_argv(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "bot.cluster", "rasa", "--host", host, "--port", str(port)]


def web_argv(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "bot.web", "--host", host, "--port", str(port)]


def nginx_argv(nginx: str, prefix: Path) -> list[str]:
    # in the foreground, so the supervisor sees it die; errors to the terminal
    return [nginx, "-p", f"{prefix}/", "-c", "nginx.conf", "-e", "stderr", "-g", "daemon off;"]


def cluster_services(
    root: Path,
    env: Mapping[str, str],
    layout: Layout,
    *,
    database_url: str,
    redis_url: str,
    secrets: Secrets,
    nginx: str,
    prefix: Path,
) -> list[Service]:
    """Every process of the cluster: per instance an action server, Rasa and a web app (all on
    127.0.0.1), then nginx on the public address, in front of the web apps."""
    base = child_env(env)
    services: list[Service] = []
    for index in range(layout.instances):
        n = index + 1
        settings = instance_env(
            layout, index, database_url=database_url, redis_url=redis_url, secrets=secrets, env=env
        )
        rasa_port, web_port = layout.rasa_port + index, layout.web_port + index
        services += [
            actions_service(
                root, {**base, **settings["actions"]}, layout.actions_port + index, f"actions-{n}"
            ),
            Service(
                name=f"rasa-{n}",
                argv=rasa_argv("127.0.0.1", rasa_port),
                health_url=f"http://127.0.0.1:{rasa_port}/",
                env={**base, **settings["rasa"]},
                cwd=root,
            ),
            Service(
                name=f"web-{n}",
                argv=web_argv("127.0.0.1", web_port),
                health_url=f"http://127.0.0.1:{web_port}{WEB_HEALTH_PATH}",
                env={**base, **settings["web"]},
                cwd=root,
            ),
        ]
    services.append(
        Service(
            name="nginx",
            argv=nginx_argv(nginx, prefix),
            health_url=local_url(layout.listen_host, layout.listen_port) + NGINX_HEALTH_PATH,
            env=dict(base),
            cwd=prefix,
        )
    )
    return services


def ready_line(layout: Layout, database_url: str, redis_url: str) -> str:
    url = local_url(layout.listen_host, layout.listen_port)

    def span(first: int) -> str:
        ports = layout.ports(first)
        return str(ports[0]) if len(ports) == 1 else f"{ports[0]}-{ports[-1]}"

    return (
        f"Tillverka cluster is ready: {url} (nginx in front of {layout.instances} web apps on "
        f"127.0.0.1:{span(layout.web_port)}; Rasa on {span(layout.rasa_port)}, actions on "
        f"{span(layout.actions_port)}; database {shown(database_url)}, Redis {shown(redis_url)}); "
        f"advisors: {url}/advisor (an account: make dev-admin)"
    )


# ---- nginx


def find_nginx(env: Mapping[str, str]) -> str:
    found = shutil.which("nginx", path=env.get("PATH")) or next(
        (c for c in NGINX_CANDIDATES if os.access(c, os.X_OK)), None
    )
    if not found:
        raise ClusterError("nginx is not installed: apt-get install nginx")
    return found


def nginx_config(upstreams: Sequence[str], listen: str) -> str:
    """nginx in front of the web apps at `upstreams` (host:port), listening on `listen`. Paths
    are relative to nginx's prefix (-p), so it needs no root and writes nowhere else."""
    from bot.web.register_api import MAX_IMPORT_BYTES

    servers = "\n".join(f"        server {u};" for u in upstreams)
    # the register import is the largest body; nginx's 1 MB default would refuse it
    max_body_kb = MAX_IMPORT_BYTES // 1024 + 64
    # in each location: a location with any proxy_set_header of its own inherits none
    forwarded = """proxy_pass http://tillverka_web;
            proxy_http_version 1.1;
            # the web app checks a websocket's Origin against Host (with the port)
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;"""
    return f"""# Generated by bot/cluster.py (python -m bot.cluster nginx-conf); do not edit.
worker_processes auto;
pid nginx.pid;
error_log stderr warn;

events {{
    worker_connections 1024;
}}

http {{
    # the web apps log every request; nginx logs only its own errors
    access_log off;
    server_tokens off;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    client_max_body_size {max_body_kb}k;

    # round robin, not sticky: any web app serves any founder (cookie + Redis)
    upstream tillverka_web {{
{servers}
        keepalive 32;
    }}

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}

    server {{
        listen {listen};

        # nginx's own liveness (the supervisor's and a container probe's), without the web apps
        location = {NGINX_HEALTH_PATH} {{
            default_type text/plain;
            return 200 "ok\\n";
        }}

        location /ws {{
            {forwarded}
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            # an open chat is quiet for long; the web app pings it (heartbeat)
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            proxy_buffering off;
        }}

        location / {{
            {forwarded}
            # keep-alive to the web apps
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def nginx_listen(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def write_nginx_config(prefix: Path, layout: Layout) -> Path:
    prefix.mkdir(parents=True, exist_ok=True)
    path = prefix / "nginx.conf"
    upstreams = [f"127.0.0.1:{p}" for p in layout.ports(layout.web_port)]
    path.write_text(nginx_config(upstreams, nginx_listen(layout.listen_host, layout.listen_port)))
    return path


# ---- the database, once before the servers start


def ensure_database(database_url: str) -> bool:
    """Create the database of `database_url` if it does not exist; True if it was created."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError, ProgrammingError

    url = make_url(database_url)
    name = url.database
    if not name:
        raise ClusterError("DATABASE_URL names no database (postgresql://.../NAME)")
    # the maintenance database answers even when ours does not exist yet
    engine = create_engine(url.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists:
                return False
            try:
                conn.exec_driver_sql(
                    f"CREATE DATABASE {engine.dialect.identifier_preparer.quote(name)}"
                )
            except ProgrammingError:  # another launcher made it meanwhile
                return False
            return True
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise ClusterError(
            f"PostgreSQL does not answer at {url.host or 'localhost'}:{url.port or 5432} "
            f"({reason}). Install and start it (apt-get install postgresql) or set DATABASE_URL"
        ) from exc
    finally:
        engine.dispose()


def ensure_redis(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ClusterError(
            f"Redis does not answer at {shown(redis_url)} ({exc}). Install and start it "
            "(apt-get install redis-server) or set REDIS_URL"
        ) from exc
    finally:
        client.close()


def prepare(database_url: str, redis_url: str | None = None) -> list[str]:
    """Make the database ready before any server starts: several processes creating the same
    tables at once on a fresh PostgreSQL fail with "already exists". What was done, in words."""
    done = []
    if redis_url:
        ensure_redis(redis_url)
    if ensure_database(database_url):
        done.append(f"Created the database {shown(database_url)}")
    # every module with tables on bot.db.metadata, so create_all makes them all
    import bot.leads  # noqa: F401
    import bot.privacy  # noqa: F401
    import bot.transcript_index  # noqa: F401
    import bot.web.app  # noqa: F401
    from bot.db import get_engine
    from bot.register.seed import ensure_seeded
    from bot.register.store import RegisterStore

    get_engine(database_url)
    added = ensure_seeded(RegisterStore(database_url))
    if added:
        done.append(f"Register seeded with {added} fictional sample manufacturers")
    return done


# ---- one Rasa server (`python -m bot.cluster rasa`): what each cluster instance and deploy/ run


def serve_rasa(host: str, port: int) -> None:
    """Write this server's endpoints (tracker store, event broker and lock store from
    DATABASE_URL / REDIS_URL, actions at TILLVERKA_ACTIONS_URL) and credentials under
    var/cluster/rasa-<port>/, then become Rasa (exec_rasa: the JWT secret stays off argv)."""
    import yaml

    from bot.slack.credentials import write_credentials
    from bot.tracker_endpoints import write_endpoints

    actions_url = os.environ.get(ACTIONS_URL_VAR, "").strip()
    if not actions_url:
        raise SystemExit(
            f"{ACTIONS_URL_VAR} is not set: the action server's webhook, "
            f"e.g. http://127.0.0.1:{FIRST_ACTIONS_PORT}/webhook"
        )
    out = Path(config.VAR_DIR) / "cluster" / f"rasa-{port}"
    endpoints = write_endpoints(
        config.ROOT,
        os.environ.get("DATABASE_URL"),
        out=out / "endpoints.yml",
        redis_url=os.environ.get("REDIS_URL", ""),  # the lock store every server shares
    )
    settings = yaml.safe_load(endpoints.read_text())
    settings["action_endpoint"] = {"url": actions_url}
    endpoints.write_text(
        f"# Generated by bot/cluster.py for the Rasa server on port {port}; do not edit.\n"
        + yaml.safe_dump(settings, sort_keys=False)
    )
    credentials = write_credentials(config.ROOT, os.environ, out=out / "credentials.yml")
    model = str(config.ROOT / "models")
    sys.argv = [
        sys.argv[0],
        *rasa_run_args(host, port, endpoints=endpoints, credentials=credentials, model=model),
    ]
    exec_rasa()


# ---- command line


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(text)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.cluster",
        description="Tillverka on several instances behind nginx (see docs/scale-out.md).",
    )
    parser.add_argument("--instances", type=_count, help="how many of each (default CLUSTER_SIZE or 2)")
    parser.add_argument("--rasa-port", type=_port, default=FIRST_RASA_PORT, help="first Rasa port")
    parser.add_argument(
        "--actions-port", type=_port, default=FIRST_ACTIONS_PORT, help="first action-server port"
    )
    parser.add_argument("--web-port", type=_port, default=FIRST_WEB_PORT, help="first web-app port")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("prepare", help="create the database, our tables and the sample register")
    rasa = commands.add_parser("rasa", help="run one Rasa server (endpoints from the environment)")
    rasa.add_argument("--host", default="127.0.0.1")
    rasa.add_argument("--port", type=_port, default=FIRST_RASA_PORT)
    conf = commands.add_parser("nginx-conf", help="print nginx's configuration")
    conf.add_argument("--upstream", action="append", required=True, help="a web app, HOST:PORT")
    conf.add_argument("--listen", default="80", help="nginx's listen address (default 80)")
    return parser.parse_args(argv)


def launch(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    try:
        host, port = listen_address(env)
        layout = Layout(
            instances=instance_count(args.instances, env),
            rasa_port=args.rasa_port,
            actions_port=args.actions_port,
            web_port=args.web_port,
            listen_host=host,
            listen_port=port,
        )
        layout.check()
        nginx = find_nginx(env)
        missing = missing_files(config.ROOT)
        if missing:
            raise ClusterError(f"missing: {'; '.join(missing)}")
        database_url, redis_url = cluster_urls(env)
        for line in prepare(database_url, redis_url):
            say(line)
        prefix = Path(config.VAR_DIR) / "cluster"
        write_nginx_config(prefix, layout)
        services = cluster_services(
            config.ROOT,
            env,
            layout,
            database_url=database_url,
            redis_url=redis_url,
            secrets=Secrets.load(),
            nginx=nginx,
            prefix=prefix,
        )
        raw_timeout = env.get("TILLVERKA_START_TIMEOUT", "").strip()
        timeout = (
            float(raw_timeout)
            if raw_timeout
            else DEFAULT_TIMEOUT_S + EXTRA_START_S * (layout.instances - 1)
        )
    except (ClusterError, ValueError) as exc:
        say(f"Cannot start the Tillverka cluster: {exc}", error=True)
        return 2
    return supervise_main(
        services, ready_line=ready_line(layout, database_url, redis_url), timeout=timeout
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "rasa":
        serve_rasa(args.host, args.port)
        return 0
    if args.command == "nginx-conf":
        sys.stdout.write(nginx_config(args.upstream, args.listen))
        return 0
    if args.command == "prepare":
        try:
            database_url, redis_url = cluster_urls(os.environ)
            for line in prepare(database_url, redis_url) or ["The database was ready already"]:
                say(line)
        except ClusterError as exc:
            say(f"Cannot prepare the database: {exc}", error=True)
            return 2
        return 0
    return launch(args, os.environ)


if __name__ == "__main__":
    sys.exit(main())
