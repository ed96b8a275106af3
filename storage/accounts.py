"""Web console accounts: users (argon2 password hashes), API tokens (SHA-256 of a random token).

Roles: ``viewer`` reads, ``inspector`` also triages findings and starts scans, ``admin`` also manages
users, sites and settings. Functions take the session first and never commit; every change is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from xunjian.storage.models import ApiToken, User
from xunjian.storage.triage import audit
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ROLES = ("viewer", "inspector", "admin")
ROLE_ZH = {"viewer": "只读", "inspector": "巡检员", "admin": "管理员"}
TOKEN_PREFIX = "xj_"
_hasher = PasswordHasher()
#: verified against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("xunjian-dummy-password")


class AccountError(Exception):
    """Bad account input (unknown user, role, weak password); the message says which."""


def role_at_least(role: str, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def get_user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).first()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def add_user(session: Session, name: str, role: str, password: str, actor: str = "cli") -> User:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise AccountError("用户名不能为空、不能含空白，最长 64 个字符")
    if role not in ROLES:
        raise AccountError(f"未知的角色 {role!r}，可选 admin、inspector 或 viewer")
    if len(password or "") < 8:
        raise AccountError("密码至少 8 个字符")
    if get_user(session, name) is not None:
        raise AccountError(f"用户 {name} 已存在")
    user = User(name=name, role=role, password_hash=_hasher.hash(password), active=True, created_at=utcnow())
    session.add(user)
    session.flush()
    audit(session, actor, "user_add", "user", name, to_status=role)
    return user


def disable_user(session: Session, name: str, actor: str = "cli") -> User:
    user = get_user(session, name)
    if user is None:
        raise AccountError(f"用户 {name} 不存在")
    user.active = False
    user.session_epoch += 1  # logs out every browser session
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked = True
    audit(session, actor, "user_disable", "user", name, from_status="active", to_status="disabled")
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, or None (same cost either way)."""
    user = get_user(session, name)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, label: str | None = None, actor: str = "cli") -> str:
    """A new API token for the user (shown once; only its hash is stored)."""
    user = get_user(session, name)
    if user is None or not user.active:
        raise AccountError(f"用户 {name} 不存在或已停用")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_hash(token), label=label, created_at=utcnow()))
    audit(session, actor, "token_create", "user", name, reason=label)
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(token),
                                                 ApiToken.revoked.is_(False))).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user
