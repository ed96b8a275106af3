"""Interaction (互动交流): IN001 message-unanswered and IN002 interaction-channel-broken.

Extractors keep small facts per page: ``messages`` (each consultation message seen on the page: title,
link, submission date, reply date, state ``answered``/``pending``/None), ``channel`` (the page is a
consultation channel: 信箱, 咨询, 留言, 投诉, 建议... but not 信访/纪检/访谈/征集), ``write_links`` (links
"我要写信", "我要留言"...) and ``msg_form`` (the page has a form one can write a message in). Layouts read
without configuration: TRS tables (header row 来信时间 / 办理状态 / 回复时间), Hanweb lists (``<li><a>标题</a>
<span>2026-05-20</span><span>未回复</span></li>``) and Lonsun detail pages (来信时间… then a reply block
回复时间 / 答复单位 / 回复内容). A site's registry hints (``SiteInfo.hints["interaction"]``: CSS selectors
``item``, ``title``, ``submitted``, ``replied``, ``state``) cover unusual boards.

Site checks merge a message's list row and detail page (by link, else title + date): IN001 for each message
submitted within the last year and unanswered more than 3 months after as of ``ctx.as_of``; IN002 when the
site has no consultation channel, or the page its "我要写信" link leads to is broken or has no form.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml
from dateutil.relativedelta import relativedelta

from xunjian.checks import finding
from xunjian.checks.dates import find_dates
from xunjian.checks.pagetype import in_menu
from xunjian.config import RULES_DIR
from xunjian.urls import join

if TYPE_CHECKING:
    from collections.abc import Iterator

    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageRecord, PageSummary, ScanView

MAX_MESSAGES = 100
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_COLON = re.compile(r"^(.{1,8}?)\s*[:：]\s*(.*)$", re.DOTALL)


@cache
def interaction_rules() -> dict[str, Any]:
    with open(RULES_DIR / "interaction.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _words(key: str) -> tuple[str, ...]:
    return tuple(interaction_rules()[key])


def _text(el: Any) -> str:
    return " ".join((el.text_content() or "").split()) if el is not None else ""


def _norm(text: str) -> str:
    return _SPACES.sub("", text or "").strip(":：*")


def _role(label: str, header: bool = False) -> str | None:
    """The field a table header or label names: title, submitted, replied, state, reply, unit.

    A bare 时间 / 日期 names the submission date only in a message table's header row.
    """
    norm = _norm(label)
    if norm in ("时间", "日期") and not header:
        return None
    for role, key in (("submitted", "submitted_labels"), ("replied", "replied_labels"), ("state", "state_labels"),
                      ("title", "title_labels"), ("reply", "reply_labels"), ("unit", "reply_unit_labels")):
        if norm in _words(key):
            return role
    return None


def _state(text: str) -> str | None:
    if any(w in text for w in _words("answered_states")):
        return "answered"
    if any(w in text for w in _words("pending_states")):
        return "pending"
    return None


def _first_date(text: str) -> str | None:
    dates = find_dates(text or "")
    return dates[0].isoformat() if dates else None


def _pinned(title: str) -> bool:
    return any(w in title for w in _words("pinned_words"))


def _message(title: str, url: str | None, sub: str | None, rep: str | None, state: str | None, src: str) -> dict | None:
    title = " ".join(title.split())[:80]
    if not sub or not title or _pinned(title):
        return None
    if rep:
        state = "answered"
    return {"t": title, "u": url, "sub": sub, "rep": rep, "st": state, "src": src}


def _href(page: PageRecord, el: Any) -> str | None:
    a = el if el.tag == "a" else el.find(".//a[@href]")
    href = (a.get("href") or "").strip() if a is not None else ""
    if not href or href.startswith(("#", "javascript:")):
        return None
    return join(page.final_url or page.url, href).split("#", 1)[0]


def _table_messages(page: PageRecord) -> Iterator[dict]:
    """TRS-style tables: a header row naming 来信时间 and 状态/回复时间, one message per row below."""
    for table in page.tree.iter("table"):
        rows = [tr for tr in table.iter("tr") if any(c.tag in ("th", "td") for c in tr)]
        if len(rows) < 2:
            continue
        roles = [_role(_text(c), header=True) for c in rows[0] if c.tag in ("th", "td")]
        if "submitted" not in roles or not ({"state", "replied"} & set(roles)):
            continue
        for tr in rows[1:]:
            cells = [c for c in tr if c.tag in ("th", "td")]
            values = {role: cells[i] for i, role in enumerate(roles) if role and i < len(cells)}
            title_el = values.get("title")
            if title_el is None:
                title_el = next((c for c in cells if c.find(".//a") is not None), None)
            msg = _message(_text(title_el), _href(page, title_el) if title_el is not None else None,
                           _first_date(_text(values.get("submitted"))), _first_date(_text(values.get("replied"))),
                           _state(_text(values.get("state"))), "table")
            if msg:
                yield msg


def _list_messages(page: PageRecord, channel: bool) -> Iterator[dict]:
    """Hanweb-style lists: an item with a link, a date and (or, on a channel page, without) a state."""
    for li in page.tree.iter("li"):
        a = li.find(".//a[@href]")
        if a is None or in_menu(li):
            continue
        text = _text(li)
        state = _state(text.replace(_text(a), ""))
        if state is None and not channel:
            continue
        dates = find_dates(text)
        if not dates:
            continue
        rep = dates[1].isoformat() if len(dates) > 1 and state == "answered" else None
        msg = _message(_text(a), _href(page, a), dates[0].isoformat(), rep, state, "list")
        if msg:
            yield msg


def _label_values(page: PageRecord) -> dict[str, str]:
    """Role -> value of the labelled fields of a detail page (table cells, dt/dd, "标签：值" blocks)."""
    found: dict[str, str] = {}
    tree = page.tree
    for cell in tree.xpath("//th | //td | //dt"):
        role = _role(_text(cell))
        nxt = cell.getnext()
        if role and nxt is not None and not in_menu(cell):
            found.setdefault(role, _text(nxt))
    for el in tree.xpath("//body//*[self::p or self::div or self::span or self::li or self::dd][not(*[self::p or self::div or self::table])]"):
        m = _COLON.match(_text(el))
        role = _role(m.group(1)) if m else None
        if role and not in_menu(el):
            found.setdefault(role, m.group(2).strip())
    return found


def _detail_message(page: PageRecord, channel: bool) -> dict | None:
    """Lonsun-style detail page: 来信时间 and a reply block (回复时间 / 答复单位 / 回复内容), or none."""
    fields = _label_values(page)
    sub = _first_date(fields.get("submitted", ""))
    if not sub or page.page_type == "homepage":
        return None
    if not (channel or {"reply", "replied", "unit", "state"} & set(fields)):
        return None  # a date labelled 留言时间 alone, outside any channel, is not enough
    reply = fields.get("reply", "").strip()
    no_reply = not reply or any(w in reply for w in _words("no_reply_texts"))
    rep = _first_date(fields.get("replied", ""))
    state = _state(fields.get("state", ""))
    if rep or fields.get("unit") or not no_reply:
        state = "answered"
    elif state is None:
        state = "pending"  # the page shows the message and no reply
    h1 = page.tree.find(".//h1")
    title = fields.get("title") or _text(h1) or page.title.split("_")[0]
    return _message(title, page.final_url or page.url, sub, rep, state, "detail")


def _hint_messages(page: PageRecord, hints: dict[str, str]) -> Iterator[dict]:
    """Messages by the site's registry CSS selectors (``item`` required, others relative to it)."""
    def pick(el: Any, key: str) -> Any:
        found = el.cssselect(hints[key]) if hints.get(key) else []
        return found[0] if found else None

    for item in page.tree.cssselect(hints["item"]):
        title_el = pick(item, "title")
        title_el = item.find(".//a") if title_el is None else title_el
        msg = _message(_text(title_el), _href(page, title_el) if title_el is not None else None,
                       _first_date(_text(pick(item, "submitted"))), _first_date(_text(pick(item, "replied"))),
                       _state(_text(pick(item, "state"))), "hint")
        if msg:
            yield msg


def is_channel(name: str) -> bool:
    return any(w in name for w in _words("channel_words")) and not any(w in name for w in _words("excluded_channel_words"))


def _page_name(page: PageRecord) -> str:
    crumbs = page.tree.xpath("//*[contains(@class,'position') or contains(@class,'crumb') or contains(@class,'location')]")
    return f"{page.title} {_text(crumbs[0]) if crumbs else ''}"


def _may_hold_messages(html: str, channel: bool) -> bool:
    """A cheap string test before parsing: a state word, a reply label or a submission label on the page."""
    words = [*_words("answered_states"), *_words("pending_states"), *_words("replied_labels"),
             *(w for w in _words("submitted_labels") if w not in ("时间", "日期"))]
    return channel or any(w in html for w in words)


def extract_messages(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``messages`` seen on the page, ``channel`` (a consultation channel page) and ``channel_excluded``."""
    if page.tree is None or page.page_type == "homepage":
        return {}
    name = _page_name(page)
    channel = is_channel(name)
    excluded = any(w in name for w in _words("excluded_channel_words"))
    hints = (getattr(ctx.site, "hints", None) or {}).get("interaction") or {}
    if hints.get("item"):
        found = list(_hint_messages(page, hints))
    elif _may_hold_messages(page.html, channel):
        found = list(_table_messages(page)) or list(_list_messages(page, channel))
        if not found:
            detail = _detail_message(page, channel)
            found = [detail] if detail else []
    else:
        found = []
    facts: dict[str, Any] = {}
    if found:
        facts["messages"] = found[:MAX_MESSAGES]
    if channel:
        facts["channel"] = True
    if excluded:
        facts["channel_excluded"] = True
    return facts


def extract_channel_links(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``write_links`` (links to the message form) and ``msg_form`` (a form one can write a message in)."""
    if page.tree is None:
        return {}
    texts = set(_words("write_texts"))
    links: list[str] = []
    channels: list[str] = []  # links named like a channel (领导信箱, 12345...), often to a provincial platform
    for a in page.tree.iter("a"):
        text = _text(a) or (a.get("title") or "").strip()
        url = _href(page, a) if (text in texts or 2 <= len(text) <= 12) else None
        if url and text in texts and url not in links:
            links.append(url)
        elif url and len(channels) < 10 and is_channel(text) and url not in channels:
            channels.append(url)
    facts: dict[str, Any] = {"write_links": links[:10]} if links else {}
    if channels:
        facts["channel_links"] = channels
    for form in page.tree.iter("form"):
        areas = len(form.findall(".//textarea"))
        inputs = len([i for i in form.iter("input") if (i.get("type") or "text").lower() in ("text", "tel", "email")])
        submit = form.xpath(".//input[@type='submit' or @type='image' or @type='button'] | .//button"
                            " | .//*[contains(@onclick,'submit') or contains(@onclick,'Submit')]")
        if areas or inputs >= 3:
            facts["msg_form"] = {"textarea": areas, "inputs": inputs, "submit": bool(submit)}
            break
    return facts


# ---------------------------------------------------------------------------------------------- site checks

def _merged(view: ScanView) -> list[tuple[dict, str]]:
    """Messages of the scan merged across list rows and detail pages: (message, page it was seen on)."""
    merged: dict[Any, tuple[dict, str]] = {}
    alias: dict[tuple[str, str], Any] = {}
    for page in view.pages:
        facts = page.facts or {}
        if facts.get("channel_excluded"):
            continue
        for msg in facts.get("messages") or ():
            key = msg.get("u") or (msg["t"], msg["sub"])
            key = alias.get((msg["t"], msg["sub"]), key)
            alias.setdefault((msg["t"], msg["sub"]), key)
            if key not in merged:
                merged[key] = (dict(msg), page.final_url or page.url)
                continue
            have = merged[key][0]
            have["rep"] = have.get("rep") or msg.get("rep")
            states = {have.get("st"), msg.get("st")}
            have["st"] = "answered" if "answered" in states or have["rep"] else "pending" if "pending" in states else None
            have["sub"] = min(have["sub"], msg["sub"])
    return list(merged.values())


def check_unanswered(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    """IN001: each message within the last year unanswered for more than 3 months as of ``as_of``."""
    rules = interaction_rules()
    window = ctx.as_of - relativedelta(months=int(rules["window_months"]))
    for msg, seen_on in _merged(view):
        if msg.get("st") != "pending" or msg.get("rep"):
            continue
        submitted = date.fromisoformat(msg["sub"])
        due = submitted + relativedelta(months=int(rules["overdue_months"]))
        if not (window <= submitted <= ctx.as_of and due < ctx.as_of):
            continue
        days = (ctx.as_of - submitted).days
        yield finding(
            "IN001", f"留言“{msg['t']}”于 {msg['sub']} 提交，截至 {ctx.as_of.isoformat()} 已 {days} 天(超过3个月)未回复",
            page=msg.get("u") or seen_on, target=msg.get("u"),
            evidence={"title": msg["t"], "submitted": msg["sub"], "state": msg.get("st"), "days": days,
                      "seen_on": seen_on, "source": msg.get("src")},
            key=f"{msg['t']}|{msg['sub']}",
        )


def _channel_facts(view: ScanView) -> tuple[int, bool, list[str]]:
    """Pages crawled, whether any page or link is a consultation channel, the distinct write links."""
    count, channel, writes = 0, False, {}
    for p in view.pages:
        facts = p.facts or {}
        count += 1
        channel = channel or bool(facts.get("channel") or facts.get("channel_links"))
        writes.update(dict.fromkeys(facts.get("write_links") or ()))
    return count, channel, list(writes)


def _pages_at(view: ScanView, urls: list[str]) -> dict[str, PageSummary]:
    """The crawled page of each URL: the last page stored under it, else the last one that ended there."""
    wanted, by_url, by_final = set(urls), {}, {}
    for p in view.pages:
        if p.url in wanted:
            by_url[p.url] = p
        if (p.final_url or p.url) in wanted:
            by_final[p.final_url or p.url] = p
    return by_final | by_url


def check_channel(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    """IN002: no consultation channel at all, or its submission page broken or without a usable form."""
    count, channel, writes = _channel_facts(view)
    channel_columns = [c for c in view.columns if c.category == "interaction" and is_channel(c.name)]
    if not (channel or channel_columns or writes):
        yield finding("IN002", "网站未发现在线咨询、建言等互动渠道 (领导信箱、在线咨询、留言)", page=None,
                      evidence={"pages_crawled": count}, key="no-channel")
        return
    pages = _pages_at(view, writes) if writes else {}
    bad = {b.link.url: b for b in view.bad_links}
    for url in writes:
        if url in bad:
            result = bad[url].result
            yield finding("IN002", f"留言提交页面无法访问 ({result.reason or result.outcome})", page=url, target=url,
                          evidence={"reason": "broken", "status": result.status, "detail": result.reason,
                                    "linked_from": bad[url].page_url})
            continue
        page = pages.get(url)
        if page is None or page.status is None or not 200 <= page.status < 300:
            continue  # not crawled (beyond the limits) and not reported broken: nothing to judge
        form = (page.facts or {}).get("msg_form")
        if not form or not form.get("submit"):
            yield finding("IN002", "留言提交页面没有可填写提交的留言表单", page=url, target=url,
                          evidence={"reason": "no-form", "form": form})


EXTRACTORS = [extract_messages, extract_channel_links]
SITE_CHECKS = [check_unanswered, check_channel]

__all__ = ["EXTRACTORS", "SITE_CHECKS", "extract_channel_links", "extract_messages", "interaction_rules"]
