"""The site registry: read a YAML or CSV file of sites, validate every entry, upsert them.

Validation reports every problem at once, each with its line and field; when any entry is invalid
nothing is written. Re-importing updates sites by id and never duplicates them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select

from xunjian.storage.models import Site
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

COLUMN_CATEGORIES = ("news", "notice", "policy", "longterm", "interaction", "service", "other")
SITE_CODE_RE = re.compile(r"^(\d{10}|[bB][mM]\d{8})$")
FIELD_ZH = {"id": "编号", "url": "网址", "kind": "类型", "name": "名称", "site_code": "网站标识码",
            "status": "状态", "render": "渲染", "columns": "栏目", "category": "栏目类别"}


class RegistryError(Exception):
    """The registry file is invalid; ``problems`` lists every (line, field, message)."""

    def __init__(self, path: str, problems: list[tuple[int | None, str, str]]):
        self.path = path
        self.problems = problems
        super().__init__(f"站点清单 {path} 有 {len(problems)} 处错误，未写入任何站点")

    def lines(self) -> list[str]:
        out = []
        for line, fld, msg in self.problems:
            where = f"第 {line} 行" if line else "文件"
            out.append(f"{self.path}: {where}, 字段 {fld}: {msg}")
        return out


class ColumnEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    category: Literal["news", "notice", "policy", "longterm", "interaction", "service", "other"] = "other"
    name: str | None = None
    level: int = Field(1, ge=1, le=5)


class SiteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    url: str
    kind: Literal["portal", "department"] = "portal"
    site_code: str | None = None
    sponsor: str | None = None
    status: Literal["online", "offline"] = "online"
    render: Literal["auto", "always", "never"] = "auto"
    columns: list[ColumnEntry] = []
    aliases: list[str] = []
    scan_cron: str | None = None
    has_services: bool = True
    #: per-site extraction hints for unusual layouts, e.g. {"interaction": {"item": "css", "submitted": "css"}}
    hints: dict[str, dict[str, str]] = {}
    max_pages: int | None = Field(None, ge=1, le=10_000_000)  # page budget of this site (crawl.max_pages if unset)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("必须是 http:// 或 https:// 开头的完整网址")
        return value

    @field_validator("site_code", mode="before")
    @classmethod
    def _site_code(cls, value: Any) -> str | None:
        if value in (None, ""):
            return None
        value = str(value).strip()
        if not SITE_CODE_RE.match(value):
            raise ValueError("网站标识码应为 10 位数字或 bm 加 8 位数字")
        return value

    @field_validator("scan_cron", "sponsor", mode="before")
    @classmethod
    def _empty_none(cls, value: Any) -> Any:
        return None if value == "" else value


@dataclass
class ImportResult:
    created: list[str]
    updated: list[str]


def _yaml_entries(text: str) -> list[tuple[int | None, Any]]:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RegistryError("", [(mark.line + 1 if mark else None, "-", f"不是合法的 YAML: {getattr(exc, 'problem', exc)}")]) from None
    if isinstance(data, dict) and "sites" in data:
        items = data["sites"]
        node = next((v for k, v in root.value if k.value == "sites"), None)
    else:
        items, node = data, root
    if not isinstance(items, list):
        raise RegistryError("", [(None, "sites", "顶层应为 sites: 列表")])
    lines = [n.start_mark.line + 1 for n in node.value] if node is not None and hasattr(node, "value") else []
    return [(lines[i] if i < len(lines) else None, item) for i, item in enumerate(items)]


def _csv_entries(text: str) -> list[tuple[int | None, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    out: list[tuple[int | None, Any]] = []
    for row in reader:
        entry: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for key in [k for k, v in entry.items() if v == ""]:
            del entry[key]
        if "aliases" in entry:
            entry["aliases"] = [a.strip() for a in entry["aliases"].split(";") if a.strip()]
        if "columns" in entry:  # "url|category;url|category"
            cols = []
            for part in entry["columns"].split(";"):
                url, _, category = part.strip().partition("|")
                cols.append({"url": url, "category": category or "other"})
            entry["columns"] = cols
        out.append((reader.line_num, entry))
    return out


def parse_registry(path: str | Path) -> list[SiteEntry]:
    """Parse and validate a registry file; raise :class:`RegistryError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RegistryError(str(path), [(None, "-", "文件不存在")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(str(path), [(None, "-", f"无法读取: {exc}")]) from None
    try:
        raw = _csv_entries(text) if path.suffix.lower() == ".csv" else _yaml_entries(text)
    except RegistryError as exc:
        exc.path = str(path)
        raise
    problems: list[tuple[int | None, str, str]] = []
    entries: list[SiteEntry] = []
    seen: dict[str, int | None] = {}
    for line, item in raw:
        if not isinstance(item, dict):
            problems.append((line, "-", "每个站点应为键值映射"))
            continue
        try:
            entry = SiteEntry.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                fld = ".".join(str(p) for p in err["loc"]) or "-"
                msg = "未知字段" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
                problems.append((line, fld, msg))
            continue
        if entry.id in seen:
            problems.append((line, "id", f"编号 {entry.id!r} 重复 (第 {seen[entry.id]} 行已有)"))
            continue
        seen[entry.id] = line
        entries.append(entry)
    if not raw:
        problems.append((None, "sites", "清单中没有站点"))
    if problems:
        raise RegistryError(str(path), problems)
    return entries


def upsert_sites(session: Session, entries: list[SiteEntry]) -> ImportResult:
    """Create or update sites by id (never duplicates). Does not commit."""
    result = ImportResult(created=[], updated=[])
    for entry in entries:
        values = entry.model_dump()
        values["columns"] = [c for c in values["columns"]]
        hints = values.pop("hints")  # kept in Site.extra (no schema change)
        max_pages = values.pop("max_pages")
        site = session.get(Site, entry.id)
        extra = _with_budget(site.extra if site is not None else None, max_pages)  # kept in Site.extra
        extra.pop("hints", None)
        values["extra"] = {**extra, **({"hints": hints} if hints else {})}
        if site is None:
            session.add(Site(**values))
            result.created.append(entry.id)
        else:
            for key, value in values.items():
                setattr(site, key, value)
            site.updated_at = utcnow()
            result.updated.append(entry.id)
    session.flush()
    return result


def _with_budget(extra: dict[str, Any] | None, max_pages: int | None) -> dict[str, Any]:
    """The site's ``extra`` with its page budget set (or removed): kept in ``extra``, no schema change."""
    out = dict(extra or {})
    if max_pages:
        out["max_pages"] = max_pages
    else:
        out.pop("max_pages", None)
    return out


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.id)))


def get_site(session: Session, site_id: str) -> Site | None:
    return session.get(Site, site_id)


def site_info(site: Site, extra_aliases: list[str] | None = None):  # noqa: ANN201 - avoids import cycle
    """The checks' view of a registered site."""
    from xunjian.records import SiteInfo

    hosts = {h.lower() for h in (site.aliases or [])} | {h.lower() for h in (extra_aliases or [])}
    return SiteInfo(
        id=site.id, name=site.name, url=site.url, kind=site.kind, site_code=site.site_code,
        sponsor=site.sponsor, status=site.status, render=site.render, hosts=frozenset(hosts),
        columns=tuple(site.columns or ()), hints=dict((site.extra or {}).get("hints") or {}),
    )
