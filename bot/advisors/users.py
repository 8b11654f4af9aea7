"""Advisor accounts: Argon2id passwords, roles, and locking after repeated failed sign-ins.

Accounts are made on the command line (`python -m bot.advisors`). Failed sign-ins are counted
per *typed* e-mail address in their own table, so an unknown address is locked exactly like a
real one and the sign-in form never reveals which accounts exist.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    and_,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.db import get_engine, metadata, utc

ROLES = ("advisor", "admin")
MAX_FAILURES = 5  # within FAILURE_WINDOW
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
MIN_PASSWORD_CHARS = 12
# Argon2 pre-hashes its input, but nobody types more; it bounds the work one request can ask for
MAX_PASSWORD_CHARS = 1024
MAX_EMAIL_CHARS = 254
MAX_NAME_CHARS = 200

advisor_users = Table(
    "advisor_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(MAX_EMAIL_CHARS), nullable=False, unique=True),
    Column("name", String(MAX_NAME_CHARS), nullable=False),
    Column("role", String(10), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("email", String(MAX_EMAIL_CHARS), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_failed_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
)

# local@domain; "admin@localhost" is a valid address for `make run`
_EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+$")

_hasher = PasswordHasher()  # Argon2id with the library's recommended parameters
_dummy_hash: str | None = None


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    disabled: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class SignIn:
    user: User | None
    outcome: str  # "ok" | "invalid" | "locked"
    locked_until: datetime | None = None


class AccountError(ValueError):
    """A refused account change; `code` is one of bad_email, weak_password, exists,
    no_such_user, bad_role, bad_name, and the message says it in English."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def as_utc(value: datetime | None = None) -> datetime:
    """`value` (or now) in UTC; a naive value is taken as UTC, as SQLite returns them."""
    return datetime.now(timezone.utc) if value is None else utc(value)


def normalise_email(email: object) -> str | None:
    """The stored form of an address (trimmed, lower-case, NFC), or None if it is no address."""
    if not isinstance(email, str):
        return None
    email = unicodedata.normalize("NFC", email.strip()).lower()
    if len(email) > MAX_EMAIL_CHARS or not _EMAIL_RE.match(email):
        return None
    return email


def _password_text(password: object) -> str | None:
    """The password as hashed (NFC, so 'å' typed on a Mac and on Windows is the same), or None
    if it can't be a password at all."""
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD_CHARS:
        return None
    return unicodedata.normalize("NFC", password)


def check_password(password: object) -> str:
    """The password to hash, or AccountError("weak_password") saying why not."""
    if not isinstance(password, str) or not password.strip():
        raise AccountError("weak_password", "The password is empty.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(
            "weak_password", f"The password is longer than {MAX_PASSWORD_CHARS} characters."
        )
    text = unicodedata.normalize("NFC", password)
    if len(text) < MIN_PASSWORD_CHARS:
        raise AccountError(
            "weak_password", f"The password must have at least {MIN_PASSWORD_CHARS} characters."
        )
    return text


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _waste_a_verify(password: str) -> None:
    """As long as checking a real password, so the time taken doesn't tell an account exists."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    _verify(_dummy_hash, password)


def user_from_row(row) -> User:
    """A User from a row with advisor_users' id, email, name, role and disabled."""
    m = row._mapping
    return User(
        id=m["id"], email=m["email"], name=m["name"], role=m["role"], disabled=bool(m["disabled"])
    )


def _end_sessions(conn: Connection, user_id: int) -> None:
    # sessions.py imports this module (a session belongs to a user), hence the late import
    from bot.advisors.sessions import advisor_sessions

    conn.execute(delete(advisor_sessions).where(advisor_sessions.c.user_id == user_id))


class UserStore:
    """Advisor accounts in the shared database (DATABASE_URL unless a url is given)."""

    def __init__(self, url: str | None = None):
        import bot.advisors.sessions  # noqa: F401  (its table must exist: we end sessions)

        self.engine: Engine = get_engine(url)

    # --- accounts ---------------------------------------------------------------------------

    def create(self, email: str, name: str, password: str, role: str = "advisor") -> User:
        address = normalise_email(email)
        if address is None:
            raise AccountError("bad_email", f"'{email}' is not an e-mail address.")
        clean_name = " ".join(name.split()) if isinstance(name, str) else ""
        if not clean_name or len(clean_name) > MAX_NAME_CHARS:
            raise AccountError("bad_name", f"The name must have 1 to {MAX_NAME_CHARS} characters.")
        if role not in ROLES:
            raise AccountError("bad_role", f"The role must be one of: {', '.join(ROLES)}.")
        password_hash = _hasher.hash(check_password(password))
        try:
            with self.engine.begin() as conn:
                if self._row(conn, address) is not None:
                    raise AccountError("exists", f"There is already an account for {address}.")
                result = conn.execute(
                    insert(advisor_users).values(
                        email=address,
                        name=clean_name,
                        role=role,
                        password_hash=password_hash,
                        created_at=as_utc(),
                        disabled=False,
                    )
                )
                user_id = result.inserted_primary_key[0]
        except IntegrityError:  # created by someone else in the meantime
            raise AccountError("exists", f"There is already an account for {address}.") from None
        return User(id=user_id, email=address, name=clean_name, role=role, disabled=False)

    def set_password(self, email: str, password: str) -> None:
        """A new password; the user's sessions end and any lock on the address is lifted."""
        password_hash = _hasher.hash(check_password(password))
        with self.engine.begin() as conn:
            user = self._existing(conn, email)
            conn.execute(
                update(advisor_users)
                .where(advisor_users.c.id == user.id)
                .values(password_hash=password_hash)
            )
            conn.execute(delete(login_failures).where(login_failures.c.email == user.email))
            _end_sessions(conn, user.id)

    def set_disabled(self, email: str, disabled: bool) -> None:
        """Disable (or enable again) an account; either way its sessions end."""
        with self.engine.begin() as conn:
            user = self._existing(conn, email)
            conn.execute(
                update(advisor_users)
                .where(advisor_users.c.id == user.id)
                .values(disabled=bool(disabled))
            )
            _end_sessions(conn, user.id)

    # --- signing in -------------------------------------------------------------------------

    def sign_in(self, email: str, password: str, now: datetime | None = None) -> SignIn:
        """Check a typed e-mail and password. Never raises for bad input: it is "invalid"."""
        now = as_utc(now)
        address = normalise_email(email)
        if address is None:
            return SignIn(None, "invalid")
        with self.engine.connect() as conn:
            locked_until = self._locked_until(conn, address, now)
            row = None if locked_until else self._row(conn, address)
        if locked_until:  # without looking at the password, and without extending the lock
            return SignIn(None, "locked", locked_until)
        text = _password_text(password)
        if row is None or text is None:
            _waste_a_verify(text or "-")
            return self._failed(address, now)
        password_hash = row._mapping["password_hash"]
        if not _verify(password_hash, text) or row._mapping["disabled"]:
            return self._failed(address, now)
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.email == address))
            if _hasher.check_needs_rehash(password_hash):  # the parameters were raised since
                conn.execute(
                    update(advisor_users)
                    .where(advisor_users.c.id == row._mapping["id"])
                    .values(password_hash=_hasher.hash(text))
                )
        return SignIn(user_from_row(row), "ok")

    def _locked_until(self, conn: Connection, address: str, now: datetime) -> datetime | None:
        locked = conn.execute(
            select(login_failures.c.locked_until).where(login_failures.c.email == address)
        ).scalar()
        if locked is not None and as_utc(locked) > now:
            return as_utc(locked)
        return None

    def _failed(self, address: str, now: datetime) -> SignIn:
        try:
            return self._count_failure(address, now)
        except IntegrityError:  # a parallel first failure inserted the row: count again
            return self._count_failure(address, now)

    def _count_failure(self, address: str, now: datetime) -> SignIn:
        """Count one failure; the MAX_FAILURES-th within the window locks the address."""
        c = login_failures.c
        in_window = and_(
            c.email == address,
            c.first_failed_at > now - FAILURE_WINDOW,
            or_(c.locked_until.is_(None), c.locked_until > now),
        )
        with self.engine.begin() as conn:
            # an increment in SQL, so parallel guesses can't each read the same count
            counted = conn.execute(
                update(login_failures).where(in_window).values(failures=c.failures + 1)
            ).rowcount
            if not counted:  # no failure yet, or only old ones (or an expired lock): start afresh
                fresh = {"failures": 1, "first_failed_at": now, "locked_until": None}
                restarted = conn.execute(
                    update(login_failures).where(c.email == address).values(**fresh)
                ).rowcount
                if not restarted:
                    conn.execute(insert(login_failures).values(email=address, **fresh))
            failures = conn.execute(select(c.failures).where(c.email == address)).scalar_one()
            if failures < MAX_FAILURES:
                return SignIn(None, "invalid")
            # only the first lock counts: a guess racing past the check doesn't extend it
            conn.execute(
                update(login_failures)
                .where(c.email == address, c.locked_until.is_(None))
                .values(locked_until=now + LOCK_TIME)
            )
            until = conn.execute(select(c.locked_until).where(c.email == address)).scalar_one()
        return SignIn(None, "locked", as_utc(until))

    # --- reading ----------------------------------------------------------------------------

    def get(self, user_id: int) -> User | None:
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(advisor_users).where(advisor_users.c.id == user_id)).first()
        return user_from_row(row) if row else None

    def by_email(self, email: str) -> User | None:
        address = normalise_email(email)
        if address is None:
            return None
        with self.engine.connect() as conn:
            row = self._row(conn, address)
        return user_from_row(row) if row else None

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(advisor_users).order_by(advisor_users.c.email))
            return [user_from_row(row) for row in rows]

    def _row(self, conn: Connection, address: str):
        return conn.execute(select(advisor_users).where(advisor_users.c.email == address)).first()

    def _existing(self, conn: Connection, email: str) -> User:
        address = normalise_email(email)
        row = self._row(conn, address) if address else None
        if row is None:
            raise AccountError("no_such_user", f"There is no account for {email}.")
        return user_from_row(row)
