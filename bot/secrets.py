"""Secrets (JWT key, admin token, cookie key): from the environment, else created once under var/.

`make run` needs no setup: the first start writes each secret to `var/secrets/<name>` (mode 0600)
and every later start, and every process of the same installation, reads the same value.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from bot import config

# HS256 keys and bearer tokens shorter than this can be brute-forced offline.
MIN_SECRET_BYTES = 32

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def get_or_create_secret(name: str, env_var: str) -> str:
    """The value of `env_var` if set, otherwise the secret stored as var/secrets/<name>.

    The file is created on first use; several processes starting at once agree on one value.
    """
    from_env = os.environ.get(env_var, "").strip()
    if from_env:
        _check_length(from_env, f"the environment variable {env_var}")
        return from_env
    if not _NAME.match(name) or name.startswith("."):
        raise ValueError(f"invalid secret name {name!r}: use letters, digits, '_', '-' or '.'")
    path = Path(config.VAR_DIR) / "secrets" / name
    if not path.exists():
        _create(path)
    value = path.read_text(encoding="utf-8").strip()
    _check_length(value, f"{path} (delete it to have a new one generated, or set {env_var})")
    return value


def _check_length(value: str, where: str) -> None:
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ValueError(
            f"the secret in {where} is too short: it must be at least {MIN_SECRET_BYTES} bytes"
        )


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # O_EXCL + 0600: the value is never readable by others, not even for a moment.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link() fails if another process got there first; then its secret wins, so every
            # process ends up with the same value (rename would silently replace it).
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
