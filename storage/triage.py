"""The triage workflow of findings (SonarQube / DefectDojo style) and its append-only audit trail.

States: ``open`` → ``confirmed`` → ``fixed`` → ``resolved`` (a fixed finding is re-checked by the next
scan, or at once by 复查); ``open``/``confirmed`` → ``ignored`` (误报 false_positive / 不适用
not_applicable) with a reason and an optional expiry; anything but open → ``open`` again (reopen). A
finding a scan sees again after it was fixed or resolved is reopened by :func:`merge_findings`.

Every change writes one :class:`AuditEntry` (who, when, from, to, reason); nothing here updates or
deletes an audit row. Functions take the session first and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from xunjian.storage.models import AuditEntry, FindingComment, Ignore
from xunjian.storage.models import Finding as FindingRow
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Statuses of a finding still present on the site (scored, shown as current, resolved by a clean scan).
ACTIVE = ("open", "confirmed", "fixed")
STATUSES = ("open", "confirmed", "fixed", "resolved", "ignored")
IGNORE_KINDS = {"false_positive": "误报", "not_applicable": "不适用"}
#: action -> (statuses it starts from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({"open"}), "confirmed"),
    "fix": (frozenset({"open", "confirmed"}), "fixed"),
    "ignore": (frozenset({"open", "confirmed"}), "ignored"),
    "reopen": (frozenset({"confirmed", "fixed", "resolved", "ignored"}), "open"),
    "resolve": (frozenset({"fixed"}), "resolved"),
}


class TriageError(Exception):
    """A change that the workflow does not allow (or an unknown finding); the message says why."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def audit(session: Session, actor: str, action: str, object_type: str, object_id: Any, *,
          site_id: str | None = None, from_status: str | None = None, to_status: str | None = None,
          reason: str | None = None, details: dict[str, Any] | None = None, at: datetime | None = None) -> AuditEntry:
    """Append one audit row (flushed, not committed)."""
    row = AuditEntry(at=at or utcnow(), actor=actor[:64], action=action[:30], object_type=object_type,
                     object_id=str(object_id)[:64], site_id=site_id, from_status=from_status,
                     to_status=to_status, reason=reason, details=details or {})
    session.add(row)
    return row


def get_finding(session: Session, finding_id: int) -> FindingRow:
    row = session.get(FindingRow, finding_id)
    if row is None:
        raise TriageError(f"没有编号为 {finding_id} 的问题", 404)
    return row


def transition(session: Session, finding_id: int, action: str, actor: str, reason: str | None = None,
               *, ignore_kind: str | None = None, ignore_until: datetime | None = None,
               now: datetime | None = None) -> FindingRow:
    """Apply one workflow action to a finding and audit it; :class:`TriageError` if not allowed."""
    if action not in TRANSITIONS:
        raise TriageError(f"未知的操作 {action!r}", 400)
    row = get_finding(session, finding_id)
    sources, target = TRANSITIONS[action]
    if row.status not in sources:
        raise TriageError(f"问题 #{finding_id} 当前状态为 {row.status}，不能执行 {action}")
    reason = (reason or "").strip() or None
    if action == "ignore":
        _ignore(session, row, reason, ignore_kind, ignore_until, now or utcnow())
    elif action == "reopen":
        _reopen(session, row)
    elif action == "fix":
        row.fixed_at = now or utcnow()
    elif action == "resolve":
        row.resolved_at = now or utcnow()
    before = row.status
    row.status = target
    audit(session, actor, action, "finding", row.id, site_id=row.site_id, from_status=before, to_status=target,
          reason=reason, details=_ignore_details(row) if action == "ignore" else None, at=now)
    session.flush()
    return row


def _ignore(session: Session, row: FindingRow, reason: str | None, kind: str | None,
            until: datetime | None, now: datetime) -> None:
    if not reason:
        raise TriageError("忽略必须填写原因", 400)
    if kind is not None and kind not in IGNORE_KINDS:
        raise TriageError(f"未知的忽略类型 {kind!r}，可选 false_positive(误报) 或 not_applicable(不适用)", 400)
    if until is not None and until <= now:
        raise TriageError("忽略到期时间必须晚于现在", 400)
    row.ignored_reason, row.ignored_at = reason, now
    row.ignore_kind, row.ignore_until = kind or "false_positive", until
    if until is None:  # a permanent decision: later scans keep the fingerprint ignored (findings.ignore_finding)
        session.add(Ignore(site_id=row.site_id, rule=row.rule, fingerprint=row.fingerprint, reason=reason))


def _ignore_details(row: FindingRow) -> dict[str, Any]:
    until = row.ignore_until.strftime("%Y-%m-%dT%H:%M:%SZ") if row.ignore_until else None
    return {"ignore_kind": row.ignore_kind, "ignore_until": until}


def _reopen(session: Session, row: FindingRow) -> None:
    if row.status == "ignored":
        session.execute(delete(Ignore).where(Ignore.site_id == row.site_id, Ignore.fingerprint == row.fingerprint))
        row.ignore_until = None
    row.reopened_count += 1
    row.resolved_at = row.resolved_scan_id = None


def comment(session: Session, finding_id: int, actor: str, body: str) -> FindingComment:
    body = (body or "").strip()
    if not body:
        raise TriageError("评论不能为空", 400)
    row = get_finding(session, finding_id)
    item = FindingComment(finding_id=row.id, author=actor, body=body[:5000], created_at=utcnow())
    session.add(item)
    audit(session, actor, "comment", "finding", row.id, site_id=row.site_id, from_status=row.status,
          to_status=row.status, reason=body[:500])
    session.flush()
    return item


def assign(session: Session, finding_id: int, actor: str, assignee: str | None) -> FindingRow:
    row = get_finding(session, finding_id)
    assignee = (assignee or "").strip()[:64] or None
    audit(session, actor, "assign", "finding", row.id, site_id=row.site_id, from_status=row.status,
          to_status=row.status, details={"from": row.assignee, "to": assignee})
    row.assignee = assignee
    session.flush()
    return row


def comments(session: Session, finding_id: int) -> list[FindingComment]:
    return list(session.scalars(select(FindingComment).where(FindingComment.finding_id == finding_id)
                                .order_by(FindingComment.id)))


def history(session: Session, finding_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.object_type == "finding",
                                                         AuditEntry.object_id == str(finding_id))
                                .order_by(AuditEntry.id)))


# ------------------------------------------------------------------------------ scan-driven changes

def on_seen_again(session: Session, row: FindingRow, scan_id: int | None, now: datetime) -> None:
    """A scan saw this finding again: fixed or resolved ones reopen; an expired ignore reopens."""
    expired = row.status == "ignored" and row.ignore_until is not None and row.ignore_until <= now
    if row.status not in ("fixed", "resolved") and not expired:
        return
    before = row.status
    reason = "忽略已到期，检查仍发现该问题" if expired else "再次检查仍发现该问题"
    row.status = "open"
    row.reopened_count += 1
    row.resolved_at = row.resolved_scan_id = None
    row.ignore_until = None if expired else row.ignore_until
    audit(session, _scan_actor(scan_id), "reopen", "finding", row.id, site_id=row.site_id, from_status=before,
          to_status="open", reason=reason, at=now)


def audit_resolved(session: Session, rows: list[tuple[int, str, str]], scan_id: int | None, now: datetime,
                   reason: str = "完整检查未再发现该问题") -> None:
    """Audit findings a complete scan (or the probes) no longer saw: (id, site_id, previous status) each."""
    for finding_id, site_id, before in rows:
        audit(session, _scan_actor(scan_id), "resolve", "finding", finding_id, site_id=site_id,
              from_status=before, to_status="resolved", reason=reason, at=now)


def _scan_actor(scan_id: int | None) -> str:
    return f"scan #{scan_id}" if scan_id is not None else "system"
