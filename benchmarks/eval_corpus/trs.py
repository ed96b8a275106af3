"""恒安市人民政府: a TRS WCM-style city portal (UTF-8, ``.shtml``, ``createPageHTML`` pagination, ``<!--TRS-->``)."""

from __future__ import annotations

from .common import DEAD, PNG, TITLES, Site, body_text

NAME = "恒安市人民政府"
CODE = "3607000011"


def _head(title: str, labels: dict[str, str]) -> str:
    metas = "\n".join(f'<meta name="{k}" content="{v}" />' for k, v in labels.items())
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<!--<TRS_AUTOADD>--><!--</TRS_AUTOADD>-->
<title>{title}</title>
{metas}
<link href="/images/trs_style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/images/trs_common.js"></script>
</head>"""


def _site_labels() -> dict[str, str]:
    return {"SiteName": NAME, "SiteDomain": "www.hengan.gov.cn", "SiteIDCode": CODE}


NAV = [("/zwdt/index.shtml", "政务动态"), ("/zwgk/index.shtml", "政务公开"), ("/tzgg/index.shtml", "通知公告"),
       ("/xwfb/index.shtml", "新闻发布"), ("/jgzn/index.shtml", "机构职能"), ("/ldjj/index.shtml", "领导简介"),
       ("/bsfw/index.shtml", "政务服务")]


def _header() -> str:
    items = "".join(f'<li><a href="{u}" target="_self">{n}</a></li>' for u, n in NAV)
    return f"""<body>
<a class="skip-link" href="#mainContent" style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden">跳转到主要内容区域</a>
<div class="head"><div class="w1200"><div class="logo"><img src="/images/logo.png" alt="{NAME}" /></div>
<div class="date" id="todayDate">今天是：2026年11月22日 星期日</div>
<form action="/search/result.html" method="get"><input name="searchword" /><input type="submit" value="搜索" /></form></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li>{items}</ul></div>
<a id="mainContent"></a>"""


def _footer() -> str:
    return f"""<!--TRS footer begin-->
<div class="footer"><div class="w1200">
<div class="flinks"><a href="/wzdt/index.shtml">网站地图</a> | <a href="/lxwm/index.shtml">联系我们</a></div>
<div class="fl"><span id="_ideConac"></span><script type="text/javascript" src="https://dcs.conac.cn/js/36/000/0000/60700011/CA360000006070001110001.js"></script></div>
<div class="fc"><p>恒安市人民政府办公室主办　恒安市大数据发展中心承办</p>
<p>地址：恒安市政务大道1号　电话：0797-8123456</p>
<p>网站标识码：{CODE}　<a href="https://beian.miit.gov.cn/" target="_blank">赣ICP备 05004321号-1</a>
<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=36070202000123" target="_blank"><img src="/images/ga.png" />赣公网安备 36070202000123号</a></p>
<p>Copyright &copy; 2003-2026 {NAME} 版权所有</p></div>
<div class="fr"><script id="_jiucuo_" sitecode="{CODE}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></div>
</div></div>
<!--TRS footer end--></body></html>"""


def _service_footer() -> str:
    """The integrated 政务服务 system's own footer: it lost the sponsor and the 公安 record."""
    return f"""<div class="fw-bottom"><p><a href="/wzdt/index.shtml">网站地图</a></p>
<p>技术支持：恒安市大数据发展中心　咨询电话：0797-8123457</p>
<p>网站标识码：{CODE}　赣ICP备 05004321号-1</p>
<span id="_ideConac"></span><script type="text/javascript" src="https://dcs.conac.cn/js/36/000/0000/60700011/CA360000006070001110001.js"></script>
<script id="_jiucuo_" sitecode="{CODE}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></div></body></html>"""


def _art_url(col: str, d: str, n: int) -> str:
    return f"/{col}/{d[:7].replace('-', '')}/t{d.replace('-', '')}_{100000 + n}.shtml"


def _column(site: Site, col: str, name: str, dates: list[str | None], offset: int, labels_ok: bool = True,
            crumbs: str = "") -> list[str]:
    """A TRS list column (10 per page, createPageHTML), its articles; returns the article paths."""
    arts = []
    per = 10
    pages = max(1, (len(dates) + per - 1) // per)
    for p in range(pages):
        items = []
        for i, d in enumerate(dates[p * per:(p + 1) * per]):
            n = offset + p * per + i
            url = _art_url(col, d or "2026-01-01", n)
            arts.append((url, d, n))
            date = f"<span>{d}</span>" if d else ""
            items.append(f'<li><a href="{url}" target="_blank" title="{TITLES[n % len(TITLES)]}">'
                         f'{TITLES[n % len(TITLES)]}</a>{date}</li>')
        labels = {**_site_labels(), "ColumnName": name, "ColumnDescription": f"{NAME}{name}",
                  "ColumnKeywords": name, "ColumnType": name}
        if not labels_ok:
            del labels["ColumnDescription"]
        html = (_head(f"{name}_{NAME}", labels) + _header() +
                f'<div class="position">当前位置：<a href="/">首页</a> &gt; {crumbs}<a href="/{col}/index.shtml">{name}</a></div>'
                f'<div class="main"><div class="lm-title">{name}</div><div class="list"><ul>{"".join(items)}</ul></div>'
                f'<div class="page"><script type="text/javascript">createPageHTML({pages}, {p}, "index", "shtml");'
                f'</script></div></div>' + _footer())
        site.add(f"/{col}/index.shtml" if p == 0 else f"/{col}/index_{p}.shtml", html)
    return _articles(site, col, name, arts)


def _articles(site: Site, col: str, name: str, arts: list) -> list[str]:
    out = []
    for url, d, n in arts:
        title = TITLES[n % len(TITLES)]
        extra = ""
        if col == "zwdt" and n == 1:  # trap: a 相关推荐 block of dated links inside an article
            rel = "".join(f'<li><a href="{u}">{TITLES[m % len(TITLES)]}</a><span>{dd}</span></li>'
                          for u, dd, m in arts[2:8])
            extra = f'<div class="xgtj"><h4>相关推荐</h4><ul>{rel}</ul></div>'
        if col == "zwdt" and n == 3:
            extra = '<p>各单位要再接再励，巩固成果。<a href="/zwdt/202611/t20261101_404.shtml">上一篇：会议纪要</a></p>'
        if col == "zwdt" and n == 4:
            extra = '<p>详见<a href="/zwdt/202611/t20261101_404.shtml">原文</a>。</p>'
        labels = {**_site_labels(), "ColumnName": name, "ColumnType": name, "ArticleTitle": title,
                  "PubDate": f"{d or '2026-01-01'} 10:30", "ContentSource": f"{NAME}办公室"}
        if col == "bsfw":
            del labels["ContentSource"]  # planted: the service system's article template lacks a required label
        foot = _service_footer() if col == "bsfw" else _footer()
        html = (_head(f"{title}_{NAME}", labels) + _header() +
                f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/{col}/index.shtml">{name}</a></div>'
                f'<div class="article"><h1>{title}</h1><div class="info"><span>发布时间：{d or ""}</span>'
                f'<span>来源：{NAME}办公室</span><span>字号：<a href="javascript:void(0)">大</a></span></div>'
                f'<div class="TRS_Editor">{body_text(title, 4, extra)}</div></div>' + foot)
        out.append(site.add(url, html))
    return out


def _single(site: Site, col: str, name: str, inner: str) -> None:
    labels = {**_site_labels(), "ColumnName": name, "ColumnDescription": name, "ColumnKeywords": name,
              "ColumnType": name}
    html = (_head(f"{name}_{NAME}", labels) + _header() +
            f'<div class="position">当前位置：<a href="/">首页</a> &gt; {name}</div>'
            f'<div class="main"><div class="lm-title">{name}</div><div class="content">{inner}</div></div>' + _footer())
    site.add(f"/{col}/index.shtml", html)


def build() -> Site:
    site = Site("trs_hengan", NAME, CODE, "TRS WCM")
    site.register = {"site_code": CODE}
    site.domain = "www.hengan.gov.cn"
    news = ["2026-11-19", "2026-11-17", "2026-11-12", "2026-11-10", "2026-11-06", "2026-11-02", "2026-10-29",
            "2026-10-25", "2026-10-20", "2026-10-15", "2026-10-09", "2026-10-01"]
    zwdt = _column(site, "zwdt", "政务动态", news, 0)
    tpxw = _column(site, "tpxw", "图片新闻", ["2026-10-09", "2026-09-28", "2026-09-10"], 20)
    site.expect("UP002", "图片新闻 6 weeks old, reached only through the homepage block's 更多 link", page="/tpxw/")
    tzgg = _column(site, "tzgg", "通知公告", ["2026-04-10", "2026-03-02", "2025-12-20"], 30)
    site.expect("UP003", "通知公告 newest 2026-04-10 (> 6 months)", page="/tzgg/")
    _column(site, "xwfb", "新闻发布", [None, None, None, None], 40)
    site.expect("UP006", "新闻发布 lists titles without dates", page="/xwfb/")
    bmdt = _column(site, "zwgk/bmdt", "部门动态", ["2026-10-27", "2026-10-16", "2026-09-30"], 50,
                   crumbs='<a href="/zwgk/index.shtml">政务公开</a> &gt; ')
    site.expect("UP002", "部门动态 26 days old, reached through the 政务公开 channel page", page="/zwgk/bmdt/")
    rsxx = _column(site, "zwgk/rsxx", "人事信息", ["2026-05-10", "2026-02-01"], 60,
                   crumbs='<a href="/zwgk/index.shtml">政务公开</a> &gt; ')
    site.trap("人事信息 6 months old: within its 1-year cycle", page="/zwgk/rsxx/")
    bsfw = _column(site, "bsfw", "政务服务", ["2026-11-16", "2026-11-09"], 70)
    # blank column, reached through the channel page
    labels = {**_site_labels(), "ColumnName": "规划计划", "ColumnDescription": "规划计划", "ColumnKeywords": "规划计划",
              "ColumnType": "规划计划"}
    site.add("/zwgk/ghjh/index.shtml", _head(f"规划计划_{NAME}", labels) + _header() +
             '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/index.shtml">政务公开</a> &gt; 规划计划</div>'
             '<div class="main"><div class="list"><ul></ul><p class="nodata">暂无信息</p></div></div>' + _footer())
    site.expect("UP005", "规划计划 shows only 暂无信息", page="/zwgk/ghjh/")
    # the 政务公开 channel page: sub-column blocks with their own 更多
    blocks = ""
    for col, nm, arts, dates in (("zwgk/bmdt", "部门动态", bmdt, ["2026-10-27", "2026-10-16", "2026-09-30"]),
                                 ("zwgk/rsxx", "人事信息", rsxx, ["2026-05-10", "2026-02-01"])):
        lis = "".join(f'<li><a href="{u}">{TITLES[(i + 3) % len(TITLES)]}</a><span>{d}</span></li>'
                      for i, (u, d) in enumerate(zip(arts, dates)))
        blocks += (f'<div class="lm-box"><div class="lm-hd"><span>{nm}</span><a class="more" href="/{col}/index.shtml">'
                   f'更多&gt;&gt;</a></div><ul>{lis}</ul></div>')
    blocks += ('<div class="lm-box"><div class="lm-hd"><span>规划计划</span><a class="more" href="/zwgk/ghjh/index.shtml">'
               '更多&gt;&gt;</a></div><ul></ul></div>')
    labels = {**_site_labels(), "ColumnName": "政务公开", "ColumnDescription": "政务公开", "ColumnKeywords": "政务公开",
              "ColumnType": "政务公开"}
    site.add("/zwgk/index.shtml", _head(f"政务公开_{NAME}", labels) + _header() +
             '<div class="position">当前位置：<a href="/">首页</a> &gt; 政务公开</div>'
             f'<div class="main">{blocks}</div>' + _footer())
    site.trap("政务公开 channel page: not a stale or blank column", page="/zwgk/")
    # single-page content columns
    _single(site, "jgzn", "机构职能", "<h3>主要职责</h3>" + body_text("贯彻执行国家法律法规和方针政策", 5) +
            '<h3>内设机构</h3><p><a href="/jgzn/bgs.shtml">办公室</a>　<a href="/jgzn/zcyjs.shtml">政策研究室</a>　'
            '<a href="/jgzn/dcs.shtml">督查室</a></p>')
    for p, t in (("bgs", "办公室"), ("zcyjs", "政策研究室"), ("dcs", "督查室")):
        _single(site, f"jgzn/{p}", t, body_text(f"{t}负责市政府日常运转工作", 2))
        site.pages[f"/jgzn/{p}.shtml"] = site.pages.pop(f"/jgzn/{p}/index.shtml")
    site.trap("机构职能 single page: not a list, not blank", page="/jgzn/")
    leaders = "".join(f'<li><a href="/ldjj/{p}.shtml"><img src="/images/ld{i}.png" /></a><a href="/ldjj/{p}.shtml">'
                      f'{n}</a><span>{t}</span></li>'
                      for i, (p, n, t) in enumerate((("sz", "王建国", "市长"), ("fsz1", "李卫东", "常务副市长"),
                                                     ("fsz2", "张丽华", "副市长"), ("fsz3", "刘志强", "副市长"))))
    _single(site, "ldjj", "领导简介", f'<ul class="ld-list">{leaders}</ul>')
    for p in ("sz", "fsz1", "fsz2", "fsz3"):
        _single(site, f"ldjj/{p}", "领导简介", body_text("分管市政府办公室工作", 3))
        site.pages[f"/ldjj/{p}.shtml"] = site.pages.pop(f"/ldjj/{p}/index.shtml")
    site.trap("领导简介 single page with a leader list: not a list, not blank", page="/ldjj/")
    _single(site, "lxwm", "联系我们", "<p>地址：恒安市政务大道1号</p><p>邮编：336000</p><p>电话：0797-8123456</p>")
    site.trap("联系我们 single page", page="/lxwm/")
    sm = "".join(f'<dl><dt><a href="{u}">{n}</a></dt></dl>' for u, n in NAV)
    _single(site, "wzdt", "网站地图", sm)
    # a site-search result page (trap: not an article, not a column)
    results = "".join(f'<div class="result"><h3><a href="{u}">{TITLES[i % len(TITLES)]}</a></h3>'
                      f'<p>{body_text("政务公开", 1)}</p><p class="url">{u}　2026-11-{10 + i}</p></div>'
                      for i, u in enumerate(zwdt[:6]))
    site.add("/search/result.html", _head(f"搜索结果_{NAME}", _site_labels()) + _header() +
             f'<div class="search-result"><p>共找到 6 条与“政务公开”相关的结果</p>{results}</div>' + _footer())
    site.trap("site-search result page: no article labels expected", page="/search/result.html")
    # homepage
    home_news = "".join(f'<li><a href="{u}">{TITLES[i]}</a><span class="time">{d[5:]}</span></li>'
                        for i, (u, d) in enumerate(zip(zwdt[:7], news)))
    tp = "".join(f'<li><a href="{u}"><img src="/images/tp{i}.png" /><p>{TITLES[(20 + i) % len(TITLES)]}</p></a></li>'
                 for i, u in enumerate(tpxw))
    notices = "".join(f'<li><a href="{u}">关于开展年度统计执法检查的通知</a><span>{d}</span></li>'
                      for u, d in zip(tzgg, ["2026-04-10", "2026-03-02", "2025-12-20"]))
    home = (_head(NAME, _site_labels()) + _header() +
            f'<div class="index-box"><div class="hd"><h3>政务动态</h3><a href="/zwdt/index.shtml" class="more">更多</a></div>'
            f'<ul>{home_news}</ul></div>'
            f'<div class="index-box"><div class="hd"><h3>图片新闻</h3><a href="/tpxw/index.shtml" class="more">更多</a></div>'
            f'<ul class="pic">{tp}</ul></div>'
            f'<div class="index-box"><div class="hd"><h3>通知公告</h3><a href="/tzgg/index.shtml" class="more">更多</a></div>'
            f'<ul>{notices}</ul></div>'
            f'<div class="hot">热搜：<a href="/search/result.html?searchword=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80">政务公开</a></div>'
            f'<div class="yqlj"><h3>友情链接</h3><a href="{DEAD}/hengan-old/">恒安市政务网（旧版）</a>'
            f'<ul class="city-links" style="font-size:0;letter-spacing:0">'
            + "".join(f'<li style="font-size:14px;display:inline-block"><a href="http://www.xd-city{i}.example/">兄弟城市{i}</a></li>'
                      for i in range(1, 5)) +
            '</ul></div>'
            '<div class="gg" style="background-color:#ffffff"><a href="http://www.hg-vip88.example/" '
            'style="color:#ffffff;font-size:12px">欢迎访问</a></div>'
            # held out (written after the SC001 suspect-render fix): dark text on a dark band given by a
            # <style> in the body, across a wrapper class only the external sheet could style; beside it
            # the same construct where trs_style.css does paint the wrapper light (visible)
            '<style>.ft-band{background:#1f3a5f} .ft-band .bl{color:rgb(31, 58, 95)} .ft-band .pl{color:#1F3A5F}</style>'
            '<div class="ft-band"><div class="w1200"><a class="bl" href="http://www.dc365-bet.example/">网站合作</a></div>'
            '<div class="w1200 lt"><a class="pl" href="http://www.hengan-museum.example/">市博物馆</a></div></div>'
            + _footer())
    site.add("/index.html", home)
    site.expect("LK001", "homepage link to a dead host", target=f"{DEAD}/hengan-old/")
    site.expect("LK002", "deleted article linked from two articles: one finding", target="/zwdt/202611/t20261101_404.shtml")
    site.expect("SC001", "white link on an inherited white background", target="hg-vip88.example")
    site.expect("SC001", "dark-on-dark link: rgb() text on a dark band (<style> in the body), across an unstyled wrapper",
                target="dc365-bet.example")
    site.trap("dark text on the dark band, but the external sheet paints its wrapper light (visible)",
              target="hengan-museum.example")
    site.trap("zero-font-size list whose items reset the font size (visible friend links)", target="xd-city")
    site.trap("off-screen skip link to an in-page anchor", target="#mainContent")
    site.trap("date widget 今天是 and copyright 2003-2026 on the homepage", page="/")
    site.trap("article with a 相关推荐 block is an article", page=zwdt[1])
    site.expect("TX002", "再接再励 typo", page=zwdt[3], word="再接再励")
    site.expect("FT005", "service-system article template lost the 公安 record", pages=bsfw)
    site.expect("FT007", "service-system article template lost the sponsor", pages=bsfw)
    site.expect("MT001", "service-system article template lacks ContentSource", pages=bsfw)
    site.trap("articles without the optional Author/Url/Keywords/Description labels", pages=zwdt)
    site.trap("footer sponsor written 'XX主办', ICP with a space after 备", page="/")
    site.binary["/images/logo.png"] = PNG
    for i in range(4):
        site.binary[f"/images/ld{i}.png"] = PNG
    for i in range(3):
        site.binary[f"/images/tp{i}.png"] = PNG
    site.binary["/images/ga.png"] = PNG
    site.binary["/images/trs_style.css"] = b"body{font-size:14px}\n.w1200{width:1200px;margin:0 auto}\n.lt{background:#f5f5f5}\n"
    site.binary["/images/trs_common.js"] = b"function createPageHTML(a,b,c,d){}\n"
    return site
