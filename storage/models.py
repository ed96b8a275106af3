"""The schema: typed SQLAlchemy 2.0 models (created by Alembic migrations, never by create_all).

Tables follow the spec's nouns: sites, scans, pages, links, link_results, findings, site_columns
(栏目, so never confused with database columns), probes, scores, ignores; and the web console's users,
api_tokens, finding_comments and audit_log (append-only).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from xunjian.storage.types import TZDateTime, datetime_now, datetime_tz, json_dict

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON(), list[Any]: JSON(), datetime: TZDateTime()}


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(20), default="portal")
    site_code: Mapped[str | None] = mapped_column(String(20))
    sponsor: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="online")
    render: Mapped[str] = mapped_column(String(10), default="auto")
    aliases: Mapped[list[Any]] = mapped_column(JSON(), default=list)
    columns: Mapped[list[Any]] = mapped_column(JSON(), default=list)
    scan_cron: Mapped[str | None] = mapped_column(String(100))
    has_services: Mapped[bool] = mapped_column(Boolean, default=True)
    extra: Mapped[json_dict]
    created_at: Mapped[datetime_now]
    updated_at: Mapped[datetime_now]
    # Per-site scan lock: set in one UPDATE ... WHERE lock_scan_id IS NULL, so one scan at a time.
    lock_scan_id: Mapped[int | None] = mapped_column(Integer)
    lock_acquired_at: Mapped[datetime | None]

    scans: Mapped[list[Scan]] = relationship(back_populates="site", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"Site({self.id!r}, {self.url!r})"


class Scan(Base):
    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|complete|failed|interrupted
    trigger: Mapped[str] = mapped_column(String(20), default="cli")
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime_now]
    finished_at: Mapped[datetime | None]
    pid: Mapped[int | None]
    pages_count: Mapped[int] = mapped_column(default=0)
    links_count: Mapped[int] = mapped_column(default=0)
    targets_checked: Mapped[int] = mapped_column(default=0)
    errors_count: Mapped[int] = mapped_column(default=0)
    findings_count: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(Text)
    stats: Mapped[json_dict]

    site: Mapped[Site] = relationship(back_populates="scans")

    def __repr__(self) -> str:
        return f"Scan({self.id}, {self.site_id!r}, {self.status!r})"


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("scan_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    final_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(40))
    bytes: Mapped[int] = mapped_column(default=0)
    elapsed: Mapped[float | None] = mapped_column(Float)
    depth: Mapped[int] = mapped_column(default=0)
    title: Mapped[str | None] = mapped_column(String(500))
    page_type: Mapped[str] = mapped_column(String(20), default="other")
    rendered: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(String(500))
    facts: Mapped[json_dict]  # small per-page facts extracted for site checks (footer, list items...)
    fetched_at: Mapped[datetime_now]
    # incremental re-scans (migration 0002): validators sent back as If-None-Match / If-Modified-Since,
    # and the SHA-256 of the body (a site answering 200 to everything is compared by it)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str | None] = mapped_column(String(64))


class Link(Base):
    __tablename__ = "links"
    __table_args__ = (Index("ix_links_scan_target", "scan_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(20))
    tag: Mapped[str] = mapped_column(String(20), default="a")
    anchor_text: Mapped[str | None] = mapped_column(String(300))
    internal: Mapped[bool] = mapped_column(Boolean, default=True)


class LinkResult(Base):
    __tablename__ = "link_results"
    __table_args__ = (UniqueConstraint("scan_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(2000))
    outcome: Mapped[str] = mapped_column(String(20))  # ok|broken|wrong|blocked|private|skipped
    status: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    final_url: Mapped[str | None] = mapped_column(String(2000))
    redirect_chain: Mapped[list[Any]] = mapped_column(JSON(), default=list)
    elapsed: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(10), default="GET")
    checked_at: Mapped[datetime_now]


class LinkVerdict(Base):
    """The latest verdict on an external link target, shared by every site in the database (migration 0002)."""

    __tablename__ = "link_verdicts"

    target: Mapped[str] = mapped_column(String(2000), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20))
    status: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    final_url: Mapped[str | None] = mapped_column(String(2000))
    checked_at: Mapped[datetime_tz] = mapped_column(index=True)


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("site_id", "fingerprint"),
        Index("ix_findings_site_status", "site_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(10), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10), default="scan")  # scan | probe
    page: Mapped[str | None] = mapped_column(String(2000))
    target: Mapped[str | None] = mapped_column(String(2000))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[json_dict]
    first_seen: Mapped[datetime_tz]
    last_seen: Mapped[datetime_tz]
    first_scan_id: Mapped[int | None]
    last_scan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open|confirmed|fixed|resolved|ignored
    resolved_at: Mapped[datetime | None]
    resolved_scan_id: Mapped[int | None]
    reopened_count: Mapped[int] = mapped_column(default=0)
    ignored_reason: Mapped[str | None] = mapped_column(Text)
    ignored_at: Mapped[datetime | None]
    # triage (web console): who works on it, why ignored (false_positive | not_applicable) and until when
    assignee: Mapped[str | None] = mapped_column(String(64))
    ignore_kind: Mapped[str | None] = mapped_column(String(20))
    ignore_until: Mapped[datetime | None]
    fixed_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"Finding({self.id}, {self.rule}, {self.status})"


class Ignore(Base):
    """An inspector's decision to ignore a phrase (text rules) or a finding fingerprint on one site."""

    __tablename__ = "ignores"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str | None] = mapped_column(String(10))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    phrase: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime_now]


class SiteColumn(Base):
    """A column (栏目) of a site as found by one scan."""

    __tablename__ = "site_columns"
    __table_args__ = (UniqueConstraint("scan_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), default="other")
    level: Mapped[int] = mapped_column(default=1)
    item_count: Mapped[int] = mapped_column(default=0)
    undated_count: Mapped[int] = mapped_column(default=0)
    newest_date: Mapped[date | None] = mapped_column(Date)
    discovered_by: Mapped[str] = mapped_column(String(40), default="nav")
    rendered: Mapped[bool] = mapped_column(Boolean, default=False)


class Probe(Base):
    """One availability probe of a site's homepage."""

    __tablename__ = "probes"
    __table_args__ = (Index("ix_probes_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    at: Mapped[datetime_now]
    outcome: Mapped[str] = mapped_column(String(10))  # up | down | slow
    status: Mapped[int | None]
    elapsed: Mapped[float | None] = mapped_column(Float)
    error_class: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    tls_expires_at: Mapped[datetime | None]


class Score(Base):
    """The indicator score of one site after one scan (history per site)."""

    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scans.id", ondelete="SET NULL"))
    computed_at: Mapped[datetime_now]
    verdict: Mapped[str] = mapped_column(String(10))
    score: Mapped[float] = mapped_column(Float)
    details: Mapped[json_dict]


class Alert(Base):
    """An alert state per (site, event key): what was sent, so one event gives one alert."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("site_id", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10))  # firing | resolved
    opened_at: Mapped[datetime_now]
    resolved_at: Mapped[datetime | None]
    last_sent_at: Mapped[datetime | None]
    deliveries: Mapped[json_dict]


class User(Base):
    """A web console account: admin | inspector | viewer; the password only as an argon2 hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # bumped on disable / password change: every session cookie signed with an older epoch is refused
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime_now]
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"User({self.name!r}, {self.role!r})"


class ApiToken(Base):
    """An API token of a machine client; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime_now]
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class FindingComment(Base):
    """A comment of an inspector on a finding."""

    __tablename__ = "finding_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime_now]


class AuditEntry(Base):
    """One change, append-only (全过程留痕): who, when, what, from which state to which, why.

    No foreign keys: the trail outlives the rows it talks about.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime_now]
    actor: Mapped[str] = mapped_column(String(64))  # user name, or "scan #N" / "system"
    action: Mapped[str] = mapped_column(String(30))  # confirm|fix|ignore|reopen|resolve|comment|assign|...
    object_type: Mapped[str] = mapped_column(String(20))  # finding | user | scan | site
    object_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str | None] = mapped_column(String(64), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[json_dict]
