"""Boards in the real formats, rendered from a list of posts that tests may change between
crawls (a reply arrives, a state changes)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, quote

from crawlers.localsite.server import Reply
from crawlers.text import SHANGHAI


@dataclass
class BoardPost:
    id: int
    title: str
    content: str
    published: datetime  # aware
    author: str = "网友"
    unit: str = ""  # 处理部门
    state: str = "待回复"
    type_name: str = "投诉/求助"
    domain: str = "城建"
    reply_org: str = ""
    reply_at: datetime | None = None
    reply_content: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def _local(dt: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return dt.astimezone(SHANGHAI).strftime(fmt)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _paras(text: str) -> str:
    return "<br />\n".join(_esc(line) for line in text.splitlines())


def _page(title: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" '
            f'content="text/html; charset={charset}" /><title>{_esc(title)}</title>'
            f'<script>var _hmt = [];</script></head>\n<body>\n<div class="header">'
            f'<a href="/">首页</a> | <a href="#">网站导航</a></div>\n{body}\n'
            f'<div class="footer">版权所有 ©</div></body></html>')


def _html(text: str, charset: str = "utf-8", header: bool = True) -> Reply:
    ctype = f"text/html; charset={charset}" if header else "text/html"
    return Reply(200, text.encode("gb18030" if charset.lower() in ("gbk", "gb2312") else charset),
                 {"Content-Type": ctype})


class Board:
    prefix = ""
    page_size = 10

    def __init__(self, posts: list[BoardPost], prefix: str = "", page_size: int | None = None):
        self.posts = posts
        self.prefix = prefix or self.prefix
        if page_size:
            self.page_size = page_size

    def newest_first(self) -> list[BoardPost]:
        return sorted(self.posts, key=lambda p: (p.published, p.id), reverse=True)

    def pages(self) -> int:
        return max(1, -(-len(self.posts) // self.page_size))

    def page(self, n: int) -> list[BoardPost]:
        return self.newest_first()[(n - 1) * self.page_size: n * self.page_size]

    def find(self, post_id: str) -> BoardPost | None:
        return next((p for p in self.posts if str(p.id) == post_id), None)

    def __call__(self, method: str, path: str, query: str, body: bytes) -> Reply | None:
        if not path.startswith(self.prefix):
            return None
        return self.route(method, path[len(self.prefix):], parse_qs(query), body)

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes
              ) -> Reply | None:
        raise NotImplementedError


class PeopleBoard(Board):
    """人民网 领导留言板 APIs: POST /v1/threads/list/df and /v1/threads/content."""

    prefix = "/people"

    def __init__(self, posts: list[BoardPost], fid: int, prefix: str = "",
                 page_size: int | None = None, forum_name: str = "七星关区委书记"):
        super().__init__(posts, prefix, page_size)
        self.fid = fid
        self.forum_name = forum_name

    def row(self, p: BoardPost) -> dict[str, object]:
        return {"tid": p.id, "fid": self.fid, "forumName": self.forum_name,
                "subject": p.title, "typeName": p.type_name, "domainName": p.domain,
                "stateInfo": p.state, "createDateline": int(p.published.timestamp()),
                "dateline": int(p.published.timestamp()), "favNum": int(str(p.extra.get("fav", 0))),
                "nickName": p.author, "answerId": 1 if p.reply_content else 0,
                "lastAnswerTime": int(p.reply_at.timestamp()) if p.reply_at else None}

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes
              ) -> Reply | None:
        if method != "POST":
            return None
        try:
            param = json.loads(json.loads(body)["param"])
        except (ValueError, KeyError, TypeError):
            return Reply(400, b'{"resultCode":400,"resultMsg":"bad request"}',
                         {"Content-Type": "application/json"})
        if path == "/v1/threads/list/df":
            rows = sorted(self.posts, key=lambda p: p.id, reverse=True)
            last = str(param.get("lastItem") or "")
            if last:
                rows = [p for p in rows if p.id < int(last)]
            size = int(param.get("rows") or 10)
            data = [self.row(p) for p in rows[:size]]
            payload: dict[str, object] = {"resultCode": 200, "resultMsg": "success",
                                          "resultData": {"data": data}}
        elif path == "/v1/threads/content":
            p = self.find(str(param.get("tid")))
            if p is None:
                payload = {"resultCode": 404, "resultMsg": "帖子不存在", "resultData": None}
            else:
                header = {"tid": p.id, "subject": p.title, "forumName": self.forum_name}
                reply = ({"content": p.reply_content, "dateline": int(p.reply_at.timestamp()),
                          "organization": p.reply_org, "answerId": 1}
                         if p.reply_content and p.reply_at else {})
                thread = {"tid": p.id, "content": p.content, "nickName": p.author,
                          "stateInfo": p.state, "tags": [p.domain], "organization": ""}
                payload = {"resultCode": 200, "resultMsg": "success",
                           "resultData": {"contentList": [header, reply, thread]}}
        else:
            return None
        return Reply(200, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                     {"Content-Type": "application/json;charset=UTF-8"})


class GovTableBoard(Board):
    """A 12345 热线 board: list.html, list_2.html, … and detail_ID.html, in tables."""

    prefix = "/gov/table"

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes
              ) -> Reply | None:
        if path in ("/list.html", "/") or path.startswith("/list_"):
            n = 1 if path in ("/list.html", "/") else int(path[6:].split(".")[0])
            return _html(self.list_page(n))
        if path.startswith("/detail_"):
            p = self.find(path[8:].split(".")[0])
            return _html(self.detail(p)) if p else None
        return None

    def list_page(self, n: int) -> str:
        rows = "\n".join(
            f'<tr><td>QXG{p.id:08d}</td><td class="title"><a href="detail_{p.id}.html" '
            f'target="_blank" title="{_esc(p.title)}">{_esc(p.title)}</a></td>'
            f'<td>{_esc(p.unit)}</td><td>{_local(p.published, "%Y-%m-%d")}</td>'
            f'<td><span class="zt">{_esc(p.state)}</span></td></tr>'
            for p in self.page(n))
        nxt = (f'<a href="list_{n + 1}.html">下一页</a>' if n < self.pages() else
               '<span class="disabled">下一页</span>')
        prev = f'<a href="{"list.html" if n == 2 else f"list_{n - 1}.html"}">上一页</a>' \
            if n > 1 else ""
        body = (f'<div class="main"><h2>群众来信</h2><table class="list-table" width="100%">'
                f'<tr class="head"><th>编号</th><th>标题</th><th>处理部门</th><th>来信时间</th>'
                f'<th>状态</th></tr>\n{rows}\n</table><div class="page">{prev} '
                f'<span>第{n}页/共{self.pages()}页</span> {nxt}</div></div>')
        return _page("七星关区12345政务服务便民热线", body)

    def detail(self, p: BoardPost) -> str:
        reply = ""
        if p.reply_content and p.reply_at:
            reply = (f'<h3>办理结果</h3><table class="reply-table"><tr><th>回复单位</th>'
                     f'<td>{_esc(p.reply_org)}</td></tr><tr><th>回复时间</th>'
                     f'<td>{_local(p.reply_at)}</td></tr><tr><th>回复内容</th>'
                     f'<td>{_paras(p.reply_content)}</td></tr></table>')
        body = (f'<div class="main"><table class="detail-table"><tr><th>编号</th>'
                f'<td>QXG{p.id:08d}</td></tr><tr><th>标题</th><td>{_esc(p.title)}</td></tr>'
                f'<tr><th>来信人</th><td>{_esc(p.author)}</td></tr><tr><th>来信时间</th>'
                f'<td>{_local(p.published)}</td></tr><tr><th>处理部门</th>'
                f'<td>{_esc(p.unit)}</td></tr><tr><th>办理状态</th><td>{_esc(p.state)}</td></tr>'
                f'<tr><th>来信内容</th><td class="content">{_paras(p.content)}</td></tr>'
                f'</table>{reply}</div>')
        return _page(p.title, body)


class GovListBoard(Board):
    """A 问政 board: /index?page=N and /detail?id=ID, in <ul>/<div> markup."""

    prefix = "/gov/wz"

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes
              ) -> Reply | None:
        if path in ("/index", "/"):
            return _html(self.list_page(int(query.get("page", ["1"])[0])))
        if path == "/detail":
            p = self.find(query.get("id", [""])[0])
            return _html(self.detail(p)) if p else None
        return None

    def list_page(self, n: int) -> str:
        items = "\n".join(
            f'<li><span class="wz-no">编号：WZ{p.id}</span><a class="wz-title" '
            f'href="detail?id={p.id}">{_esc(p.title)}</a><span class="wz-dept">处理部门：'
            f'{_esc(p.unit)}</span><span class="wz-time">{_local(p.published)}</span>'
            f'<span class="wz-state">{_esc(p.state)}</span></li>' for p in self.page(n))
        nxt = f'<a class="next" href="index?page={n + 1}">下一页</a>' if n < self.pages() else ""
        return _page("毕节问政", f'<div class="wz"><ul class="wz-list">\n{items}\n</ul>'
                     f'<div class="pager"><em>{n}</em>{nxt}</div></div>')

    def detail(self, p: BoardPost) -> str:
        reply = ""
        if p.reply_content and p.reply_at:
            reply = (f'<div class="wz-reply"><p class="reply-org">回复单位：{_esc(p.reply_org)}'
                     f'</p><p class="reply-time">回复时间：{_local(p.reply_at)}</p>'
                     f'<div class="reply-text"><p>{_paras(p.reply_content)}</p></div></div>')
        return _page(p.title, f'<div class="wz-detail"><h2>{_esc(p.title)}</h2><div class="meta">'
                     f'<span class="wz-dept">处理部门：{_esc(p.unit)}</span>'
                     f'<span class="wz-time">提问时间：{_local(p.published)}</span>'
                     f'<span class="wz-state">状态：{_esc(p.state)}</span></div>'
                     f'<div class="wz-content"><p>{_paras(p.content)}</p></div>{reply}</div>')


class DiscuzBoard(Board):
    """Discuz! X3 (forum-F-N.html, thread-T-1-1.html) or 7.x (forumdisplay.php?fid=F&page=N,
    viewthread.php?tid=T), in UTF-8 or GBK; ``meta_only`` leaves the charset out of the
    Content-Type header."""

    prefix = "/discuz"
    page_size = 20

    def __init__(self, posts: list[BoardPost], fid: int = 2, prefix: str = "",
                 page_size: int | None = None, version: str = "x3", charset: str = "utf-8",
                 meta_only: bool = False):
        super().__init__(posts, prefix, page_size)
        self.fid, self.version, self.charset, self.meta_only = fid, version, charset, meta_only

    def _reply(self, text: str) -> Reply:
        return _html(text, self.charset, header=not self.meta_only)

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes
              ) -> Reply | None:
        if self.version == "x3":
            if path.startswith(f"/forum-{self.fid}-"):
                return self._reply(self.list_x3(int(path.split("-")[2].split(".")[0])))
            if path.startswith("/thread-"):
                p = self.find(path.split("-")[1])
                return self._reply(self.thread_x3(p)) if p else None
        else:
            if path == "/forumdisplay.php":
                return self._reply(self.list_7(int(query.get("page", ["1"])[0])))
            if path == "/viewthread.php":
                p = self.find(query.get("tid", [""])[0])
                return self._reply(self.thread_7(p)) if p else None
        return None

    def list_x3(self, n: int) -> str:
        rows = "\n".join(
            f'<tbody id="normalthread_{p.id}"><tr><td class="icn"><a href="thread-{p.id}-1-1.html">'
            f'<img src="static/image/common/folder_common.gif" /></a></td><th class="common">'
            f'<a href="thread-{p.id}-1-1.html" onclick="atarget(this)" class="s xst">'
            f'{_esc(p.title)}</a></th><td class="by"><cite><a href="space-uid-{p.id % 97}.html" '
            f'c="1">{_esc(p.author)}</a></cite><em><span>{_local(p.published, "%Y-%m-%d")}'
            f'</span></em></td><td class="num"><a href="thread-{p.id}-1-1.html" class="xi2">'
            f'{p.extra.get("replies", 0)}</a><em>{p.extra.get("views", 10)}</em></td>'
            f'<td class="by"><cite><a href="#">{_esc(p.author)}</a></cite><em><a href="#">'
            f'{_local(p.published)}</a></em></td></tr></tbody>' for p in self.page(n))
        nxt = (f'<a href="forum-{self.fid}-{n + 1}.html" class="nxt">下一页</a>'
               if n < self.pages() else "")
        body = (f'<div id="pt" class="bm cl"><a href="forum.php">论坛</a></div>'
                f'<div id="threadlist" class="tl bm bmw"><table summary="forum_{self.fid}" '
                f'cellspacing="0" cellpadding="0" id="threadlisttableid">\n{rows}\n</table></div>'
                f'<div class="pg"><strong>{n}</strong>{nxt}</div>')
        return _page("七星关版 - 毕节论坛", body, self.charset)

    def thread_x3(self, p: BoardPost) -> str:
        body = (f'<div id="postlist" class="pl bm"><table cellspacing="0" cellpadding="0">'
                f'<tr><td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">'
                f'{_esc(p.title)}</span></h1></td></tr></table><div id="post_{p.id * 10}">'
                f'<table id="pid{p.id * 10}" class="plhin"><tr><td class="pls"><div class="pi">'
                f'<div class="authi"><a href="space-uid-1.html" class="xw1">{_esc(p.author)}</a>'
                f'</div></div></td><td class="plc"><div class="pi"><div class="pti">'
                f'<div class="authi"><em id="authorposton{p.id * 10}">发表于 '
                f'{_local(p.published, "%Y-%m-%d %H:%M:%S")}</em></div></div></div>'
                f'<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" '
                f'cellpadding="0"><tr><td class="t_f" id="postmessage_{p.id * 10}">'
                f'{_paras(p.content)}</td></tr></table></div></div></div></td></tr></table></div>'
                f'</div>')
        return _page(f"{p.title} - 七星关版", body, self.charset)

    def list_7(self, n: int) -> str:
        rows = "\n".join(
            f'<tbody id="normalthread_{p.id}"><tr><td class="folder"><a href="viewthread.php?'
            f'tid={p.id}" target="_blank"><img src="images/default/folder_common.gif" /></a></td>'
            f'<th class="subject common"><span id="thread_{p.id}"><a href="viewthread.php?'
            f'tid={p.id}&amp;extra=page%3D{n}">{_esc(p.title)}</a></span></th>'
            f'<td class="author"><cite><a href="space.php?uid={p.id % 97}">{_esc(p.author)}</a>'
            f'</cite><em>{_local(p.published, "%Y-%m-%d")}</em></td><td class="nums"><strong>'
            f'{p.extra.get("replies", 0)}</strong> / <em>{p.extra.get("views", 10)}</em></td>'
            f'<td class="lastpost"><em><a href="#">{_local(p.published)}</a></em></td></tr>'
            f'</tbody>' for p in self.page(n))
        nxt = (f'<a href="forumdisplay.php?fid={self.fid}&amp;page={n + 1}" class="next">下一页'
               f'</a>' if n < self.pages() else "")
        body = (f'<div class="mainbox threadlist"><table summary="forum_{self.fid}" '
                f'id="forum_{self.fid}" cellspacing="0" cellpadding="0">\n{rows}\n</table></div>'
                f'<div class="pages"><strong>{n}</strong>{nxt}</div>')
        return _page("七星关版 - 毕节论坛 - Powered by Discuz!", body, self.charset)

    def thread_7(self, p: BoardPost) -> str:
        body = (f'<div id="threadtitle"><h1>{_esc(p.title)}</h1></div><div class="mainbox '
                f'viewthread"><div id="post_{p.id * 10}"><table id="pid{p.id * 10}" '
                f'summary="pid{p.id * 10}" cellspacing="0" cellpadding="0"><tr>'
                f'<td class="postauthor"><div class="postinfo"><a target="_blank" '
                f'href="space.php?uid=1">{_esc(p.author)}</a></div></td><td class="postcontent">'
                f'<div class="postinfo"><strong>楼主</strong><em id="authorposton{p.id * 10}">'
                f'发表于 {_local(p.published)}</em></div><div class="defaultpost">'
                f'<div class="t_msgfontfix"><table cellspacing="0" cellpadding="0"><tr>'
                f'<td class="t_msgfont" id="postmessage_{p.id * 10}">{_paras(p.content)}</td>'
                f'</tr></table></div></div></td></tr></table></div></div>')
        return _page(f"{p.title} - 七星关版", body, self.charset)


class TiebaBoard(Board):
    """百度贴吧: /f?kw=NAME&pn=N (thread list inside a <code> comment) and /p/TID."""

    prefix = "/tieba"
    page_size = 50

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes
              ) -> Reply | None:
        if path == "/f":
            kw = query.get("kw", [""])[0]
            pn = int(query.get("pn", ["0"])[0])
            return _html(self.list_page(kw, pn))
        if path.startswith("/p/"):
            p = self.find(path[3:])
            return _html(self.thread(p)) if p else None
        return None

    def list_page(self, kw: str, pn: int) -> str:
        n = pn // self.page_size + 1
        items = []
        for p in self.page(n):
            field = json.dumps({"id": p.id, "author_name": p.author, "reply_num":
                                p.extra.get("replies", 0), "is_top": None})
            items.append(
                f'<li class=" j_thread_list clearfix thread_item_box" data-field=\'{_esc(field)}\''
                f' data-tid=\'{p.id}\'><div class="t_con cleafix"><div class="col2_right">'
                f'<div class="threadlist_title pull_left j_th_tit"><a rel="noopener" '
                f'href="{self.prefix}/p/{p.id}" title="{_esc(p.title)}" target="_blank" class="j_th_tit ">'
                f'{_esc(p.title)}</a></div><span class="pull-right is_show_create_time" '
                f'title="创建时间">{_local(p.published, "%Y-%m-%d")}</span><div class="threadlist_abs'
                f' threadlist_abs_onlyline ">{_esc(p.content[:60])}</div></div></div></li>')
        q = quote(kw)
        nxt = (f'<a href="//tieba.baidu.com/f?kw={q}&ie=utf-8&pn={pn + self.page_size}" '
               f'class="next pagination-item " >下一页&gt;</a>' if n < self.pages() else "")
        inner = (f'<ul id="thread_list" class="threadlist_bright j_threadlist_bright">'
                 f'{"".join(items)}</ul><div class="thread_list_bottom clearfix"><div id="frs_list_pager"'
                 f' class="pagination-default clearfix"><span class="pagination-current '
                 f'pagination-item ">{n}</span>{nxt}</div></div>')
        body = (f'<div id="content"></div><code class="pagelet_html" '
                f'id="pagelet_html_frs-list/pagelet/thread_list" style="display:none;"><!--\n'
                f'{inner}\n--></code><script>Bigpipe.register("frs-list/pagelet/thread_list", '
                f'{{}});</script>')
        return _page(f"{kw}吧-百度贴吧", body)

    def thread(self, p: BoardPost) -> str:
        field = json.dumps({"author": {"user_name": p.author}, "content": {
            "post_id": p.id * 10, "thread_id": p.id, "post_no": 1}})
        body = (f'<div class="core_title_wrap_bright"><h3 class="core_title_txt pull-left '
                f'text-overflow  " title="{_esc(p.title)}">{_esc(p.title)}</h3></div>'
                f'<div class="p_postlist" id="j_p_postlist"><div class="l_post l_post_bright '
                f'j_l_post clearfix  " data-field=\'{_esc(field)}\'><div class="d_post_content_main">'
                f'<div class="p_content"><cc><div id="post_content_{p.id * 10}" class="d_post_content'
                f' j_d_post_content ">{_paras(p.content)}</div></cc></div><div class="core_reply '
                f'j_lzl_wrapper"><div class="post-tail-wrap"><span class="tail-info">1楼</span>'
                f'<span class="tail-info">{_local(p.published)}</span></div></div></div></div></div>')
        return _page(f"{p.title}_百度贴吧", body)
