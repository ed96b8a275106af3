"""Alerts on veto-level events: a webhook (JSON POST) and/or e-mail (SMTP), once per event.

Events of a site:

- ``site-down`` — ``alerts.consecutive_failures`` failed probes in a row (AV001); it clears with the
  first probe that is not down. Fewer failures are a "pending" blip that alerts no one.
- ``availability-veto`` — the weekly verdict (V2) fails: AV001 >= 5 % of the last 7 days' probes,
  judged once at least 140 probes (7 × 20) exist, so a young site's first failure is not a veto.
- ``veto:<fingerprint>`` — an open veto finding in the site's current view (SC001, TX001, FN004...,
  from a scan or a probe); it clears when the finding is resolved. A veto on a site's first scan
  alerts like any other (there is no "previous" to compare with; it is new to the people told).

The decision is the pure :func:`transition` (truth table below); state lives in the ``alerts`` table
(``state`` firing/resolved; ``deliveries`` JSON holds, per message kind, the message and each
channel's result). Sending happens outside the database transaction. A failing channel is logged
and retried by :func:`retry_pending` every ``alerts.retry_seconds`` (at most :data:`MAX_ATTEMPTS`
tries); it never raises into the scheduler.
"""

from __future__ import annotations

import json
import logging
import smtplib
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings
    from xunjian.storage.models import Alert, Site

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
SEND_TIMEOUT = 10.0


# --------------------------------------------------------------------------------- pure decisions


def transition(previous: str | None, active: bool) -> str:
    """What to send for one event, from its stored state and whether its condition holds now.

    Truth table (``previous`` is the stored state; None: never alerted):

    ============  ========  =========  ===========================================
    previous      active    action     why
    ============  ========  =========  ===========================================
    None          False     none       nothing happened
    None          True      fire       a new event (also on a site's first scan)
    firing        True      none       already told; one alert per event
    firing        False     recover    the event cleared: send the recovery
    resolved      True      fire       it came back: a new alert
    resolved      False     none       still fine
    ============  ========  =========  ===========================================
    """
    firing = previous == "firing"
    if active and not firing:
        return "fire"
    if firing and not active:
        return "recover"
    return "none"


def consecutive_down(outcomes_newest_first: Iterable[str]) -> int:
    """How many probes in a row, from the newest, were ``down``."""
    count = 0
    for outcome in outcomes_newest_first:
        if outcome != "down":
            break
        count += 1
    return count


def site_down_active(consecutive: int, threshold: int, firing: bool) -> bool:
    """The site-down condition, with hysteresis: it needs ``threshold`` failures to start, one success to end."""
    return consecutive >= (1 if firing else threshold)


# ---------------------------------------------------------------------------------------- channels


@dataclass
class Message:
    """One notification: an alert or a recovery of one event."""

    alert_id: int
    kind: str  # fire | recover
    site: str
    event: str
    subject: str
    text: str
    at: str

    def payload(self) -> dict[str, Any]:
        return {"type": "alert" if self.kind == "fire" else "recovery", **asdict(self)}


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None: ...


class WebhookChannel:
    """POST the message as JSON; any status >= 300 or network error is a failed delivery."""

    name = "webhook"

    def __init__(self, url: str, timeout: float = SEND_TIMEOUT):
        self.url, self.timeout = url, timeout

    def send(self, message: Message) -> None:
        body = json.dumps(message.payload(), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 - configured URL
            if resp.status >= 300:
                raise OSError(f"webhook 返回 HTTP {resp.status}")


class SmtpChannel:
    """Send the message as a plain-text UTF-8 e-mail."""

    name = "email"

    def __init__(self, host: str, port: int, sender: str, recipients: list[str], timeout: float = SEND_TIMEOUT):
        self.host, self.port, self.sender, self.recipients, self.timeout = host, port, sender, recipients, timeout

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["Subject"], mail["From"], mail["To"] = message.subject, self.sender, ", ".join(self.recipients)
        mail.set_content(message.text)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(mail)


def channels_from(settings: Settings) -> list[Channel]:
    """The channels configured in ``alerts`` (none: alerts are only logged)."""
    a = settings.alerts
    channels: list[Channel] = []
    if a.webhook_url:
        channels.append(WebhookChannel(a.webhook_url))
    if a.smtp_host and a.smtp_to:
        channels.append(SmtpChannel(a.smtp_host, a.smtp_port, a.smtp_from, list(a.smtp_to)))
    return channels


# ------------------------------------------------------------------------------------ evaluation


def _z(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _apply(session: Session, site: Site, event: str, row: Alert | None, active: bool, now: datetime,
           texts: dict[str, tuple[str, str]]) -> Message | None:
    from xunjian.storage.models import Alert

    action = transition(row.state if row else None, active)
    if action == "none":
        return None
    if row is None:
        row = Alert(site_id=site.id, event=event, state="firing", opened_at=now, deliveries={})
        session.add(row)
    elif action == "fire":
        row.state, row.opened_at, row.resolved_at = "firing", now, None
    else:
        row.state, row.resolved_at = "resolved", now
    subject, text = texts[action]
    session.flush()
    message = Message(row.id, action, site.id, event, subject, text, _z(now))
    row.deliveries = {**(row.deliveries or {}), action: {"message": asdict(message), "channels": {}}}
    return message


def _weekly_event(session: Session, site: Site, row: Alert | None, now: datetime) -> list[Message]:
    """``availability-veto``: failures >= 5 % over the last 7 days (V2), once a full week's minimum is probed."""
    from xunjian.probes import MIN_PROBES_PER_DAY, weekly_availability

    week = weekly_availability(session, site.id, now)
    active = site.status != "offline" and week["verdict"] == "fail" and week["probes"] >= 7 * MIN_PROBES_PER_DAY
    texts = {
        "fire": (f"【巡检告警】{site.name} 近7天可用性不达标 (单项否决)",
                 f"站点 {site.name} ({site.url}) 近7天可用性: {week['summary']}\n时间: {_z(now)}"),
        "recover": (f"【巡检恢复】{site.name} 近7天可用性已达标",
                    f"站点 {site.name} ({site.url}) 近7天可用性: {week['summary']}\n时间: {_z(now)}"),
    }
    message = _apply(session, site, "availability-veto", row, active, now, texts)
    return [message] if message else []


def evaluate_site(session: Session, site: Site, settings: Settings, now: datetime | None = None) -> list[Message]:
    """Update the alert states of one site from its stored probes and findings; the messages to send."""
    from xunjian.checks import rule
    from xunjian.storage.findings import current_findings
    from xunjian.storage.models import Alert, Probe

    now = now or utcnow()
    rows = {a.event: a for a in session.scalars(select(Alert).where(Alert.site_id == site.id))}
    messages = []
    threshold = settings.alerts.consecutive_failures
    recent = list(session.scalars(select(Probe).where(Probe.site_id == site.id)
                                  .order_by(Probe.at.desc(), Probe.id.desc()).limit(threshold)))
    down = consecutive_down(p.outcome for p in recent)
    down_row = rows.get("site-down")
    active = site.status != "offline" and site_down_active(down, threshold,
                                                              down_row is not None and down_row.state == "firing")
    last = recent[0] if recent else None
    why = (last.message or f"HTTP {last.status}") if last else ""
    since = down_row.opened_at if down_row is not None else now
    texts = {
        "fire": (f"【巡检告警】{site.name} 无法访问",
                 f"站点 {site.name} ({site.url}) 连续 {down} 次可用性探测失败。\n最近一次: {why}\n时间: {_z(now)}"),
        "recover": (f"【巡检恢复】{site.name} 已恢复访问",
                    f"站点 {site.name} ({site.url}) 已恢复访问。\n故障开始: {_z(since)}\n恢复时间: {_z(now)}"),
    }
    if (m := _apply(session, site, "site-down", down_row, active, now, texts)) is not None:
        messages.append(m)
    messages += _weekly_event(session, site, rows.get("availability-veto"), now)
    vetoes = {f"veto:{f.fingerprint}": f for f in current_findings(session, site.id, now=now) if f.severity == "veto"}
    for event in sorted(set(vetoes) | {e for e in rows if e.startswith("veto:")}):
        f = vetoes.get(event)
        old = rows.get(event)
        code, zh = (f.rule, rule(f.rule).zh) if f else ("", "")
        texts = {
            "fire": (f"【巡检告警】{site.name} 发现否决项 {code} {zh}",
                     f"站点 {site.name} ({site.url}) 发现否决级问题 {code} {zh}:\n{f.message if f else ''}\n"
                     f"位置: {(f.page or '') if f else ''}\n时间: {_z(now)}"),
            "recover": (f"【巡检恢复】{site.name} 否决项已消除",
                        f"站点 {site.name} ({site.url}) 的否决级问题已消除 ({event})。\n时间: {_z(now)}"),
        }
        if (m := _apply(session, site, event, old, f is not None, now, texts)) is not None:
            messages.append(m)
    return messages


# ------------------------------------------------------------------------------------- delivery


def deliver(db_url: str, message: Message, channels: list[Channel], retry_seconds: float = 60) -> bool:
    """Send ``message`` on the channels that have not yet taken it; record results. True if all succeeded."""
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Alert

    with session_scope(db_url) as s:
        row = s.get(Alert, message.alert_id)
        done = dict(((row.deliveries or {}).get(message.kind) or {}).get("channels") or {}) if row else {}
    results: dict[str, dict[str, Any]] = {}
    for channel in channels:
        prev = done.get(channel.name) or {}
        if prev.get("ok"):
            continue
        attempts = int(prev.get("attempts", 0)) + 1
        start = time.monotonic()
        try:
            channel.send(message)
        except Exception as exc:  # a failing channel must never stop the scheduler
            retry_at = utcnow() + timedelta(seconds=retry_seconds)
            results[channel.name] = {"ok": False, "attempts": attempts, "error": f"{type(exc).__name__}: {exc}"[:300],
                                     "retry_at": _z(retry_at) if attempts < MAX_ATTEMPTS else None}
            logger.warning("告警 %s %s %s 经 %s 发送失败 (第 %d 次): %s", message.kind, message.site,
                           message.event, channel.name, attempts, exc)
        else:
            results[channel.name] = {"ok": True, "attempts": attempts, "sent_at": _z(utcnow())}
            logger.info("告警 %s %s %s 已经 %s 发送 (%.2f 秒)", message.kind, message.site, message.event,
                        channel.name, time.monotonic() - start)
    if not channels:
        logger.debug("告警 %s %s %s: 未配置告警渠道 (alerts.webhook_url / smtp_host)",
                     message.kind, message.site, message.event)
    if results:
        with session_scope(db_url) as s:
            row = s.get(Alert, message.alert_id)
            if row is not None:
                deliveries = json.loads(json.dumps(row.deliveries or {}))
                entry = deliveries.setdefault(message.kind, {"message": asdict(message), "channels": {}})
                entry.setdefault("channels", {}).update(results)
                row.deliveries = deliveries
                if any(r["ok"] for r in results.values()):
                    row.last_sent_at = utcnow()
    return all(r["ok"] for r in results.values())


def process_site(db_url: str, site_id: str, settings: Settings, channels: list[Channel] | None = None,
                 now: datetime | None = None) -> list[Message]:
    """Evaluate one site's alerts (one short transaction), then send what changed."""
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Site

    with session_scope(db_url) as s:
        site = s.get(Site, site_id)
        messages = evaluate_site(s, site, settings, now) if site is not None else []
    channels = channels_from(settings) if channels is None else channels
    for message in messages:
        deliver(db_url, message, channels, settings.alerts.retry_seconds)
    return messages


def retry_pending(db_url: str, settings: Settings, channels: list[Channel] | None = None,
                  now: datetime | None = None) -> int:
    """Resend messages whose delivery failed and whose retry time has come; returns how many were retried."""
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Alert

    now = now or utcnow()
    due: list[Message] = []
    with session_scope(db_url) as s:
        for row in s.scalars(select(Alert)):
            for kind in ("fire", "recover"):
                entry = (row.deliveries or {}).get(kind) or {}
                pending = [c for c in (entry.get("channels") or {}).values()
                           if not c.get("ok") and c.get("retry_at") and c["retry_at"] <= _z(now)]
                if pending and entry.get("message"):
                    due.append(Message(**entry["message"]))
    channels = channels_from(settings) if channels is None else channels
    for message in due:
        deliver(db_url, message, channels, settings.alerts.retry_seconds)
    return len(due)
