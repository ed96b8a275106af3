"""Settings: one home for every default (``settings.yaml``), validated at start.

Every key is written twice, on purpose: in ``settings.yaml`` (the file users copy, one comment line per
key) and in the pydantic models below (types, bounds and the same default); ``tests/test_settings.py``
keeps the two equal field by field. Components never repeat a default: they receive plain values from
these models (Scrapy components through ``from_crawler``, see :mod:`xunjian.crawler.settings`).

``load_settings()`` reads the packaged defaults, overlays the user's file (``--config`` or
``XUNJIAN_CONFIG``) and the environment (``XUNJIAN_DATABASE_URL``, ``XUNJIAN_ALLOW_NETWORKS``), and
validates the result with pydantic. A wrong key or type raises :class:`ConfigError` whose message
names the key in one line, never a traceback.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULTS_FILE = PACKAGE_DIR / "settings.yaml"
RULES_DIR = PACKAGE_DIR / "rules"


class ConfigError(Exception):
    """The settings file is missing, unreadable or invalid; the message names the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///xunjian.db"
    batch_size: int = Field(500, ge=1)


class CrawlSettings(_Section):
    user_agent: str = "Mozilla/5.0 (compatible; xunjian/0.1; government website inspection)"
    robots: Literal["obey", "ignore"] = "ignore"
    max_depth: int = Field(6, ge=0)
    max_pages: int = Field(100000, ge=1)
    concurrency_per_site: int = Field(8, ge=1)
    concurrent_requests: int = Field(32, ge=1)
    download_delay: float = Field(0.0, ge=0)
    autothrottle: bool = True
    timeout: float = Field(15, gt=0)
    retry_times: int = Field(1, ge=0)
    max_response_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_url_length: int = Field(512, ge=32)
    max_query_variants: int = Field(50, ge=1)
    strip_query_params: list[str] = ["jsessionid", "phpsessid", "sid", "sessionid", "aspsessionid", "cfid", "cftoken",
                                     "utm_source", "utm_medium", "utm_campaign", "_t", "timestamp"]
    allow_networks: list[str] = []
    aliases: dict[str, list[str]] = {}
    check_external: bool = True
    offline: bool = False
    split_redis_url: str | None = None  # one site's crawl split across processes (crawler/split.py); None: off
    split_processes: int = Field(2, ge=1)
    split_grace_seconds: float = Field(3.0, gt=0)

    @field_validator("allow_networks")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"not a network (CIDR): {item!r}") from exc
        return value


class LinkSettings(_Section):
    retry_after_max: float = Field(30, ge=0)
    retry_after_times: int = Field(1, ge=0)


class BoundsSettings(_Section):
    """Ceilings on what one page may cost (crawler/bounds.py, crawler/stopguard.py)."""

    max_parse_chars: int = Field(2_000_000, ge=10_000)
    max_links_per_page: int = Field(20000, ge=10)
    stop_seconds: float = Field(8.0, gt=0)
    frontier_memory_items: int = Field(10000, ge=100)


class IncrementalSettings(_Section):
    """Nightly re-scans (crawler/incremental.py)."""

    enabled: bool = True
    link_cache_hours: float = Field(24.0, ge=0)
    full_every_days: float = Field(7.0, gt=0)
    revisit: Literal["lists", "all"] = "lists"


class RenderSettings(_Section):
    enabled: bool = True
    executable_path: str = "/usr/bin/chromium"
    timeout: float = Field(30, gt=0)
    max_pages_per_context: int = Field(50, ge=1)
    max_concurrent_pages: int = Field(2, ge=1)
    max_suspect_pages: int = Field(20, ge=0)


class ChecksSettings(_Section):
    disabled: list[str] = []
    footer_sample_per_template: int = Field(3, ge=0)
    processes: int = Field(1, ge=0, le=1)
    cache_dir: str | None = None


class TextLMSettings(_Section):
    """TX005 (statistical typos with a language model): settings.yaml section ``text_lm``."""

    enabled: bool = True
    model_path: str = "/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm"
    first_scan_months: int = Field(12, ge=0)
    cache_path: str | None = None
    cache_size: int = Field(200_000, ge=0)


class ProbeSettings(_Section):
    interval_minutes: float = Field(30, gt=0)
    timeout: float = Field(15, gt=0)
    slow_seconds: float = Field(5.0, gt=0)
    tls_warn_days: int = Field(30, ge=0)


class SchedulerSettings(_Section):
    scan_window: str = "01:00-05:00"
    max_concurrent_scans: int = Field(2, ge=1)
    timezone: str = "Asia/Shanghai"
    misfire_grace_seconds: int = Field(3600, ge=1)
    sync_seconds: float = Field(60, gt=0)
    stop_timeout_seconds: float = Field(120, gt=0)
    worker_command: list[str] = []
    dispatch: Literal["local", "queue"] = "local"
    heartbeat_seconds: float = Field(30, gt=0)
    stale_scan_minutes: float = Field(10, gt=0)


class QueueSettings(_Section):
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672//"
    name: str = "xunjian"
    scan_time_limit_seconds: int = Field(6 * 3600, ge=60)
    connect_timeout_seconds: float = Field(5.0, gt=0)
    locked_retry_seconds: float = Field(60, ge=0)
    locked_max_retries: int = Field(30, ge=0)


class AlertSettings(_Section):
    webhook_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "xunjian@localhost"
    smtp_to: list[str] = []
    consecutive_failures: int = Field(3, ge=1)
    retry_seconds: float = Field(60, ge=0)


class ScoringSettings(_Section):
    profile: str = "indicators.yaml"


class ReportSettings(_Section):
    screenshots: bool = True
    screenshot_rules: list[str] = ["LK", "FT", "TX", "SC001", "SC002"]
    screenshot_max_pages: int = Field(10, ge=0)
    screenshot_max_shots: int = Field(30, ge=0)
    screenshot_page_timeout: float = Field(15, gt=0)
    screenshot_total_timeout: float = Field(120, gt=0)


class WebSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    secret_key: str | None = None
    session_hours: float = Field(12, gt=0)
    trust_proxy: bool = False
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    login_attempts: int = Field(5, ge=1)
    login_window_seconds: float = Field(300, gt=0)
    check_per_minute: int = Field(30, ge=1)
    check_max_bytes: int = Field(2_000_000, ge=1024)
    page_size: int = Field(100, ge=10, le=1000)
    screenshot_dir: str = "web-screenshots"


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    crawl: CrawlSettings = CrawlSettings()
    bounds: BoundsSettings = BoundsSettings()
    incremental: IncrementalSettings = IncrementalSettings()
    render: RenderSettings = RenderSettings()
    links: LinkSettings = LinkSettings()
    checks: ChecksSettings = ChecksSettings()
    text_lm: TextLMSettings = TextLMSettings()
    probe: ProbeSettings = ProbeSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    queue: QueueSettings = QueueSettings()
    alerts: AlertSettings = AlertSettings()
    scoring: ScoringSettings = ScoringSettings()
    report: ReportSettings = ReportSettings()
    web: WebSettings = WebSettings()
    source: str | None = Field(None, exclude=True)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"配置文件无法读取: {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (第 {mark.line + 1} 行)" if mark else ""
        raise ConfigError(f"配置文件不是合法的 YAML: {path}{where}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"配置文件的顶层必须是键值映射: {path}")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _format_error(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"配置错误 ({source}): 未知的配置项 '{key}'"
    return f"配置错误 ({source}): '{key}': {err['msg']}"


def load_settings(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the user's file, then environment overrides; validated."""
    env = os.environ if env is None else env
    data = _read_yaml(DEFAULTS_FILE)
    path = path or env.get("XUNJIAN_CONFIG")
    source = "默认配置"
    if path:
        user_path = Path(path)
        if not user_path.exists():
            raise ConfigError(f"配置文件不存在: {user_path}")
        data = _merge(data, _read_yaml(user_path))
        source = str(user_path)
    if env.get("XUNJIAN_DATABASE_URL"):
        data["database"]["url"] = env["XUNJIAN_DATABASE_URL"]
    if env.get("XUNJIAN_OFFLINE", "").lower() in ("1", "true", "yes"):
        data["crawl"]["offline"] = True
    if env.get("XUNJIAN_ALLOW_NETWORKS"):
        extra = [n.strip() for n in env["XUNJIAN_ALLOW_NETWORKS"].split(",") if n.strip()]
        data["crawl"]["allow_networks"] = list(data["crawl"].get("allow_networks") or []) + extra
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(exc, source)) from None
    settings.source = source
    return settings
