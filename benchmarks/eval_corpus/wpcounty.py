"""柳林县人民政府: a WordPress-style county site (``/category/x/``, ``/page/2/``, ``/YYYY/MM/DD/slug/``).

Held-out (issue 10, session 3): written before reading the checks. The homepage footer is written by inline
``document.write`` calls (rendered conac badge, an ``onclick`` 找错 image, e-mail-only contact, 公安 number
without 号); article pages show the footer in an ``<iframe src="/footer.html">``; the 政务服务 sub-system has its
own footer without site code and contact. ``<time datetime>`` dates, a day + ``2026.11`` split date, a
wp-calendar widget, lazy images (``data-src``), a 3,100-link archive page, a 25-hop redirect (broken) beside a
15-hop one (fine), a theme 404 answering 200, an attachment with a Chinese file name.
"""

from __future__ import annotations

from .common import EXT, PNG, TITLES, Site, answer, body_text, redirect_chain

NAME = "柳林县人民政府"
CODE = "1411250001"
DOMAIN = "www.liulin.gov.cn"
X = "/x-wp"
CONAC = "https://bszs.conac.cn/sitename?method=show&amp;id=5F1A2B3C4D5E6F708192A3B4C5D6E7F8"


def _head(title: str, labels: dict[str, str]) -> str:
    metas = "\n".join(f"<meta name='{k}' content='{v}' />" for k, v in labels.items())
    return f"""<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="UTF-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{title}</title>
{metas}
<link rel='stylesheet' id='county-style-css' href='/wp-content/themes/county/style.css?ver=6.4.2' media='all' />
<script src='/wp-includes/js/jquery/jquery.min.js?ver=3.7.1' id='jquery-core-js'></script>
</head>"""


def _labels(**more: str) -> dict[str, str]:
    return {"SiteName": NAME, "SiteDomain": DOMAIN, "SiteIDCode": CODE, **more}


NAV = [("/", "首页"), ("/category/ynyw/", "县内要闻"), ("/category/tzgg/", "通知公告"), ("/category/zcjd/", "政策解读"),
       ("/xqgk/", "县情概况"), ("/ldzc/", "领导之窗"), ("/jgsz/", "机构设置"), ("/bsfw/", "政务服务")]


def _top() -> str:
    nav = "".join(f'<li class="menu-item"><a href="{u}">{n}</a></li>' for u, n in NAV)
    return f"""<body class="wp-site-blocks"><header class="site-header"><h1 class="site-title"><a href="/" rel="home">{NAME}</a></h1>
<form role="search" method="get" action="/search/"><input type="search" name="s" /><button>搜索</button></form>
<nav class="main-navigation"><ul id="primary-menu">{nav}</ul></nav></header>"""


def _footer_lines() -> list[str]:
    return [
        '<footer class="site-footer"><div class="ft">',
        '<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>',
        f'<p>柳林县人民政府办公室 主办　柳林县融媒体中心 承办　网站标识码：{CODE}</p>',
        '<p>联系邮箱：lsxzf@163.com</p>',
        '<p><a href="https://beian.miit.gov.cn/">晋ICP备2022000123号-1</a>　晋公网安备14112502000123</p>',
        f'<p><a href="{CONAC}" target="_blank"><img src="https://dcs.conac.cn/image/red.png" /></a>',
        '<img src="/wp-content/themes/county/img/jiucuo.png" style="cursor:pointer" '
        f"onclick=\"window.open('https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={CODE}&url='+encodeURIComponent(location.href))\" /></p>",
        '<p>Copyright © 2012-2026 柳林县人民政府 All Rights Reserved</p></div></footer>',
    ]


def _footer_script() -> str:
    """The homepage writes its footer with document.write, line by line."""
    js = "\n".join("document.write('" + line.replace("'", "\\'") + "');" for line in _footer_lines())
    return f'<script type="text/javascript">\n{js}\n</script></body></html>'


def _footer_iframe() -> str:
    return ('<iframe src="/footer.html" width="100%" height="180" frameborder="0" scrolling="no" title="页脚">'
            '</iframe></body></html>')


def _service_footer() -> str:
    return (f'<div class="zwfw-foot"><p>主办单位：柳林县人民政府办公室　承办单位：柳林县行政审批服务管理局</p>'
            '<p>晋ICP备2022000123号-1　晋公网安备 14112502000123号　<a href="/wzdt/">网站地图</a></p>'
            f'<p><a href="{CONAC}"><img src="https://dcs.conac.cn/image/red.png" /></a>'
            f'<script id="_jiucuo_" sitecode="{CODE}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></p>'
            '</div></body></html>')


def _slug(d: str, n: int) -> str:
    y, m, dd = d.split("-")
    return f"/{y}/{m}/{dd}/post-{600 + n}/"


def _category(site: Site, cat: str, name: str, dates: list[str], offset: int, split: bool = False,
              extras: dict[int, str] | None = None, per: int = 4) -> list[str]:
    posts = [(_slug(d, offset + i), d, offset + i) for i, d in enumerate(dates)]
    pages = max(1, -(-len(posts) // per))
    for p in range(pages):
        arts = []
        for u, d, n in posts[p * per:(p + 1) * per]:
            y, m, dd = d.split("-")
            when = (f'<div class="date"><p>{dd}</p><p>{y}.{m}</p></div>' if split else
                    f'<time class="entry-date" datetime="{d}T09:12:00+08:00">{y}年{int(m)}月{int(dd)}日</time>')
            arts.append(f'<article class="post"><h2 class="entry-title"><a href="{u}" rel="bookmark">'
                        f'{TITLES[n % len(TITLES)]}</a></h2>{when}<div class="entry-summary"><p>{body_text("摘要", 1)[:60]}</p>'
                        '</div></article>')
        nav = (f'<nav class="pagination"><a class="next" href="/category/{cat}/page/{p + 2}/">下一页</a></nav>'
               if p + 1 < pages else "")
        site.add(f"/category/{cat}/" if p == 0 else f"/category/{cat}/page/{p + 1}/",
                 _head(f"{name} – {NAME}", _labels(ColumnName=name, ColumnType=name)) + _top() +
                 f'<main class="site-main"><h1 class="page-title">分类：{name}</h1>{"".join(arts)}{nav}</main>'
                 + _footer_iframe())
    for u, d, n in posts:
        title = TITLES[n % len(TITLES)]
        y, m, dd = d.split("-")
        labels = _labels(ColumnName=name, ColumnType=name, ArticleTitle=title, PubDate=f"{d} 09:12",
                         ContentSource="柳林县融媒体中心")
        rel = "".join(f'<li><a href="{ru}">{TITLES[rn % len(TITLES)]}</a> <time>{rd}</time></li>'
                      for ru, rd, rn in posts if ru != u)
        site.add(u, _head(f"{title} – {NAME}", labels) + _top() +
                 f'<div class="breadcrumbs"><a href="/">首页</a> » <a href="/category/{cat}/">{name}</a> » 正文</div>'
                 f'<article class="post single"><h1 class="entry-title">{title}</h1><div class="entry-meta">'
                 f'<time class="entry-date published" datetime="{d}T09:12:00+08:00">{y}年{int(m)}月{int(dd)}日</time>'
                 f' 来源：柳林县融媒体中心</div><div class="entry-content">{body_text(title, 3, (extras or {}).get(n, ""))}</div>'
                 f'<div class="related-posts"><h3>相关文章</h3><ul>{rel}</ul></div></article>' + _footer_iframe())
    return [u for u, _d, _n in posts]


def _page(site: Site, path: str, name: str, inner: str, labels: dict[str, str] | None = None) -> None:
    site.add(path, _head(f"{name} – {NAME}", labels or _labels(ColumnName=name, ColumnDescription=name,
                                                                  ColumnKeywords=name, ColumnType=name)) + _top()
             + f'<main class="site-main page"><h1 class="entry-title">{name}</h1><div class="entry-content">{inner}'
             '</div></main>' + _footer_iframe())


def _routes(site: Site) -> None:
    site.routes["/link/jump"] = _jump
    site.ext_routes[f"{X}/old-bbs/"] = answer(410, "<html><body>Gone</body></html>")
    site.ext_routes[f"{X}/news/2019/1.html"] = answer(404, "<html><body>Not Found</body></html>")


def _jump(h) -> None:  # noqa: ANN001 - a server handler
    """``/link/jump?id=3`` redirects 15 times then lands on a page; ``id=7`` 25 times. (The first run landed
    on the homepage: a deep link sent to the homepage is a wrong link, LK004, which confounded the trap.)"""
    from .common import _query

    hops = 25 if _query(h).get("id") == "7" else 15
    redirect_chain("/link/jump", hops, "/xqgk/")(h)


def build() -> Site:
    site = Site("wp_liulin", NAME, CODE, "WordPress-style county site")
    site.register = {"site_code": CODE}
    site.domain = DOMAIN
    _routes(site)
    extras = {
        1: "<p>各乡镇要美仑美奂地打造特色街区，深入学习贯彻习近平新时代中国特色社会主意思想。</p>",
        2: '<p>原国家旅游局有关文件同时废止，县旅游局负责解释。附件：<a href="/wp-content/uploads/2026/10/关于印发实施方案的通知.pdf">'
           '关于印发实施方案的通知.pdf</a></p>',
        3: f'<p>此前报道见<a href="{EXT}{X}/news/2019/1.html">市级媒体</a>，'
           '<a href="/2025/03/05/old-post/">往期回顾</a>，<a href="/link/jump?id=7">县志办</a>。咨询电话：0358-6221234。</p>',
        4: f'<p>会议要求严厉打击跨境赌博违法犯罪活动，见<a href="{EXT}{X}/news/2019/1.html">通报</a>。'
           '<a href="/link/jump?id=3">档案馆</a></p>',
    }
    ynyw = _category(site, "ynyw", "县内要闻", ["2026-11-03", "2026-10-28", "2026-10-21", "2026-10-15", "2026-10-01",
                                              "2026-09-20"], 0, extras=extras)
    site.expect("UP002", "县内要闻 newest 2026-11-03 (19 days)", page="/category/ynyw/")
    site.expect("TX002", "美仑美奂", page=ynyw[1], word="美仑美奂")
    site.expect("TX001", "习近平新时代中国特色社会主意思想", page=ynyw[1], word="社会主意")
    site.expect("TX004", "县旅游局 (now 文化和旅游局)", page=ynyw[2], word="旅游局")
    site.trap("原国家旅游局 names the former body on purpose (corrected after the first run)", page=ynyw[2])
    site.expect("LK002", "attachment with a Chinese file name answers 404",
                target="/wp-content/uploads/2026/10/关于印发实施方案的通知.pdf")
    site.expect("LK003", "external page gone, linked from two articles: one finding", target=f"{X}/news/2019/1.html")
    site.expect("LK004", "theme 404 page answering 200 inside the full template", target="/2025/03/05/old-post/")
    site.expect("LK002", "25-hop redirect chain: broken (browsers stop at 20)", target="/link/jump?id=7")
    site.trap("15-hop redirect chain ending on the homepage: fine", target="/link/jump?id=3")
    site.trap("an anti-gambling news article (跨境赌博) is not illicit content", page=ynyw[4])
    site.trap("articles with a 相关文章 block, body phone number, iframe footer", pages=ynyw)
    site.add("/2025/03/05/old-post/", _head(f"未找到页面 – {NAME}", _labels()) + _top() +
             '<main class="site-main error-404"><h1 class="page-title">404 抱歉，页面未找到</h1>'
             '<p>您访问的页面不存在，可能已被删除或移动。试试搜索？</p></main>' + _footer_iframe())
    xzdt = _category(site, "xzdt", "乡镇动态", ["2026-10-20", "2026-10-08", "2026-09-25"], 10, split=True)
    site.expect("UP002", "乡镇动态 newest 10-20 written as day + 2026.10, reached through a MORE+ link",
                page="/category/xzdt/")
    tzgg = _category(site, "tzgg", "通知公告", ["2026-05-10", "2026-03-02"], 20)
    site.expect("UP003", "通知公告 newest 2026-05-10", page="/category/tzgg/")
    tpxw = _category(site, "tpxw", "图片新闻", ["2026-10-30", "2026-10-12"], 30)
    site.expect("UP002", "图片新闻 newest 2026-10-30 (23 days), homepage shows it as images", page="/category/tpxw/")
    _category(site, "ghjh", "规划计划", ["2025-06-01", "2025-03-10"], 40)
    site.expect("UP004", "规划计划 newest 2025-06-01, past one year", page="/category/ghjh/")
    bmdt = _category(site, "bmdt", "部门动态", ["2026-11-19", "2026-11-11"], 50)
    site.trap("部门动态 fresh, reached only through the site map", page="/category/bmdt/")
    site.add("/category/zcjd/", _head(f"政策解读 – {NAME}", _labels(ColumnName="政策解读", ColumnType="政策解读")) + _top() +
             '<main class="site-main"><h1 class="page-title">分类：政策解读</h1><section class="no-results">'
             '<p>抱歉，此分类下暂无文章。</p></section></main>' + _footer_iframe())
    site.expect("UP005", "政策解读 empty category", page="/category/zcjd/")
    cats = ["/category/ynyw/", "/category/ynyw/page/2/", "/category/xzdt/", "/category/tzgg/", "/category/tpxw/",
            "/category/ghjh/", "/category/bmdt/", "/category/zcjd/"]
    site.expect("MT001", "category template lacks ColumnDescription and ColumnKeywords", pages=cats)
    # single pages
    _page(site, "/xqgk/", "县情概况", "<p>柳林县1971年由离石县析置，1949年10月解放。2019年12月31日全县脱贫摘帽。</p>"
          + body_text("全县辖6镇5乡", 3) + "<p>2025年末常住人口31.6万人，地区生产总值完成186亿元。</p>")
    site.trap("县情概况 single page with historical full dates: no date, not stale", page="/xqgk/")
    _page(site, "/ldzc/", "领导之窗", "".join(f'<figure><img src="/wp-content/uploads/ld{i}.png" /><figcaption>{n}</figcaption>'
                                          "</figure>" for i, n in enumerate(("王建军 县长", "李红梅 副县长"))))
    depts = "".join(f'<li><a href="/jgsz/{i}/">{n}</a></li>' for i, n in enumerate(
        ("县发展和改革局", "县教育科技局", "县公安局", "县民政局", "县司法局", "县财政局", "县人力资源和社会保障局",
         "县自然资源局", "县住房和城乡建设管理局", "县交通运输局", "县水利局", "县农业农村局")))
    _page(site, "/jgsz/", "机构设置", f"<ul class='depts'>{depts}</ul>")
    for i in range(12):
        _page(site, f"/jgsz/{i}/", "机构设置", body_text("主要职责：负责本行业领域的政策制定和组织实施", 2))
    site.trap("机构设置: an undated list of departments is not an undated news column", page="/jgsz/")
    _page(site, "/lxwm/", "联系我们", "<p>地址：柳林县府前街1号</p><p>电话：0358-6221234</p><p>邮箱：lsxzf@163.com</p>")
    site.trap("领导之窗 / 联系我们 single pages", page="/ldzc/")
    # the iframe footer and the site map
    site.add("/footer.html", '<!DOCTYPE html><html><head><meta charset="UTF-8" /><title>页脚</title></head><body>'
             + "".join(_footer_lines()) + "</body></html>")
    site.allow("MT001", "the iframe footer fragment is not a page of its own", pages=["/footer.html"])
    site.trap("article and category pages: the footer is in an iframe (compliant)", pages=ynyw)
    sm = "".join(f'<li><a href="{u}">{n}</a></li>' for u, n in
                 [*NAV, ("/category/xzdt/", "乡镇动态"), ("/category/tpxw/", "图片新闻"), ("/category/ghjh/", "规划计划"),
                  ("/category/bmdt/", "部门动态"), ("/lxwm/", "联系我们"), ("/archives/", "文章归档")])
    _page(site, "/wzdt/", "网站地图", f"<ul class='sitemap'>{sm}</ul>", labels=_labels())
    _archives(site)
    _service(site)
    _search(site, ynyw)
    _home(site, ynyw, xzdt, tzgg, tpxw)
    site.binary["/wp-content/themes/county/style.css"] = b"body{font-family:sans-serif}\n.site-footer{color:#666}\n"
    site.binary["/wp-includes/js/jquery/jquery.min.js"] = b"/*! jQuery */\n"
    site.binary["/wp-content/themes/county/img/jiucuo.png"] = PNG
    site.binary["/wp-content/themes/county/img/blank.gif"] = PNG
    for i in range(2):
        site.binary[f"/wp-content/uploads/ld{i}.png"] = PNG
        site.binary[f"/wp-content/uploads/2026/10/tp{i}.jpg"] = PNG
    _ = bmdt
    return site


def _archives(site: Site) -> None:
    """文章归档: 3,100 links (tag-cloud anchors into the category pages), the broken one last."""
    links = "".join(f'<a href="/category/ynyw/#t{i}">标签{i}</a> ' for i in range(3100))
    _page(site, "/archives/", "文章归档", f'<div class="tagcloud">{links}</div>'
          '<p><a href="/2024/01/09/lost-post/">2024年1月工作回顾</a></p>', labels=_labels())
    site.expect("LK002", "a broken link after 3,100 others on the archive page", target="/2024/01/09/lost-post/")


def _service(site: Site) -> None:
    """政务服务 sub-system: its own footer without 网站标识码 and contact; guides lack ColumnName/ColumnType."""
    guides = []
    for i, (d, t) in enumerate((("2026-11-12", "企业开办一件事办事指南"), ("2026-11-02", "个体工商户登记办事指南"))):
        url = f"/bsfw/guide/{i + 1}.html"
        labels = _labels(ArticleTitle=t, PubDate=d, ContentSource="柳林县行政审批服务管理局")
        site.add(url, _head(f"{t}-柳林县政务服务", labels) +
                 '<body><div class="zwfw-top">柳林县政务服务</div>'
                 f'<div class="guide"><h1>{t}</h1><p>发布时间：{d}</p><table><tr><th>办理地点</th><td>县政务服务中心</td></tr>'
                 '<tr><th>办理时限</th><td>1个工作日</td></tr></table></div>' + _service_footer())
        guides.append(url)
    lis = "".join(f'<li><a href="{u}">{t}</a><span>{d}</span></li>' for u, (d, t) in
                  zip(guides, (("2026-11-12", "企业开办一件事办事指南"), ("2026-11-02", "个体工商户登记办事指南"))))
    site.add("/bsfw/", _head(f"政务服务-{NAME}", _labels(ColumnName="政务服务", ColumnDescription="政务服务",
                                                     ColumnKeywords="政务服务", ColumnType="政务服务")) +
             f'<body><div class="zwfw-top">柳林县政务服务</div><ul class="guides">{lis}</ul>' + _service_footer())
    site.expect("FT002", "政务服务 column page: no 网站标识码", pages=["/bsfw/"])
    site.expect("FT002", "政务服务 guide pages: no 网站标识码", pages=guides)
    site.expect("FT008", "政务服务 column page: no contact", pages=["/bsfw/"])
    site.expect("FT008", "政务服务 guide pages: no contact", pages=guides)
    site.expect("MT001", "政务服务 guide template lacks ColumnName and ColumnType", pages=guides)


def _search(site: Site, ynyw: list[str]) -> None:
    res = "".join(f'<article class="post"><h2><a href="{u}">{TITLES[i % len(TITLES)]}</a></h2>'
                  f'<time>2026年11月{3 - i if i < 3 else 1}日</time><p>{body_text("搜索摘要", 1)[:80]}</p></article>'
                  for i, u in enumerate(ynyw[:3]))
    site.add("/search/工作/", _head(f"“工作”的搜索结果 – {NAME}", _labels()) + _top() +
             f'<main class="site-main"><h1 class="page-title">“工作”的搜索结果</h1>{res}</main>' + _footer_iframe())
    site.trap("search result page: not an article, not a column", page="/search/工作/")


def _home(site: Site, ynyw: list[str], xzdt: list[str], tzgg: list[str], tpxw: list[str]) -> None:
    def split(d: str) -> str:
        y, m, dd = d.split("-")
        return f'<div class="date"><p>{dd}</p><p>{y}.{m}</p></div>'

    news = "".join(f'<li><a href="{u}">{TITLES[i % len(TITLES)]}</a>{split(d)}</li>' for i, (u, d) in
                   enumerate(zip(ynyw[:4], ["2026-11-03", "2026-10-28", "2026-10-21", "2026-10-15"])))
    xz = "".join(f'<li><a href="{u}">{TITLES[(10 + i) % len(TITLES)]}</a><span>{d}</span></li>'
                 for i, (u, d) in enumerate(zip(xzdt, ["2026-10-20", "2026-10-08"])))
    tz = "".join(f'<li><a href="{u}">关于开展冬春农田水利建设的通知</a><span>{d}</span></li>'
                 for u, d in zip(tzgg, ["2026-05-10", "2026-03-02"]))
    tp = "".join(f'<a href="{u}"><img class="lazy" src="/wp-content/themes/county/img/blank.gif" '
                 f'data-src="/wp-content/uploads/2026/10/tp{i}.jpg" alt="图片新闻" /></a>' for i, u in enumerate(tpxw))
    days = "".join(f'<td{" id=today" if d == 22 else ""}>{d}</td>' + ("</tr><tr>" if d % 7 == 0 else "")
                   for d in range(1, 31))
    home = (_head(NAME, _labels()) + _top() +
            '<div class="banner"><img class="lazy" src="/wp-content/themes/county/img/blank.gif" '
            'data-src="/wp-content/uploads/2026/11/banner-winter.jpg" alt="柳林冬景" /></div>'
            f'<section class="widget"><h2>县内要闻</h2><a href="/category/ynyw/">更多</a><ul>{news}</ul></section>'
            f'<section class="widget"><h2>乡镇动态</h2><a class="more" href="/category/xzdt/">MORE+</a><ul>{xz}</ul></section>'
            f'<section class="widget"><h2>通知公告</h2><a href="/category/tzgg/">更多</a><ul>{tz}</ul></section>'
            f'<section class="widget pics"><h2>图片新闻</h2><a href="/category/tpxw/">更多</a>{tp}</section>'
            '<section class="widget widget_calendar"><table id="wp-calendar"><caption>2026年11月</caption>'
            f'<tr><th>一</th><th>二</th><th>三</th><th>四</th><th>五</th><th>六</th><th>日</th></tr><tr>{days}</tr></table></section>'
            f'<section class="widget"><h2>友情链接</h2><a href="{EXT}{X}/old-bbs/">柳林论坛</a> '
            '<a href="tel:03586221234">值班电话</a> <a href="/search/工作/">热搜：工作</a> <a href="mailto:lsxzf@163.com">县长信箱</a></section>'
            '<p style="text-indent:-9999px;overflow:hidden;margin:0"><a href="http://www.xpj-casino.example/">友情链接</a></p>'
            + _footer_script())
    site.add("/index.html", home)
    site.expect("UP001", "homepage newest item 2026-11-03 (19 days); the calendar's 22 and © 2026 do not count", page="/")
    site.expect("LK001", "lazy image data-src answers 404", target="/wp-content/uploads/2026/11/banner-winter.jpg")
    site.expect("LK001", "friend link answering 410 Gone", target=f"{X}/old-bbs/")
    site.expect("SC001", "casino link pushed out by text-indent:-9999px", target="xpj-casino.example")
    site.trap("footer written by document.write: 主办 after the name, e-mail only, 公安 without 号, onclick 找错, "
              "rendered conac link", page="/")
    site.trap("tel: / mailto: links are not broken", page="/")
