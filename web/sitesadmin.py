"""Adding and editing registered sites from the console, validated exactly like ``xunjian sites import``.

A form or a JSON body is merged over the site's current registry entry and validated by the registry's own
model (:class:`xunjian.storage.registry.SiteEntry`), then written by :func:`upsert_sites`; every change is
one append-only audit row with the changed fields before and after. Problems are reported per field in
Chinese (:class:`SiteFormError`), nothing is written when any field is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from xunjian.storage.models import Site
from xunjian.storage.registry import COLUMN_CATEGORIES, SiteEntry, upsert_sites
from xunjian.storage.triage import audit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: registry fields the console edits (the rest of an entry, e.g. aliases and hints, is kept as imported)
EDITABLE = ("name", "url", "kind", "site_code", "sponsor", "status", "render", "max_pages", "columns")
FIELD_ZH = {"id": "编号", "name": "名称", "url": "网址", "kind": "类型", "site_code": "网站标识码",
            "sponsor": "主办单位", "status": "状态", "render": "渲染", "max_pages": "页面上限", "columns": "栏目"}
CHOICES_ZH = {"kind": {"portal": "门户网站", "department": "部门网站"},
              "status": {"online": "在线", "offline": "已下线"},
              "render": {"auto": "自动", "always": "总是渲染", "never": "从不渲染"}}


class SiteFormError(Exception):
    """Invalid site fields: ``fields`` maps each field to its Chinese message."""

    def __init__(self, fields: dict[str, str], status: int = 400):
        self.fields = fields
        self.status = status
        super().__init__("；".join(f"{FIELD_ZH.get(k, k)}: {v}" for k, v in fields.items()))


def current_entry(site: Site) -> dict[str, Any]:
    """The registry entry of a stored site (what ``sites import`` would have to say to leave it unchanged)."""
    extra = site.extra or {}
    return {"id": site.id, "name": site.name, "url": site.url, "kind": site.kind, "site_code": site.site_code,
            "sponsor": site.sponsor, "status": site.status, "render": site.render,
            "columns": list(site.columns or []), "aliases": list(site.aliases or []), "scan_cron": site.scan_cron,
            "has_services": bool(site.has_services), "hints": dict(extra.get("hints") or {}),
            "max_pages": extra.get("max_pages")}


def parse_columns(value: Any) -> Any:
    """Columns from a form: one ``url|category|name`` per line (category and name optional)."""
    if not isinstance(value, str):
        return value
    columns = []
    for line in value.replace(";", "\n").splitlines():
        if not line.strip():
            continue
        url, _, rest = line.strip().partition("|")
        category, _, name = rest.partition("|")
        column: dict[str, Any] = {"url": url.strip(), "category": category.strip() or "other"}
        if name.strip():
            column["name"] = name.strip()
        columns.append(column)
    return columns


def format_columns(columns: list[dict[str, Any]]) -> str:
    return "\n".join("|".join(p for p in (c.get("url", ""), c.get("category", "other"), c.get("name") or "") if p)
                     for c in columns or [])


def _message(err: dict[str, Any]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    loc = err["loc"]
    if kind == "missing":
        return "必填"
    if kind == "extra_forbidden":
        return "未知字段"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_pattern_mismatch":
        return "只能由字母、数字和 _ . - 组成 (字母或数字开头，最多 64 个字符)"
    if kind == "literal_error":
        if loc and loc[-1] == "category":
            return "栏目类别应为 " + " / ".join(COLUMN_CATEGORIES) + " 之一"
        names = CHOICES_ZH.get(str(loc[0]), {})
        return "应为 " + " / ".join(f"{k} ({v})" for k, v in names.items()) if names else "取值不在允许范围内"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "应为整数"
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        return "格式不对"
    return str(err["msg"]).removeprefix("Value error, ")


def validate(data: dict[str, Any]) -> SiteEntry:
    """A registry entry validated by :class:`SiteEntry`, or :class:`SiteFormError` listing every field."""
    try:
        return SiteEntry.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "-"
            detail = ".".join(str(p) for p in err["loc"][1:])
            message = _message(err)
            fields.setdefault(field, f"{detail}: {message}" if detail else message)
        raise SiteFormError(fields) from None


def _incoming(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key in EDITABLE:
        if key not in data:
            continue
        value = data[key]
        if key == "columns":
            value = parse_columns(value)
        elif key == "max_pages" and value in ("", None):
            value = None
        elif key == "max_pages" and isinstance(value, str):
            value = value.strip()
        out[key] = value
    return out


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    try:  # compare like with like (stored columns may lack the model's defaults)
        before = SiteEntry.model_validate(before).model_dump()
    except ValidationError:
        pass
    keys = [k for k in EDITABLE if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def create_site(session: Session, actor: str, data: dict[str, Any]) -> Site:
    """Register a new site (not committed); :class:`SiteFormError` if invalid or the id is taken."""
    site_id = str(data.get("id") or "").strip()
    if site_id and session.get(Site, site_id) is not None:
        raise SiteFormError({"id": f"编号 {site_id} 已登记，请编辑该站点"}, 409)
    unknown = sorted(set(data) - set(EDITABLE) - {"id", "csrf_token"})
    if unknown:
        raise SiteFormError({k: "未知字段或不能在此修改" for k in unknown})
    entry = validate({"id": site_id, **_incoming(data)})
    upsert_sites(session, [entry])
    after = entry.model_dump()
    audit(session, actor, "site_create", "site", entry.id, site_id=entry.id,
          details={"from": None, "to": {k: after.get(k) for k in EDITABLE}})
    session.flush()
    return session.get(Site, entry.id)


def update_site(session: Session, actor: str, site_id: str, data: dict[str, Any]) -> tuple[Site, dict[str, Any]]:
    """Change registry fields of a site (not committed); returns the site and the changed fields' new values."""
    site = session.get(Site, site_id)
    if site is None:
        raise LookupError(f"站点 {site_id} 未登记")
    if str(data.get("id") or site_id) != site_id:
        raise SiteFormError({"id": "编号不能修改 (请新增站点)"})
    unknown = sorted(set(data) - set(EDITABLE) - {"id", "csrf_token"})
    if unknown:
        raise SiteFormError({k: "未知字段或不能在此修改" for k in unknown})
    before = current_entry(site)
    incoming = _incoming(data)
    if isinstance(data.get("columns"), str):  # the form has no level: keep each known column's
        levels = {c.get("url"): c.get("level", 1) for c in before["columns"] if isinstance(c, dict)}
        incoming["columns"] = [{**c, "level": levels.get(c["url"], 1)} for c in incoming["columns"]]
    entry = validate({**before, **incoming})
    old, new = _changes(before, entry.model_dump())
    if new:
        upsert_sites(session, [entry])
        audit(session, actor, "site_update", "site", site_id, site_id=site_id, details={"from": old, "to": new})
        session.flush()
    return site, new


def form_values(site: Site | None) -> dict[str, Any]:
    """The values an edit form starts with (an empty new site when ``site`` is None)."""
    if site is None:
        return {"id": "", "name": "", "url": "", "kind": "portal", "site_code": "", "sponsor": "",
                "status": "online", "render": "auto", "max_pages": "", "columns": ""}
    entry = current_entry(site)
    return {**{k: ("" if v is None else v) for k, v in entry.items()}, "columns": format_columns(entry["columns"])}
