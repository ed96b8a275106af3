"""南屿市人民政府: a 南威/SiteFactory-style municipal portal with a separate 政府信息公开平台 (``/xxgk/``).

Held-out (issue 10, session 3): written before reading the checks, from templates unlike the other sites.
``/channel/NNN/`` columns with ``index_1.html`` paging; articles under ``/channel/NNN/YYYYMM/tYYYYMMDD_N.html``;
the 信息公开 platform with 索引号/发布机构/成文日期 tables and its own footer; a 专题 template copied from
another city (its site code); ``document.write(unescape(...))`` conac badge, a direct 找错 link, an ICP split
over two ``<span>``, ``主　办：`` with an ideographic space, a switchboard number written ``(0591)22851234``.
Link behaviours: srcset ``2x`` and ``<picture><source>`` images, a CSS ``@import "fonts.css"`` without ``url()``,
a JSP login redirect loop, a 12-hop redirect chain, status 999, 429 + Retry-After once, 403 to HEAD only,
``href="//////"``, an internal 200 error page and an external 200 error page, a disabled alternate stylesheet.
"""

from __future__ import annotations

from .common import EXT, PNG, TITLES, Site, answer, body_text, head_forbidden, once_then_ok, redirect_chain, \
    redirect_loop

NAME = "南屿市人民政府"
CODE = "3501000023"
OTHER = "3501000032"  # the code of the city the 专题 template was copied from
DOMAIN = "www.nanyu.gov.cn"
X = "/x-nanwei"  # this site's paths on the other host


def _head(title: str, labels: dict[str, str], css: str = "/css/main.css") -> str:
    metas = "\n".join(f'<meta name="{k}" content="{v}">' for k, v in labels.items())
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta http-equiv="X-UA-Compatible" content="IE=edge"><meta charset="utf-8">
<title>{title}</title>
{metas}
<link rel="stylesheet" type="text/css" href="{css}">
<link rel="alternate stylesheet" title="高对比度" href="/css/contrast.css" disabled>
<script src="/js/sf.js"></script>
</head>"""


def _labels(**more: str) -> dict[str, str]:
    return {"SiteName": NAME, "SiteDomain": DOMAIN, "SiteIDCode": CODE, **more}


def _col_labels(name: str) -> dict[str, str]:
    return _labels(ColumnName=name, ColumnDescription=f"{NAME}{name}栏目", ColumnKeywords=f"{name},南屿",
                   ColumnType=name)


NAV = [("/", "首页"), ("/channel/100/", "新闻中心"), ("/xxgk/", "政府信息公开"), ("/channel/201/", "走进南屿"),
       ("/channel/202/", "领导之窗"), ("/channel/300/", "互动交流"), ("/channel/400/", "专题专栏"),
       ("/channel/120/", "数据发布")]


def _top() -> str:
    nav = "".join(f'<li><a href="{u}">{n}</a></li>' for u, n in NAV)
    return f"""<body><div class="sf-top"><div class="wrap"><span class="today">2026年11月22日 星期日 农历十月初三</span>
<span class="weather">南屿 晴 12℃~21℃</span><a href="/wzdt/">网站地图</a></div></div>
<div class="sf-header"><img src="/images/logo.png" alt="{NAME}"></div><ul class="sf-nav">{nav}</ul>"""


def _footer(code: str = CODE) -> str:
    return f"""<div class="sf-footer"><div class="wrap">
<p><a href="/wzdt/">网站地图</a> | <a href="/channel/205/">联系我们</a> | <a href="/channel/206/">网站声明</a></p>
<p>主　办：南屿市人民政府办公室　　承　办：南屿市大数据中心</p>
<p>联系电话：(0591)22851234　　网站标识码：{code}</p>
<p><span>闽ICP备</span><span>12003456号</span>　<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=35010202000345"><img src="/images/ga.png" alt="公安备案">闽公网安备 35010202000345号</a></p>
<div class="bs"><script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/13/000/0000/60429971/CA130000000604299710001.js' type='text/javascript'%3E%3C/script%3E"));</script>
<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}&amp;url=https%3A%2F%2F{DOMAIN}%2F" target="_blank"><img src="/images/jiucuo.png" alt="我为政府网站找错"></a></div>
<p>版权所有 © 1999-2026 {NAME}　建议使用1366×768分辨率</p></div></div></body></html>"""


def _xxgk_footer() -> str:
    """The 信息公开 platform's own footer: no ICP number, no 找错 entry."""
    return f"""<div class="xxgk-foot"><p><a href="/wzdt/">网站地图</a></p>
<p>主办单位：南屿市人民政府办公室　联系电话：0591-22851234　网站标识码：{CODE}</p>
<p>闽公网安备 35010202000345号</p>
<script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/13/000/0000/60429971/CA130000000604299710001.js' type='text/javascript'%3E%3C/script%3E"));</script>
</div></body></html>"""


def _art(col: str, d: str, n: int) -> str:
    return f"/channel/{col}/{d[:7].replace('-', '')}/t{d.replace('-', '')}_{5000 + n}.html"


def _column(site: Site, col: str, name: str, dates: list[str], offset: int, per: int = 10,
            extras: dict[int, str] | None = None) -> list[str]:
    """A /channel/NNN/ list (``index.html``, ``index_1.html`` ...) and its articles."""
    arts = [(_art(col, d, offset + i), d, offset + i) for i, d in enumerate(dates)]
    pages = max(1, -(-len(arts) // per))
    for p in range(pages):
        lis = "".join(f'<li><span class="date">[{d}]</span><a href="{u}" title="{TITLES[n % len(TITLES)]}">'
                      f'{TITLES[n % len(TITLES)]}</a></li>' for u, d, n in arts[p * per:(p + 1) * per])
        pager = "".join(f'<a href="/channel/{col}/{"index" if q == 0 else f"index_{q}"}.html">{q + 1}</a>'
                        for q in range(pages))
        site.add(f"/channel/{col}/" if p == 0 else f"/channel/{col}/index_{p}.html",
                 _head(f"{name} - {NAME}", _col_labels(name)) + _top() +
                 f'<div class="sf-pos">您现在的位置：<a href="/">首页</a> &gt; <a href="/channel/{col}/">{name}</a></div>'
                 f'<div class="sf-list"><ul>{lis}</ul><div class="sf-page">共{len(arts)}条 {pager}</div></div>'
                 + _footer())
    for u, d, n in arts:
        title = TITLES[n % len(TITLES)]
        extra = (extras or {}).get(n, "")
        labels = _labels(ColumnName=name, ColumnType=name, ArticleTitle=title, PubDate=f"{d} 08:30:00",
                         ContentSource="南屿市人民政府办公室")
        site.add(u, _head(f"{title} - {NAME}", labels, css="/css/article.css") + _top() +
                 f'<div class="sf-pos">您现在的位置：<a href="/">首页</a> &gt; <a href="/channel/{col}/">{name}</a></div>'
                 f'<div class="sf-article"><h1>{title}</h1><div class="sf-info">信息来源：南屿市人民政府办公室　'
                 f'发布时间：{d} 08:30　浏览次数：<span id="hits">0</span></div>'
                 f'<div class="sf-content">{body_text(title, 3, extra)}</div></div>' + _footer())
    return [u for u, _d, _n in arts]


def _single(site: Site, col: str, name: str, inner: str) -> str:
    site.add(f"/channel/{col}/", _head(f"{name} - {NAME}", _col_labels(name)) + _top() +
             f'<div class="sf-pos">您现在的位置：<a href="/">首页</a> &gt; {name}</div>'
             f'<div class="sf-single"><h2>{name}</h2>{inner}</div>' + _footer())
    return f"/channel/{col}/"


def _xxgk(site: Site) -> tuple[list[str], list[str]]:
    """The 政府信息公开平台: table lists with 索引号, article pages with a metadata table (no ArticleTitle)."""
    cols, arts = ["/xxgk/"], []
    specs = (("gzdt", "工作动态", ["2026-11-18", "2026-11-09", "2026-10-30"]),
             ("zcwj", "政策文件", ["2026-03-01", "2025-12-15", "2025-09-08"]),
             ("rsxx", "人事信息", ["2025-08-01", "2025-04-20"]))
    blocks = ""
    for k, (col, name, dates) in enumerate(specs):
        rows, items = [], []
        for i, d in enumerate(dates):
            url = f"/xxgk/{col}/{d[:4]}/{d[5:7]}/{70 + 10 * k + i}.html"
            made = f"{d[:8]}{int(d[8:]) - 1 if int(d[8:]) > 1 else 1:02d}"  # 成文日期 a day earlier
            idx = f"11350100MB0123456X/{d[:4]}-{100 + 10 * k + i:05d}"
            title = TITLES[(k * 5 + i) % len(TITLES)]
            rows.append(f'<tr><td>{idx}</td><td class="bt"><a href="{url}">{title}</a></td><td>{made}</td>'
                        f'<td>{d}</td></tr>')
            items.append(f'<li><a href="{url}">{title}</a><span>{d}</span></li>')
            labels = _labels(ColumnName=name, ColumnType=name, PubDate=d, ContentSource="南屿市人民政府办公室")
            site.add(url, _head(f"{title}_{NAME}信息公开", labels, css="/xxgk/css/xxgk.css") +
                     '<body><div class="xxgk-top">南屿市人民政府信息公开平台</div>'
                     f'<div class="pos">当前位置：<a href="/xxgk/">信息公开</a> &gt; <a href="/xxgk/{col}/">{name}</a></div>'
                     '<table class="xxgk-meta">'
                     f'<tr><th>索 引 号：</th><td>{idx}</td><th>信息分类：</th><td>{name}</td></tr>'
                     '<tr><th>发布机构：</th><td>南屿市人民政府办公室</td><th>文　　号：</th>'
                     f'<td>榕屿政办〔{d[:4]}〕{10 + i}号</td></tr>'
                     f'<tr><th>成文日期：</th><td>{made}</td><th>发布日期：</th><td>{d}</td></tr>'
                     f'<tr><th>名　　称：</th><td colspan="3">{title}</td></tr></table>'
                     f'<div class="xxgk-content"><h2>{title}</h2>{body_text(title, 3)}</div>' + _xxgk_footer())
            arts.append(url)
        site.add(f"/xxgk/{col}/", _head(f"{name}_{NAME}信息公开", _col_labels(name), css="/xxgk/css/xxgk.css") +
                 '<body><div class="xxgk-top">南屿市人民政府信息公开平台</div>'
                 f'<div class="pos">当前位置：<a href="/xxgk/">信息公开</a> &gt; {name}</div>'
                 '<table class="xxgk-list"><tr><th>索引号</th><th>名称</th><th>成文日期</th><th>发布日期</th></tr>'
                 f'{"".join(rows)}</table>' + _xxgk_footer())
        cols.append(f"/xxgk/{col}/")
        blocks += (f'<div class="xxgk-box"><h3>{name}</h3><a class="more" href="/xxgk/{col}/">更多&gt;&gt;</a>'
                   f'<ul>{"".join(items)}</ul></div>')
    site.add("/xxgk/", _head(f"政府信息公开_{NAME}", _col_labels("政府信息公开"), css="/xxgk/css/xxgk.css") +
             '<body><div class="xxgk-top">南屿市人民政府信息公开平台</div>'
             '<div class="xxgk-nav"><a href="/xxgk/gzdt/">工作动态</a><a href="/xxgk/zcwj/">政策文件</a>'
             f'<a href="/xxgk/rsxx/">人事信息</a></div>{blocks}' + _xxgk_footer())
    return cols, arts


def _routes(site: Site) -> None:
    site.routes["/servlet/download.jsp"] = redirect_loop("/servlet/download.jsp")
    site.routes["/go/old-portal"] = redirect_chain("/go/old-portal", 12, "/channel/101/")
    ok = "<html><head><title>福州市政务服务网</title></head><body><p>欢迎访问政务服务网，办事指南与在线申报。</p></body></html>"
    site.ext_routes[f"{X}/profile"] = answer(999, "<html><body>request denied</body></html>")
    site.ext_routes[f"{X}/busy"] = once_then_ok(429, {"Retry-After": "1"}, ok)
    site.ext_routes[f"{X}/nohead"] = head_forbidden(ok)
    site.ext_routes[f"{X}/zwfw-old"] = answer(200, "<html><head><title>提示信息</title></head><body><div class='err'>"
                                              "<h2>404 Not Found</h2><p>您要查看的页面不存在或已删除，请返回首页。</p>"
                                              "</div></body></html>")


def build() -> Site:
    site = Site("nanwei_nanyu", NAME, CODE, "南威 SiteFactory + 信息公开平台")
    site.register = {"site_code": CODE}
    site.domain = DOMAIN
    _routes(site)
    body_links = {
        1: '<p>附件：<a href="/servlet/download.jsp?id=88">2026年重点项目清单.xlsx</a></p>',
        2: "<p>各地要按步就班推进，确保中华人民共合国成立以来的各项成果得到巩固。</p>",
        3: '<p>原市质量技术监督局有关职责划入市场监督管理局，请企业向市质监局报送年度材料。详见<a href="/channel/101/202609/t20260901_4001.html">'
           '此前报道</a>，办事请登录<a href="' + EXT + X + '/zwfw-old">政务服务旧版</a>。</p>',
        4: '<p>咨询电话：0591-22859876，联系人：陈科长。<a href="//////">返回</a></p>',
    }
    news = ["2026-11-20", "2026-11-18", "2026-11-16", "2026-11-12", "2026-11-10", "2026-11-06", "2026-11-03",
            "2026-10-30", "2026-10-27", "2026-10-23", "2026-10-19", "2026-10-14"]
    ywyw = _column(site, "101", "南屿要闻", news, 0, extras=body_links)
    rel = "".join(f'<li><a href="{u}">{TITLES[i % len(TITLES)]}</a><span>2026-10-{10 + i}</span></li>'
                  for i, u in enumerate(ywyw[6:11]))
    site.pages[ywyw[5]] = (site.pages[ywyw[5]][0].replace(
        '</div></div><div class="sf-footer">',
        f'</div><div class="xgtj"><h4>相关推荐</h4><ul>{rel}</ul></div></div><div class="sf-footer">'), "utf-8")
    site.trap("南屿要闻 fresh; its page 2 (index_1.html) holds older items only", page="/channel/101/")
    site.trap("an article with a 相关推荐 block of dated links is an article", page=ywyw[5])
    site.trap("联系电话 in an article body", page=ywyw[4])
    site.expect("LK002", "JSP attachment link in a login redirect loop", target="/servlet/download.jsp?id=88")
    site.expect("TX002", "按步就班", page=ywyw[2], word="按步就班")
    site.expect("TX001", "中华人民共合国", page=ywyw[2], word="中华人民共合国")
    site.expect("TX004", "质监局 (merged into 市场监督管理局 in 2018)", page=ywyw[3], word="质监局")
    site.trap("原市质量技术监督局 names the former body on purpose (corrected after the first run: the truth had "
              "it as a defect)", page=ywyw[3])
    site.expect("LK004", "internal page answering 200 with 页面已删除", target="/channel/101/202609/t20260901_4001.html")
    site.expect("LK004", "external page answering 200 with 404 Not Found", target=f"{X}/zwfw-old")
    site.expect("LK002", 'href="//////" is broken', page=ywyw[4])
    site.expect("LK002", 'article stylesheet @import "fonts.css" (no url()) answers 404', target="/css/fonts.css")
    site.add("/channel/101/202609/t20260901_4001.html",
             '<html><head><meta charset="utf-8"><title>错误提示</title></head><body><div class="error">'
             '<p>对不起，您所请求的网页已删除或不存在！</p><p><a href="/">返回首页</a></p></div></body></html>')
    xzdt = _column(site, "104", "乡镇动态", ["2026-10-17", "2026-10-09", "2026-09-28", "2026-09-15", "2026-09-02"],
                   20, per=3)
    site.expect("UP002", "乡镇动态 5 weeks old, paged index_1.html, reached through the 新闻中心 channel page",
                page="/channel/104/")
    bmdt = _column(site, "103", "部门动态", ["2026-10-24", "2026-10-11"], 30)
    site.expect("UP002", "部门动态 4 weeks old, reached only through a homepage 更多 image link", page="/channel/103/")
    tzgg = _column(site, "110", "通知公告", ["2026-04-30", "2026-03-15"], 40)
    site.expect("UP003", "通知公告 newest 2026-04-30", page="/channel/110/")
    site.add("/channel/120/", _head(f"数据发布 - {NAME}", _col_labels("数据发布")) + _top() +
             '<div class="sf-pos">您现在的位置：<a href="/">首页</a> &gt; 数据发布</div>'
             '<div class="sf-list"><ul></ul><div class="building">本栏目正在建设中，敬请期待！</div></div>' + _footer())
    site.expect("UP005", "数据发布 says 正在建设中", page="/channel/120/")
    minutes = "".join(f'<li><a href="/uploads/hyjy/{i}.pdf">市政府第{30 + i}次常务会议纪要</a></li>' for i in range(4))
    site.add("/channel/130/", _head(f"会议纪要 - {NAME}", _col_labels("会议纪要")) + _top() +
             '<div class="sf-pos">您现在的位置：<a href="/">首页</a> &gt; <a href="/channel/100/">新闻中心</a> &gt; 会议纪要</div>'
             f'<div class="sf-list"><ul>{minutes}</ul></div>' + _footer())
    for i in range(4):
        site.binary[f"/uploads/hyjy/{i}.pdf"] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    site.expect("UP006", "会议纪要 lists PDF minutes without any date", page="/channel/130/")
    blocks = ""
    for col, name, urls, dates in (("101", "南屿要闻", ywyw[:4], news[:4]),
                                   ("104", "乡镇动态", xzdt[:3], ["2026-10-17", "2026-10-09", "2026-09-28"])):
        lis = "".join(f'<li><a href="{u}">{TITLES[i % len(TITLES)]}</a><em>{d[5:]}</em></li>'
                      for i, (u, d) in enumerate(zip(urls, dates)))
        blocks += f'<div class="box"><h3>{name}</h3><a href="/channel/{col}/" class="more">更多&gt;&gt;</a><ul>{lis}</ul></div>'
    blocks += '<div class="box"><h3>会议纪要</h3><a href="/channel/130/" class="more">更多&gt;&gt;</a></div>'
    site.add("/channel/100/", _head(f"新闻中心 - {NAME}", _col_labels("新闻中心")) + _top() +
             f'<div class="sf-pos">您现在的位置：<a href="/">首页</a> &gt; 新闻中心</div>{blocks}' + _footer())
    site.trap("新闻中心 channel page: not a stale, blank or undated column", page="/channel/100/")
    # single-page columns
    _single(site, "201", "走进南屿", "<h3>南屿概况</h3><p>南屿市位于闽江下游，1987年撤县设市，2002年被列为沿海开放城市。</p>"
            + body_text("全市辖3个街道、9个镇", 3) + "<p>2025年末全市常住人口68.2万人。</p>")
    site.trap("走进南屿 概况 single page with historical years: no date, not a list", page="/channel/201/")
    leaders = "".join(f'<div class="ld"><img src="/images/logo.png" alt="{n}"><h4>{n}</h4><p>{t}</p></div>'
                      for n, t in (("林海峰", "市长"), ("黄晓东", "常务副市长"), ("郑丽娟", "副市长")))
    _single(site, "202", "领导之窗", leaders)
    site.trap("领导之窗 single page", page="/channel/202/")
    _single(site, "205", "联系我们", "<p>地址：南屿市行政服务中心1号楼</p><p>总机：22851234</p><p>邮编：350100</p>")
    _single(site, "206", "网站声明", body_text("本网站所载内容版权归南屿市人民政府所有", 2))
    site.trap("联系我们 single page; switchboard without area code", page="/channel/205/")
    msgs = [("2026-11-19", "关于小区停车难问题的建议", "已转市交通局办理。"),
            ("2026-11-17", "长期代开发票，各类发票均可代开，微信同号13800000000", ""),
            ("2026-11-12", "咨询新生儿医保参保流程", "请携带出生医学证明到社保大厅办理。")]
    lis = "".join(f'<li><span>{d}</span><p class="q">{q}</p><p class="a">{a}</p></li>' for d, q, a in msgs)
    site.add("/channel/300/", _head(f"互动交流 - {NAME}", _col_labels("留言选登")) + _top() +
             f'<div class="sf-pos">您现在的位置：<a href="/">首页</a> &gt; 互动交流</div><ul class="msgs">{lis}</ul>'
             + _footer())
    site.expect("TX003", "spam message 代开发票 with a contact in the message list (违法广告 is a TX003 list in the "
                "catalogue; first written as SC002)", page="/channel/300/", word="代开发票")
    # 专题: articles in a template copied from another city (footer and SiteIDCode carry its code)
    zt = []
    for i, d in enumerate(["2026-11-05", "2026-10-21"]):
        url = f"/zt/2026/yshj/{i + 1}.html"
        title = TITLES[(i + 7) % len(TITLES)]
        labels = {"SiteName": NAME, "SiteDomain": DOMAIN, "SiteIDCode": OTHER, "ColumnName": "优化营商环境",
                  "ColumnType": "专题专栏", "ArticleTitle": title, "PubDate": f"{d} 10:00",
                  "ContentSource": "南屿市发展和改革委员会"}
        site.add(url, _head(f"{title}-优化营商环境专题", labels, css="/zt/css/zt.css") +
                 f'<body><div class="zt-banner"><img src="/images/logo.png" alt="优化营商环境"></div>'
                 f'<div class="zt-art"><h1>{title}</h1><p class="t">发布日期：{d}</p>{body_text(title, 2)}</div>'
                 + _footer(code=OTHER))
        zt.append(url)
    zlis = "".join(f'<li><a href="{u}">{TITLES[(i + 7) % len(TITLES)]}</a></li>' for i, u in enumerate(zt))
    _single(site, "400", "专题专栏", f'<a href="/zt/2026/yshj/1.html"><img src="/images/logo.png" alt="优化营商环境专题"></a><ul>{zlis}</ul>')
    site.expect("FT003", "专题 template footer carries another city's site code", pages=zt)
    site.expect("MT002", "专题 template SiteIDCode label is another city's code", pages=zt)
    xcols, xarts = _xxgk(site)
    site.expect("UP003", "政策文件 newest 发布日期 2026-03-01 (成文日期 and 索引号 years must not count)", page="/xxgk/zcwj/")
    site.expect("UP004", "人事信息 newest 2025-08-01, past its one-year cycle", page="/xxgk/rsxx/")
    site.trap("信息公开 工作动态 fresh (table list)", page="/xxgk/gzdt/")
    site.expect("FT004", "信息公开 platform column pages: no ICP number", pages=xcols)
    site.expect("FT004", "信息公开 platform article pages: no ICP number", pages=xarts)
    site.expect("FT006", "信息公开 platform column pages: no 找错 entry", pages=xcols)
    site.expect("FT006", "信息公开 platform article pages: no 找错 entry", pages=xarts)
    site.expect("MT001", "信息公开 platform article template has no ArticleTitle label", pages=xarts)
    # site map
    sm = "".join(f'<li><a href="{u}">{n}</a></li>' for u, n in
                 [*NAV, ("/channel/101/", "南屿要闻"), ("/channel/104/", "乡镇动态"), ("/channel/110/", "通知公告"),
                  ("/channel/130/", "会议纪要"), ("/channel/205/", "联系我们")])
    site.add("/wzdt/", _head(f"网站地图 - {NAME}", _labels()) + _top() + f'<div class="sitemap"><ul>{sm}</ul></div>'
             + _footer())
    _home(site, ywyw, news, bmdt, tzgg)
    site.binary["/css/main.css"] = b"body{font:14px/1.6 'Microsoft YaHei'}\n.sf-nav li{float:left}\n"
    site.binary["/css/article.css"] = b'@import "fonts.css";\n.sf-article h1{font-size:22px}\n'
    site.binary["/xxgk/css/xxgk.css"] = b"table{border-collapse:collapse}\n"
    site.binary["/zt/css/zt.css"] = b"body{background:#f3f6fa}\n"
    site.binary["/js/sf.js"] = b"var SF={};\n"
    for img in ("logo.png", "ga.png", "jiucuo.png", "banner.jpg", "hero.png", "more.png"):
        site.binary[f"/images/{img}"] = PNG
    return site


def _home(site: Site, ywyw: list[str], news: list[str], bmdt: list[str], tzgg: list[str]) -> None:
    lis = "".join(f'<li><a href="{u}">{TITLES[i % len(TITLES)]}</a><span>{d[5:]}</span></li>'
                  for i, (u, d) in enumerate(zip(ywyw[:6], news)))
    bm = "".join(f'<li><a href="{u}">{TITLES[(30 + i) % len(TITLES)]}</a><span>{d}</span></li>'
                 for i, (u, d) in enumerate(zip(bmdt, ["2026-10-24", "2026-10-11"])))
    tz = "".join(f'<li><a href="{u}">关于做好冬季安全生产工作的通知</a><span>{d}</span></li>'
                 for u, d in zip(tzgg, ["2026-04-30", "2026-03-15"]))
    home = (_head(NAME, {"SiteName": NAME, "SiteIDCode": CODE}) + _top() +
            '<div class="banner"><img src="/images/banner.jpg" srcset="/images/banner-2x.jpg 2x, /images/banner.jpg 1x" '
            'alt="南屿欢迎您"></div>'
            '<picture><source srcset="/images/hero.webp" type="image/webp"><img src="/images/hero.png" alt="闽江夜景"></picture>'
            f'<div class="box"><h3>南屿要闻</h3><a href="/channel/101/" class="more">更多&gt;&gt;</a><ul>{lis}</ul></div>'
            f'<div class="box"><h3>部门动态</h3><a href="/channel/103/"><img src="/images/more.png" alt="更多"></a><ul>{bm}</ul></div>'
            f'<div class="box"><h3>通知公告</h3><a href="/channel/110/" class="more">更多&gt;&gt;</a><ul>{tz}</ul></div>'
            '<div class="links"><h3>便民服务</h3>'
            f'<a href="{EXT}{X}/profile">南屿发布</a> <a href="{EXT}{X}/busy">福州市政务服务网</a> '
            f'<a href="{EXT}{X}/nohead">12345热线</a> <a href="/go/old-portal?id=1">旧版门户</a>'
            '<a href="mailto:nyzf@nanyu.gov.cn">市长信箱</a> <a href="javascript:void(0)" onclick="fontZoom(16)">大字</a></div>'
            '<div style="height:0;overflow:hidden"><a href="http://www.bet365-cn.example/">体育</a></div>'
            + _footer())
    site.add("/index.html", home)
    site.expect("MT001", "homepage without SiteDomain", pages=["/", "/index.html"])
    site.expect("LK001", "srcset 2x candidate answers 404", target="/images/banner-2x.jpg")
    site.expect("LK001", "<picture><source srcset> webp answers 404", target="/images/hero.webp")
    site.expect("SC001", "gambling link in a height:0 overflow:hidden box", target="bet365-cn.example")
    site.allow("LK006", "status 999 (a platform's bot answer) is not broken; listing it as unverified (LK006, "
               "info) is the catalogue's reading", target=f"{X}/profile")
    site.trap("429 with Retry-After: 1 then 200: retried, fine", target=f"{X}/busy")
    site.trap("403 to HEAD only, 200 to GET: fine", target=f"{X}/nohead")
    site.trap("12-hop redirect chain ending on a real page: not a loop", target="/go/old-portal")
    site.trap("disabled alternate stylesheet /css/contrast.css missing: not checked", target="/css/contrast.css")
    site.trap("date/weather widget, copyright 1999-2026", page="/")
    site.trap("footer: 主　办：, ICP split over <span>s, (0591) switchboard, document.write(unescape) conac, "
              "direct jiucuo.html link", page="/")
    site.trap("article template without the optional Keywords/Author/Description/Url/Image labels", pages=ywyw)
