"""Template chrome of the synthetic portal's pages: styles, scripts, navigation, footer.

The same on every page, as on a real TRS-published portal; together they make an
article page weigh 60-100 KB around 2-6 KB of text.
"""

from __future__ import annotations

import random

from testing.synthetic_text import headline

_MATRIX = (
    ("http://sjb.dzwww.com/", "山东手机报"),
    ("https://hb.dzwww.com/", "海报新闻"),
    ("http://www.dzwww.com/weixin/", "大众网官方微信"),
    ("https://weibo.com/dzwww", "大众网官方微博"),
    ("https://www.douyin.com/user/dzwww", "抖音"),
    ("https://mp.peopleapp.com/", "人民号"),
    ("http://dmpt.dzwww.com/", "全国党媒平台"),
    ("https://www.yangshipin.cn/", "央视频"),
    ("https://baijiahao.baidu.com/", "百家号"),
    ("https://www.kuaishou.com/", "快手"),
    ("https://www.toutiao.com/", "头条号"),
    ("https://www.bilibili.com/", "哔哩哔哩"),
)
_NAV = (
    ("http://www.dzwww.com/", "首页"),
    ("http://www.dzwww.com/news/yw/", "要闻"),
    ("http://sd.dzwww.com/", "山东"),
    ("http://www.dzwww.com/xinwen/", "新闻"),
    ("http://finance.dzwww.com/", "财经"),
    ("http://edu.dzwww.com/", "教育"),
    ("http://health.dzwww.com/", "健康"),
    ("http://travel.dzwww.com/", "文旅"),
    ("http://sports.dzwww.com/", "体育"),
    ("http://v.dzwww.com/", "视频"),
    ("http://paper.dzwww.com/", "数字报"),
    ("http://www.sd.gov.cn/", "山东省政府"),
)
_SUBNAV = (
    "即时新闻", "国内新闻", "国际新闻", "社会新闻", "评论", "图片", "专题", "法治",
    "科技", "汽车", "房产", "健康", "文旅", "体育", "娱乐", "教育", "公益", "理论",
)  # fmt: skip
SIDE_BOXES = ("热点排行", "图片新闻", "专题推荐", "山东各市", "视频", "评论", "网站地图")


def stylesheet() -> str:
    rng = random.Random("stylesheet")
    blocks = ("top", "nav", "news", "side", "list", "foot", "hot", "pic", "zt", "city", "video")
    parts = ("wrap", "title", "item", "link", "more", "box", "tab", "con", "txt", "img", "time")
    props = (
        "margin: 0 auto", "padding: 0 10px", "font-size: 14px", "line-height: 26px",
        "color: #333", "color: #c00", "background: #f5f5f5", "border-bottom: 1px solid #e5e5e5",
        "overflow: hidden", "float: left", "float: right", "display: block", "text-align: center",
        "white-space: nowrap", "text-overflow: ellipsis", "position: relative", "width: 1200px",
    )  # fmt: skip
    rules = [
        'body { margin: 0; font-family: "Microsoft YaHei", "PingFang SC", sans-serif; }',
        "#news-head h2 { font-size: 30px; line-height: 44px; color: #222; }",
        "#news-side { float: left; width: 120px; color: #888; }",
        "#news-side .date { font-size: 26px; color: #c00; }",
        "#news-body { float: right; width: 700px; font-size: 18px; line-height: 34px; }",
        "#news-body img { max-width: 660px; }",
        ".matrix ul { display: none; position: absolute; }",
        ".matrix:hover ul { display: block; }",
    ]
    for block in blocks:
        for part in parts:
            chosen = "; ".join(rng.sample(props, 3))
            rules.append(f".{block}-{part}, .{block} .{part} a:hover {{ {chosen}; }}")
    return "\n  ".join(rules)


_TRACKER_JS = """
  var _hmt = _hmt || [];
  (function () {
    var hm = document.createElement("script");
    hm.src = "https://hm.baidu.com/hm.js?5f4c2bd3a1e4e1a9f5e7c4a0a29b4d61";
    var s = document.getElementsByTagName("script")[0];
    s.parentNode.insertBefore(hm, s);
  })();
"""

_WIDGET_JS = """
  (function (w, d) {
    var dz = w.dz = w.dz || {};
    dz.cookie = function (k, v, days) {
      if (v === undefined) {
        var m = d.cookie.match(new RegExp("(?:^|; )" + k + "=([^;]*)"));
        return m ? decodeURIComponent(m[1]) : null;
      }
      var e = new Date(); e.setTime(e.getTime() + (days || 30) * 864e5);
      d.cookie = k + "=" + encodeURIComponent(v) + "; expires=" + e.toUTCString() + "; path=/";
    };
    dz.tab = function (box) {
      var tabs = box.querySelectorAll(".tab span"), cons = box.querySelectorAll(".con");
      for (var i = 0; i < tabs.length; i++) {
        (function (n) {
          tabs[n].onmouseover = function () {
            for (var j = 0; j < tabs.length; j++) {
              tabs[j].className = ""; cons[j].style.display = "none";
            }
            tabs[n].className = "on"; cons[n].style.display = "block";
          };
        })(i);
      }
    };
    dz.share = function (site) {
      var url = encodeURIComponent(location.href), title = encodeURIComponent(d.title);
      var targets = {
        weibo: "https://service.weibo.com/share/share.php?url=" + url + "&title=" + title,
        qzone: "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?url=" + url,
        douban: "https://www.douban.com/share/service?href=" + url + "&name=" + title
      };
      if (targets[site]) { w.open(targets[site], "_blank", "width=620,height=450"); }
      return false;
    };
    dz.lazy = function () {
      var imgs = d.querySelectorAll("img[data-src]");
      var h = w.innerHeight || d.documentElement.clientHeight;
      for (var i = 0; i < imgs.length; i++) {
        var r = imgs[i].getBoundingClientRect();
        if (r.top < h + 200) {
          imgs[i].src = imgs[i].getAttribute("data-src");
          imgs[i].removeAttribute("data-src");
        }
      }
    };
    w.addEventListener && w.addEventListener("scroll", dz.lazy);
  })(window, document);
"""

PAGER_JS = """
// TRS 分页（dzwww 公共分页脚本）
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var nCurrIndex = _nCurrIndex || 0;
  if (nCurrIndex == 0) {
    document.write("<a class=\\"on\\">1</a>");
  } else {
    document.write("<a class=\\"text\\" href=\\"" + (nCurrIndex - 1 == 0 ? _sPageName : _sPageName + "_" + (nCurrIndex - 1)) + "." + _sPageExt + "\\">上一页</a>");
    document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">1</a>");
  }
  for (var i = 1; i < _nPageCount; i++) {
    if (i % 10 == 0) { document.write("<br/><br/>"); }
    if (nCurrIndex == i) {
      document.write("<a class=\\"on\\">" + (i + 1) + "</a>");
    } else {
      document.write("<a href=\\"" + _sPageName + "_" + i + "." + _sPageExt + "\\">" + (i + 1) + "</a>");
    }
  }
  if (nCurrIndex < _nPageCount - 1) {
    document.write("<a class=\\"text\\" href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>");
  }
}
"""  # noqa: E501


def hot_data_js(rng: random.Random, first_id: int) -> str:
    """The data of the 热点 box script: 48 fake headlines numbered from ``first_id``."""
    rows = []
    for n in range(48):
        title = headline(rng).replace('"', "")
        rows.append(
            f'{{"id": {first_id + n}, "title": "{title}", '
            f'"url": "http://www.dzwww.com/xinwen/jishixinwen/{n:03d}.htm", '
            f'"pv": {rng.randrange(1000, 99999)}}}'
        )
    return "  var dzHotData = [\n    " + ",\n    ".join(rows) + "\n  ];\n"


def top_and_nav() -> str:
    matrix = "\n".join(
        f'          <li><a href="{u}" target="_blank">{t}</a></li>' for u, t in _MATRIX
    )
    nav = "\n".join(f'    <a href="{u}" target="_blank">{t}</a>' for u, t in _NAV)
    subnav = "\n".join(
        f'    <a href="http://www.dzwww.com/xinwen/{i:02d}/" target="_blank">{t}</a>'
        for i, t in enumerate(_SUBNAV)
    )
    return f"""<!-- 顶部导航 开始 -->
<div id="top">
  <div class="top-wrap">
    <div class="logo"><a href="http://www.dzwww.com/" target="_blank"><img src="//www.dzwww.com/tpl/v2019/images/logo.png" alt="大众网"></a></div>
    <div class="top-links">
      <a class="search" href="http://search.dzwww.com/" target="_blank">搜索</a>
      <a class="hbxw" href="https://hb.dzwww.com/" target="_blank">海报新闻</a>
      <div class="matrix">
        <span class="matrix-title">融媒体矩阵</span>
        <ul class="matrix-list">
{matrix}
        </ul>
      </div>
    </div>
  </div>
</div>
<div id="nav">
  <div class="nav-wrap">
{nav}
  </div>
  <div class="subnav-wrap">
{subnav}
  </div>
</div>
<!-- 顶部导航 结束 -->
"""  # noqa: E501


FOOTER = """<!-- 底部 开始 -->
<div id="footer">
  <div class="footer-links">
    <a href="http://www.dzwww.com/about/" target="_blank">关于我们</a> |
    <a href="http://www.dzwww.com/about/lxwm.htm" target="_blank">联系我们</a> |
    <a href="http://www.dzwww.com/about/ggfw/" target="_blank">广告服务</a> |
    <a href="http://www.dzwww.com/about/bqsm.htm" target="_blank">版权声明</a> |
    <a href="http://www.dzwww.com/about/wzdt/" target="_blank">网站地图</a>
  </div>
  <p>大众报业集团主办　大众网版权所有　未经授权禁止复制或建立镜像</p>
  <p><a href="https://beian.miit.gov.cn/" target="_blank">鲁ICP备09023866号</a>　互联网新闻信息服务许可证：37120170001　<a href="http://www.beian.gov.cn/" target="_blank">鲁公网安备 37010202000111号</a></p>
  <p>违法和不良信息举报电话：0531-85193543　举报邮箱：jubao@dzwww.com</p>
</div>
<!-- 底部 结束 -->
<script type="text/javascript" src="//www.dzwww.com/tpl/v2019/js/share.js"></script>
<script type="text/javascript">
  $(function () {
    $(".matrix").hover(function () { $(this).find("ul").show(); }, function () { $(this).find("ul").hide(); });
    $(".hyh").on("click", function () { /* 换一换：由接口随机返回相关稿件 */ return false; });
    $(".side-box").each(function () { dz.tab(this); });
  });
</script>
</body>
</html>
"""  # noqa: E501


def page_head(title: str, meta: str, extra_js: str, style: str, hot_js: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
{meta}<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="shortcut icon" href="http://www.dzwww.com/favicon.ico">
<link rel="stylesheet" type="text/css" href="//www.dzwww.com/tpl/v2019/css/common.css">
<link rel="stylesheet" type="text/css" href="//www.dzwww.com/tpl/v2019/css/article.css">
<style type="text/css">
  {style}
</style>
<script type="text/javascript" src="//www.dzwww.com/tpl/v2019/js/jquery-1.12.4.min.js"></script>
<script type="text/javascript">{_TRACKER_JS}</script>
<script type="text/javascript">{_WIDGET_JS}{hot_js}</script>
{extra_js}</head>
<body>
"""
