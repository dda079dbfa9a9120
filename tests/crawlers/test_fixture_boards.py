"""Each spider over pages in the real formats (tests/fixtures/boards), served on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crawlers.localsite.server import LocalSite, Reply
from storage.models import CrawlRun, Post
from tests.crawlers.conftest import FIXTURES, crawl, serve_dir, source


def _posts(engine: Engine, source_id: str) -> dict[str, Post]:
    with Session(engine) as s:
        return {p.external_id: p for p in s.scalars(select(Post).where(Post.source_id == source_id))}


def test_people_liuyan_api(site: LocalSite, crawl_db, crawl_settings) -> None:
    folder = FIXTURES / "people"
    seen_params: list[dict] = []

    def api(method: str, path: str, query: str, body: bytes) -> Reply | None:
        if method != "POST":
            return None
        param = json.loads(json.loads(body)["param"])
        seen_params.append(param)
        if path == "/api/v1/threads/list/df":
            name = "list_2.json" if param["lastItem"] == "19000103" else "list_1.json"
        elif path == "/api/v1/threads/content":
            name = f"content_{param['tid']}.json"
        else:
            return None
        return Reply(200, (folder / name).read_bytes(), {"Content-Type": "application/json"})

    site.add(api)
    settings = crawl_settings(source("rmw", "people_liuyan", site.base + "/api", scoped=True,
                                     params={"fid": 5396, "page_size": 3}))
    summary = crawl(settings, "rmw")

    assert summary.status == "ok"
    assert (summary.items_new, summary.errors) == (3, {"bad_json": 1})  # content_19000102 is cut
    lists = [p for p in seen_params if "rows" in p]
    assert [p["lastItem"] for p in lists] == ["", "19000103"]
    posts = _posts(crawl_db[1], "rmw")
    answered = posts["19000105"]
    assert answered.title == "洪山路下水道堵塞污水横流"
    assert answered.board_type == "投诉/求助" and answered.board_domain == "城建"
    assert answered.board_state == "已办理"
    assert answered.published_at == datetime.fromtimestamp(1715823000, UTC)
    assert answered.reply_org == "七星关区洪山街道办事处"
    assert answered.reply_at == datetime.fromtimestamp(1716000000, UTC)
    assert answered.reply_content.startswith("网友您好：")
    assert answered.mentions == ["洪山路", "桂花路"]  # the reply is not the post
    assert answered.raw["list"]["tid"] == 19000105
    assert answered.list_state == "已办理|1716000000"  # a re-crawl compares the row with this
    assert posts["19000104"].list_state == "办理中|"
    assert posts["19000104"].board_state == "办理中" and posts["19000104"].reply_content is None
    assert posts["19000103"].board_type == "建言"


def test_gov_table_board(site: LocalSite, crawl_db, crawl_settings) -> None:
    serve_dir(site, FIXTURES / "gov_table", {
        "/12345/list.html": "list.html", "/12345/detail_31.html": "detail_31.html",
        "/12345/detail_27.html": "detail_27.html"})
    settings = crawl_settings(source("qxg12345", "gov_board", site.base + "/12345/list.html",
                                     scoped=True, params={"layout": "table"}))
    summary = crawl(settings, "qxg12345")

    assert (summary.status, summary.items_new, summary.errors) == ("ok", 2, {})
    posts = _posts(crawl_db[1], "qxg12345")
    market = posts["QXG2024051800031"]
    assert market.title == "三板桥农贸市场周边占道经营严重"
    assert market.content == "三板桥农贸市场门口每天早上摊贩占道，车辆无法通行。\n希望城管部门加强管理。"
    assert market.board_unit == "区城管局" and market.board_state == "已办结"
    # 2024-05-18 09:12:40 in Asia/Shanghai
    assert market.published_at == datetime(2024, 5, 18, 1, 12, 40, tzinfo=UTC)
    assert market.reply_org == "毕节市七星关区城市综合执法大队"
    assert market.reply_at == datetime(2024, 5, 20, 8, 30, tzinfo=UTC)
    assert market.reply_content.endswith("感谢您的监督。")
    water = posts["QXG2024051700027"]
    assert water.board_state == "办理中" and water.reply_content is None and water.reply_at is None


def test_gov_list_board_drops_other_places(site: LocalSite, crawl_db, crawl_settings) -> None:
    folder = FIXTURES / "gov_wz"
    site.static("/wz/index", (folder / "index.html").read_bytes())
    site.static("/wz/detail?id=8", (folder / "detail_8.html").read_bytes())
    site.static("/wz/detail?id=5", (folder / "detail_5.html").read_bytes())
    settings = crawl_settings(source("bjwz", "gov_board", site.base + "/wz/index",
                                     params={"layout": "list"}))
    summary = crawl(settings, "bjwz")

    # the 云岩区 post only names a generic department (区住建局): not ours
    assert (summary.items_new, summary.items_dropped) == (1, {"irrelevant": 1})
    post = _posts(crawl_db[1], "bjwz")["WZ240519008"]
    assert post.board_unit == "区交通运输局" and post.board_state == "已回复"
    assert post.reply_org == "毕节市七星关区交通运输局"
    assert post.reply_at == datetime(2024, 5, 21, 3, 0, tzinfo=UTC)
    assert post.content.splitlines()[1] == "能否在德溪大道增设站点？"
    assert {"德溪新区", "德溪大道"} <= set(post.mentions)
    with Session(crawl_db[1]) as s:
        run = s.scalars(select(CrawlRun)).one()
    assert run.items_dropped == {"irrelevant": 1} and run.status.value == "ok"


def test_gbk_discuz_with_only_a_meta_charset(site: LocalSite, crawl_db, crawl_settings) -> None:
    folder = FIXTURES / "discuz_gbk"
    # "text/html" without a charset: the <meta> must decide, and GBK reads as GB18030
    serve_dir(site, folder, {
        "/bbs/forumdisplay.php?fid=2&page=1": "forumdisplay_fid2_page1.html",
        "/bbs/viewthread.php?tid=1025&extra=page%3D1": "viewthread_1025.html",
        "/bbs/viewthread.php?tid=1024&extra=page%3D1": "viewthread_1024.html",
    }, content_type="text/html")
    settings = crawl_settings(source("bjlt", "discuz",
                                     site.base + "/bbs/forumdisplay.php?fid=2&page=1"))
    summary = crawl(settings, "bjlt")

    assert summary.items_new == 1
    assert summary.items_dropped == {"irrelevant": 1}  # the second-hand bike
    # the sticky rules thread and page 2 are not served here
    assert summary.errors == {"http_404": 2}
    post = _posts(crawl_db[1], "bjlt")["1025"]
    assert post.title == "燕子口镇大河村的路什么时候修？"
    assert post.content.splitlines() == [
        "燕子口镇大河村到镇上的路坑坑洼洼，下雨天根本走不了。",
        "去年就说要修，到现在也没动静，孩子上学太难了。",
        "希望镇政府给个说法。",
    ]
    assert post.author == "老杨头" and post.replies == 12
    assert post.published_at == datetime(2024, 5, 18, 11, 42, tzinfo=UTC)
    assert post.raw["generator"] == "Discuz! 7.2"
    assert {"燕子口镇", "大河村"} <= set(post.mentions)
