"""Accounts of the review web app: password hashing, user queries, login throttling, the
session secret.

Passwords are hashed with scrypt (RFC 7914, ``hashlib.scrypt``) and a random 16-byte salt per
user; the stored form is ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (base64), so parameters can be
raised later without breaking existing accounts. Roles: ``reviewer`` (confirm, dismiss,
manual entries), ``viewer`` (read only) and ``unit`` (被考核单位: bound to one or more unit
codes, it reads its own units' findings only and submits 整改说明 on them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govwatch.timeutil import now
from storage.models import Unit, User, UserUnit

ROLES = {"reviewer": "审核人", "viewer": "只读", "unit": "被考核单位"}
UNIT_ROLE = "unit"
MIN_PASSWORD_LENGTH = 8
SECRET_ENV = "GOVWATCH_SECRET_KEY"
SECRET_FILE = "secret_key"

# scrypt cost: 2**15 × 8 × 128 bytes = 32 MiB of memory and ~0.1 s per hash.
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` in the self-describing stored form."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P,
                            maxmem=_MAXMEM, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                                n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM,
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash to check against when the name is unknown, so both cases take the same time.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


class UserError(ValueError):
    """A user command that cannot be carried out; ``str()`` is the Chinese message."""


@dataclass(frozen=True)
class Account:
    """A user as the app sees it (never the password hash itself)."""

    id: int
    name: str
    role: str
    active: bool
    created_at: datetime
    stamp: str  # changes when the password changes or the user logs out: old sessions end
    units: frozenset[str] = frozenset()  # a ``unit`` user's unit codes

    @property
    def can_review(self) -> bool:
        return self.role == "reviewer" and self.active

    @property
    def is_unit(self) -> bool:
        """A unit's account: it sees its own units' data only."""
        return self.role == UNIT_ROLE

    def sees(self, unit_code: str | None) -> bool:
        """Whether this user may read a unit's data: reviewers and viewers every unit, a
        unit user its own units only."""
        return not self.is_unit or (unit_code is not None and unit_code in self.units)

    @property
    def scope(self) -> frozenset[str] | None:
        """The unit codes the user is limited to; None: every unit."""
        return self.units if self.is_unit else None

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


def session_stamp(password_hash: str, epoch: int = 0) -> str:
    """What a session cookie must carry to be valid: new for every password and logout."""
    return hashlib.sha256(f"{password_hash}:{epoch}".encode()).hexdigest()[:16]


def _account(user: User) -> Account:
    return Account(user.id, user.name, user.role, user.active, user.created_at,
                   session_stamp(user.password_hash, user.session_epoch or 0),
                   frozenset(link.unit_code for link in user.unit_links))


def end_sessions(session: Session, user_id: int) -> None:
    """Log a user out everywhere: every session cookie issued so far stops working (a copy
    taken before logout included)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_epoch = (user.session_epoch or 0) + 1


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符")


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UserError("用户名不能为空")
    if len(name) > 100 or any(c.isspace() or not c.isprintable() for c in name):
        raise UserError("用户名不能含空格或控制字符，且不超过 100 个字符")
    return name


def _role_units(session: Session, role: str, units: Iterable[str]) -> list[str]:
    """The unit codes a role is bound to: one or more known units for ``unit``, none else."""
    if role not in ROLES:
        raise UserError(f"角色「{role}」无效，应为 reviewer（审核人）、viewer（只读）"
                        "或 unit（被考核单位）")
    codes = sorted({c.strip() for c in units if c.strip()})
    if role != UNIT_ROLE:
        if codes:
            raise UserError("只有 unit（被考核单位）角色可以指定单位")
        return []
    if not codes:
        raise UserError("unit（被考核单位）角色须用 --units 指定至少一个单位代码")
    known = set(session.scalars(select(Unit.code).where(Unit.code.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise UserError(f"没有单位「{'、'.join(unknown)}」，请核对单位代码")
    return codes


def _bind(user: User, role: str, codes: list[str]) -> None:
    user.role = role
    user.unit_links = [UserUnit(unit_code=c) for c in codes]


def create_user(session: Session, name: str, password: str, role: str,
                units: Iterable[str] = ()) -> Account:
    """Add an account; a removed (deactivated) account of that name comes back with the new
    password and role. An active account of that name is refused. ``units``: the unit codes
    of a ``unit`` account (required for it, refused for the other roles)."""
    name = check_name(name)
    codes = _role_units(session, role, units)
    check_password(password)
    user = session.scalar(select(User).where(User.name == name))
    if user is not None and user.active:
        raise UserError(f"用户「{name}」已存在；修改密码请用 govwatch users passwd {name}")
    if user is None:
        user = User(name=name, created_at=now())
        session.add(user)
    user.password_hash, user.active = hash_password(password), True
    _bind(user, role, codes)
    session.flush()
    return _account(user)


def _existing(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise UserError(f"没有用户「{name}」")
    return user


def set_password(session: Session, name: str, password: str) -> Account:
    """Change a password; the user's open sessions end."""
    check_password(password)
    user = _existing(session, name)
    user.password_hash = hash_password(password)
    session.flush()
    return _account(user)


def set_role(session: Session, name: str, role: str, units: Iterable[str] = ()) -> Account:
    """Change a role (and a ``unit`` account's units); the user's open sessions end, so a
    narrowed account never keeps a wider session."""
    codes = _role_units(session, role, units)
    user = _existing(session, name)
    _bind(user, role, codes)
    user.session_epoch = (user.session_epoch or 0) + 1
    session.flush()
    return _account(user)


def deactivate_user(session: Session, name: str) -> Account:
    """Stop an account from logging in (its name stays in the review history)."""
    user = _existing(session, name)
    user.active = False
    session.flush()
    return _account(user)


def list_users(session: Session) -> list[Account]:
    return [_account(u) for u in session.scalars(select(User).order_by(User.name))]


def get_user(session: Session, user_id: int) -> Account | None:
    user = session.get(User, user_id)
    return _account(user) if user is not None else None


def authenticate(session: Session, name: str, password: str) -> Account | None:
    """The active account with this name and password, else None."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None or not user.active:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, user.password_hash):
        return None
    return _account(user)


class LoginThrottle:
    """Refuse logins for a name (or from an address) after too many recent failures."""

    def __init__(self, max_failures: int = 5, window_seconds: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, at: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= at - self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        at = time.monotonic()
        with self._lock:
            if len(self._failures) > 10_000:  # forget names nobody has tried lately
                for key in [k for k in self._failures if not self._recent(k, at)]:
                    del self._failures[key]
            return any(len(self._recent(k, at)) >= self.max_failures for k in keys)

    def failed(self, *keys: str) -> None:
        at = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, at).append(at)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


def load_secret_key(data_dir: Path) -> str:
    """The key that signs session cookies: env GOVWATCH_SECRET_KEY, else a random key kept in
    ``<data_dir>/secret_key`` (created on first use, mode 0600)."""
    from_env = os.environ.get(SECRET_ENV, "").strip()
    if from_env:
        return from_env
    path = Path(data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
