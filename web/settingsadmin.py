"""Changing a safe subset of the operational settings from the console, in the user's settings file.

Only the keys in :data:`EDITABLE` can change (probes, the nightly scan window, alerts, disabled rules);
the database, the crawler's limits and the web section stay file-only. A change is written to a temporary
file beside the settings file, the whole result is validated by :func:`xunjian.config.load_settings`
(plus the scan window's own parser), checked to hold exactly the requested values, and only then
atomically replaces the file (``os.replace``). Lines are edited in place, so comments and every other key
are kept. The console then reloads its settings; the change is audited with secrets masked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xunjian.config import ConfigError, load_settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.orm import Session

#: "section.key" -> kind (number, text, optional text, list, secret: shown only as set / not set)
EDITABLE: dict[str, str] = {
    "probe.interval_minutes": "number", "probe.timeout": "number", "probe.slow_seconds": "number",
    "probe.tls_warn_days": "number", "scheduler.scan_window": "text", "scheduler.max_concurrent_scans": "number",
    "alerts.webhook_url": "secret", "alerts.smtp_host": "optional", "alerts.smtp_port": "number",
    "alerts.smtp_from": "text", "alerts.smtp_to": "list", "alerts.consecutive_failures": "number",
    "checks.disabled": "list",
}
LABEL_ZH = {"probe.interval_minutes": "探测间隔 (分钟)", "probe.timeout": "探测超时 (秒)",
            "probe.slow_seconds": "慢响应阈值 (秒)", "probe.tls_warn_days": "证书到期提醒 (天)",
            "scheduler.scan_window": "夜间扫描时段 (HH:MM-HH:MM)", "scheduler.max_concurrent_scans": "同时扫描数",
            "alerts.webhook_url": "告警 Webhook 地址", "alerts.smtp_host": "邮件服务器",
            "alerts.smtp_port": "邮件端口", "alerts.smtp_from": "发件人", "alerts.smtp_to": "收件人 (逗号分隔)",
            "alerts.consecutive_failures": "连续失败几次告警", "checks.disabled": "不报告的规则 (逗号分隔)"}
NO_FILE = ("控制台启动时没有指定配置文件，无法保存配置。请复制 settings.yaml 为自己的配置文件，"
           "然后用 `xunjian --config /path/to/settings.yaml web` 或设置环境变量 XUNJIAN_CONFIG 后重新启动控制台")
_LOCK = threading.Lock()


class SettingsError(Exception):
    """The change was refused; the settings file is unchanged."""


def config_path(app: FastAPI) -> str | None:
    """The user's settings file the console was started with (``--config`` or ``XUNJIAN_CONFIG``)."""
    path = getattr(app.state, "config_path", None) or os.environ.get("XUNJIAN_CONFIG")
    if not path:
        source = getattr(app.state.settings, "source", None)
        path = source if source and source != "默认配置" else None
    return str(path) if path else None


def current(settings: Any, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(settings, section), name)


def shown(settings: Any) -> dict[str, Any]:
    """The editable values as a form shows them (secrets only as set / not set)."""
    out = {}
    for key, kind in EDITABLE.items():
        value = current(settings, key)
        if kind == "secret":
            out[key] = ""
        elif kind == "list":
            out[key] = ", ".join(value or [])
        else:
            out[key] = "" if value is None else value
    return out


def _mask(key: str, value: Any) -> Any:
    return ("(已设置)" if value else "(未设置)") if EDITABLE[key] == "secret" else value


def parse_form(settings: Any, form: dict[str, str]) -> dict[str, Any]:
    """Requested changes: only editable keys present in the form whose value differs from the current one."""
    changes: dict[str, Any] = {}
    for key, kind in EDITABLE.items():
        if key not in form and not (kind == "secret" and form.get(f"clear:{key}")):
            continue
        raw = str(form.get(key, "")).strip()
        if kind == "secret":
            if form.get(f"clear:{key}"):
                value: Any = None
            elif not raw:
                continue  # empty: keep the secret as it is
            else:
                value = raw
        elif kind == "list":
            value = [p.strip() for p in re.split(r"[,，\s]+", raw) if p.strip()]
        elif kind == "optional":
            value = raw or None
        elif kind == "number":
            value = _number(raw)
        else:
            value = raw
        if value != current(settings, key):
            changes[key] = value
    return changes


def _number(raw: str) -> Any:
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            continue
    return raw  # load_settings refuses it with the key's name


def edit_text(text: str, key: str, value: Any) -> str:
    """``text`` (a YAML settings file) with ``section.key`` set to ``value``; comments and other lines kept."""
    section, name = key.split(".")
    lines = text.splitlines(keepends=True)
    rendered = json.dumps(value, ensure_ascii=False)  # JSON is YAML flow syntax
    head = next((i for i, line in enumerate(lines) if re.match(rf"^{section}:\s*(#.*)?$", line.rstrip("\r\n"))), None)
    if head is None:
        if any(line.startswith(f"{section}:") for line in lines):
            raise SettingsError(f"配置文件中的 {section} 段不是逐行写法，无法自动修改，请直接编辑文件")
        sep = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{sep}{section}:\n  {name}: {rendered}\n"
    end = next((i for i in range(head + 1, len(lines)) if lines[i].strip() and not lines[i][0].isspace()
                and not lines[i].lstrip().startswith("#")), len(lines))
    pattern = re.compile(rf"^(\s+){re.escape(name)}:(\s*)(.*?)(\s+#.*)?$")
    for i in range(head + 1, end):
        match = pattern.match(lines[i].rstrip("\r\n"))
        if match:
            stop = _value_end(lines, i + 1, end, len(match.group(1)), block=not match.group(3))
            line = f"{match.group(1)}{name}: {rendered}"
            if match.group(4):  # the comment stays in its column when the new value fits
                column = match.start(4) + len(match.group(4)) - len(match.group(4).lstrip())
                line += " " * max(1, column - len(line)) + match.group(4).lstrip()
            lines[i:stop] = [line + "\n"]
            return "".join(lines)
    lines.insert(head + 1, f"  {name}: {rendered}\n")
    return "".join(lines)


def _value_end(lines: list[str], start: int, end: int, indent: int, block: bool) -> int:
    """The line after a key's value: its deeper-indented continuation lines (or ``- item`` lines of a block list)."""
    stop = start
    while stop < end and lines[stop].strip():
        depth = len(lines[stop]) - len(lines[stop].lstrip())
        if depth > indent or (block and depth == indent and lines[stop].lstrip().startswith("- ")):
            stop += 1
        else:
            break
    return stop


def _validate(tmp: Path, path: str, changes: dict[str, Any]) -> Any:
    from xunjian.jobplan import parse_window

    try:
        settings = load_settings(tmp)
    except ConfigError as exc:
        raise SettingsError(str(exc).replace(str(tmp), path)) from None
    window = settings.scheduler.scan_window
    try:
        parse_window(window)
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-3]):[0-5]\d", window.strip()):
            raise ValueError(f"scheduler.scan_window 格式应为 HH:MM-HH:MM (00:00 至 23:59): {window!r}")
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    for key, value in changes.items():
        if current(settings, key) != value:
            raise SettingsError(f"无法在 {path} 中改写 {key} (该项的写法过于复杂)，请直接编辑文件")
    settings.source = path
    return settings


def write_settings(path: str, changes: dict[str, Any]) -> Any:
    """Apply ``changes`` to the settings file atomically after validating the result; returns the new settings."""
    target = Path(path).resolve()  # a symlinked settings file stays a symlink
    with _LOCK:
        try:
            text = target.read_text(encoding="utf-8")
        except OSError as exc:
            raise SettingsError(f"无法读取配置文件 {path}: {exc.strerror}") from None
        for key, value in changes.items():
            text = edit_text(text, key, value)
        try:
            fd, name = tempfile.mkstemp(prefix=".settings-", suffix=".yaml", dir=target.parent)
        except OSError as exc:
            raise SettingsError(f"无法在 {target.parent} 中写入临时文件: {exc.strerror}") from None
        tmp = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            settings = _validate(tmp, path, changes)
            shutil.copymode(target, tmp)
            os.replace(tmp, target)
        except OSError as exc:
            raise SettingsError(f"无法写入配置文件 {path}: {exc.strerror}") from None
        finally:
            tmp.unlink(missing_ok=True)
    return settings


def apply(app: FastAPI, session: Session, actor: str, form: dict[str, str]) -> dict[str, Any]:
    """Validate, write, reload and audit one change from the form; returns the changed keys (masked)."""
    from xunjian.storage.triage import audit

    path = config_path(app)
    if not path:
        raise SettingsError(NO_FILE)
    old = app.state.settings
    changes = parse_form(old, form)
    if not changes:
        return {}
    new = write_settings(path, changes)
    new.database.url = old.database.url  # the console keeps its database
    app.state.settings = new
    app.state.launcher.settings = new
    audit(session, actor, "settings_update", "settings", Path(path).name,
          details={"file": path, "from": {k: _mask(k, current(old, k)) for k in changes},
                   "to": {k: _mask(k, v) for k, v in changes.items()}})
    return {k: _mask(k, v) for k, v in changes.items()}
