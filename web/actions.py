"""One place for the triage actions, shared by the form routes and the JSON API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from xunjian.storage import triage
from xunjian.storage.triage import TriageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings

ACTIONS = ("confirm", "fix", "ignore", "reopen", "comment", "assign", "recheck")
ACTION_ZH = {"confirm": "确认", "fix": "标记已修复", "ignore": "忽略", "reopen": "重新打开", "comment": "评论",
             "assign": "指派", "recheck": "复查", "resolve": "整改确认", "user_add": "添加用户",
             "user_disable": "停用用户", "token_create": "创建令牌", "login": "登录", "login_failed": "登录失败",
             "logout": "退出", "scan_start": "启动扫描", "site_allow_words": "设置站点白名单",
             "site_create": "新增站点", "site_update": "修改站点", "settings_update": "修改配置"}


def parse_until(value: Any) -> datetime | None:
    """An ignore expiry: ``YYYY-MM-DD`` (the end of that day, UTC) or an ISO date-time; empty = never."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(0), timezone.utc)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TriageError(f"无法识别的到期时间 {text!r} (应为 YYYY-MM-DD)", 400) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def apply(session: Session, settings: Settings, finding_id: int, action: str, actor: str,
          data: dict[str, Any]) -> dict[str, Any]:
    """Run one action on one finding (not committed); returns a short result for the API."""
    reason = str(data.get("reason") or "").strip() or None
    if action == "comment":
        item = triage.comment(session, finding_id, actor, str(data.get("body") or data.get("reason") or ""))
        return {"id": finding_id, "comment": item.id}
    if action == "assign":
        row = triage.assign(session, finding_id, actor, str(data.get("assignee") or ""))
        return {"id": row.id, "assignee": row.assignee}
    if action == "recheck":
        from xunjian.web.recheck import recheck

        return recheck(session, settings, finding_id, actor)
    if action not in triage.TRANSITIONS or action == "resolve":
        raise TriageError(f"未知的操作 {action!r}", 404)
    kind = str(data.get("kind") or "").strip() or None
    row = triage.transition(session, finding_id, action, actor, reason, ignore_kind=kind,
                            ignore_until=parse_until(data.get("until")))
    return {"id": row.id, "status": row.status}
