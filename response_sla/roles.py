"""The role a mention plays in a post: where the matter happened, or something incidental.

Only the place where the matter happened makes a 乡镇 / 街道 the 属地 unit, and only the matter
makes a department 谁主管. A place can also appear as

- where people were taken (``taken_to``: "伤者被送往区人民医院");
- where the poster lives or works (``home``: "我家住在麻园社区", "在朱昌工业园上班",
  "本人在区人民医院上班", "我是田坎乡的") — a 乡镇 / 街道 so named is the place of the matter only when the
  post gives no other place; a department's hospital or school so named is never a party;
- where people come from (``origin``: "来自海子街镇和燕子口镇的农民工", "户口从鸭池镇迁过来");
- an end of a road or of a bus or taxi ride (``endpoint``: "通往石桥村的路",
  "燕子口镇到城区的班车", "坐出租车去麻园社区", "去田坎乡的公路", "跑去德溪新区的渣土车",
  "在火车站出站打出租车");
- an office the poster went to (``visited``: "到洪山派出所报案");
- a landmark that only says where something else is (``landmark``: "人民医院旁边的工地",
  "离梨树镇中心小学不到两百米") — it still places the matter in its 乡镇 / 街道, but does not
  make the school's or hospital's department competent;

and a unit can be merely quoted (``quoted``: "据区气象局通报", "区网信办已经辟谣",
"教育局的人说这不归他们管", "说是教育局管", "去人社局问过") or named as the one someone else refers the matter
to ("这个归环保局管"). A unit the
post asks to act ("建议交通部门增设红绿灯") is ``asked``: the strongest sign of who is competent
(谁主管). Everything else is ``matter``. The rules read a few characters around the mention.
"""

from __future__ import annotations

import re

MATTER = "matter"
TAKEN_TO = "taken_to"
HOME = "home"
ORIGIN = "origin"
ENDPOINT = "endpoint"
VISITED = "visited"
LANDMARK = "landmark"
QUOTED = "quoted"
ASKED = "asked"

LOCAL = "local"  # a name or place of a 乡镇 / 街道
DEPARTMENT_NAME = "department_name"
DEPARTMENT_PLACE = "department_place"  # a school, hospital, river … a department runs
TERM = "term"  # a matter of a department's 派单目录

_TAKEN_TO = re.compile(
    r"((送|拉|抬|转|运|转运|转送|送医|就医)(往|到|至|去|进|入)|转院|送医|住进|就医于|被送"
    r"|(者|人|员|孩子|学生)送)$"
)
# "送往区人民医院": the hospital's own name stands between the verb and 医院
_TAKEN_TO_NAMED = re.compile(r"(送|拉|抬|转|运)(往|到|至|进|入)[^，。,.；;\s]{1,8}$")
# treated there: "在区人民医院抢救无效"
_TREATED_AFTER = re.compile(r"^(抢救|救治|接受治疗|住院治疗|治疗中|急救|救治中|收治|收了)")
_HOME_BEFORE = re.compile(
    r"(家住|住在|我住|居住在|居住于|老家在|老家是|老家|租住在|租住|家在|我家是|我是|本人是|我们是)$"
)
_ORIGIN_BEFORE = re.compile(r"(来自|户籍在|户籍是|籍贯)$")
_ORIGIN_AFTER = re.compile(r"^(搬到|搬来|搬迁到|迁到|迁来|迁过来|迁出|迁走|嫁到)")
# a department's hospital or school as the poster's workplace ("我在区人民医院上班")
_WORKPLACE_AFTER = re.compile(r"^(上班|工作(?!人员|组|队|专班)|打工|当(医生|护士|老师|保安))")
_HOME_AFTER = re.compile(
    r"^(上班|工作(?!人员|组|队|专班)|打工|务工|上学|(的一名|的一位|的)?(居民|住户|业主|村民)(?!楼|区))"
)
_TOWARD = re.compile(r"(通往|开往|去往|驶往|通向|直达|前往)$")
# "去田坎的路", "跑去德溪新区的渣土车", "增开到德溪新区的公交": a road or a vehicle going to
# the place (a road 从…到… lies in both places; a bus line's ends are no place of the matter)
_GOING_BEFORE = re.compile(r"(去|往)$")
_TO_BEFORE = re.compile(r"(到|至)$")
_ROAD_AFTER_PLACE = re.compile(r"^(乡|镇|街道)?的[^，。,.；;！？\s]{0,3}?(公路|路(?![灯面口]))")
_VEHICLE_AFTER_PLACE = re.compile(
    r"^(乡|镇|街道)?的[^，。,.；;！？\s]{0,3}?(车(?!库|位)|公交|班车|线路|专线)"
)
# a taxi taken at a place ("在火车站出站打出租车", "在麻园社区叫了辆出租车")
_PICKUP_AFTER = re.compile(
    r"^(出站|门口)?((打|叫|拦|坐|上)(了|了辆|了一辆|个|辆|一辆)?(车|出租车|的士|网约车))"
)
_RIDE = re.compile(r"出租车|的士|网约车|打车|叫车")
# a service between two places: its ends are not where the matter is
_LINE = re.compile(r"班车|公交|客运|线路|专线|大巴|车次|出租车|网约车|打车|的士")
_ROAD_AFTER = re.compile(r"^(的那段路|那段路|的路段|的路上|的路|的公路)")
_VISITED_AFTER = re.compile(
    r"^(报案|报警|投诉|咨询|办理|求助|上访|办事|办(身份证|户口|证|手续|业务)|反映(过|了))"
)
_LANDMARK_BEFORE = re.compile(r"(离|距离|距)$")
_LANDMARK_AFTER = re.compile(r"^(旁边|旁|附近|门口|对面|周边|周围|边上|后面|隔壁|不远)")
_QUOTED_BEFORE = re.compile(r"(据|根据|转发|看到)$")
_QUOTED_AFTER = re.compile(
    r"^(的?通报称|通报说|的?官网|的?官微|的?公众号|消息称|的消息|已?经?辟谣|(已经|已)(公布|声明|通报)"
    r"|的人(说|讲|回复|答复)|(又|却|就|只|也)?(回复|答复)?(说(?!好|过要|了要)|称))"
)
# a unit a matter is referred to by someone else ("环保局的人说这个归城管管"): a quoted referral
_REFERRED_BEFORE = re.compile(r"(归|推给|转给|让找|说是|说归|说由)$")
# a department the poster went to ask ("去人社局问了他们说…"): quoted, no party
_ASKED_AT_AFTER = re.compile(r"^(问过|问了|咨询过|咨询了|打听)")
_ASKED_BEFORE = re.compile(r"(建议|希望|请求|恳请|呼吁|要求|请|麻烦)(由|让)?(区|县)?$")


def role(text: str, start: int, term: str, of: str) -> str:
    """The role of the mention ``term`` found at ``start`` of ``text``; ``of`` says what the
    term stands for: ``LOCAL``, ``DEPARTMENT_NAME``, ``DEPARTMENT_PLACE`` or ``TERM``."""
    end = start + len(term)
    before = text[max(0, start - 6) : start]
    after = text[end : end + 8]
    if (
        _TAKEN_TO.search(before)
        or _TAKEN_TO_NAMED.search(text[max(0, start - 12) : start])
        or (of != TERM and _TREATED_AFTER.search(after))
    ):
        return TAKEN_TO
    if of == DEPARTMENT_NAME:
        if _ASKED_BEFORE.search(before):
            return ASKED
        if (
            _QUOTED_BEFORE.search(before)
            or _ASKED_AT_AFTER.search(after)
            or _QUOTED_AFTER.search(after)
            or _REFERRED_BEFORE.search(before)
        ):
            return QUOTED
        return MATTER
    if of != LOCAL and (_LANDMARK_BEFORE.search(before) or _LANDMARK_AFTER.search(after)):
        return LANDMARK
    if _TOWARD.search(before) or after.startswith("方向"):
        return ENDPOINT
    if of == LOCAL and (
        (_GOING_BEFORE.search(before) and _ROAD_AFTER_PLACE.search(after))
        or ((_GOING_BEFORE.search(before) or _TO_BEFORE.search(before))
            and _VEHICLE_AFTER_PLACE.search(after))
    ):
        return ENDPOINT
    if of != LOCAL and before.endswith(("到", "至")) and _ROAD_AFTER.search(after):
        return ENDPOINT  # 到学校的路: a road between two villages lies in both, one to a school not
    if of == TERM:
        return MATTER
    if of == LOCAL and (
        _PICKUP_AFTER.search(after)
        or (before.endswith(("到", "去", "往")) and _RIDE.search(text))
    ):
        return ENDPOINT
    if (
        before.endswith(("从", "到", "至", "往", "经", "去"))
        or after.startswith(("到", "至", "经", "直达", "—", "-"))
    ) and _LINE.search(text[max(0, start - 8) : end + 20]):
        return ENDPOINT
    if of == DEPARTMENT_PLACE:
        return HOME if _WORKPLACE_AFTER.search(after) else MATTER
    if _ORIGIN_BEFORE.search(before) or _ORIGIN_AFTER.search(after):
        return ORIGIN
    if (
        _HOME_BEFORE.search(before) and not before.endswith(("我是", "本人是", "我们是"))
    ) or _HOME_AFTER.search(after):
        return HOME
    if before.endswith(("我是", "本人是", "我们是")) and re.match(r"(乡|镇|街道)?的", after):
        return HOME  # 我是田坎乡的贫困户
        return HOME
    if _VISITED_AFTER.search(after):
        return VISITED
    return MATTER
