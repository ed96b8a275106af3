"""``xunjian users`` (accounts of the web console) and ``xunjian web --help``."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from xunjian.cli import app
from xunjian.storage.db import session_scope
from xunjian.storage.models import ApiToken, AuditEntry, User

runner = CliRunner()


def test_users_add_list_token_disable(cli_env):
    r = runner.invoke(app, ["users", "add", "zhang", "--role", "inspector", "--password-stdin"], input="s3cret-pass\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "add", "zhang", "--role", "viewer", "--password-stdin"], input="s3cret-pass\n")
    assert r.exit_code == 2 and "已存在" in r.output
    r = runner.invoke(app, ["users", "add", "li", "--role", "boss", "--password-stdin"], input="s3cret-pass\n")
    assert r.exit_code == 2 and "未知的角色" in r.output
    r = runner.invoke(app, ["users", "add", "wang", "--password-stdin"], input="short\n")
    assert r.exit_code == 2 and "至少 8" in r.output
    r = runner.invoke(app, ["users", "list", "--format", "json"])
    assert [(u["name"], u["role"], u["active"]) for u in json.loads(r.stdout)] == [("zhang", "inspector", True)]
    r = runner.invoke(app, ["users", "token", "zhang", "--label", "cms"])
    token = r.stdout.strip()
    assert r.exit_code == 0 and token.startswith("xj_") and len(token) > 30
    url = cli_env["XUNJIAN_DATABASE_URL"]
    with session_scope(url) as s:
        user = s.scalars(select(User)).one()
        assert user.password_hash.startswith("$argon2") and "s3cret-pass" not in user.password_hash
        stored = s.scalars(select(ApiToken)).one()
        assert stored.token_hash != token and len(stored.token_hash) == 64
    r = runner.invoke(app, ["users", "disable", "zhang"])
    assert r.exit_code == 0
    assert runner.invoke(app, ["users", "disable", "nobody"]).exit_code == 5
    with session_scope(url) as s:
        assert not s.scalars(select(User)).one().active and s.scalars(select(ApiToken)).one().revoked
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["user_add", "token_create", "user_disable"]


def test_web_help():
    r = runner.invoke(app, ["web", "--help"])
    assert r.exit_code == 0 and "--port" in r.output and "--host" in r.output
