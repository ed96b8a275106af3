"""信丰县人民政府: an ASP.NET WebForms county site (``Default.aspx``, ``NewsList.aspx?ClassID=N&page=K``,
``ShowArticle.aspx?ID=N``).

Held-out (issue 10, session 3b): written before reading the checks, from a template unlike the other sites.
Every ``.aspx`` page is a behaviour route keyed by its query string, served as GB2312 bytes with a
``charset=gb2312`` header; ``/`` answers ``302`` to ``Default.aspx`` (IIS ``Response.Redirect``). A ``__VIEWSTATE``
blob, ``javascript:__doPostBack`` pager links, ``WebResource.axd`` scripts, GridView tables with ``2026/10/20`` and
``2026年4月12日`` dates, a GridView ``EmptyDataTemplate`` (没有找到相关记录), ``<td background=>`` images,
backslash image paths, an ASP.NET yellow error page (500), a deleted article answering 200 with only an
``alert(); history.back()`` script, a 县长信箱 sub-system with its own footer, page labels written
``<meta content='..' name='..'>``, a clip-rect hidden link, a 友情链接 ``<select>``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .common import EXT, PNG, TITLES, Site, _send, answer, body_text

NAME = "信丰县人民政府"
CODE = "3607220001"
CITY = "3607000001"  # the city's code, left in the column template's SiteIDCode label
DOMAIN = "www.xinfeng.gov.cn"
X = "/x-aspx"
VIEWSTATE = ("/wEPDwUKLTY1NzE0MjQ5Mw9kFgJmD2QWAgIDD2QWBAIBDxYCHgtfIUl0ZW1Db3VudAIKFhRmD2QWAmYPFQMDMTIz"
             "EuWOv+WGheimgemXuw8FCjIwMjYtMTEtMjBkAgEPZBYCZg8VAwMxMjJkAgMPDxYCHgRUZXh0BQEyZGQYAQUeX19D") * 3


def _head(title: str, labels: dict[str, str], print_css: bool = False) -> str:
    metas = "\n".join(f"<meta content='{v}' name='{k}' />" for k, v in labels.items())
    extra = '<link href="/App_Themes/Default/print.css" type="text/css" rel="stylesheet" media="print" />' \
        if print_css else ""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head id="Head1"><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}</title>
{metas}
<link href="/App_Themes/Default/style.css" type="text/css" rel="stylesheet" />{extra}
<script src="/WebResource.axd?d=pynGkmcFUV13He1Qd6_TZA2&amp;t=638162414230000000" type="text/javascript"></script>
</head>"""


def _labels(**more: str) -> dict[str, str]:
    return {"SiteName": NAME, "SiteDomain": DOMAIN, "SiteIDCode": CODE, **more}


NAV = [("/Default.aspx", "首页"), ("/NewsList.aspx?ClassID=1", "县内要闻"), ("/NewsList.aspx?ClassID=3", "乡镇动态"),
       ("/NewsList.aspx?ClassID=5", "通知公告"), ("/NewsList.aspx?ClassID=8", "政策解读"),
       ("/NewsList.aspx?ClassID=9", "办事指南"), ("/NewsList.aspx?ClassID=12", "财政预决算"),
       ("/hdjl/Mail.aspx", "县长信箱")]


def _top(action: str) -> str:
    nav = "".join(f'<td><a href="{u}">{n}</a></td>' for u, n in NAV)
    sub = ('<ul class="submenu" style="display:none"><li><a href="/NewsList.aspx?ClassID=1">县内要闻</a></li>'
           '<li><a href="/NewsList.aspx?ClassID=3">乡镇动态</a></li></ul>')
    return f"""<body><form name="form1" method="post" action="{action}" id="form1">
<div><input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{VIEWSTATE}" /></div>
<script type="text/javascript">function __doPostBack(t,a){{var f=document.forms['form1'];f.__EVENTTARGET.value=t;f.submit();}}</script>
<table width="1000" align="center" cellpadding="0" cellspacing="0"><tr><td><img src="\\UploadFiles\\image\\top_banner.jpg" alt="{NAME}" /></td></tr></table>
<table width="1000" align="center" class="nav"><tr>{nav}</tr></table>{sub}"""


def _footer(kind: str = "main") -> str:
    """``main``: homepage and lists (compliant, in tables); ``article``: no conac badge, no 公安备案."""
    police = ('<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=36072202000123" target="_blank">'
              '<img src="/images/gongan.png" border="0" />赣公网安备 36072202000123号</a>') if kind == "main" else ""
    conac = ('<span id="_ideConac"></span><script type="text/javascript" '
             'src="https://dcs.conac.cn/js/14/000/0000/60820011/CA140000000608200110002.js"></script>') \
        if kind == "main" else ""
    return f"""<table width="1000" align="center" class="footer"><tr><td width="120">{conac}</td>
<td><a href="/SiteMap.aspx">网站地图</a><br />主办：信丰县人民政府办公室&nbsp;&nbsp;承办：信丰县信息化中心<br />
地址：信丰县嘉定镇人民大道1号&nbsp;&nbsp;电话：0797-3321234&nbsp;&nbsp;邮编：341600<br />
网站标识码：<span>36072</span><span>20001</span>&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/" target="_blank">赣ICP备05001234号-1</a>&nbsp;&nbsp;{police}</td>
<td width="120"><script id="_jiucuo_" sitecode='{CODE}' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script></td></tr>
<tr><td colspan="3" align="center">版权所有 信丰县人民政府 2008-2026</td></tr></table></form></body></html>"""


class AspxSite(Site):
    """A site whose pages are mostly routes: ``write`` also records the other host's URL for them."""

    ext: str = EXT

    def write(self, out: Any, ext: str = EXT) -> Any:
        self.ext = ext
        return super().write(out, ext)


class Aspx:
    """The ``.aspx`` pages: ``{path: {query-key: html}}``, served by one route per path."""

    def __init__(self, site: AspxSite) -> None:
        self.site = site
        self.pages: dict[str, dict[str, str]] = {}
        self.missing: dict[str, Any] = {}

    def add(self, path: str, query: str, html: str) -> str:
        self.pages.setdefault(path, {})[query] = html
        return f"{path}?{query}" if query else path

    def routes(self) -> None:
        for path, by_query in self.pages.items():
            self.site.routes[path] = self._route(by_query, path)

    def _route(self, by_query: dict[str, str], path: str) -> Any:
        def route(h: Any) -> None:
            q = "&".join(f"{k}={v}" for k, v in parse_qsl(urlsplit(h.path).query))
            html = by_query.get(q)
            if html is None:
                miss = self.missing.get(path)
                return miss(h) if miss else _send(h, 404, b"<html><body>404</body></html>")
            from xunjian.demo.server import send

            send(h, 200, html.replace(EXT, self.site.ext).encode("gb2312"), ctype="text/html; charset=gb2312")
        return route


def _grid(rows: list[tuple[str, str, str]]) -> str:
    if not rows:
        return ('<table class="GridView1" id="GridView1"><tr><td colspan="2">'
                '<div class="empty">没有找到相关记录！</div></td></tr></table>')
    trs = "".join(f'<tr><td class="title"><a href="{u}" target="_blank">{t}</a></td><td class="date">{d}</td></tr>'
                  for u, t, d in rows)
    return f'<table class="GridView1" id="GridView1" cellspacing="0" border="0">{trs}</table>'


def _column(ax: Aspx, cid: int, name: str, items: list[tuple[str, str]], fmt: str = "iso", per: int = 10,
            offset: int = 0, extras: dict[int, str] | None = None) -> tuple[str, list[str]]:
    """``NewsList.aspx?ClassID=cid`` (``&page=K``) and its ``ShowArticle.aspx?ID=N`` articles.

    ``items``: (date, title); a date of ``""`` shows no date; ``fmt``: iso / slash / cn."""
    arts = []
    for i, (d, title) in enumerate(items):
        aid = cid * 100 + offset + i
        shown = "" if not d else {"iso": d, "slash": d.replace("-", "/"),
                                  "cn": "{}年{}月{}日".format(*(int(x) for x in d.split("-")))}[fmt]
        arts.append((ax.add("/ShowArticle.aspx", f"ID={aid}", _article(cid, name, aid, title, d,
                                                                      (extras or {}).get(i, ""))), title, shown))
    pages = max(1, -(-len(arts) // per))
    for p in range(pages):
        pager = "".join(f'<a href="javascript:__doPostBack(\'ctl00$AspNetPager1\',\'{q + 1}\')">{q + 1}</a>'
                        f'<a href="NewsList.aspx?ClassID={cid}{f"&amp;page={q + 1}" if q else ""}">[{q + 1}]</a>'
                        for q in range(pages))
        body = (_head(f"{name}-{NAME}", _col_labels(name), print_css=True)
                + _top(f"NewsList.aspx?ClassID={cid}")
                + f'<table width="1000" align="center"><tr><td class="pos">当前位置：<a href="Default.aspx">首页</a>'
                  f' &gt;&gt; {name}</td></tr></table>'
                + _grid(arts[p * per:(p + 1) * per]) + f'<div class="pager">共{len(arts)}条记录 {pager}</div>'
                + _footer())
        ax.add("/NewsList.aspx", f"ClassID={cid}" + (f"&page={p + 1}" if p else ""), body)
    return f"/NewsList.aspx?ClassID={cid}", [u for u, _t, _d in arts]


def _col_labels(name: str) -> dict[str, str]:
    return {"SiteName": NAME, "SiteDomain": DOMAIN, "SiteIDCode": CITY, "ColumnName": name,
            "ColumnDescription": f"{NAME}{name}", "ColumnKeywords": name, "ColumnType": name}


def _article(cid: int, col: str, aid: int, title: str, d: str, extra: str) -> str:
    labels = _labels(ColumnName=col, ColumnType=col, ArticleTitle=title, PubDate=d or "2026-01-05",
                     ContentSource="信丰县人民政府办公室")
    return (_head(f"{title}-{NAME}", labels) + _top(f"ShowArticle.aspx?ID={aid}")
            + f'<table width="1000" align="center"><tr><td class="pos">当前位置：<a href="Default.aspx">首页</a> &gt;&gt; '
              f'<a href="NewsList.aspx?ClassID={cid}">{col}</a></td></tr>'
            + f'<tr><td align="center"><span id="lblTitle" class="title">{title}</span></td></tr>'
            + f'<tr><td align="center" class="info">发布时间：<span id="lblDate">{d}</span>&nbsp;&nbsp;'
              '来源：<span id="lblSource">信丰县人民政府办公室</span>&nbsp;&nbsp;点击数：<span id="lblHits">236</span></td></tr>'
            + f'<tr><td class="content" id="lblContent">{body_text(title, 3, extra)}</td></tr></table>'
            + _footer("article"))


YSOD = ("<html><head><title>Runtime Error</title></head><body bgcolor=\"white\"><span><h1>Server Error in '/' "
        "Application.<hr width=100% size=1 color=silver></h1><h2><i>Runtime Error</i></h2></span>"
        "<b>Description:</b> An application error occurred on the server.</body></html>")
GONE = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\" /></head><body>"
        "<script type=\"text/javascript\">alert('该信息不存在或已被删除！');history.back();</script></body></html>")


def _routes(site: AspxSite, ax: Aspx) -> None:
    def deleted(h: Any) -> None:
        from xunjian.demo.server import send

        send(h, 200, GONE.encode("gb2312"), ctype="text/html; charset=gb2312")

    def news_list(h: Any) -> None:
        _send(h, 500, YSOD.encode("utf-8"))

    ax.missing["/ShowArticle.aspx"] = deleted
    ax.missing["/NewsList.aspx"] = news_list
    ax.routes()
    site.routes["/"] = lambda h: _send(h, 302, b"", {"Location": "/Default.aspx"})
    site.routes["/DownLoad.aspx"] = answer(404, "<html><body>文件不存在</body></html>")
    site.routes["/WebResource.axd"] = lambda h: _send(h, 200, b"function WebForm_DoCallback(){}")
    site.ext_routes[f"{X}/ggzy/"] = lambda h: None  # closes the connection without an answer
    site.ext_routes[f"{X}/jxzw"] = answer(200, "<html><head><title>江西政务服务网</title></head><body><p>"
                                           "江西政务服务网欢迎您，在线办事与办事指南。</p></body></html>")


def build() -> Site:
    site = AspxSite("aspx_xinfeng", NAME, CODE, "ASP.NET WebForms county site (GB2312)", encoding="gb2312")
    site.register = {"site_code": CODE}
    site.domain = DOMAIN
    ax = Aspx(site)
    extras = {
        1: "<p>全县上下要一股作气，攻坚克难，推动各项工作再上新台阶。</p>",
        2: "<p>要坚定不移全面从言治党，持之以恒正风肃纪。</p>",
        3: '<p>请各企业于月底前向县环保局报送排污情况。附件：<a href="DownLoad.aspx?FileID=17">排污登记表.doc</a></p>',
        4: '<p>详见<a href="ShowArticle.aspx?ID=9999">此前通知</a>；联系电话：0797-3325678，联系人：刘主任。</p>',
        5: "<p>全县干部群众一鼓作气，圆满完成秋粮收购任务。</p>",
    }
    news = ["2026-11-20", "2026-11-18", "2026-11-17", "2026-11-13", "2026-11-11", "2026-11-06", "2026-11-04",
            "2026-10-30", "2026-10-28", "2026-10-22", "2026-10-19", "2026-10-15", "2026-10-12", "2026-10-08"]
    xnyw, xn_arts = _column(ax, 1, "县内要闻", [(d, TITLES[i % len(TITLES)]) for i, d in enumerate(news)],
                            extras=extras)
    site.trap("县内要闻 fresh; NewsList.aspx?ClassID=1&page=2 holds older items only", page=xnyw)
    site.trap("一鼓作气 written correctly", page=xn_arts[5])
    site.trap("联系电话 in an article body; __doPostBack pager links; hidden __VIEWSTATE", page=xn_arts[4])
    site.expect("TX002", "一股作气", page=xn_arts[1], word="一股作气")
    site.expect("TX001", "全面从言治党 (全面从严治党)", page=xn_arts[2], word="全面从言治党")
    site.expect("TX004", "县环保局 (now 生态环境局)", page=xn_arts[3], word="环保局")
    site.expect("LK002", "attachment DownLoad.aspx?FileID=17 answers 404", target="/DownLoad.aspx?FileID=17")
    site.expect("LK004", "deleted article answers 200 with only alert() + history.back()",
                target="/ShowArticle.aspx?ID=9999")
    xzdt, _ = _column(ax, 3, "乡镇动态", [(d, TITLES[(i + 3) % len(TITLES)]) for i, d in
                                       enumerate(["2026-10-20", "2026-10-09", "2026-09-27"])], fmt="slash")
    site.expect("UP002", "乡镇动态 newest 2026/10/20 (slash dates in a GridView)", page=xzdt)
    tzgg, _ = _column(ax, 5, "通知公告", [("2026-04-12", "关于开展2026年度统计执法检查的通知"),
                                       ("2026-02-03", "关于春节期间值班安排的通知")], fmt="cn")
    site.expect("UP003", "通知公告 newest 2026年4月12日", page=tzgg)
    zcjd, _ = _column(ax, 8, "政策解读", [])
    site.expect("UP005", "政策解读: GridView EmptyDataTemplate 没有找到相关记录", page=zcjd)
    bszn, _ = _column(ax, 9, "办事指南", [("", "户口迁移办理指南"), ("", "不动产登记办理指南"), ("", "社保卡补办指南")])
    site.allow("UP006", "办事指南 items carry no date; a service column has no update cycle, so undated items are "
               "defensible either way (corrected after the first run: the truth had it as a defect)", page=bszn)
    czyjs, _ = _column(ax, 12, "财政预决算", [("2025-03-20", "信丰县2025年财政预算公开"),
                                          ("2024-03-18", "信丰县2024年财政预算公开")])
    site.expect("UP004", "财政预决算 newest 2025-03-20, past its yearly cycle", page=czyjs)
    lists = [xnyw, f"{xnyw}&page=2", xzdt, tzgg, zcjd, bszn, czyjs]
    site.expect("MT002", "column template SiteIDCode label is the city's code", pages=lists)
    site.expect("LK002", "column template print stylesheet /App_Themes/Default/print.css answers 404",
                target="/App_Themes/Default/print.css")
    arts = [f"/ShowArticle.aspx?{q}" for q in ax.pages["/ShowArticle.aspx"]]
    site.expect("FT001", "article template footer lost the conac badge", pages=arts)
    site.expect("FT005", "article template footer lost the 公安备案 number", pages=arts)
    site.trap("article template without the optional labels; labels written <meta content= name=>", pages=arts)
    _mail(site, ax)
    sm = "".join(f'<li><a href="{u}">{n}</a></li>' for u, n in NAV)
    ax.add("/SiteMap.aspx", "", _head(f"网站地图-{NAME}", _labels()) + _top("/SiteMap.aspx")
           + f'<ul class="sitemap">{sm}</ul>' + _footer())
    _home(site, ax, xn_arts, news)
    _routes(site, ax)
    site.binary["/App_Themes/Default/style.css"] = b"body{font-size:12px;margin:0}\n.nav td{background:#b00}\n"
    for img in ("UploadFiles/image/top_banner.jpg", "images/gongan.png", "images/xz.gif", "images/tp1.jpg"):
        site.binary[f"/{img}"] = PNG
    return site


def _mail(site: AspxSite, ax: Aspx) -> None:
    """县长信箱: an interaction sub-system with its own footer (no 网站标识码, no ICP)."""
    msgs = [("2026-11-19", "建议增设城南公交线路", "已转县交通运输局办理。"),
            ("2026-11-16", "网上赌场注册即送彩金，日赚千元", ""),
            ("2026-11-14", "出售银行卡，四件套，价格优惠", ""),
            ("2026-11-10", "咨询农村危房改造补助标准", "请向所在乡镇住建所咨询。")]
    rows = "".join(f'<tr><td>{d}</td><td>{q}</td><td>{a}</td></tr>' for d, q, a in msgs)
    foot = ('<table width="1000" align="center" class="foot2"><tr><td><a href="/SiteMap.aspx">网站地图</a> 信丰县人民政府县长信箱　'
            '主办：信丰县人民政府办公室　联系电话：0797-3321234<br />技术支持：赣州某某网络科技有限公司'
            '</td></tr></table></form></body></html>')
    for page, title in ((1, "来信选登"), (2, "来信选登")):
        body = (_head(f"县长信箱-{NAME}", _labels(ColumnName="县长信箱", ColumnDescription="县长信箱",
                                               ColumnKeywords="县长信箱", ColumnType="互动交流"))
                + _top("/hdjl/Mail.aspx")
                + f'<h3>{title}</h3><table class="mail" id="gvMail">{rows if page == 1 else rows[:0]}</table>'
                + ('<a href="/hdjl/Mail.aspx?page=2">下一页</a>' if page == 1 else "<p>暂无更多来信</p>") + foot)
        ax.add("/hdjl/Mail.aspx", "" if page == 1 else "page=2", body)
    mail = ["/hdjl/Mail.aspx", "/hdjl/Mail.aspx?page=2"]
    site.expect("FT002", "县长信箱 sub-system footer: no 网站标识码", pages=mail)
    site.expect("FT004", "县长信箱 sub-system footer: no ICP number", pages=mail)
    site.expect("FT001", "县长信箱 sub-system footer: no conac badge", pages=mail)
    site.expect("FT005", "县长信箱 sub-system footer: no 公安备案", pages=mail)
    site.expect("FT006", "县长信箱 sub-system footer: no 找错 entry", pages=mail)
    site.expect("SC002", "gambling spam 网上赌场 in a visible letter", page="/hdjl/Mail.aspx", word="赌场")
    site.expect("TX003", "spam 出售银行卡 in a visible letter", page="/hdjl/Mail.aspx", word="出售银行卡")


def _home(site: AspxSite, ax: Aspx, arts: list[str], news: list[str]) -> None:
    lis = "".join(f'<tr><td><a href="{u}">{TITLES[i % len(TITLES)]}</a></td><td>{d[5:].replace("-", "/")}</td></tr>'
                  for i, (u, d) in enumerate(zip(arts[:7], news)))
    links = ('<select name="yqlj" onchange="window.open(this.value)"><option value="">--友情链接--</option>'
             f'<option value="{EXT}{X}/jxzw">江西政务服务网</option><option value="http://www.gov.cn">中国政府网</option>'
             '</select>')
    body = (_head(NAME, _labels()) + _top("Default.aspx")
            + '<table width="1000" align="center"><tr><td background="/images/bg_nav.gif" height="32">'
              '<span id="lblToday">2026年11月22日 星期日</span></td></tr></table>'
            + '<table width="1000" align="center"><tr><td width="480"><img src="/images/tp1.jpg" /></td><td>'
              '<table class="news"><tr><th>县内要闻</th><th><a href="NewsList.aspx?ClassID=1">更多&gt;&gt;</a></th></tr>'
            + lis + '</table></td></tr></table>'
            + '<table width="1000" align="center"><tr>'
              '<td><a href="NewsList.aspx?ClassID=3">乡镇动态</a></td><td><a href="NewsList.aspx?ClassID=5">通知公告</a></td>'
              '<td><a href="NewsList.aspx?ClassID=99">视频新闻</a></td><td><a href="/hdjl/Mail.aspx">县长信箱</a></td>'
              f'<td><a href="{EXT}{X}/ggzy/">公共资源交易</a></td><td><a href="#top">返回顶部</a></td></tr></table>'
            + f'<div class="yqlj">{links}</div>'
            + '<div style="position:absolute;clip:rect(0 0 0 0);width:1px;height:1px;overflow:hidden">'
              '<a href="http://www.xpj-casino.example/">娱乐城</a></div>'
            + _footer())
    ax.add("/Default.aspx", "", body)
    home = ["/", "/Default.aspx"]
    site.expect("LK001", "<td background=> image /images/bg_nav.gif answers 404", target="/images/bg_nav.gif")
    site.expect("LK001", "视频新闻 NewsList.aspx?ClassID=99 answers 500 (ASP.NET yellow error page)",
                target="/NewsList.aspx?ClassID=99")
    site.expect("LK001", "公共资源交易 on the other host closes the connection without an answer",
                target=f"{X}/ggzy/")
    site.expect("SC001", "casino link in a clip:rect(0 0 0 0) 1px box", target="xpj-casino.example")
    site.trap("友情链接 <select> options (external, fine) and a display:none submenu of internal links", pages=home)
    site.trap("backslash image path UploadFiles\\image\\top_banner.jpg exists (browsers read \\ as /)",
              target="/UploadFiles/image/top_banner.jpg")
    site.trap("WebResource.axd script answers 200", target="/WebResource.axd")
    site.trap("footer: 主办： and 电话： in a table, site code split over two <span>s, jiucuo.js script, "
              "ICP with -1 suffix; homepage fresh; date widget", pages=home)
    site.trap("/ answers 302 to Default.aspx (IIS): not a broken link", target="/")
