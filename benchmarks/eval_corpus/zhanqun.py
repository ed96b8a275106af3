"""青禾市教育局: a department site of a city 网站群 (站群) on a Nuxt-like server-rendered stack.

Held-out (issue 10, session 3b): written before reading the checks, from a template unlike the other sites.
``data-v-xxxx`` attributes everywhere, ``window.__NUXT__`` JSON in a ``<script>`` (it repeats the article text,
dates and paths), ``<meta data-n-head="ssr" data-hid=..>`` labels, dates only in ``<time datetime>`` (visible
``11-02``), ``/xwzx/tzgg/202411/t20241105_123.html`` articles, a 政务公开 column tree (``/zwgk/...``) rendered by
the 站群 platform with the parent portal's site code, an Element-style empty state (暂无数据), a ``<footer>`` with
icon fonts and split ``<span>``s (phone behind an icon, no 电话 word), a Nuxt 404 answering 200, a missing
``/_nuxt/`` bundle, an HTML5 ``hidden`` link and a ``font-size:0`` link, a left-over ``{{ detail.title }}``
label, a stale homepage (UP001).
"""

from __future__ import annotations

import json

from .common import EXT, PNG, TITLES, Site, answer, body_text

NAME = "青禾市教育局"
CODE = "3711000043"
PARENT = "3711000001"  # the city portal's code, which the 政务公开 platform template prints
DOMAIN = "jyj.qinghe.gov.cn"
X = "/x-zq"
V = 'data-v-3f1a2b7c'


def _head(title: str, labels: dict[str, str], nuxt: dict | None = None) -> str:
    metas = "\n".join(f'<meta data-n-head="ssr" data-hid="{k}" name="{k}" content="{v}">' for k, v in labels.items())
    state = json.dumps(nuxt or {"layout": "default", "serverTime": "2026-11-22 09:00:00"}, ensure_ascii=False)
    return f"""<!doctype html>
<html data-n-head-ssr lang="zh" data-n-head="%7B%22lang%22:%7B%22ssr%22:%22zh%22%7D%7D"><head>
<title>{title}</title><meta data-n-head="ssr" charset="utf-8">
{metas}
<link rel="dns-prefetch" href="//hm.baidu.com"><link rel="preload" href="/_nuxt/app.8c1d2e.js" as="script">
<link rel="stylesheet" href="/_nuxt/css/app.8c1d2e.css">
<script>window.__NUXT__={state};</script>
</head>"""


def _labels(**more: str) -> dict[str, str]:
    return {"SiteName": NAME, "SiteDomain": DOMAIN, "SiteIDCode": CODE, **more}


NAV = [("/", "首页"), ("/xwzx/gzdt/", "工作动态"), ("/xwzx/tzgg/", "通知公告"), ("/zwgk/", "政务公开"),
       ("/jyfw/", "教育服务"), ("/hdjl/", "互动交流")]


def _top() -> str:
    nav = "".join(f'<li {V} class="nav-item"><a {V} href="{u}" class="nuxt-link-active">{n}</a></li>' for u, n in NAV)
    menu = (f'<div {V} class="m-menu" style="display:none;"><a {V} href="{EXT}{X}/sjyt">省教育厅</a>'
            f'<a {V} href="/xwzx/gzdt/">工作动态</a></div>')
    return f"""<body><div data-server-rendered="true" id="__nuxt"><div id="__layout"><div {V} class="page">
<a {V} class="skip" href="#main" style="position:absolute;left:-999px">跳到主要内容</a>
<header {V} class="hd"><div {V} class="hd-top"><time {V} datetime="2026-11-22">2026年11月22日</time>
<span {V}>青禾市人民政府网站群</span></div><div {V} class="logo"><img {V} src="/static/img/logo.png" alt="{NAME}"></div>
<ul {V} class="nav">{nav}</ul>{menu}</header><main {V} id="main">"""


def _footer(kind: str = "full", code: str = CODE) -> str:
    """``full``: homepage and columns; ``article``: no phone / e-mail; ``zwgk``: parent code, no 公安备案."""
    contact = (f'<span {V}><i {V} class="iconfont icon-dianhua"></i>0633-8221234</span>'
               f'<span {V}><i {V} class="iconfont icon-youxiang"></i>qhjyj@qinghe.gov.cn</span>') \
        if kind != "article" else ""  # zwgk had none in the first run by mistake (corrected after the first run)
    police = (f'<span {V} class="ga"><img {V} src="/static/img/ga.png"><span {V}>鲁公网安备</span>'
              f'<span {V}>37110202000456号</span></span>') if kind != "zwgk" else ""
    return f"""</main><footer {V} class="ft"><div {V} class="ft-l">
<a {V} href="https://bszs.conac.cn/sitename?method=show&amp;id=9C8B7A6F5E4D3C2B1A0F9E8D7C6B5A49" target="_blank"><img {V} src="/static/img/conac-red.png" alt=""></a></div>
<div {V} class="ft-m"><p {V}><a {V} href="/wzdt/">网站地图</a></p><p {V}><span {V}>主办单位：</span><span {V}>青禾市教育局</span>{contact}</p>
<p {V}><span {V}>网站标识码：</span><span {V}>{code}</span>
<span {V} class="icp"><a {V} href="https://beian.miit.gov.cn/" target="_blank">鲁ICP备</a><a {V} href="https://beian.miit.gov.cn/">12345678号-2</a></span>{police}</p></div>
<div {V} class="ft-r"><a {V} href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}&amp;url=https%3A%2F%2F{DOMAIN}%2F" target="_blank"><img {V} src="/static/img/jiucuo.png" alt=""></a></div>
</footer></div></div></div>
<script src="/_nuxt/app.8c1d2e.js" defer></script><script src="/_nuxt/vendors.a1b2c3.js" defer></script></body></html>"""


def _list(items: list[tuple[str, str, str]]) -> str:
    if not items:
        return (f'<div {V} class="el-empty"><div {V} class="el-empty__image"><img {V} src="/static/img/empty.png"></div>'
                f'<div {V} class="el-empty__description"><p {V}>暂无数据</p></div></div>')
    lis = "".join(f'<li {V} class="item"><a {V} href="{u}" title="{t}">{t}</a>'
                  f'<time {V} datetime="{d}">{d[5:]}</time></li>' for u, t, d in items)
    return f'<ul {V} class="list">{lis}</ul>'


def _column(site: Site, base: str, name: str, dates: list[str], offset: int, extras: dict[int, str] | None = None,
            labels_ok: bool = True, kind: str = "full") -> list[str]:
    """A column page ``base`` (``index_1.html`` beyond 8 items) and its articles under ``base/YYYYMM/``."""
    arts = []
    for i, d in enumerate(dates):
        n = offset + i
        title = TITLES[n % len(TITLES)]
        url = f"{base}{d[:7].replace('-', '')}/t{d.replace('-', '')}_{120 + n}.html"
        _article(site, url, name, title, d, (extras or {}).get(i, ""), base)
        arts.append((url, title, d))
    labels = _labels(ColumnName=name, ColumnDescription=f"{NAME}{name}", ColumnKeywords=name,
                     **({"ColumnType": name} if labels_ok else {}))
    per = 8
    pages = max(1, -(-len(arts) // per))
    for p in range(pages):
        pager = "".join(f'<a {V} href="{base}{"index" if q == 0 else f"index_{q}"}.html">{q + 1}</a>'
                        for q in range(pages))
        nuxt = {"layout": "default", "data": [{"list": [{"title": t, "publishTime": d, "url": u}
                                                         for u, t, d in arts[p * per:(p + 1) * per]]}]}
        site.add(base if p == 0 else f"{base}index_{p}.html",
                 _head(f"{name}-{NAME}", labels, nuxt) + _top()
                 + f'<div {V} class="crumb">当前位置：<a {V} href="/">首页</a> &gt; <span {V}>{name}</span></div>'
                 + _list(arts[p * per:(p + 1) * per]) + f'<div {V} class="el-pagination">{pager}</div>'
                 + _footer(kind, PARENT if kind == "zwgk" else CODE))
    return [u for u, _t, _d in arts]


def _article(site: Site, url: str, col: str, title: str, d: str, extra: str, base: str) -> None:
    labels = _labels(ColumnName=col, ColumnType=col, ArticleTitle="{{ detail.title }}", PubDate=f"{d} 09:30",
                     ContentSource=NAME)
    body = body_text(title, 3, extra)
    nuxt = {"layout": "default", "data": [{"detail": {"title": title, "publishTime": f"{d} 09:30:00",
                                                      "content": body, "prev": "/xwzx/old/t20190301_1.html"}}]}
    site.add(url, _head(f"{title}-{NAME}", labels, nuxt) + _top()
             + f'<div {V} class="crumb">当前位置：<a {V} href="/">首页</a> &gt; <a {V} href="{base}">{col}</a></div>'
             + f'<article {V} class="detail"><h1 {V}>{title}</h1><div {V} class="meta">发布时间：'
               f'<time {V} datetime="{d}T09:30:00+08:00">{d} 09:30</time><span {V}>来源：{NAME}</span></div>'
             + f'<div {V} class="content">{body}</div></article>' + _footer("article"))


NUXT404 = (f'<!doctype html><html><head><meta charset="utf-8"><title>{NAME}</title></head><body>'
           f'<div id="__nuxt"><div id="__layout"><div class="__nuxt-error-page"><div class="error">'
           '<div class="title">This page could not be found</div><p>页面找不到了</p>'
           '<a href="/" class="nuxt-link-active">Back to the home page</a></div></div></div></div></body></html>')


def _single(site: Site, path: str, name: str, inner: str, kind: str = "full", ctype: bool = True) -> str:
    labels = _labels(ColumnName=name, ColumnDescription=f"{NAME}{name}", ColumnKeywords=name,
                     **({"ColumnType": name} if ctype else {}))
    site.add(path, _head(f"{name}-{NAME}", labels) + _top()
             + f'<div {V} class="crumb">当前位置：<a {V} href="/">首页</a> &gt; <span {V}>{name}</span></div>'
             + f'<div {V} class="single">{inner}</div>' + _footer(kind, PARENT if kind == "zwgk" else CODE))
    return path


def _zwgk(site: Site) -> list[str]:
    """The 政务公开 tree, rendered by the 站群 platform: parent portal code, no 公安备案, no ColumnType label."""
    tree = [("/zwgk/xxgkzn/", "信息公开指南"), ("/zwgk/fdzdgknr/", "法定主动公开内容"),
            ("/zwgk/fdzdgknr/jgzn/", "机构职能"), ("/zwgk/fdzdgknr/zcwj/", "政策文件"),
            ("/zwgk/fdzdgknr/ghjh/", "规划计划"), ("/zwgk/fdzdgknr/jytj/", "教育统计")]
    side = f'<ul {V} class="el-tree">' + "".join(
        f'<li {V} class="el-tree-node"><a {V} href="{u}">{n}</a></li>' for u, n in tree) + "</ul>"
    pages = [_single(site, "/zwgk/", "政务公开", side + f'<p {V}>青禾市教育局政府信息公开目录</p>', "zwgk", False)]
    pages.append(_single(site, "/zwgk/xxgkzn/", "信息公开指南", side + body_text(
        "本指南依据《中华人民共和国政府信息公开条例》（2019年修订）编制", 3), "zwgk", False))
    pages.append(_single(site, "/zwgk/fdzdgknr/", "法定主动公开内容", side, "zwgk", False))
    pages.append(_single(site, "/zwgk/fdzdgknr/jgzn/", "机构职能", side + body_text(
        "青禾市教育局是市政府工作部门，2019年机构改革后保留", 2), "zwgk", False))
    for base, name, dates, off in (("/zwgk/fdzdgknr/zcwj/", "政策文件", ["2026-09-10", "2026-06-02"], 60),
                                   ("/zwgk/fdzdgknr/ghjh/", "规划计划", ["2025-04-18", "2024-03-30"], 70),
                                   ("/zwgk/fdzdgknr/jytj/", "教育统计", [], 80)):
        rows = "".join(f'<tr {V}><td {V}>11371100MB2801234X/{d[:4]}-{off + i:05d}</td><td {V}><a {V} '
                       f'href="{base}{d[:7].replace("-", "")}/t{d.replace("-", "")}_{120 + off + i}.html">'
                       f'{TITLES[(off + i) % len(TITLES)]}</a></td><td {V}><time {V} datetime="{d}">{d}</time></td></tr>'
                       for i, d in enumerate(dates))
        for i, d in enumerate(dates):
            _article(site, f'{base}{d[:7].replace("-", "")}/t{d.replace("-", "")}_{120 + off + i}.html', name,
                     TITLES[(off + i) % len(TITLES)], d, "", base)
        table = (f'<table {V} class="gk-table"><tr {V}><th {V}>索引号</th><th {V}>名称</th><th {V}>发布日期</th></tr>'
                 f'{rows}</table>') if dates else (
            f'<div {V} class="el-empty"><div {V} class="el-empty__description"><p {V}>暂无数据</p></div></div>')
        pages.append(_single(site, base, name, side + table, "zwgk", False))
    site.expect("UP004", "规划计划 newest 2025-04-18 (索引号 carries years too)", page="/zwgk/fdzdgknr/ghjh/")
    site.expect("UP005", "教育统计: Element empty state 暂无数据", page="/zwgk/fdzdgknr/jytj/")
    site.trap("政策文件 newest 2026-09-10, within 6 months", page="/zwgk/fdzdgknr/zcwj/")
    site.trap("政务公开 tree root and 法定主动公开内容: directory pages of sub-columns, not blank columns",
              pages=["/zwgk/", "/zwgk/fdzdgknr/"])
    site.trap("信息公开指南 / 机构职能 single pages citing 2019", pages=["/zwgk/xxgkzn/", "/zwgk/fdzdgknr/jgzn/"])
    site.expect("FT003", "政务公开 platform footer prints the city portal's site code", pages=pages)
    site.expect("FT005", "政务公开 platform footer: no 公安备案", pages=pages)
    site.expect("MT001", "政务公开 platform column template lacks ColumnType", pages=pages)
    return pages


def build() -> Site:
    site = Site("zq_qinghe_jyj", NAME, CODE, "网站群 department site (Nuxt-like SSR)")
    site.register = {"site_code": CODE}
    site.domain = DOMAIN
    extras = {
        0: "<p>广大师生迫不急待地投入到新学期的学习生活中。</p>",
        1: "<p>为庆祝中化人民共和国成立77周年，全市中小学开展主题教育活动。</p>",
        2: f'<p>此前报道见<a {V} href="/xwzx/gzdt/202410/t20241010_88.html">往期回顾</a>，'
           f'省厅通知见<a {V} href="{EXT}{X}/jyt-old/index.html">原文链接</a>。</p>',
        3: "<p>该校创办于1985年，原隶属国家教委直属单位管理。</p>",
    }
    gzdt = _column(site, "/xwzx/gzdt/", "工作动态", ["2026-11-02", "2026-10-28", "2026-10-21", "2026-10-15",
                                                   "2026-10-09", "2026-09-29", "2026-09-22", "2026-09-16",
                                                   "2026-09-09", "2026-09-01"], 0, extras)
    site.expect("UP002", "工作动态 newest 2026-11-02 (dates only in <time datetime>, shown as 11-02)",
                page="/xwzx/gzdt/")
    site.expect("TX002", "迫不急待", page=gzdt[0], word="迫不急待")
    site.trap("__NUXT__ JSON repeats the article text: still one TX002", page=gzdt[0])
    site.expect("TX001", "中化人民共和国", page=gzdt[1], word="中化人民共和国")
    site.expect("TX004", "国家教委 (now 教育部)", page=gzdt[3], word="国家教委")
    site.expect("LK004", "Nuxt error page (This page could not be found) answering 200",
                target="/xwzx/gzdt/202410/t20241010_88.html")
    site.expect("LK003", "old provincial page on the other host answers 404", target=f"{X}/jyt-old/index.html")
    site.add("/xwzx/gzdt/202410/t20241010_88.html", NUXT404)
    tz_extra = {0: f'<p>附件：<a {V} download href="/files/2026/zsjz.pdf">2026年招生简章.pdf</a></p>'}
    tzgg = _column(site, "/xwzx/tzgg/", "通知公告", ["2026-05-06", "2026-03-12", "2025-12-20"], 30, tz_extra)
    site.expect("UP003", "通知公告 newest 2026-05-06", page="/xwzx/tzgg/")
    site.expect("LK002", "download attachment answers 404", target="/files/2026/zsjz.pdf")
    arts = gzdt + tzgg
    zw = _zwgk(site)
    arts += [u for u in site.pages if u.startswith("/zwgk/") and u.endswith(".html")]
    site.expect("MT002", "article template ArticleTitle label is the left-over {{ detail.title }}", pages=arts)
    site.expect("FT008", "article template footer: no phone or e-mail", pages=arts)
    site.trap("article template: optional labels absent, labels carry data-n-head/data-hid", pages=arts)
    _single(site, "/jyfw/", "教育服务", f'<ul {V}><li {V}><a {V} href="/jyfw/">招生入学</a></li></ul>'
            f'<span style="font-size:0"><a {V} href="http://www.xpj-bet.example/">体育投注</a></span>'
            f'<p {V}>咨询电话：0633-8229876</p>')
    site.expect("SC001", "betting link inside a font-size:0 span", target="xpj-bet.example")
    msgs = [("2026-11-20", "咨询小学入学划片范围", "请关注通知公告栏目。"),
            ("2026-11-18", "百家乐真人在线，注册即送88元", ""),
            ("2026-11-15", "建议增加学校课后服务时长", "已转基础教育科研究。")]
    lis = "".join(f'<li {V}><time {V} datetime="{d}">{d}</time><p {V}>{q}</p><p {V}>{a}</p></li>' for d, q, a in msgs)
    _single(site, "/hdjl/", "互动交流", f'<ul {V} class="msgs">{lis}</ul>')
    site.expect("SC002", "gambling spam 百家乐 in a visible message", page="/hdjl/", word="百家乐")
    _home(site, gzdt, tzgg)
    del zw
    site.add("/wzdt/", _head(f"网站地图-{NAME}", _labels()) + _top() + f'<ul {V} class="sitemap">'
             + "".join(f'<li {V}><a {V} href="{u}">{n}</a></li>' for u, n in NAV) + "</ul>" + _footer())
    site.binary["/_nuxt/app.8c1d2e.js"] = b"window.$nuxt={};\n"
    site.binary["/_nuxt/css/app.8c1d2e.css"] = b"body{margin:0}\n"
    for img in ("logo.png", "ga.png", "conac-red.png", "jiucuo.png", "empty.png", "banner.png"):
        site.binary[f"/static/img/{img}"] = PNG
    site.ext_routes[f"{X}/jyt-old/index.html"] = answer(404, "<html><body>Not Found</body></html>")
    site.ext_routes[f"{X}/sjyt"] = answer(200, "<html><head><title>省教育厅</title></head><body><p>省教育厅门户网站，"
                                          "教育新闻与政务公开。</p></body></html>")
    return site


def _home(site: Site, gzdt: list[str], tzgg: list[str]) -> None:
    gd = ["2026-11-02", "2026-10-28", "2026-10-21", "2026-10-15", "2026-10-09"]
    lis = "".join(f'<li {V}><a {V} href="{u}">{TITLES[i % len(TITLES)]}</a><time {V} datetime="{d}">{d[5:]}</time></li>'
                  for i, (u, d) in enumerate(zip(gzdt, gd)))
    tz = "".join(f'<li {V}><a {V} href="{u}">{TITLES[(30 + i) % len(TITLES)]}</a><time {V} datetime="{d}">{d[5:]}</time></li>'
                 for i, (u, d) in enumerate(zip(tzgg, ["2026-05-06", "2026-03-12"])))
    nuxt = {"layout": "default", "serverTime": "2026-11-22 09:00:00", "buildTime": "2026-11-21T23:10:00+08:00"}
    body = (_head(NAME, _labels(), nuxt) + _top()
            + f'<div {V} class="banner"><img {V} src="/static/img/banner.png" alt="青禾教育"></div>'
            + f'<section {V} class="box"><h3 {V}>工作动态</h3><a {V} href="/xwzx/gzdt/" class="more">更多</a>'
              f'<ul {V}>{lis}</ul></section>'
            + f'<section {V} class="box"><h3 {V}>通知公告</h3><a {V} href="/xwzx/tzgg/" class="more">更多</a>'
              f'<ul {V}>{tz}</ul></section>'
            + f'<section {V} class="entries"><a {V} href="/xwzx/spxw/">视频新闻</a><a {V} href="/zwgk/">政务公开</a>'
              f'<a {V} href="/jyfw/">教育服务</a><a {V} href="/hdjl/">互动交流</a><a {V} href="tel:0633-8221234">热线</a></section>'
            + f'<a hidden href="http://www.ag-casino.example/">真人娱乐</a>'
            + _footer())
    site.add("/", body)
    home = ["/"]
    site.expect("UP001", "homepage newest dated item 2026-11-02 (20 days); header clock, serverTime and "
                "buildTime in __NUXT__ are not items", pages=home)
    site.expect("LK001", "/_nuxt/vendors.a1b2c3.js bundle answers 404", target="/_nuxt/vendors.a1b2c3.js")
    site.allow("LK002", "the same missing bundle on inner pages (one finding per (rule, target) either way)",
               target="/_nuxt/vendors.a1b2c3.js")
    site.expect("LK001", "视频新闻 /xwzx/spxw/ answers 404", target="/xwzx/spxw/")
    site.expect("SC001", "casino link with the HTML5 hidden attribute", target="ag-casino.example")
    site.trap("dns-prefetch //hm.baidu.com is not a link; tel: link; skip link at left:-999px; "
              "display:none mobile menu with 省教育厅 (fine)", pages=home)
    site.trap("__NUXT__ JSON paths (/xwzx/old/t20190301_1.html) are not links", target="/xwzx/old/t20190301_1.html")
    site.trap("footer: phone and e-mail behind icon fonts, 网站标识码 and 公安 number split over <span>s, bszs conac "
              "link, ICP split over two links", pages=home)
