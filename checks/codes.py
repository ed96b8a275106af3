"""The one catalogue of rule codes (like ruff's ``codes.rs``); ``docs/rules.md`` prints the same table.

For every code: name, 中文名, severity, the national indicator it serves (short id, see
``docs/indicators.md`` §0 and :data:`INDICATORS`), the family module, the function that emits it and
whether it is ``implemented`` or ``planned``. A code is never reused for another meaning and never
renamed. Check modules import their :class:`Rule` records from here; ``xunjian rules`` prints them.

One line per code, so that implementing a planned code is a one-line change: give its emitter
function and set the status to ``implemented`` (``tests/test_catalogue.py`` then asks for a
must-fire and a must-stay-silent fixture).
"""

# ruff: noqa: E501  (one code per line, aligned as a table)
from __future__ import annotations

from xunjian.checks.base import Rule

#: Short ids of the national indicators (docs/indicators.md §0) with their Chinese text.
INDICATORS: dict[str, str] = {
    "V1a": "单项否决·严重表述错误",
    "V1c": "单项否决·发布或链接反动、暴力、色情等内容",
    "V1d": "单项否决·挂马、篡改等安全问题",
    "V2": "单项否决·站点无法访问",
    "V3": "单项否决·首页不更新",
    "V4a": "单项否决·栏目不更新(动态要闻类、一级通知公告/政策文件类)",
    "V4b": "单项否决·应更新但长期未更新栏目",
    "V4c": "单项否决·空白栏目",
    "V5a": "单项否决·互动回应差(无可用咨询建言渠道)",
    "V5b": "单项否决·互动回应差(留言超过3个月未回复)",
    "V6b": "单项否决·服务不实用(办事指南要素缺失)",
    "D-LINK": "扣分·功能设计·链接可用性",
    "D-SEARCH": "扣分·功能设计·搜索功能",
    "D-ID": "扣分·功能设计·域名及网站标识",
    "D-JIUCUO": "扣分·功能设计·我为政府网站找错入口",
    "D-IPV6": "扣分·功能设计·IPv6改造",
    "D-LABEL": "扣分·功能设计·网页标签",
    "D-TEXT": "扣分·内容准确性(错别字、过时表述)",
    "G-FOOTER": "《网页设计规范》·底部功能区(主办单位、联系方式、网站地图)",
    "G-DOMAIN": "国办函〔2018〕55号·政府网站域名",
    "G-OFFLINE": "政府网站发展指引·下线网站不得继续提供内容",
    "Q-TLS": "质量提示·HTTPS证书(无国家评分规则)",
}

#: code, name, 中文名, severity, indicator, family module (under xunjian.), emitting function (None: planned), status
_TABLE: list[tuple[str, str, str, str, str, str, str | None, str]] = [
    ("AV001", "homepage-unreachable", "首页无法访问", "deduct", "V2", "probes.verdicts", "availability_findings", "implemented"),
    ("AV002", "homepage-slow", "首页响应慢", "warn", "V2", "probes.verdicts", "availability_findings", "implemented"),
    ("UP001", "homepage-not-updated", "首页不更新", "veto", "V3", "checks.freshness", "homepage_not_updated", "implemented"),
    ("UP002", "column-stale-news", "动态要闻类栏目不更新", "deduct", "V4a", "checks.freshness", "columns_not_updated", "implemented"),
    ("UP003", "column-stale-notice", "通知公告/政策文件类栏目不更新", "deduct", "V4a", "checks.freshness", "columns_not_updated", "implemented"),
    ("UP004", "column-stale-other", "应更新未更新栏目", "deduct", "V4b", "checks.freshness", "columns_not_updated", "implemented"),
    ("UP005", "column-blank", "空白栏目", "deduct", "V4c", "checks.freshness", "column_blank", "implemented"),
    ("UP006", "column-undated", "栏目信息无发布时间", "deduct", "V4b", "checks.freshness", "column_undated", "implemented"),
    ("LK001", "homepage-broken-link", "首页不可用链接", "deduct", "D-LINK", "checks.links", "check_links", "implemented"),
    ("LK002", "broken-internal-link", "其他页面不可用链接(站内)", "deduct", "D-LINK", "checks.links", "check_links", "implemented"),
    ("LK003", "broken-external-link", "其他页面不可用链接(站外)", "deduct", "D-LINK", "checks.links", "check_links", "implemented"),
    ("LK004", "wrong-link", "错链", "deduct", "D-LINK", "checks.links", "check_links", "implemented"),
    ("LK005", "private-network-link", "内网链接", "deduct", "D-LINK", "checks.links", "check_links", "implemented"),
    ("LK006", "link-unverified", "链接无法核验", "info", "D-LINK", "checks.links", "check_links", "implemented"),
    ("FT001", "missing-conac-badge", "缺少党政机关网站标识", "deduct", "D-ID", "checks.footer", "missing_conac_badge", "implemented"),
    ("FT002", "missing-site-code", "缺少网站标识码", "deduct", "D-ID", "checks.footer", "missing_site_code", "implemented"),
    ("FT003", "site-code-mismatch", "网站标识码不一致", "deduct", "D-ID", "checks.footer", "site_code_mismatch", "implemented"),
    ("FT004", "missing-icp", "缺少ICP备案编号", "deduct", "D-ID", "checks.footer", "missing_icp", "implemented"),
    ("FT005", "missing-police-record", "缺少公安机关备案标识", "deduct", "D-ID", "checks.footer", "missing_police_record", "implemented"),
    ("FT006", "missing-jiucuo", '缺少"我为政府网站找错"入口', "deduct", "D-JIUCUO", "checks.footer", "missing_jiucuo", "implemented"),
    ("FT007", "missing-sponsor", "缺少网站主办单位", "deduct", "G-FOOTER", "checks.footer", "missing_sponsor", "implemented"),
    ("FT008", "missing-contact", "缺少联系方式", "deduct", "G-FOOTER", "checks.footer", "missing_contact", "implemented"),
    ("FT009", "missing-sitemap", "缺少网站地图", "warn", "G-FOOTER", "checks.footer", "missing_sitemap", "implemented"),
    ("MT001", "missing-page-labels", "网页标签缺失", "deduct", "D-LABEL", "checks.labels", "missing_page_labels", "implemented"),
    ("MT002", "page-label-mismatch", "网页标签错误", "deduct", "D-LABEL", "checks.labels", "page_label_mismatch", "implemented"),
    ("TX001", "severe-error", "严重表述错误", "veto", "V1a", "checks.text", "severe_error", "implemented"),
    ("TX002", "typo", "错别字", "deduct", "D-TEXT", "checks.text", "typo", "implemented"),
    ("TX003", "sensitive-word", "敏感词", "deduct", "V1c", "checks.text", "sensitive_word", "implemented"),
    ("TX004", "outdated-term", "过时表述", "warn", "D-TEXT", "checks.text", "outdated_term", "implemented"),
    ("TX005", "statistical-typo", "疑似错别字(语言模型)", "warn", "D-TEXT", "checks.text", "statistical_typo", "implemented"),
    ("SC001", "hidden-link", "暗链", "veto", "V1c", "checks.security", "hidden_link_findings", "implemented"),
    ("SC002", "illicit-content", "违法违规内容", "veto", "V1c", "checks.security", "illicit_findings", "implemented"),
    ("SC003", "foreign-script", "可疑外部脚本", "warn", "V1d", "checks.security", "foreign_script_findings", "implemented"),
    ("SC004", "tls-problem", "证书问题", "deduct", "Q-TLS", "probes.verdicts", "tls_findings", "implemented"),
    ("IN001", "message-unanswered", "留言超期未回复", "veto", "V5b", "checks.interaction", "check_unanswered", "implemented"),
    ("IN002", "interaction-channel-broken", "互动渠道缺失或不可用", "deduct", "V5a", "checks.interaction", "check_channel", "implemented"),
    ("SV001", "guide-missing-elements", "办事指南要素缺失", "deduct", "V6b", "checks.guides", "check_guide", "implemented"),
    ("FN001", "no-ipv6", "未支持IPv6", "warn", "D-IPV6", "checks.domain", "no_ipv6", "implemented"),
    ("FN002", "search-broken", "站内搜索不可用", "deduct", "D-SEARCH", "checks.search", "check_search", "implemented"),
    ("FN003", "non-gov-domain", "非政府域名", "warn", "G-DOMAIN", "checks.domain", "non_gov_domain", "implemented"),
    ("FN004", "offline-site-online", "下线网站仍可访问", "veto", "G-OFFLINE", "checks.domain", "offline_site_online", "implemented"),
]


def _rule(code: str, name: str, zh: str, severity: str, indicator: str, module: str, function: str | None,
          status: str) -> Rule:
    dotted = f"xunjian.{module}"
    emitter = f"{dotted}:{function}" if function else None
    return Rule(code, name, zh, severity, indicator, dotted, emitter, status)  # type: ignore[arg-type]


RULES: dict[str, Rule] = {row[0]: _rule(*row) for row in _TABLE}

#: Rules recorded by availability probes rather than by scans (docs/rules.md: findings of the last 7 days).
PROBE_RULES = frozenset({"AV001", "AV002", "SC004", "FN001", "FN003", "FN004"})


def rule(code: str) -> Rule:
    """The rule record for ``code``; KeyError for an unknown code."""
    return RULES[code]


def catalogue() -> list[dict[str, str | None]]:
    """The catalogue as plain rows (``xunjian rules --format json``), in code order of the table."""
    return [
        {"code": r.code, "name": r.name, "zh": r.zh, "severity": r.severity, "status": r.status,
         "emitter": r.emitter, "module": r.module, "indicator": r.indicator,
         "indicator_zh": INDICATORS.get(r.indicator, "")}
        for r in RULES.values()
    ]
