"""Page labels (网页标签): MT001 missing-page-labels, MT002 page-label-mismatch.

The 《网页设计规范》 annex of the Guide asks every homepage, column page and article page to carry
``<meta name=… content=…>`` labels in ``<head>`` (indicators.md §5, corrected 2026-12-01). Which labels
each page type requires, which are optional (never a finding), and the PubDate pattern live in
``rules/footer.yaml`` (section ``labels``). Pages of type ``other`` are not checked.

Granularity: a label problem is a template problem. The extractor keeps each page's problems in
``facts["labels"]``; the site check :func:`grouped_label_findings` reports one finding per (page type, page
template) — template as in :func:`xunjian.checks.footer_facts.template_signature` — with
``evidence.page_count`` and up to 20 ``evidence.pages``; a site where no page carries any label at all gets
a single MT001. :func:`missing_page_labels` and :func:`page_label_mismatch` judge one page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from xunjian.checks import finding
from xunjian.config import RULES_DIR

if TYPE_CHECKING:
    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageRecord

RULES_FILE = RULES_DIR / "footer.yaml"
TYPE_ZH = {"homepage": "首页", "column": "栏目页", "article": "内容页"}


@cache
def label_rules(path: Path = RULES_FILE) -> dict[str, Any]:
    """The ``labels`` section of the rules file (required/optional per page type), PubDate pattern compiled."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["labels"]
    rules = {kind: data[kind] for kind in TYPE_ZH}
    rules["pubdate"] = re.compile(data["pubdate"])
    return rules


def page_labels(record: PageRecord) -> dict[str, str]:
    """The ``<meta name>`` labels in ``<head>``: lower-cased name -> first non-empty content (or '')."""
    tree = record.tree
    head = tree.find("head") if tree is not None else None
    labels: dict[str, str] = {}
    if head is None:
        return labels
    for meta in head.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if not name:
            continue
        content = (meta.get("content") or "").strip()
        if not labels.get(name):
            labels[name] = content
    return labels


def parse_pubdate(value: str, pattern: re.Pattern[str] | None = None) -> datetime | None:
    """``YYYY[-/]MM[-/]DD( HH:MM(:SS)?)?`` as a datetime, or None when the value is not such a date."""
    match = (pattern or label_rules()["pubdate"]).fullmatch(value.strip())
    if not match:
        return None
    parts = [int(p) if p else 0 for p in match.groups()]
    try:
        return datetime(*parts)
    except ValueError:  # 2023-02-30, 25:00 ...
        return None


def _checked_type(record: PageRecord) -> str | None:
    if record.page_type not in TYPE_ZH or record.tree is None or record.status >= 400:
        return None
    return record.page_type


def missing_page_labels(record: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """MT001 missing-page-labels (网页标签缺失).

    ## What it does
    Checks that a homepage, column page or article page carries, in ``<head>``, every ``<meta>``
    label its page type requires (names case-insensitive; an empty ``content`` counts as missing).
    One finding per page lists all missing labels in its evidence.

    ## Why is this bad?
    The Guide's page-design annex makes these labels mandatory so that inspection platforms and
    search engines can tell the site, the column and the article apart (indicators.md §5).

    ## Example
    ``<meta name="SiteIDCode" content="">`` on an article page (浙江发改委). Use instead:
    ``<meta name="SiteIDCode" content="3300000020">``.

    ## Known problems
    Labels injected by JavaScript are only seen on rendered pages. Optional labels (Keywords, Author,
    Description, Image, Url on article pages) are listed in the evidence but never reported on their own.
    """
    kind = _checked_type(record)
    if kind is None:
        return
    spec = label_rules()[kind]
    labels = page_labels(record)
    missing = [name for name in spec["required"] if not labels.get(name.lower())]
    if not missing:
        return
    empty = [name for name in missing if name.lower() in labels]
    evidence = {
        "page_type": kind,
        "missing": missing,
        "empty": empty,
        "missing_optional": [n for n in spec.get("optional", []) if not labels.get(n.lower())],
    }
    yield finding(
        "MT001",
        f"{TYPE_ZH[kind]}缺少网页标签：{'、'.join(missing)}",
        page=record.final_url or record.url,
        evidence=evidence,
    )


def _host(value: str) -> str:
    value = value.strip().lower()
    if "//" not in value:
        value = "//" + value
    try:
        return (urlsplit(value).hostname or "").rstrip(".")
    except ValueError:
        return value


def _domain_ok(domain: str, page_url: str, ctx: CheckContext) -> bool:
    page_host = _host(page_url)
    allowed = {page_host}
    site_hosts = {ctx.site.host, *ctx.site.hosts}
    if page_host in site_hosts:
        allowed |= site_hosts
    return any(_host(d) in allowed for d in re.split(r"[,，;；\s]+", domain) if d)


#: An unrendered template placeholder left in a label value (Vue/Nuxt ``{{ x }}``, JSP/FreeMarker ``${x}``,
#: Velocity ``$!{x}``, ASP ``<%= x %>``, DedeCMS ``{dede:x/}``, EmpireCMS ``[!--x--]``, PHP ``{$x}``).
_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_$][A-Za-z0-9_.$\[\]'\"|() -]*\}\}|\$!?\{[A-Za-z_][A-Za-z0-9_.]*\}|<%.*?%>"
                          r"|\{dede:|\[!--[A-Za-z_.]+--\]|\{\$[A-Za-z_][A-Za-z0-9_.\[\]'\"]*\}")


def _placeholders(labels: dict[str, str]) -> Iterator[tuple[str, ...]]:
    for name, value in labels.items():
        if value and _PLACEHOLDER.search(value):
            known = (*label_rules()["article"]["required"], *label_rules()["column"]["required"])
            shown = next((n for n in known if n.lower() == name), name)
            yield shown, value, f"网页标签 {shown} 的值 {value} 是未替换的模板占位符（页面模板未填入内容）"


def _label_problems(labels: dict[str, str], page_url: str, ctx: CheckContext) -> Iterator[tuple[str, ...]]:
    """(label, value, message) for each label that contradicts the registry or the page."""
    left = list(_placeholders(labels))
    yield from left
    labels = {k: v for k, v in labels.items() if k not in {n.lower() for n, _v, _m in left}}
    code, expected = labels.get("siteidcode"), (ctx.site.site_code or "").strip()
    if code and expected and code.lower() != expected.lower():
        yield "SiteIDCode", code, f"网页标签 SiteIDCode 为 {code}，与登记的网站标识码 {expected} 不一致"
    domain = labels.get("sitedomain")
    if domain and not _domain_ok(domain, page_url, ctx):
        yield "SiteDomain", domain, f"网页标签 SiteDomain 为 {domain}，与页面域名 {_host(page_url)} 不一致"
    pub = labels.get("pubdate")
    if pub:
        when = parse_pubdate(pub)
        if when is None:
            yield "PubDate", pub, f"网页标签 PubDate 的值 {pub} 不是有效的日期（应为 YYYY-MM-DD HH:MM）"
        elif when.date() > ctx.as_of:
            yield "PubDate", pub, f"网页标签 PubDate 为 {pub}，晚于检查日期 {ctx.as_of.isoformat()}"


def page_label_mismatch(record: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """MT002 page-label-mismatch (网页标签错误).

    ## What it does
    Checks that the page labels agree with the registry and the page: SiteIDCode equals the
    registered 网站标识码, SiteDomain names the page's host, PubDate is a date
    (``YYYY[-/]MM[-/]DD( HH:MM(:SS)?)?``) not later than the checkpoint (``as_of``), and that no label
    is an unrendered template placeholder (``{{ detail.title }}``, ``${title}``, ``<%= Title %>``).
    One finding per wrong label, keyed by the label name.

    ## Why is this bad?
    A wrong SiteIDCode misroutes error reports and inspection results; a PubDate in the future or
    unparsable hints at forged publication dates (veto item V1e, indicators.md §8).

    ## Example
    ``<meta name="PubDate" content="2027-01-01 09:00">`` checked on 2026-11-22. Use instead the real
    publication time, e.g. ``<meta name="PubDate" content="2026-11-20 09:00">``.

    ## Known problems
    A SiteDomain naming another registered host of the same site (an alias) is accepted.
    """
    if _checked_type(record) is None:
        return
    page_url = record.final_url or record.url
    for label, value, message in _label_problems(page_labels(record), page_url, ctx):
        evidence = {"label": label, "value": value}
        yield finding("MT002", message, page=page_url, evidence=evidence, key=f"label={label}")


# --- per template -----------------------------------------------------------------------------------

MAX_EXAMPLES = 20


def extract_labels(record: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``facts["labels"]``: the page's missing required labels and wrong labels (small, for the site check)."""
    if _checked_type(record) is None:
        return {}
    missing = [f.evidence for f in missing_page_labels(record, ctx)]
    wrong = [[f.evidence["label"], f.evidence["value"], f.message] for f in page_label_mismatch(record, ctx)]
    any_label = any(page_labels(record).get(n.lower()) for n in label_rules()["homepage"]["required"])
    return {"labels": {"missing": missing[0]["missing"] if missing else [],
                       "empty": missing[0]["empty"] if missing else [], "wrong": wrong, "any": any_label}}


@dataclass
class _Group:
    """What MT001/MT002 need of the pages of one (page type, template): counts and the first examples."""

    pages: int = 0
    failing: int = 0
    failing_urls: list[str] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    #: label -> [pages with it wrong, first value, first message, first example URLs]
    wrong: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, page: Any, labels: dict[str, Any]) -> None:
        url = page.final_url or page.url
        self.pages += 1
        if labels["missing"]:
            self.failing += 1
            self.missing.update(labels["missing"])
            if len(self.failing_urls) < MAX_EXAMPLES:
                self.failing_urls.append(url)
        for label, value, message in labels["wrong"]:
            hit = self.wrong.setdefault(label, [0, value, message, []])
            hit[0] += 1
            if len(hit[3]) < MAX_EXAMPLES:
                hit[3].append(url)


def _groups(view: Any) -> tuple[dict[tuple[str, str], _Group], int, bool, list[str]]:
    """Groups by (page type, template), and over the whole site: pages checked, any label seen, examples."""
    groups: dict[tuple[str, str], _Group] = {}
    checked, any_label, examples = 0, False, []
    for page in view.pages:
        facts = page.facts or {}
        if "labels" in facts:
            sig = "homepage" if page.page_type == "homepage" else facts.get("template") or "?"
            groups.setdefault((page.page_type, sig), _Group()).add(page, facts["labels"])
            checked += 1
            any_label = any_label or bool(facts["labels"]["any"])
            if len(examples) < MAX_EXAMPLES:
                examples.append(page.final_url or page.url)
    return groups, checked, any_label, examples


def _group_evidence(kind: str, sig: str, group: _Group, count: int, urls: list[str]) -> dict[str, Any]:
    return {"page_type": kind, "template": sig, "page_count": count, "pages_of_template": group.pages,
            "pages": urls[:MAX_EXAMPLES], "failing": urls[:MAX_EXAMPLES]}


def grouped_label_findings(view: Any, ctx: CheckContext) -> Iterator[Finding]:
    """MT001 and MT002 once per (page type, page template); one MT001 for a site without any label."""
    groups, checked, any_label, urls = _groups(view)
    if checked and not any_label:
        yield finding("MT001", f"全站未设置网页标签（检查 {checked} 个页面，均无 SiteName、SiteDomain、SiteIDCode 等标签）",
                      evidence={"scope": "site", "page_count": checked, "pages": urls[:MAX_EXAMPLES],
                                "failing": urls[:MAX_EXAMPLES]}, key="site-without-labels")
        return
    for (kind, sig), group in sorted(groups.items(), key=lambda item: item[0]):
        if group.failing:
            missing = [n for n in label_rules()[kind]["required"] if n in group.missing]
            where = "首页" if kind == "homepage" else f"{TYPE_ZH[kind]}模板 {sig}（{group.failing}/{group.pages} 页）"
            evidence = {**_group_evidence(kind, sig, group, group.failing, group.failing_urls), "missing": missing}
            yield finding("MT001", f"{where}缺少网页标签：{'、'.join(missing)}", evidence=evidence,
                          key=f"{kind}/template={sig}")
        for label, (count, value, message, hit_urls) in sorted(group.wrong.items()):
            evidence = {**_group_evidence(kind, sig, group, count, hit_urls), "label": label, "value": value}
            prefix = "首页" if kind == "homepage" else f"{TYPE_ZH[kind]}模板 {sig}（{count} 页，如 {evidence['pages'][0]}）"
            yield finding("MT002", f"{prefix}{message}", evidence=evidence, key=f"{kind}/template={sig}/label={label}")


EXTRACTORS = (extract_labels,)
SITE_CHECKS = (grouped_label_findings,)
