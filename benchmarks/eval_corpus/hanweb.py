"""安平县人民政府: a Hanweb (大汉 JCMS)-style county portal: GBK pages, table layouts, /col/colNNNN/ and /art/ URLs."""

from __future__ import annotations

from .common import DEAD, PNG, TITLES, Site, body_text

NAME = "安平县人民政府"
CODE = "1311250001"


def _head(title: str, labels: dict[str, str]) -> str:
    metas = "\n".join(f'<meta name="{k}" content="{v}">' for k, v in labels.items())
    return f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}</title>
{metas}
<link rel="stylesheet" href="/script/0/1608241521153939.css" type="text/css">
</head>"""


def _site(with_code: bool = True) -> dict[str, str]:
    out = {"SiteName": NAME, "SiteDomain": "www.anping.gov.cn", "SiteIDCode": CODE}
    if not with_code:
        del out["SiteIDCode"]
    return out


NAV = [("/col/col1234/index.html", "工作动态"), ("/col/col1250/index.html", "政策文件"),
       ("/col/col1201/index.html", "县情概况"), ("/col/col1202/index.html", "领导信息"),
       ("/col/col1280/index.html", "县长信箱"), ("/col/col1300/index.html", "专题专栏")]


def _top() -> str:
    tds = "".join(f'<td align="center"><a href="{u}" class="bt_link">{n}</a></td>' for u, n in NAV)
    return f"""<body leftmargin="0" topmargin="0">
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr>
<td height="30" class="date"><script>var d=new Date();document.write(d.getFullYear()+"年");</script>2026年11月22日 星期日</td>
<td align="right"><a href="/col/col1000/index.html">网站地图</a></td></tr></table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="dh"><tr>
<td align="center"><a href="/index.html" class="bt_link">首页</a></td>{tds}</tr></table>"""


def _footer() -> str:
    return f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom"><tr>
<td width="120" align="center"><span id="conac"><img src="/picture/0/dzjgbs.png" style="cursor:pointer" onclick="conacShow()"></span>
<script type="text/javascript">function conacShow(){{var id="2B3C4D5E6F708192A3B4C5D6E7F80912";window.open("https://bszs.conac.cn/sitename?method=show&id="+id);}}</script></td>
<td align="center" class="bt_text">本站由安平县人民政府办公室主办　安平县融媒体中心承办<br>
联系电话：0318-7521234　地址：安平县迎宾大街12号<br>
网站标识码：{CODE}　冀ICP备05012345　公安备案号：13112599004-00001<br>
版权所有：{NAME}</td>
<td width="120" align="center"><a href="http://www.hengshui.gov.cn/zfwzzc/jiucuo.jsp?sitecode={CODE}" target="_blank"><img src="/picture/0/zc.png" alt="找错" border="0"></a></td>
</tr></table></body></html>"""


def _zt_footer() -> str:
    """The 专题 sub-system's footer: no site code, no conac badge."""
    return f"""<div class="zt-bottom"><p>本站由安平县人民政府办公室主办　联系电话：0318-7521234</p>
<p>冀ICP备05012345　公安备案号：13112599004-00001</p>
<p><a href="http://www.hengshui.gov.cn/zfwzzc/jiucuo.jsp?sitecode={CODE}"><img src="/picture/0/zc.png" alt="找错"></a>
<a href="/col/col1000/index.html">网站地图</a></p></div></body></html>"""


def _art(col: int, d: str, n: int) -> str:
    y, m, dd = d.split("-")
    return f"/art/{y}/{int(m)}/{int(dd)}/art_{col}_{5000 + n}.html"


def _column(site: Site, col: int, name: str, dates: list[str | None], offset: int, extra_art=None) -> list[str]:
    rows, arts = [], []
    for i, d in enumerate(dates):
        n = offset + i
        url = _art(col, d or "2026-01-05", n)
        arts.append((url, d, n))
        rows.append(f'<tr><td width="15"><img src="/picture/0/dot.gif"></td><td><a href="{url}" target="_blank" '
                    f'title="{TITLES[n % len(TITLES)]}">{TITLES[n % len(TITLES)]}</a></td>'
                    f'<td width="90" align="right" class="bt_time">{d or ""}</td></tr>')
    labels = {**_site(), "ColumnName": name, "ColumnDescription": name, "ColumnKeywords": name, "ColumnType": name}
    site.add(f"/col/col{col}/index.html", _head(f"{name} {NAME}", labels) + _top() +
             f'<table width="1000" align="center"><tr><td class="bt_position">您现在的位置：<a href="/index.html">首页</a> &gt; '
             f'<a href="/col/col{col}/index.html">{name}</a></td></tr></table>'
             f'<table width="1000" align="center"><tr><td valign="top"><div id="2601"><table width="100%" class="lmlist">'
             f'{"".join(rows)}</table></div><div class="fy">共1页</div></td></tr></table>' + _footer())
    out = []
    for url, d, n in arts:
        title = TITLES[n % len(TITLES)]
        more = extra_art(n) if extra_art else ""
        labels = {**_site(), "ColumnName": name, "ColumnType": name, "ArticleTitle": title,
                  "PubDate": f"{d or '2026-01-05'} 08:00:00", "ContentSource": "安平县人民政府办公室", "Keywords": ""}
        foot = _zt_footer() if col == 1300 else _footer()
        site.add(url, _head(f"{title} {NAME}", labels) + _top() +
                 f'<table width="1000" align="center"><tr><td class="bt_position">您现在的位置：<a href="/index.html">首页</a>'
                 f' &gt; <a href="/col/col{col}/index.html">{name}</a></td></tr></table>'
                 f'<table width="1000" align="center"><tr><td align="center" class="title">{title}</td></tr>'
                 f'<tr><td align="center" class="bt_info">发布日期：{d or ""}　信息来源：安平县人民政府办公室　浏览次数：128</td></tr>'
                 f'<tr><td class="bt_content" id="zoom">{body_text(title, 3, more)}</td></tr></table>' + foot)
        out.append(url)
    return out


def build() -> Site:
    site = Site("hanweb_anping", NAME, CODE, "Hanweb JCMS", encoding="gbk")
    site.register = {"site_code": CODE}
    site.domain = "www.anping.gov.cn"

    def news_extra(n: int) -> str:
        if n == 1:
            return ('<p>附件：<a href="/module/download/downfile.jsp?classid=0&filename=2611031234.doc">实施方案.doc</a></p>'
                    '<p>相关阅读：<a href="/art/2025/1/1/art_1234_1.html">往期报道</a></p>')
        if n == 2:
            return "<p>全县上下一如继往抓好落实，县国土资源局参加会议。</p>"
        return ""

    gzdt = _column(site, 1234, "工作动态", ["2026-10-28", "2026-10-20", "2026-10-11", "2026-09-30"], 0, news_extra)
    site.expect("UP002", "工作动态 25 days old (table layout, GBK)", page="/col/col1234/")
    xzdt = _column(site, 1240, "乡镇动态", ["2026-10-05", "2026-09-21"], 10)
    site.expect("UP002", "乡镇动态 7 weeks old, reached only through article breadcrumbs", page="/col/col1240/")
    zcwj = _column(site, 1250, "政策文件", ["2026-03-15", "2025-11-02"], 20)
    site.expect("UP003", "政策文件 newest 2026-03-15", page="/col/col1250/")
    _column(site, 1260, "规划计划", ["2026-02-10", "2025-06-01"], 30)
    site.trap("规划计划 2026-02-10: within its 1-year cycle", page="/col/col1260/")
    zt = _column(site, 1300, "专题专栏", ["2026-11-02", "2026-09-01"], 40)
    site.expect("FT001", "专题 article template without the conac badge", pages=zt)
    site.expect("FT002", "专题 article template without the site code", pages=zt)
    site.expect("TX002", "一如继往 typo", page=gzdt[2], word="一如继往")
    site.expect("TX004", "国土资源局 (renamed 2018)", page=gzdt[2], word="国土资源局")
    site.expect("LK002", "attachment answering 404", target="/module/download/downfile.jsp?classid=0&filename=2611031234.doc")
    site.expect("LK004", "static 200 page saying 页面不存在 (GBK)", target="/art/2025/1/1/art_1234_1.html")
    site.add("/art/2025/1/1/art_1234_1.html", _head("提示信息", {}) +
             '<body><table width="600" align="center"><tr><td align="center"><img src="/picture/0/err.gif"></td></tr>'
             '<tr><td align="center">对不起，您访问的页面不存在或已被删除！</td></tr>'
             '<tr><td align="center"><a href="/index.html">返回首页</a></td></tr></table></body></html>')
    labels = {**_site(), "ColumnName": "县情概况", "ColumnDescription": "县情概况", "ColumnKeywords": "县情概况",
              "ColumnType": "县情概况"}
    site.add("/col/col1201/index.html", _head(f"县情概况 {NAME}", labels) + _top() +
             '<table width="1000" align="center"><tr><td class="bt_position">您现在的位置：<a href="/index.html">首页</a> &gt; 县情概况</td></tr>'
             f'<tr><td class="bt_content">{body_text("安平县位于河北省东南部，总面积496平方公里", 6)}</td></tr>'
             '<tr><td><table><tr><td>面积</td><td>496平方公里</td></tr><tr><td>人口</td><td>33万</td></tr></table></td></tr></table>'
             + _footer())
    site.trap("县情概况 single page: not a list, not blank", page="/col/col1201/")
    rows = "".join(f'<tr><td><a href="/col/col1202/art_{i}.html">{t}</a></td><td>{w}</td></tr>' for i, (t, w) in enumerate(
        (("县委副书记、县长 赵国强", "主持县政府全面工作"), ("县委常委、常务副县长 孙明", "负责县政府常务工作"),
         ("副县长 周红梅", "负责教育、卫生健康工作"), ("副县长 吴建新", "负责农业农村、水利工作"),
         ("副县长 郑海涛", "负责工业、交通工作"))))
    labels = {**_site(), "ColumnName": "领导信息", "ColumnDescription": "领导信息", "ColumnKeywords": "领导信息",
              "ColumnType": "领导信息"}
    site.add("/col/col1202/index.html", _head(f"领导信息 {NAME}", labels) + _top() +
             f'<table width="1000" align="center" class="ldxx">{rows}</table>' + _footer())
    for i in range(5):
        site.add(f"/col/col1202/art_{i}.html", _head(f"领导信息 {NAME}", {**_site(), "ColumnName": "领导信息",
                                                                          "ColumnType": "领导信息"}) + _top() +
                 f'<table width="1000" align="center"><tr><td class="bt_content">{body_text("简历", 2)}</td></tr></table>'
                 + _footer())
    site.trap("领导信息: a short list of leaders, not a news column", page="/col/col1202/")
    letters = "".join(f'<tr><td><a href="/col/col1280/letter_{i}.html">{t}</a></td><td>2026-11-{12 + i}</td><td>已回复</td></tr>'
                      for i, t in enumerate(("关于小区供暖问题的咨询", "关于道路维修的建议", "注册送彩金，高额返利加微信")))
    labels = {**_site(), "ColumnName": "县长信箱", "ColumnDescription": "县长信箱", "ColumnKeywords": "县长信箱",
              "ColumnType": "县长信箱"}
    site.add("/col/col1280/index.html", _head(f"县长信箱 {NAME}", labels) + _top() +
             f'<table width="1000" align="center" class="xxlist">{letters}</table>' + _footer())
    for i in range(3):
        site.add(f"/col/col1280/letter_{i}.html", _head(f"县长信箱 {NAME}", _site()) + _top() +
                 f'<table width="1000" align="center"><tr><td>{body_text("来信内容", 1)}</td></tr></table>' + _footer())
    site.expect("SC002", "spam letter in the 县长信箱 list", page="/col/col1280/", word="注册送彩金")
    # blank column only in the site map
    labels = {**_site(), "ColumnName": "统计数据", "ColumnDescription": "统计数据", "ColumnKeywords": "统计数据",
              "ColumnType": "统计数据"}
    site.add("/col/col1270/index.html", _head(f"统计数据 {NAME}", labels) + _top() +
             '<table width="1000" align="center"><tr><td class="bt_position">您现在的位置：<a href="/index.html">首页</a> &gt; 统计数据</td></tr>'
             '<tr><td><div id="2601"><table class="lmlist"></table></div><div class="nodata">暂无相关信息</div></td></tr></table>'
             + _footer())
    site.expect("UP005", "统计数据 only in the site map, shows 暂无相关信息", page="/col/col1270/")
    sm = "".join(f'<tr><td class="sm-h"><b><a href="{u}">{n}</a></b></td></tr>' for u, n in
                 [*NAV, ("/col/col1270/index.html", "统计数据"), ("/col/col1260/index.html", "规划计划")])
    site.add("/col/col1000/index.html", _head(f"网站地图 {NAME}", _site()) + _top() +
             f'<table width="1000" align="center" class="wzdt">{sm}</table>' + _footer())
    # homepage: stale (newest 2026-10-28), no SiteIDCode label, a hidden gambling link
    def rows_of(urls, dates):
        return "".join(f'<tr><td><a href="{u}" title="{TITLES[i]}">{TITLES[i]}</a></td><td class="bt_time">{d[5:]}</td></tr>'
                       for i, (u, d) in enumerate(zip(urls, dates)))
    home = (_head(NAME, _site(with_code=False)) + _top() +
            '<table width="1000" align="center"><tr>'
            f'<td width="490" valign="top"><table width="100%"><tr><td class="lm-t">工作动态</td><td align="right">'
            f'<a href="/col/col1234/index.html">更多&gt;&gt;</a></td></tr></table>'
            f'<table width="100%">{rows_of(gzdt, ["2026-10-28", "2026-10-20", "2026-10-11", "2026-09-30"])}</table></td>'
            f'<td width="490" valign="top"><table width="100%"><tr><td class="lm-t">乡镇动态</td></tr></table>'
            f'<table width="100%">{rows_of(xzdt, ["2026-10-05", "2026-09-21"])}</table>'
            f'<table width="100%"><tr><td class="lm-t">政策文件</td><td align="right"><a href="/col/col1250/index.html">更多&gt;&gt;</a></td></tr></table>'
            f'<table width="100%">{rows_of(zcwj, ["2026-03-15", "2025-11-02"])}</table></td></tr></table>'
            f'<table width="1000" align="center"><tr><td>友情链接：<a href="{DEAD}/hs/">衡水市人民政府</a></td></tr></table>'
            '<div style="display:none"><a href="http://www.amxpj-888.example/">澳门新葡京娱乐场</a></div>'
            + _footer())
    site.add("/index.html", home)
    site.expect("UP001", "homepage newest item 2026-10-28", page="/")
    site.expect("MT001", "homepage without SiteIDCode", pages=["/", "/index.html"])
    site.expect("LK001", "homepage friend link to a dead host", target=f"{DEAD}/hs/")
    site.expect("SC001", "display:none box with gambling links", target="amxpj-888.example")
    site.expect("SC002", "the hidden link's text is a casino brand", page="/", word="澳门新葡京")
    site.trap("footer: 本站由XX主办, ICP without 号, old 公安 form, conac and 找错 built by scripts/relays", page="/")
    site.trap("date widget in the header", page="/")
    for p in ("/picture/0/dzjgbs.png", "/picture/0/zc.png", "/picture/0/dot.gif", "/picture/0/err.gif"):
        site.binary[p] = PNG
    site.binary["/script/0/1608241521153939.css"] = b"td{font-size:12px}\n"
    return site
