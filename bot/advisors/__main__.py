"""Advisor accounts on the command line (the only place accounts are made), and retention.

    python -m bot.advisors create-user anna@example.se --name "Anna Berg" --role admin
    python -m bot.advisors set-password anna@example.se --password-stdin < file
    python -m bot.advisors disable|enable anna@example.se
    python -m bot.advisors list-users
    python -m bot.advisors dev-admin          # admin@localhost for `make run`
    python -m bot.advisors expire [--days N]  # delete conversations past the retention period

Uses DATABASE_URL. Exit codes: 0 done, 1 refused (the message says why), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from bot.advisors.users import ROLES, AccountError, User, UserStore

DEV_ADMIN_EMAIL = "admin@localhost"
DEV_ADMIN_NAME = "Dev admin"
DEV_PASSWORD_ENV = "TILLVERKA_DEV_ADMIN_PASSWORD"


class CommandError(Exception):
    """A refusal to report on one line (exit code 1)."""


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise CommandError("The two passwords differ; nothing was changed.")
    return first


def _create_user(store: UserStore, args: argparse.Namespace) -> None:
    password = read_password(args.password_stdin)
    user = store.create(args.email, args.name, password, role=args.role)
    print(f"Created {user.role} {user.email} (id {user.id})")


def _account(store: UserStore, email: str) -> User:
    user = store.by_email(email)
    if user is None:
        raise AccountError("no_such_user", f"There is no account for {email}.")
    return user


def _set_password(store: UserStore, args: argparse.Namespace) -> None:
    user = _account(store, args.email)  # before asking for a password that can't be used
    store.set_password(user.email, read_password(args.password_stdin))
    print(f"Password changed for {user.email}; their sessions have ended.")


def _disable(store: UserStore, args: argparse.Namespace) -> None:
    user = _account(store, args.email)
    store.set_disabled(user.email, True)
    print(f"Disabled {user.email}; their sessions have ended.")


def _enable(store: UserStore, args: argparse.Namespace) -> None:
    user = _account(store, args.email)
    store.set_disabled(user.email, False)
    print(f"Enabled {user.email}.")


def _list_users(store: UserStore, args: argparse.Namespace) -> None:
    users = store.list()
    if not users:
        print(
            "No accounts yet; make one with: python -m bot.advisors create-user EMAIL --name NAME"
        )
        return
    for user in users:
        state = "  (disabled)" if user.disabled else ""
        print(f"{user.id:>4}  {user.role:<7}  {user.email}  {user.name}{state}")


def _dev_admin(store: UserStore, args: argparse.Namespace) -> None:
    password = os.environ.get(DEV_PASSWORD_ENV) or secrets.token_urlsafe(12)  # 16 characters
    if store.by_email(DEV_ADMIN_EMAIL) is None:
        store.create(DEV_ADMIN_EMAIL, DEV_ADMIN_NAME, password, role="admin")
    else:
        store.set_password(DEV_ADMIN_EMAIL, password)
        store.set_disabled(DEV_ADMIN_EMAIL, False)
    print(f"Sign in at /advisor/login as {DEV_ADMIN_EMAIL} with the password: {password}")


def _expire(store: UserStore, args: argparse.Namespace) -> None:
    from bot.privacy import expire_old  # only this command needs the tracker's tables

    removed = expire_old(days=args.days)
    print(f"Expired {removed} conversations.")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.advisors",
        description="Manage advisor accounts and data retention (uses DATABASE_URL).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    stdin_help = "read the password from the first line of stdin instead of asking twice"
    create = command("create-user", _create_user, "create an advisor or admin account")
    create.add_argument("email")
    create.add_argument("--name", required=True, help="the name founders see")
    create.add_argument("--role", choices=ROLES, default="advisor")
    create.add_argument("--password-stdin", action="store_true", help=stdin_help)
    password = command("set-password", _set_password, "set a new password (ends their sessions)")
    password.add_argument("email")
    password.add_argument("--password-stdin", action="store_true", help=stdin_help)
    command("disable", _disable, "disable an account (ends its sessions)").add_argument("email")
    command("enable", _enable, "enable a disabled account again").add_argument("email")
    command("list-users", _list_users, "list the accounts")
    command("dev-admin", _dev_admin, f"create or reset {DEV_ADMIN_EMAIL} for local development")
    expire = command("expire", _expire, "delete conversations past the retention period")
    expire.add_argument(
        "--days", type=_positive_int, help="retention in days (default TILLVERKA_RETENTION_DAYS)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(UserStore(), args)
    except (AccountError, CommandError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("Error: cancelled; nothing was changed.", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
        print(f"Error: the database can't be used: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
