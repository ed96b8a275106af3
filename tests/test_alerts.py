"""Alerts: the pure transition table, one alert per event, recovery, failing channels retried.

Receivers are real: a local webhook server (127.0.0.1) and a local SMTP server (aiosmtpd).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from xunjian import alerts
from xunjian.checks import finding
from xunjian.config import load_settings
from xunjian.storage.db import session_scope
from xunjian.storage.findings import merge_findings
from xunjian.storage.models import Alert, Probe, Scan, Site
from xunjian.storage.models import Finding as FindingRow


class WebhookReceiver:
    """Collects JSON POSTs; answers 500 to the first ``fail_first`` of them."""

    def __init__(self, fail_first: int = 0):
        self.received: list[dict] = []
        self.fail_first = fail_first
        self.calls = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.calls += 1
                status = 500 if owner.calls <= owner.fail_first else 200
                if status == 200:
                    owner.received.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _Mailbox:
    def __init__(self):
        self.messages: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        from email import message_from_bytes
        from email.header import decode_header, make_header

        mail = message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(mail["Subject"])))
        self.messages.append((subject, mail.get_payload(decode=True).decode("utf-8")))
        return "250 OK"


@pytest.fixture
def webhook():
    receivers = []

    def start(fail_first=0):
        receivers.append(WebhookReceiver(fail_first))
        return receivers[-1]

    yield start
    for r in receivers:
        r.close()


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


def make_settings(webhook_url=None, smtp_port=None, threshold=3, retry=1):
    s = load_settings(env={})
    s.alerts.webhook_url = webhook_url
    if smtp_port:
        s.alerts.smtp_host, s.alerts.smtp_port, s.alerts.smtp_to = "127.0.0.1", smtp_port, ["ops@example.gov.cn"]
    s.alerts.consecutive_failures = threshold
    s.alerts.retry_seconds = retry
    return s


# ------------------------------------------------------------------------------------------- pure


@pytest.mark.parametrize(("previous", "active", "action"), [
    (None, False, "none"), (None, True, "fire"),
    ("firing", True, "none"), ("firing", False, "recover"),
    ("resolved", True, "fire"), ("resolved", False, "none"),
])
def test_transition_truth_table(previous, active, action):
    assert alerts.transition(previous, active) == action


def test_consecutive_and_hysteresis():
    assert alerts.consecutive_down(["down", "down", "up", "down"]) == 2
    assert alerts.consecutive_down(["up", "down"]) == 0
    assert not alerts.site_down_active(2, 3, firing=False)  # a blip alerts no one
    assert alerts.site_down_active(3, 3, firing=False)
    assert alerts.site_down_active(1, 3, firing=True)       # still down: keeps firing
    assert not alerts.site_down_active(0, 3, firing=True)


# ------------------------------------------------------------------------------------ end to end


def add_site(url, site_id="s1"):
    with session_scope(url) as s:
        s.add(Site(id=site_id, name="示例市人民政府", url="http://www.example.gov.cn/"))


def add_probe(url, outcome, at, site_id="s1"):
    with session_scope(url) as s:
        s.add(Probe(site_id=site_id, at=at, outcome=outcome, status=None if outcome == "down" else 200,
                    message="ConnectionRefusedError" if outcome == "down" else None))


def test_one_alert_per_outage_and_one_recovery(db_url, webhook, smtp):
    hook = webhook()
    settings = make_settings(hook.url, smtp.port, threshold=3)
    add_site(db_url)
    t0 = datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc)
    sent = []
    for i, outcome in enumerate(["up", "down", "down", "down", "down", "down", "up", "up"]):
        add_probe(db_url, outcome, t0 + timedelta(minutes=30 * i))
        sent += [(i, m.kind) for m in alerts.process_site(db_url, "s1", settings)]
    assert sent == [(3, "fire"), (6, "recover")]
    assert [p["type"] for p in hook.received] == ["alert", "recovery"]
    assert hook.received[0]["event"] == "site-down" and "无法访问" in hook.received[0]["subject"]
    assert [subject for subject, _ in smtp.messages] == ["【巡检告警】示例市人民政府 无法访问",
                                                         "【巡检恢复】示例市人民政府 已恢复访问"]
    assert "连续 3 次" in smtp.messages[0][1]
    with session_scope(db_url) as s:
        [row] = s.scalars(select(Alert))
        assert row.state == "resolved" and row.deliveries["fire"]["channels"]["webhook"]["ok"]


def test_failing_channel_is_retried_without_resending_the_others(db_url, webhook, smtp):
    hook = webhook(fail_first=1)
    settings = make_settings(hook.url, smtp.port, threshold=1, retry=1)
    add_site(db_url)
    add_probe(db_url, "down", datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc))
    [message] = alerts.process_site(db_url, "s1", settings)
    assert hook.received == [] and len(smtp.messages) == 1
    with session_scope(db_url) as s:
        state = s.scalar(select(Alert)).deliveries["fire"]["channels"]
        assert state["webhook"]["ok"] is False and state["webhook"]["retry_at"]
        assert state["email"]["ok"] is True
    assert alerts.retry_pending(db_url, settings) == 0  # not due yet
    assert alerts.retry_pending(db_url, settings, now=datetime.now(timezone.utc) + timedelta(seconds=5)) == 1
    assert [p["event"] for p in hook.received] == ["site-down"]
    assert len(smtp.messages) == 1  # e-mail was not sent twice
    assert alerts.retry_pending(db_url, settings, now=datetime.now(timezone.utc) + timedelta(seconds=5)) == 0


def test_unreachable_channel_never_raises(db_url, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    settings = make_settings(f"http://127.0.0.1:{dead}/hook", dead, threshold=1)
    add_site(db_url)
    add_probe(db_url, "down", datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc))
    start = time.monotonic()
    assert len(alerts.process_site(db_url, "s1", settings)) == 1
    assert time.monotonic() - start < 5
    assert "经 webhook 发送失败" in caplog.text and "经 email 发送失败" in caplog.text


def test_new_veto_finding_alerts_once_and_recovers(db_url, webhook):
    hook = webhook()
    settings = make_settings(hook.url)
    add_site(db_url)
    with session_scope(db_url) as s:
        scan = Scan(site_id="s1", status="complete", trigger="scheduler", as_of=datetime(2026, 11, 22).date())
        s.add(scan)
        s.flush()
        merge_findings(s, "s1", [finding("SC001", "暗链指向博彩网站", page="http://www.example.gov.cn/",
                                         target="http://bet.example.com/"),
                                 finding("LK002", "附件返回 HTTP 404", page="http://www.example.gov.cn/a.html",
                                         target="http://www.example.gov.cn/x.pdf")], scan.id)
    assert [m.kind for m in alerts.process_site(db_url, "s1", settings)] == ["fire"]
    assert alerts.process_site(db_url, "s1", settings) == []  # one alert per event
    assert "SC001" in hook.received[0]["subject"] and "暗链" in hook.received[0]["text"]
    with session_scope(db_url) as s:
        s.scalar(select(FindingRow).where(FindingRow.rule == "SC001")).status = "resolved"
    assert [m.kind for m in alerts.process_site(db_url, "s1", settings)] == ["recover"]
    assert [p["type"] for p in hook.received] == ["alert", "recovery"]


def test_weekly_availability_veto_alerts(db_url, webhook):
    hook = webhook()
    settings = make_settings(hook.url, threshold=3)
    add_site(db_url)
    now = datetime.now(timezone.utc)
    with session_scope(db_url) as s:  # 168 probes, every 12th down: 8.3 %, never 3 in a row
        for i in range(168):
            outcome = "down" if i % 12 == 0 else "up"
            s.add(Probe(site_id="s1", at=now - timedelta(minutes=60 * i + 1), outcome=outcome))
    [message] = alerts.process_site(db_url, "s1", settings, now=now)
    assert message.event == "availability-veto" and "否决" in message.subject
    assert "14/168" in hook.received[0]["text"]
    assert alerts.process_site(db_url, "s1", settings, now=now) == []
