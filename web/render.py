"""Templates (Jinja2, autoescape on for everything) and the filters that show crawled, hostile text.

Crawled titles, messages, URLs and evidence are only ever inserted as text; :func:`highlight` splits an
evidence context into plain pieces and marked pieces (the offending words, shown in red) without
producing markup itself; :func:`safe_href` lets only http(s) URLs become links.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from xunjian.checks.codes import RULES
from xunjian.storage.accounts import ROLE_ZH

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATUS_ZH = {"open": "待处理", "confirmed": "已确认", "fixed": "已修复待复查", "resolved": "已整改",
             "ignored": "已忽略"}
SEVERITY_ZH = {"veto": "单项否决", "deduct": "扣分", "warn": "提示", "info": "信息"}
VERDICT_ZH = {"pass": "合格", "fail": "不合格"}
SCAN_STATUS_ZH = {"running": "进行中", "complete": "完成", "failed": "失败", "interrupted": "已中断"}
#: evidence categories of the text rules (rules/*.yaml, rules/typos.txt) as the tender specifications name them
CATEGORY_ZH = {"leader-name": "国家领导人姓名", "leader-title": "领导职务", "leader-title-fixed": "领导职务",
               "party-body": "党的机构名称", "party-organ": "党的机关", "party-name": "党的名称",
               "state-body": "国家机构名称", "state-organ": "国家机关", "state-name": "国名", "local-body": "地方机构名称",
               "meeting": "会议名称", "formulation": "规范表述/法律政策", "idiom": "一般错别字(成语)",
               "word": "一般错别字", "variant-form": "异形词", "gongwen": "公文用语", "place": "地名",
               "discriminatory": "歧视性称谓", "vulgar": "粗俗用语", "sovereignty": "国家主权", "ethnic": "民族宗教",
               "wrong-usage": "错误提法"}
FAMILY_ZH = {"LK": "链接", "FT": "页脚", "MT": "标签", "TX": "文字", "SC": "安全", "UP": "更新", "AV": "可用性",
             "FN": "功能", "DM": "域名", "CL": "栏目", "PG": "页面"}


def safe_href(value: Any) -> str | None:
    """The URL if it is http(s) (so never ``javascript:`` or ``data:``), else None."""
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return None


def highlight(context: Any, words: Any) -> list[tuple[str, bool]]:
    """``context`` split into (text, is_offending) pieces around every occurrence of ``words``."""
    text = "" if context is None else str(context)
    needles = [w for w in ([words] if isinstance(words, str) else list(words or [])) if isinstance(w, str) and w]
    if not text or not needles:
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        hits = [(text.find(n, i), n) for n in needles]
        hits = [(pos, n) for pos, n in hits if pos != -1]
        if not hits:
            break
        pos, needle = min(hits, key=lambda h: (h[0], -len(h[1])))
        if pos > i:
            pieces.append((text[i:pos], False))
        pieces.append((needle, True))
        i = pos + len(needle)
    if i < len(text):
        pieces.append((text[i:], False))
    return pieces


def evidence_text(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def when(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("T", " ").rstrip("Z")
    return value.strftime("%Y-%m-%d %H:%M")


def rule_zh(code: str) -> str:
    rule = RULES.get(code or "")
    return rule.zh if rule else (code or "")


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(safe_href=safe_href, highlight=highlight, evidence_text=evidence_text, when=when,
                       rule_zh=rule_zh)
    env.globals.update(STATUS_ZH=STATUS_ZH, SEVERITY_ZH=SEVERITY_ZH, VERDICT_ZH=VERDICT_ZH, ROLE_ZH=ROLE_ZH,
                       SCAN_STATUS_ZH=SCAN_STATUS_ZH, FAMILY_ZH=FAMILY_ZH,
                       CATEGORY_ZH=CATEGORY_ZH)
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or an HTMX fragment) with the logged-in user and the CSRF token in its context."""
    p = getattr(request.state, "principal", None)
    html = environment().get_template(template).render(
        request=request, me=p, csrf_token=(p.csrf if p else getattr(request.state, "pre_csrf", "")),
        nav=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code)
