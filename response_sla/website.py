"""Whether a post reports an error of the government's own website (我为政府网站找错).

Such reports are owed a reply within 2 working days (seed 000: "在2个工作日内对转办的投诉问题
进行处理、整改和回复"), a window only they get (``condition = "website_error"`` in the
policy). A report names the government website, or a page or column of it, together with
what is wrong with it.
"""

from __future__ import annotations

import re

_PLATFORM = "我为政府网站找错"
_SITE = re.compile(r"政府(门户)?网站|政务(服务)?网|政府官网|门户网站|政务公开栏目|网站栏目")
_FAULT = re.compile(
    r"打不开|无法(访问|打开|登录|下载)|404|链接(失效|错误|打不开)|错别字|错字|内容错误|"
    r"信息(错误|有误|过时)|长期未更新|不更新|没有更新|显示(错误|异常)|乱码|报错|空白页|死链|"
    r"网页错误|网站找错"
)


def is_website_error_report(title: str, content: str) -> bool:
    text = f"{title}\n{content}"
    if _PLATFORM in text:
        return True
    return bool(_SITE.search(text) and _FAULT.search(text))
