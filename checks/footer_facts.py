"""Footer facts: what a page's footer shows, extracted once per page for the FT site check.

:func:`extract_footer` turns a page into ``facts["footer"]`` (which identifiers were found, with the
matched text) and ``facts["template"]`` (a short signature of the page's template). Patterns live in
``rules/footer.yaml`` (indicators.md §4). Badges are matched on the raw HTML (HTML comments removed)
and on decoded ``document.write(unescape("…"))`` payloads, not only on the DOM; text identifiers on
the visible text. Sponsor and contact are only looked for in the footer region (``<footer>``,
id/class naming foot/bottom/copyright, the last quarter of the body text); the other identifiers
count wherever they are on the page (badges sometimes sit in a side bar).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin

import lxml.html
import yaml
from lxml import etree

from xunjian.checks.labels import RULES_FILE, page_labels

if TYPE_CHECKING:
    from xunjian.checks.base import CheckContext
    from xunjian.records import PageRecord

SKIP_TAGS = frozenset({"script", "style", "template"})
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt footer form h1 h2 h3 h4 h5 h6 header hr li main nav "
    "ol p section table tbody td th tr ul".split()
)
UNESCAPE = re.compile(r"""unescape\(\s*(["'])(.*?)\1\s*\)""", re.S)
#: ``document.write('<p>主办单位：…</p>')``: footers written line by line by an inline script (a string literal)
WRITE = re.compile(r"""document\.write(?:ln)?\(\s*(["'])((?:\\.|(?!\1)[^\\])*)\1\s*[,)+]""", re.S)
JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
TAG = re.compile(r"<[^>]+>")
URL_HOST = re.compile(r"(?:https?:)?//([\w.-]+)[\w./-]*$")  # host of the URL ending where a match starts
IGNORED_BLOCKS = SKIP_TAGS | {"link", "meta", "noscript"}
JIUCUO = re.compile("jiucuo", re.I)
MAX_MATCH = 120
#: A marked footer region shorter than this (a "bottom" link bar) does not stand for the footer.
MIN_REGION_CHARS = 40
#: Frames per page whose own footer facts may stand for the page's footer.
MAX_FRAMES = 3


@cache
def footer_rules(path: Path = RULES_FILE) -> dict[str, Any]:
    """The ``footer`` section of the rules file with every pattern compiled."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["footer"]

    def rx(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern, re.I)

    jc = data["jiucuo"]
    return {
        "region": rx("|".join(map(re.escape, data["region_words"]))),
        "tail_fraction": float(data["tail_fraction"]),
        "conac": {form: rx(p) for form, p in data["conac"].items()},
        "site_code": rx(data["site_code"]),
        "icp": rx(data["icp"]),
        "police": rx(data["police"]),
        "police_link": rx(data["police_link"]),
        "police_old": rx(data["police_old"]),
        "jiucuo_script": rx(r"<script\b[^>]*\b_jiucuo_\b[^>]*>"),
        "jiucuo_url": rx(jc["url"] + r"(?:\?[^\"'\s<>]*)?"),
        "jiucuo_platform": rx(jc["platform_page"]),
        "jiucuo_sitecode": rx(jc["sitecode"]),
        "jiucuo_text": rx(jc["link_text"]),
        "jiucuo_relay": rx(jc["relay"]),
        "legacy_hosts": frozenset(jc["legacy_hosts"]),
        "legacy_counts_as_present": bool(jc["legacy_counts_as_present"]),
        "sponsor": rx(data["sponsor"]),
        "sponsor_before": rx(data["sponsor_before"]),
        "undertaker": rx(data["undertaker"]),
        "sponsor_stop": rx("|".join(map(re.escape, data["sponsor_stop"]))),
        "phone": [rx(p) for p in data["phone"]],
        "email": rx(data["email"]),
        "sitemap": rx(data["sitemap_text"]),
        "contact_page": rx(data["contact_page_text"]),
    }


# --- text of the page ------------------------------------------------------------------------------


def visible_text(root: Any) -> str:
    """Text of ``root`` without scripts and styles; block elements become line breaks."""
    out: list[str] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS:
                out.append("\n")
            if tag in SKIP_TAGS or not tag:
                walker.skip_subtree()
            elif el.text:
                out.append(el.text)
        else:
            if tag in BLOCK_TAGS:
                out.append("\n")
            if el.tail and el is not root:
                out.append(el.tail)
    return re.sub(r"[ \t\r\f\v\xa0]+", " ", "".join(out))


def _region_elements(body: Any, rules: dict[str, Any]) -> list[Any]:
    """Outermost <footer> elements and elements whose id/class names a footer (foot, bottom...)."""
    found: list[Any] = []
    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            walker.skip_subtree()
            continue
        names = f"{el.get('id', '')} {el.get('class', '')}"
        if el is not body and (el.tag == "footer" or rules["region"].search(names)):
            found.append(el)
            walker.skip_subtree()
    return found


def _js_string(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "ux" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(esc, esc)
    return JS_ESCAPE.sub(one, body)


def _raw(html: str) -> tuple[str, list[str]]:
    """Raw HTML without comments plus the decoded ``unescape("…")`` and ``document.write("…")`` payloads;
    and those payloads (a footer an inline script writes is the page's footer)."""
    raw = COMMENT.sub("", html)
    payloads = [unquote(m.group(2)) for m in UNESCAPE.finditer(raw)]
    payloads += [_js_string(m.group(2)) for m in WRITE.finditer(raw) if "<" in m.group(2) or len(m.group(2)) > 3]
    return "\n".join([raw, *payloads]), payloads


def _short(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:MAX_MATCH]


# --- identifiers -----------------------------------------------------------------------------------


def _conac(raw: str, rules: dict[str, Any]) -> dict[str, str] | None:
    for form, pattern in rules["conac"].items():
        if m := pattern.search(raw):
            return {"form": form, "match": _short(m.group(0))}
    return None


def _jiucuo(raw: str, tree: Any, rules: dict[str, Any]) -> dict[str, Any] | None:
    forms, hosts, codes = [], [], []
    if not JIUCUO.search(raw):  # cheap literal test before the pattern scans
        raw = ""
    for m in rules["jiucuo_script"].finditer(raw):
        forms.append("script")
        codes += [c.group(1) for c in rules["jiucuo_sitecode"].finditer(m.group(0))]
    for m in rules["jiucuo_url"].finditer(raw):
        forms.append("link")
        host = URL_HOST.search(raw, max(0, m.start() - 200), m.start())
        hosts.append(host.group(1).lower() if host else "")
        codes += [c.group(1) for c in rules["jiucuo_sitecode"].finditer(m.group(0))]
    for m in rules["jiucuo_platform"].finditer(raw):
        forms.append("platform")
        hosts.append(m.group(1).lower())
    text_rx, relay_rx = rules["jiucuo_text"], rules["jiucuo_relay"]
    for a in tree.iter("a"):
        label = a.text_content()
        if len(a):  # an <a> with child elements may hold images, whose alt or title counts as its text
            label = " ".join([label, *(i.get("alt") or i.get("title") or "" for i in a.iter("img"))])
        bare = label.strip()
        if text_rx.search(label) or (bare != label and text_rx.search(bare)):
            forms.append("text")
        target = f"{a.get('href') or ''} {a.get('onclick') or ''}"
        if relay_rx.search(target) and not rules["jiucuo_url"].search(target):
            forms.append("relay")  # a city- or province-level relay of the platform
            hosts.append("")
            codes += [c.group(1) for c in rules["jiucuo_sitecode"].finditer(target)]
    if not forms:
        return None
    named = sorted({h for h in hosts if h})
    legacy = bool(named) and all(h in rules["legacy_hosts"] for h in named)
    return {"form": forms[0], "hosts": named, "sitecode": codes[0] if codes else None, "legacy": legacy}


def _police(text: str, raw: str, rules: dict[str, Any]) -> dict[str, Any] | None:
    text_m, link_m = rules["police"].search(text), rules["police_link"].search(raw)
    if not text_m and not link_m:
        old = rules["police_old"].search(text)
        return {"value": re.sub(r"\s+", "", old.group(1)), "match": _short(old.group(0)), "link": None,
                "form": "old"} if old else None
    return {
        "value": text_m.group(2) if text_m else None,
        "match": _short(text_m.group(0)) if text_m else None,
        "link": link_m.group(1) if link_m else None,
    }


def _sponsor(footer_text: str, rules: dict[str, Any]) -> dict[str, Any]:
    def first(pattern: re.Pattern[str], labelled: bool = False, before: bool = False) -> tuple[str, str] | None:
        for m in pattern.finditer(footer_text):
            if labelled and not re.search(r"[:：]|单\s*位|方", m.group(0)[: m.start(1) - m.start()]):
                continue
            pieces = rules["sponsor_stop"].split(m.group(1))
            value = (pieces[-1] if before else pieces[0]).strip(" （）()")
            if len(value) >= 2:
                return value, _short(m.group(0))
        return None

    # 主办单位：XX first; then XX主办 / 本站由XX主办 / XX（主办）; then 主办 XX without a colon
    sponsor = first(rules["sponsor"], labelled=True) or first(rules["sponsor_before"], before=True) \
        or first(rules["sponsor"])
    undertaker = first(rules["undertaker"])
    return {
        "sponsor": {"value": sponsor[0], "match": sponsor[1]} if sponsor else None,
        "undertaker": undertaker[0] if undertaker else None,
    }


def _contact(footer_text: str, tree: Any, rules: dict[str, Any]) -> dict[str, list[str]] | None:
    phones = [_short(m.group(0)) for p in rules["phone"] for m in p.finditer(footer_text)]
    emails = [m.group(0) for m in rules["email"].finditer(footer_text)]
    hrefs = [a.get("href", "").strip() for a in tree.iter("a")]
    emails += [h[7:].split("?")[0] for h in hrefs if h.lower().startswith("mailto:")]
    phones, emails = list(dict.fromkeys(phones))[:3], [e for e in dict.fromkeys(emails) if e][:3]
    if phones or emails:
        return {"phone": phones, "email": emails}
    pages = [a.get("href", "") for a in tree.iter("a") if rules["contact_page"].search(a.text_content())]
    return {"phone": [], "email": [], "contact_page": pages[0]} if pages else None


def _sitemap(tree: Any, rules: dict[str, Any], payloads: list[str] = ()) -> dict[str, str] | None:
    trees = [tree]
    if payloads:  # links a script writes (document.write footers)
        try:
            trees.append(lxml.html.fragment_fromstring("\n".join(payloads), create_parent="div"))
        except (etree.ParserError, ValueError):
            pass
    for a in (a for t in trees for a in t.iter("a")):
        label = f"{a.text_content()} {a.get('title', '')}"
        if rules["sitemap"].search(label):
            return {"href": a.get("href", ""), "text": _short(a.text_content())}
    return None


def _site_code(footer_text: str, text: str, rules: dict[str, Any]) -> dict[str, Any] | None:
    in_footer = True
    m = rules["site_code"].search(footer_text)
    if m is None:
        in_footer, m = False, rules["site_code"].search(text)
    return {"value": m.group(1), "match": _short(m.group(0)), "in_footer": in_footer} if m else None


def _icp(text: str, rules: dict[str, Any]) -> dict[str, str] | None:
    m = rules["icp"].search(text)
    if m is None:
        return None
    number = m.group(3) or m.group(4)
    suffix = f"-{number}" if number else ""
    mark = "号" if "号" in m.group(0) else ""  # the number as printed: 滇ICP备05000002 stays without 号
    return {"value": f"{m.group(1)}ICP备{m.group(2)}{mark}{suffix}", "match": _short(m.group(0))}


def template_signature(body: Any, region_text: str) -> str:
    """Ten hex digits naming the page's template: the first and last top-level blocks of the body with their
    children (header and footer chrome), and the footer skeleton."""
    blocks: list[str] = []
    tops = [c for c in body if isinstance(c.tag, str) and c.tag not in IGNORED_BLOCKS]
    # the chrome is at the edges: the first and last top-level blocks count with their children, the blocks
    # between them (the content: a table list, boxes of a channel page, an empty category) not at all
    edges = [tops[0], tops[-1]] if len(tops) > 2 else tops
    for child in edges:
        for el in (child, *child):
            if isinstance(el.tag, str) and el.tag not in IGNORED_BLOCKS:
                classes = " ".join(sorted((el.get("class") or "").split())[:3])
                block = f"{'' if el is child else ' '}{el.tag}.{classes}"  # ids are often random
                if not blocks or blocks[-1] != block:  # a run of list items (<article> posts) counts once
                    blocks.append(block)
    skeleton = re.sub(r"\d+", "0", re.sub(r"\s+", "", region_text))[:300]
    return hashlib.sha1("|".join([*blocks[:80], skeleton]).encode("utf-8")).hexdigest()[:10]


#: Inner pages per template whose footer facts are extracted: a multiple of the sample the site check draws,
#: so the sample can still prefer the shallowest pages; later pages of a known template only get a signature.
FACTS_PER_TEMPLATE_FACTOR = 4


def extract_footer(record: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """Facts for the footer checks: ``{"footer": {...}, "template": "<10 hex>"}`` ({} for non-HTML pages).

    On a large site most pages share a few templates; once a template has enough pages with facts (see
    FACTS_PER_TEMPLATE_FACTOR), further pages of it only record their template (the costly part is skipped).
    """
    tree = record.tree
    body = tree.find("body") if tree is not None else None
    if body is None or record.status >= 400:
        return {}
    rules = footer_rules()
    region_text = "\n".join(visible_text(r) for r in _region_elements(body, rules))
    signature = template_signature(body, region_text)
    if record.page_type != "homepage":
        seen = ctx.memo.setdefault("footer_templates", {})
        budget = FACTS_PER_TEMPLATE_FACTOR * max(1, ctx.options.footer_sample_per_template)
        if seen.get(signature, 0) >= budget:
            return {"template": signature}
        seen[signature] = seen.get(signature, 0) + 1
    raw, payloads = _raw(record.html)
    payload_text = TAG.sub(" ", "\n".join(payloads))
    body_text = visible_text(body)
    if not body_text.strip() and not payload_text.strip():
        # nothing a visitor sees (an ``alert(); history.back()`` error stub, a script redirect): no footer
        return {"template": signature}
    text = body_text + "\n" + payload_text
    # the end of the page stands in for the footer only when no element is marked as one (an article's last
    # quarter is often its own text, with the author's phone number)
    marked = len(re.sub(r"\s+", "", region_text)) >= MIN_REGION_CHARS
    tail = "" if marked else body_text[int(len(body_text) * (1 - rules["tail_fraction"])) :]
    footer_text = "\n".join([region_text, tail, payload_text])
    facts = {
        "conac": _conac(raw, rules),
        "site_code": _site_code(footer_text, text, rules),
        "icp": _icp(text, rules),
        "police": _police(text, raw, rules),
        "jiucuo": _jiucuo(raw, tree, rules),
        **_sponsor(footer_text, rules),
        "contact": _contact(footer_text, tree, rules),
        "sitemap": _sitemap(tree, rules, payloads),
        "meta_site_code": page_labels(record).get("siteidcode") or None,
    }
    frames = [urljoin(record.final_url or record.url, el.get("src", "").strip())
              for el in body.iter("iframe", "frame") if el.get("src", "").strip()[:1] not in ("", "#")]
    if frames:  # a footer shown in a frame (``<iframe src="/footer.html">``): merged by the site check
        facts["frames"] = frames[:MAX_FRAMES]
    return {"footer": facts, "template": signature}
