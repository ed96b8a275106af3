"""Shared pieces of the evaluation corpus: a page collector, the truth it records, article texts.

Each site module (``trs.py``, ``hanweb.py``, ``lonsun.py``, ``kpy.py``) builds one synthetic government site in
the markup of one CMS family and records, while it writes a page, what a correct inspector must report on it
(``Site.expect``) and what it must not (``Site.trap``). The markup is written from the CMS families' public
page structures, NOT from this project's fixtures or checks: the corpus is meant to find what the checks miss.

Truth granularity (the project's): LK one per (rule, target); FT/MT one per (page type, template), given as
the pages of that template; UP one per column (the column's list URL path); TX/SC one per (page, word) or, for
SC001, per hidden target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AS_OF = "2026-11-22"
DEAD = "http://127.0.0.1:9"  # nothing listens on the discard port
#: another host: a second server on 127.0.0.1 (started by the scorer) answers ``Site.ext_routes``;
#: ``Site.write`` puts its address in place of this placeholder
EXT = "http://ext-host.invalid"

TITLES = [
    "市政府常务会议研究部署今冬明春重点工作", "全市优化营商环境推进会召开", "我市举行安全生产专项整治工作部署会",
    "市领导赴重点项目现场调研", "全市政务公开工作培训班开班", "我市与省属高校签订战略合作框架协议",
    "秋冬季森林防火工作会议召开", "数字政府建设三年行动方案印发实施", "民生实事项目进展情况新闻发布会举行",
    "政务服务效能提升专项行动启动", "全市农业农村工作现场推进会召开", "一网通办改革持续深化",
    "城乡居民医保参保缴费工作启动", "全市文明城市创建工作调度会召开", "重点企业用工保障专项服务开展",
    "冬季供暖保障工作部署会召开", "全市统计工作会议召开", "老旧小区改造项目有序推进",
]
PARAS = [
    "为深入贯彻落实党中央、国务院决策部署，市委、市政府坚持稳中求进工作总基调，统筹推进各项工作，取得明显成效。",
    "会议指出，各地各部门要切实提高政治站位，压紧压实工作责任，细化工作举措，确保各项目标任务按期完成。",
    "会议要求，要坚持问题导向，聚焦群众急难愁盼问题，持续优化服务流程，不断提升群众获得感和满意度。",
    "下一步，将进一步加强统筹协调，强化督促检查，建立健全长效机制，推动工作落地见效，以实际行动回应群众期盼。",
]


@dataclass
class Site:
    """One generated site: its pages (path -> (html, encoding)) and its truth."""

    key: str
    name: str
    site_code: str
    cms: str
    encoding: str = "utf-8"
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    binary: dict[str, bytes] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    traps: list[dict[str, Any]] = field(default_factory=list)
    allowed: list[dict[str, Any]] = field(default_factory=list)
    register: dict[str, Any] = field(default_factory=dict)
    domain: str = ""
    #: behaviour routes (path -> handler(request)) of the site's own server and of the other host (EXT)
    routes: dict[str, Callable[[Any], None]] = field(default_factory=dict)
    ext_routes: dict[str, Callable[[Any], None]] = field(default_factory=dict)

    def add(self, path: str, html: str, encoding: str | None = None) -> str:
        self.pages[path] = (html, encoding or self.encoding)
        return path

    def expect(self, rule: str, why: str, **match: Any) -> None:
        self.findings.append({"rule": rule, **match, "why": why})

    def trap(self, why: str, **where: Any) -> None:
        self.traps.append({**where, "why": why})

    def allow(self, rule: str, why: str, **match: Any) -> None:
        """A finding that is neither right nor wrong (a defensible reading either way): not scored."""
        self.allowed.append({"rule": rule, **match, "why": why})

    def write(self, out: Path, ext: str = EXT) -> Path:
        """Write the pages under ``out/<key>/``; ``ext`` is the other host's base URL (replaces ``EXT``)."""
        root = out / self.key
        for path, (html, enc) in self.pages.items():
            target = root / path.lstrip("/")
            if path.endswith("/"):
                target = target / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(html.replace(EXT, ext).encode(enc))
        for path, data in self.binary.items():
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return root

    def truth(self) -> dict[str, Any]:
        return {"site": self.key, "name": self.name, "cms": self.cms, "site_code": self.site_code,
                "encoding": self.encoding, "domain": self.domain, "as_of": AS_OF, "register": self.register,
                "findings": self.findings, "traps": self.traps,
                **({"allowed": self.allowed} if self.allowed else {})}


def body_text(title: str, n: int = 4, extra: str = "") -> str:
    paras = "".join(f"<p>{PARAS[(i + len(title)) % len(PARAS)]}</p>" for i in range(n))
    return f"<p>{title}。</p>{paras}{extra}"


def ymd(d: str) -> tuple[str, str, str]:
    y, m, dd = d.split("-")
    return y, m, dd


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


# ---------------------------------------------------------------------------- behaviour routes


def _send(h: Any, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    from xunjian.demo.server import send

    send(h, status, body, headers=headers)


def _query(h: Any) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(h.path).query))


def answer(status: int, html: str = "", headers: dict[str, str] | None = None) -> Callable[[Any], None]:
    """Always the same status and body."""
    body = (html or f"<html><body>{status}</body></html>").encode("utf-8")
    return lambda h: _send(h, status, body, headers)


def once_then_ok(status: int, headers: dict[str, str], html: str) -> Callable[[Any], None]:
    """``status`` (with ``headers``) on the first request, then 200 with ``html``."""
    seen: list[int] = []

    def route(h: Any) -> None:
        seen.append(1)
        if len(seen) == 1:
            _send(h, status, b"", headers)
        else:
            _send(h, 200, html.encode("utf-8"))
    return route


def head_forbidden(html: str) -> Callable[[Any], None]:
    """403 to HEAD (a bot filter), 200 to GET."""
    return lambda h: _send(h, 403, b"") if h.command == "HEAD" else _send(h, 200, html.encode("utf-8"))


def redirect_chain(path: str, hops: int, end: str) -> Callable[[Any], None]:
    """``path?id=N&hop=K`` redirects to hop K+1 until ``hops`` redirects were made, then to ``end``."""
    def route(h: Any) -> None:
        q = _query(h)
        k = int(q.get("hop", "0"))
        to = end if k + 1 >= hops else f"{path}?id={q.get('id', '0')}&hop={k + 1}"
        _send(h, 302, b"", {"Location": to})
    return route


def redirect_loop(path: str) -> Callable[[Any], None]:
    """A JSP login redirect loop: ``?id=N`` -> ``?id=N&from=login`` -> ``?id=N`` ..."""
    def route(h: Any) -> None:
        q = _query(h)
        to = f"{path}?id={q.get('id', '0')}" if "from" in q else f"{path}?id={q.get('id', '0')}&from=login"
        _send(h, 302, b"", {"Location": to})
    return route
