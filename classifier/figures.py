"""Casualty, loss, crowd and hazard figures as people write them.

A figure is a number tied to a verb that says what happened to the people it counts:
"3名工人死亡", "死亡人数上升到14人", "撞死了11个人", "3死5伤的车祸", "转移群众1.2万人". The verb
decides the kind; any verb of killing counts (撞死, 压死, 淹死, 烧死, 砸死, 炸死 …), so a death is
read whether or not the post names an emergency.

What the verb says about the injured follows the 条例 (第三条 counts 重伤, acute industrial
poisoning included): 重伤 / 伤势较重 / 危重 are ``seriously_injured``; 轻伤 / 轻微伤 / 擦伤 are
``light_injured`` and never reach the injury thresholds; a plain 受伤 / 砸伤 is ``injured`` — not
qualified, so it counts, leaning up — unless its sentence says the injuries were light
("均为轻伤") or splits them ("其中2人重伤"). 伤亡 / 死伤 without a split is ``casualties``:
graded as injured, with the reading as deaths kept as a candidate.

A figure is ``negated`` when the text denies it ("28名乘客均未受伤", "无一人伤亡"); it is kept
(the duty officer sees what was denied) but never graded. "被困的6人已全部获救" is a trapped
figure that is ``rescued``: the incident happened, the people are safe.

People tell a figure over several clauses and sentences; the ``note`` of a figure says how it
was read:

- ``其余``: the remainder as stated ("已有8人升井，其余15人仍被困"), or, without a count, the
  people counted before less those rescued, escaped or found dead ("车上38人，已找到遗体19具，
  其余人员正在搜救"); it is not reduced by the rescued again;
- ``又``: deaths told in addition ("今天又挖出来6具", "另有3人遇难"), which add to the toll;
- ``一半``: a share of the count before ("车上四十多个人…死了一半");
- ``许多``: many without a number ("死了好多人", "一车人都没了"), read as a few and checked.

A count and its verb may sit in different clauses. A verb in a clause that names nobody, only
when or how, takes the count that closes the clause before ("工地上十一个工人，昨晚全没了",
"里面有十几个人在吃饭，到现在还没挖出来", "三十多名乘客，坠崖后无一生还"); a verb without a
count takes the one the next clause tells ("死了人，听说有十几个", "人都压在底下，少说也有三十个");
those a verb tells of may be counted after it ("伤的有三十几个", "困在巷道里的还有十三个");
survivors counted leave the rest of the count dead ("车上二十几个人，最后活下来的只有三个").
People trapped are told with 压 / 埋 / 困 around them ("压了十多个人在下面", "底下还压着人",
"埋进去十几个人"); the rest of a count still down with no verb but where they are ("剩下三十几个
兄弟还在下面", in a post of an accident), and people counted in a building or vehicle a few
clauses before "现在还压在里面" unless those clauses say they got out. A count that owns what follows is no victim ("压了三百多个工人的工资",
"十几个工人的工资都没了").

A toll told again replaces the one before when it is higher ("死亡人数从7人上升到12人", "刚开始
说死了两个，现在已经增加到11个了"); counts joined by 和 add up ("3个大人和5个小孩都死了"); one
count before an illness and then a death is of the dead ("3人中毒死亡"); cases counted in 例 are
the ill ("8例手足口病", "新增15例").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final

from classifier.alternation import trie_pattern
from classifier.clauses import Parts
from classifier.lexicon_severity import HYPERBOLE_DEATH_RE
from classifier.numbers import MANY_RE, NUMERAL, VAGUE_COUNT, normalize, parse_number

FIGURE_KINDS: Final = (
    "deaths",
    "missing",
    "trapped",
    "rescued",  # people brought out alive: "已救出5人"
    "seriously_injured",
    "injured",  # 受伤 without saying how badly
    "light_injured",
    "casualties",  # 伤亡 / 死伤 without a split
    "sick",  # poisoned / ill: 中毒, 发热, 病例
    "evacuated",
    "endangered",  # people said to be threatened: "威胁坡下600多名群众"
    "crowd",
    "loss_yuan",
    "magnitude",
    "burned_ha",  # forest burned, in 公顷 (15 亩 to the 公顷)
    "affected",  # people or households hit without harm to their bodies: 断电, 受灾
)


@dataclass(frozen=True, slots=True)
class Figure:
    kind: str
    value: float
    approximate: bool
    span: str
    start: int = -1  # offset of the matched span in the text
    negated: bool = False
    rescued: bool = False  # a trapped figure whose people were brought out
    note: str = ""  # why the kind was changed ("均为轻伤" …)


# people counted by the number: a classifier or a group noun right after it
_PEOPLE: Final = (
    r"人员|群众|村民(?!小?组)|居民(?!小?组)|学生|工人|矿工|乘客|游客|幼儿(?!园)|儿童|孩子|小孩|娃娃|娃儿|娃|老人|同胞|师生|员工|"
    r"业主|家长|宾客|顾客|病人|患者|患儿|职工|农民工|队员|投资人|行人|路人|渔民|司机|初中生|小学生|中学生|"
    r"女生|男生|小朋友|少年|幼童|孩童|学童|宝宝|细娃儿|细娃|伢|老太太|老太婆|老太|老大爷|老奶奶|老爷爷|"
    r"老汉|老头|老年人|年轻人|大人|成年人|男人|女人|小伙子|姑娘|青年|老师|教师|医生|护士|民警|保安|"
    r"打工的|打工仔|干活的|上班的|出租车司机|货车司机|网约车司机|兄弟|弟兄|亲戚朋友|亲戚|亲友|朋友|老乡|市民|"
    r"婴儿|妇女|男子|女子|村民们|工友|家属|商户|商贩|民工|消防员|救援人员|施工人员|作业人员|"
    r"师傅|扑火队员|消防队员|护林员|战士|官兵|搬运工|装卸工|环卫工|骑手|外卖员|快递员|同事|同学|邻居|室友|"
    r"婆娘|大姐|大嫂|阿姨|嬢嬢|孃孃|大妈|大爷|大叔|小媳妇|媳妇|驴友|登山者|徒步者|人"
)
_TRADE_PEOPLE: Final = r"司机|工人|工友|师傅|员工|职工|游客|乘客|业主|村民|矿工|农民工|民工"
# 个 counts people only before a person word, before 都 / 全 / 均 / 已 ("三个都死了"), or at the
# end of a phrase ("死了十来个，"): "多个水渠", "一个月" are no figures
_WHO: Final = (
    rf"(?:名|位|口|具|例|户|号人|个(?=(?:{_PEOPLE})|[都全均已还被在没当就也]|走了|活的|活着|"
    # a trade or a place before the person word: "三百来个货车司机", "十几个建筑工人"
    rf"(?![月天年次回遍下把只条头匹辆小])[\u4e00-\u9fff]{{1,2}}(?:{_TRADE_PEOPLE})|"
    # "十来个打游戏的没跑出来", "三个骑车的被撞": people named by what they were doing
    rf"[\u4e00-\u9fff]{{1,4}}的(?=[没都全被在也还当]|\Z)|"
    rf"到现在|至今|到目前|[^\u4e00-\u9fff]|了(?:[^\u4e00-\u9fff]|$)|$)|人(?!民|家|们的)"
    rf"|号?(?:{_PEOPLE})"  # "几百号村民"
    # a vehicle or a household full of people carries its own noun: "一车都没了", "全家都中毒了"
    r"|(?:(?<=全家)|(?<=一家子)|(?<=一车)|(?<=一船)|(?<=一屋))(?=[都全均已还被在没当就也]))"
)
# gaps stay inside one clause and never step over another number ("9人死亡62人受伤")
# ("在龙场营镇一工地门口": 一 before anything but a classifier of people is "a", not a number)
_GAP: Final = (
    r"(?:第[\d一二两三四五六七八九十]|一(?![名个位人口具例户号\d一二两三四五六七八九十])"
    r"|(?![\d一二两三四五六七八九十])[^，,。！!？?；;：:\n]){0,18}?"
)
_SHORT_GAP: Final = r"(?:(?!\d)[^，,。！!？?；;：:、\n]){0,4}?"

_VERBS: Final = {
    "deaths": (
        "死亡|遇难|身亡|罹难|丧生|遇害|病亡|溺亡|殒命|致死|不幸去世|死了|遗体|尸体|遗骸|遇难者|死者|"
        "撞死|压死|淹死|烧死|砸死|炸死|毒死|摔死|电死|踩死|挤死|打死|砍死|捅死|杀死|闷死|冻死|轧死|"
        "中毒身亡|没救过来|没抢救过来|抢救无效|没气了|都没了|全死了|都死了|没得气|没有气了|断气了|牺牲|"
        "都走了|全走了|不行了|没命了|人没了|就没了|已经没了|当场没了|也没了|没了气|没活下来|没能活下来|"
        "没有活下来|死掉了|死的人|没有呼吸了|没了呼吸|没有生命体征|没了生命体征|失去生命体征|没有心跳了|"
        # right after a count only ("有九个没了"), and more of them later ("半夜又走了五个")
        "没了|又走了|又没了|走了|没挺过来|没熬过来|没撑过来|没扛过来|没能挺过来|没有挺过来|没抢救过来了|"
        "全没了|全都没了|没救回来|没有救回来|没能救回来|没救活|没抢救回来|"
        # nobody of a count told before lived: "车上三十多名乘客，坠崖后无一生还"
        "无一生还|无人生还|无一幸免|没一个活下来|没有一个活下来|没一个活着|"
        # the dead or the hurt told as "those who…": "死的有十来个", "伤的有三十几个"
        "死的"
    ),
    "missing": (
        "失踪|失联|下落不明|被冲走|冲走|被卷走|没找到|没有找到|找不到|没有联系上|没联系上|联系不上|未联系上|"
        "找不着|没找着|找不见"
    ),
    "trapped": (
        "被困|被埋|被埋压|被掩埋|受困|困在|埋在|被压|埋了|被压在|没上来|没跑出来|没逃出来|困住|压到|压住|"
        "没撤出来|未撤离|没能撤离|困了|困着|埋着|被困住|没出来|没能出来|没有出来|压在|"
        # 压 / 埋 / 困 around the people: "压了十多个人在下面", "底下还压着人", "埋进去十几个人"
        "压着|压了|埋住|埋进去|埋进了|埋到|压进去|"
        # not yet brought out: "到现在还没挖出来"
        "没挖出来|没有挖出来|没刨出来|没救出来|没有救出来|没弄出来|没拉出来|没抬出来"
    ),
    "rescued": (
        "获救|救出|被救出|救起|脱险|升井|拉出来|挖出来|抬出来|刨出来|营救|解救|救上来|拉上来|救了出来|"
        "抢救出来|捞起来|捞上来|打捞上来|"
        # "井下十四个人，到现在只上来了两个": those out of a pit or a shaft
        "只上来了|才上来了|只上来|才上来|升上来|"
        # survivors counted: "最后活下来的只有三个" leaves the rest of the count dead
        "活下来|活了下来|生还|幸存"
    ),
    "seriously_injured": (
        "重伤|受重伤|伤势严重|伤势较重|伤得很重|危重|病危|生命垂危|重度烧伤|严重烧伤|急性中毒|急性苯中毒|"
        "有生命危险|命悬一线|还在抢救|仍在抢救|正在抢救|伤得比较重|伤得较重|伤得重|伤势比较重|伤得很严重|"
        "伤得比较严重"
    ),
    "light_injured": "轻伤|受轻伤|轻微伤|擦伤|皮外伤|轻微受伤|受了轻伤",
    "injured": (
        "受伤|烧伤|砸伤|咬伤|摔伤|撞伤|负伤|伤者|伤员|被打伤|被刺伤|被砍伤|打伤|刺伤|砍伤|炸伤|割伤|踩伤|"
        "挤伤|伤了|受了伤|压伤|烫伤|砍倒|伤的"
    ),
    "casualties": "伤亡|死伤|撞死撞伤|死的死伤的伤",
    "sick": (
        "中毒|食物中毒|呕吐|腹泻|拉肚子|上吐下泻|发热|发烧|感染|确诊|患病|腹痛|不适|症状|送医|住院|"
        "病例|病倒|发病|吃坏|头晕|抽搐|就吐|吐了|又吐又拉|不舒服|得了|患上|染上|出水痘|出了水痘|肚子痛|"
        "肚子疼|就诊|都遭了|"
        # the ill are told by where they were taken: "130多个学生送到了县医院"
        "送到医院|送到了医院|送到县医院|送到了县医院|送进医院|送进了医院|进了医院|住进医院|住进去|"
        # told from the hospital: "医院的朋友说送来了一百零几个", "洗胃"
        "送来了|送过来|洗胃|打吊针|输液|"
        # gas breathed in: "二十几个人吸了毒气", "吸入了氨气"
        "吸了毒气|吸入毒气|吸入了毒气|吸入|吸入了|吸了氨气|吸进|"
        # a case count names its disease: "8例手足口病", "水痘患儿27例", "发现肺鼠疫病例6例"
        "患儿|手足口病|手足口|水痘|麻疹|腮腺炎|猩红热|痢疾|伤寒|霍乱|鼠疫|炭疽|流感|诺如|肺结核|结核病|"
        "肝炎|疟疾|登革热|红眼病"
    ),
    "evacuated": "疏散|转移|撤离|转移安置|安置|搬迁|跑出来|逃出来|撤出来|搬离|撤出|搬走|撤走|搬出来|搬了出来|"
    # moved out of a threatened place, in plain words: "七百多个人都要搬", "已经在搬了"
    "要搬|都要搬|在搬|开始搬|搬到安置点",
    "endangered": "有危险|受到威胁|受威胁|危及|威胁到|威胁着|威胁",
    "crowd": (
        "聚集|围堵|堵路|堵塞|围攻|冲击|集结|静坐|拉横幅|打砸|上访|围住|堵在|围了|讨薪|堵死|"
        "讨要|讨不到|维权|讨说法|请愿|示威|游行|抗议|堵住|堵了|封堵|拦住|围在|围得|聚了|围起|堵得|集体反映|"
        # what a crowd does, told right after its head count: "一千多人冲进镇政府", "两三百号人
        # 拉着横幅到省道上", "上千名工人聚在工业园门口"
        "冲进|闯进|聚在|拉着横幅|举着横幅|举着牌子|喊口号|打横幅|"
        # people called together: "家属叫了一百多号人来", "纠集了三十多人"
        "叫了|叫来|喊了|喊来|召集了|纠集了|纠集|上街|走上街头|"
        "拿不到工钱|拿不到工资|要不到工钱|要不到工资|领不到工资|"
        # a sit-in: "几百号村民坐到镇政府大院里不走了"
        "不肯走|不肯离开|赖着不走|不走了|"
        # people at a gate: "两百多名职工围着厂区大门", "员工拦在厂门口"
        "围着|堵着|拦在|拦着|"
        # people who came, estimated a clause later: "几个村的人全部来了，就在区政府门口的广场上，
        # 我估计最少五六千人"
        "全部来了|全都来了|都来了|"
        # in dialect a road is 堵起: "两百多个农民工把省道堵起了"
        "堵起|"
        # people flocking somewhere, sitting down on a road or in a courtyard, at a government's
        # gate, or watching a clash that turns on the officers: "投资人涌到广场", "坐在国道上",
        # "到区政府门口，估计有一千五百人", "围观的一百五十多个人越来越激动"
        "涌到|涌进|涌向|涌入|聚到|坐在国道上|坐在省道上|坐在公路上|坐在马路上|坐在路上|坐到|"
        "政府门口|政府大门|政府院坝|政府大院|局门口|局大门|围观"
    ),
    "affected": "受灾|断电|停电|停水|受损|房屋倒塌|房屋受损|无家可归",
}
_NOUN_AFTER_VERB: Final = r"(?:人员|群众|村民|居民|学生|工人|矿工|乘客|人数|者|的)?"

# Figures are found from their verbs: a plain-word scan finds the verbs (few per post), then a
# short window before the verb ("3名工人|死亡") or the text after it ("死亡|9人") is parsed.
_VERB_KIND: Final = {verb: kind for kind, verbs in _VERBS.items() for verb in verbs.split("|")}
_VERB_ALT: Final = trie_pattern(_VERB_KIND)
_VERB_RE: Final = re.compile(_VERB_ALT)
# kinds of figure that make an incident with no emergency word beside them
STANDALONE_KINDS: Final = frozenset(
    {
        "deaths",
        "missing",
        "trapped",
        "rescued",
        "seriously_injured",
        "injured",
        "light_injured",
        "casualties",
        "crowd",
    }
)


def standalone_verbs() -> list[str]:
    """The verbs of the figures that count without an emergency word (the ill count after a
    meal: food poisoning is often told without the word)."""
    return [verb for verb, kind in _VERB_KIND.items() if kind in STANDALONE_KINDS | {"sick"}]


# "3名工人死亡", "130多名学生出现呕吐": number, person word, short gap, then the verb
_FORWARD_RE: Final = re.compile(rf"(?P<num>{NUMERAL})(?P<who>{_WHO}){_GAP}\Z")
_FORWARD_WINDOW: Final = 38
# "死亡9人", "失联人员达37人", "死亡人数已升至十人", "撞死了11个人", "转移群众1.2万人"; a toll
# that rose is read at its end: "死亡人数从7人上升到12人", "遇难人数由9人升至14人"
_ROSE_FROM: Final = (
    rf"(?:从|由)[^，,。！!？?；;\d]{{0,6}}?{NUMERAL}(?:人|名|个|例)?"
    r"(?:(?:上升|增加|攀升|升|增|涨)(?:到|至|为)|变成了?|变为)"
)
_BACKWARD_RE: Final = re.compile(
    rf"{_NOUN_AFTER_VERB}(?:已|已经)?(?:{_ROSE_FROM}|上升到|上升至|升至|增至|达到|达|为|了|约|共|近)?"
    rf"{_SHORT_GAP}(?P<num>{NUMERAL})(?:{_WHO})(?!{_VERB_ALT})"
)
# people moved or threatened are often counted after a place: "威胁到下方三个组126户530人",
# "危及下游3个村2000余人"; the count of people wins over the count of households before it
_BACKWARD_PEOPLE_RE: Final = re.compile(
    rf"{_NOUN_AFTER_VERB}(?:[^，,。！!？?；;：:\n]{{0,12}}?)(?P<num>{NUMERAL})(?P<unit>户|名|人|位|口|号人)"
)
_PEOPLE_AFTER_HOUSEHOLDS_RE: Final = re.compile(rf"(?P<num>{NUMERAL})(?:人|名|口|位)")
# after a verb of killing or wounding, 个 counts people whatever follows: "压死了一个骑车的大姐"
_BACKWARD_KILLED_RE: Final = re.compile(
    rf"了?{_SHORT_GAP}(?P<num>{NUMERAL})个(?![月天年次回遍下把只条头匹辆])"
)
_KILLING_VERB_RE: Final = re.compile(
    r"[撞压淹烧砸炸毒摔电踩挤打砍捅杀闷冻轧]死|[砸砍刺烧炸打撞踩]伤|撞死撞伤"
)
# a denial right before the verb or the number: "均未受伤", "无一人伤亡", "没有人员被困"
_NEGATED_BEFORE_VERB: Final = re.compile(r"(?:未|没有?|无|不曾|并无|并未)(?:人员|人|一人)?\Z")
_NEGATED_BEFORE_NUM: Final = re.compile(r"(?:无|没有?|未|零|并无)\Z")
# "6死", "1死3伤", "3死5伤的消息", "一死两伤的车祸", "6死多伤". A Chinese count of deaths alone
# must end the phrase ("九死一生", "一死了之" are no figures); "万一死了" is no figure either.
_DEATH_INJURY_RE: Final = re.compile(
    r"(?<![\d一二两三四五六七八九十百千万亿])"
    r"(?P<d>\d+|[一二两俩三四五六七八九十]{1,3})死"
    r"(?:(?P<i>\d+|[一二两三四五六七八九十百]{1,4}[余多]?|多)伤)?"
)
_DEATHS_ALONE_END: Final = re.compile(r"[，,。、；;！!？?\s的事]|$")
# "直接经济损失约2000万元", "损失达8000余万元", "损失上亿": a 元 may be left out after 万 / 亿
# "损失，初步估算就有六千多万元": the figure may open the next clause; "一个多亿", "两个亿": 个
# before 亿 counts hundreds of millions
_LOSS_RE: Final = re.compile(
    rf"损失[，,]?{_GAP}(?:(?P<num>{NUMERAL})(?:元|(?<=[万亿])|(?<=[万亿][余多]))"
    r"|(?P<yi>[一二两俩三四五六七八九几])个(?P<yi_more>多|半)?亿)"
)
_YI: Final = 100_000_000.0
# "5.3级地震", "里氏5.6级", "M4.5级", "说是4.1级": a magnitude needs an earthquake in its sentence
_MAGNITUDE_RE: Final = re.compile(
    r"(?<![\d.抗防点])(?P<num>\d(?:\.\d)?|[一二三四五六七八九])\s*级(?![风大台浪以])"
)
_QUAKE_RE: Final = re.compile(r"地震|余震|震级|震感|震中|震源|震了")
# "震级5.0", "震级为4.6"
_MAGNITUDE_AFTER_RE: Final = re.compile(r"震级(?:为|达|约)?\s*(?P<num>\d(?:\.\d)?)(?![\d.])")
# "六点一级": a magnitude written in characters
_CN_MAGNITUDE_RE: Final = re.compile(
    r"(?P<i>[一二三四五六七八九])点(?P<f>[零一二三四五六七八九])\s*级(?![风大台浪以])"
)
_CN_DIGIT: Final = {c: i for i, c in enumerate("零一二三四五六七八九")}
# "过火面积两千多亩", "烧了三十来亩林子", "受害森林面积120公顷"; the unit binds the count to the
# area wherever the clause puts it: "烧掉的林地刚好15亩", "过火面积听林业局的人讲已经有两万多亩"
_AREA_GAP: Final = r"(?:(?!\d)[^，,。！!？?；;：:、\n]){0,14}?"
_AREA_RE: Final = re.compile(
    rf"(?:过火面积|受害森林面积|受害面积|过火|烧了|烧毁|烧掉)(?:约|达|近|超过)?{_AREA_GAP}"
    rf"(?P<num>{NUMERAL})(?P<unit>亩|公顷)"
)
_MU_PER_HA: Final = 15.0

# What a sentence says about the injured as a whole
_ALL_LIGHT_RE: Final = re.compile(
    r"(?:均|都|全|全部|均系|都是)(?:为|是|系|受)?(?:轻伤|轻微伤|擦伤|皮外伤)"
)
_MOSTLY_LIGHT_RE: Final = re.compile(
    r"(?:轻伤为主|大部分(?:为|是)?轻伤|大多(?:为|是)?轻伤|多为轻伤|多数(?:为|是)?轻伤)"
)
# Rescue words tell that the trapped came out; followed by a count they tell how many did
# ("已救出5人"), which the grading subtracts.
_RESCUE_RE: Final = re.compile(
    r"获救|救出|脱险|升井|救起|救下|转移到安全|转移至安全|全部转移|安全转移|安全撤离|全部撤离|拉出来|挖出来|"
    r"抬出来|刨出来|营救|解救"
)
# a rescue word denied: "一个都还没挖出来", "到现在没救出来", "尚未救出"
# a few "还在抢救" tell how the worst are, not that the rest were hurt lightly: no split
_STILL_TREATED_RE: Final = re.compile(r"抢救|有生命危险|命悬一线|生命垂危")
_NOT_YET_RE: Final = re.compile(r"(?:没有?|未|尚未|仍未|还没有?|都没有?|都还没有?|也没有?|也还没)\Z")
_COUNT_AFTER_RE: Final = re.compile(rf"了?{_SHORT_GAP}(?:{NUMERAL})(?:{_WHO})")
# what makes people ill or hurt, then kills them, in one breath: the count is of the dead
_LEADS_TO_DEATH: Final = frozenset({"sick", "injured", "seriously_injured", "trapped"})
_DEATH_AFTER_RE: Final = re.compile(r"(?:[^，,。！!？?；;\d]{0,4}?)(?:后|而|致|导致)?")
_PATIENT_NOUN_RE: Final = re.compile(r"病人|患者|患儿|孕产妇|孕妇|新生儿|病例|症")
# "牺牲休息时间" gives up time, no life
_SACRIFICE_RE: Final = re.compile(
    r"了?(?:休息|时间|周末|假期|节假日|个人|自己|利益|午休|睡眠|健康|家庭|青春)"
)
_SACRIFICED_FOR_RE: Final = re.compile(
    r"[^，,。！!？?；;]{0,16}?(?:的)?(?:健康|利益|幸福|安宁|为代价|换取|换来)"
)
# a grade or a weekday is no head count: "初三教师", "周六学生"
_MOUTHFUL_BEFORE_RE: Final = re.compile(r"[吃喝咬尝吸抽]了?\Z")
_NOT_A_COUNT_BEFORE: Final = frozenset("初高周第")
_ALL_WORDS_RE: Final = re.compile(r"全部|全都|均已|都已|均|都")
# a toll told again, in a clause of its own: "刚开始说死了两个，现在已经增加到11个了"
_TOLL_UPDATE_RE: Final = re.compile(
    rf"(?:(?:上升|增加|攀升|增长|升|增|涨)(?:到了|到|至|为|成)|变成了?|变为)(?:现在的|目前的)?"
    rf"(?P<num>{NUMERAL})(?:人|名|个|具|例)"
)
_ESCAPED_RE: Final = re.compile(r"跑出来|逃出来|爬出来|撤出来")
_REMAINDER_NO_COUNT_RE: Final = re.compile(
    r"(?:其余|其他|其它|剩下|剩余)的?(?:人员|人|乘客|矿工|工人|学生|村民|游客)?(?:仍|还|都|均|仍然){0,2}(?:在|处于)?"
    r"(?:正在|正|仍在)?"
    r"(?P<verb>搜寻中|搜救中|搜寻|搜救|下落不明|失联|失踪|没找到|未找到|没有联系上|没联系上|联系不上|"
    r"被困|困在|困着|埋在|埋着|压着|没出来|在下面|在井下|在底下|在里面|没上来)"
)
# a clause that is only a count, led by a word of time or of telling again
_RESTATED_RE: Final = re.compile(
    rf"(?<=[，,。；;！!？?\n])(?P<lead>[^，,。；;！!？?\n\d]{{0,10}}?)(?P<num>{NUMERAL})(?:人|名|个|具)了?"
    r"(?=[，,。；;！!？?\n]|$)"
)
_RESTATED_LEAD_RE: Final = re.compile(
    r"后来|现在|目前|最新|截至|到现在|如今|又|再|已经|已|一开始|开始|统计|一共|总共|累计|加起来|算下来"
)
_MORE_FOUND_RE: Final = re.compile(r"又(?:找到|发现|挖出|捞出|捞起|捞上|搜救出|搜寻到|抬出|有)")
_TOLL_UPDATE_REACH: Final = 40  # characters back to the figure the update is about
_TOLL_KINDS: Final = frozenset(
    {"deaths", "missing", "trapped", "injured", "seriously_injured", "sick"}
)
# a case count without its verb: "新增15例", "累计报告31例" (手术 and 次 count no one ill)
_NOT_CASES_BEFORE_RE: Final = re.compile(
    r"手术|接生|分娩|治愈|出院|康复|检测|筛查|接种|体检|新生儿"
)
_CASES_RE: Final = re.compile(rf"(?P<num>{NUMERAL})例\Z")
_NOT_CASES_AFTER_RE: Final = re.compile(r"手术|次|[\u4e00-\u9fff]{0,4}手术")
_CASE_WINDOW: Final = 16
# missing people found again: no incident ("失联的8名矿工已全部联系上")
_FOUND_RE: Final = re.compile(r"(?:全部|均已|都已|已经|已)(?:联系上|找到|平安|安全返回|回家)")
# a verb of death for "all of them" takes its count from the clause before:
# "三个村民…晕倒在里面，全部没救过来", "捞上来9个人，都没了"
_ALL_OF_RE: Final = re.compile(r"(?:全部|全都|都|全|均)(?:已|已经|为|是|系|受)?\Z")
# "没一个活下来", "无一生还": the dead are all of the count told before
_NONE_LIVED: Final = frozenset(
    {"无一生还", "无人生还", "无一幸免", "没一个活下来", "没有一个活下来", "没一个活着"}
)
_ALL_OF_KINDS: Final = frozenset(
    {"deaths", "trapped", "seriously_injured", "injured", "light_injured", "sick"}
)
_COUNT_RE: Final = re.compile(rf"(?P<num>{NUMERAL})(?:{_WHO})")
_COUNT_AND_RE: Final = re.compile(
    rf"(?P<num>{NUMERAL})(?:{_WHO})(?:{_PEOPLE})?(?:和|与|跟|、|以及|加上)\Z"
)
_AND_COUNT_RE: Final = re.compile(
    rf"(?:{_PEOPLE})?(?:和|与|跟|、|以及|加上)(?P<num>{NUMERAL})(?:{_WHO})(?:{_PEOPLE})?"
)
# "到现在一个也没上来", "7个人一个都没跑出来": nobody came out, so all of the count before did not
_NONE_OF_RE: Final = re.compile(r"一(?:个|人|名)(?:人)?(?:都|也)(?:还)?\Z")
_NONE_RESCUED_RE: Final = re.compile(r"一(?:个|人|名)(?:人)?(?:都|也)(?:还)?(?:没有?|未能?|没能)\Z")
# "车上四十多个人…死了一半": a share of the count before
_SHARE_AFTER_RE: Final = re.compile(r"了?(?:一半|一大半|大半|多一半|一多半|过半|大部分)")
_SHARE_BEFORE_RE: Final = re.compile(
    r"(?:一半|一大半|大半|多一半|一多半|过半|大部分)(?:的人)?(?:都|已经|已)?\Z"
)
_SHARE: Final = 0.5
_SHARE_KINDS: Final = frozenset({"deaths", "missing", "trapped", "seriously_injured", "injured"})
# "其余15人仍被困", "还有18人被困", "剩下的12个人还埋在下面": the remainder as stated, after
# those already out; it is not reduced by the rescued count again
_REMAINDER_RE: Final = re.compile(r"(?:其余|其他|其它|剩下|剩余|还有|仍有|尚有)的?\Z")
# "今天又挖出来6具", "另有2人遇难": deaths told in addition to those already counted
_MORE_RE: Final = re.compile(r"(?:又有?|再有|另有|另外有?|又发现|又找到)\Z")


# people carried off by water: those fished out later are bodies unless told alive
_SWEPT_RE: Final = re.compile(r"冲走|被冲|卷走|淹死|淹了|全淹|落水|掉进|冲进|溺")
_ALIVE_RE: Final = re.compile(
    r"活着|还活|救活|获救|被救|救出|救起|救了|医院|卫生院|送医|抢救|脱险|生还|没事|无恙|受伤"
)
_NEXT_COUNT_KINDS: Final = frozenset({"deaths", "missing", "trapped", "injured", "sick", "crowd"})
# households count only people hit or moved: "好几户养的猪死了" are no deaths
_HOUSEHOLD_KINDS: Final = frozenset({"affected", "evacuated", "endangered", "crowd"})


def _make(
    kind: str,
    num: re.Match[str],
    text: str,
    span: tuple[int, int],
    *,
    negated: bool = False,
    verb_start: int | None = None,
) -> Figure | None:
    """A figure of ``kind`` from a matched count: what the count and its neighbours say about it."""
    parsed = parse_number(num.group("num"))
    if parsed is None or parsed[0] <= 0:
        return None
    if num.start("num") > 0 and text[num.start("num") - 1] in _NOT_A_COUNT_BEFORE:
        return None
    if text.startswith("口", num.end("num")) and _MOUTHFUL_BEFORE_RE.search(
        text, max(0, num.start("num") - 2), num.start("num")
    ):
        return None  # "吃了一口就吐了" is a mouthful, not a person
    value, approximate = parsed
    joined = _joined(text, num)
    if joined is not None and joined[1] > num.end():
        # "死了3个大人和5个小孩": the joined counts add up
        value = joined[0]
        span = (span[0], max(span[1], joined[1]))
    elif (
        (prior := _COUNT_AND_RE.search(text, max(0, num.start("num") - 16), num.start("num")))
        and "户" not in prior.group(0)
        and not text.startswith("户", num.end("num"))
        and (extra := parse_number(prior.group("num")))
    ):
        # "3个大人和5个小孩都死了", "5名工人和3名村民被埋"
        value += extra[0]
        span = (min(span[0], prior.start()), span[1])
    note = "许多" if MANY_RE.match(num.group("num")) else ""
    before = text[max(0, num.start("num") - 4) : num.start("num")]
    if kind in ("trapped", "missing") and _REMAINDER_RE.search(before):
        note = "其余"
    if kind == "rescued" and text.startswith("具", num.end("num")):
        kind = "deaths"  # 具 counts bodies: "又挖出来6具"
    if kind == "deaths":
        at = min(num.start("num"), verb_start if verb_start is not None else num.start("num"))
        if _MORE_RE.search(text, max(0, at - 4), at) or text.startswith("又", at):
            note = "又"
    return Figure(kind, value, approximate, text[span[0] : span[1]], span[0], negated, note=note)


def _joined(text: str, first: re.Match[str]) -> tuple[float, int] | None:
    """The counts joined after ``first`` ("3个大人和5个小孩"): their sum and where they end."""
    parsed = parse_number(first.group("num"))
    if parsed is None:
        return None
    total, end = parsed[0], first.end()
    while (more := _AND_COUNT_RE.match(text, end)) is not None and "户" not in more.group(0):
        extra = parse_number(more.group("num"))
        if extra is None:
            break
        total, end = total + extra[0], more.end()
    return total, end


# a count that owns what follows is not who the verb is about: "十几个工人的工资都没了"
_OWNER_AFTER_RE: Final = re.compile(rf"(?:{_PEOPLE})?的(?!人)")


def _count_before(
    text: str, kind: str, vstart: int, taken: set[int], skip_from: int | None = None
) -> re.Match[str] | None:
    """The last count of people before a verb that refers back to it ("…都没了", "死了一半")."""
    lo = max(0, vstart - _FORWARD_WINDOW - 10)
    hi = vstart if skip_from is None else skip_from
    counts = [
        c
        for c in _COUNT_RE.finditer(text, lo, hi)
        if (not text.startswith("户", c.end("num")) or kind in _HOUSEHOLD_KINDS)
        and not _OWNER_AFTER_RE.match(text, c.end())
    ]
    # "3个大人和5个小孩都死了": the first of the counts joined before the verb stands for them all
    while len(counts) > 1 and _AND_COUNT_RE.match(text, counts[-2].end()):
        counts.pop()
    if counts and counts[-1].start() not in taken:
        return counts[-1]
    return None


_THE_ONES_KINDS: Final = frozenset(
    {"deaths", "missing", "trapped", "seriously_injured", "injured", "light_injured"}
)
_THE_ONES_RE: Final = re.compile(
    rf"[^，,。！!？?；;：:\n\d]{{0,8}}?的(?:{_PEOPLE})?"
    r"(?:还|也|就|又|共|一共|总共|至少|起码|少说|足足|估计|大概|听说|据说){0,2}(?:有|是|达)"
    rf"(?P<num>{NUMERAL})(?:{_WHO})"
)


# the dead named by their roles, then totalled: "牺牲的扑火队员和向导一共31名", "遇难的矿工、
# 司机共12人"; the total word and a unit of people bind the count to the roles, so "死亡的猪和牛
# 一共300头" or "遇难的原因一共有3种" count no one
_FALLEN_TOTAL_RE: Final = re.compile(
    rf"的(?P<roles>[^，,。！!？?；;：:\n\d]{{1,16}}?)"
    rf"(?:一共|总共|共计|合计|总计|累计|共)(?:有|是|为|达到?)?(?P<num>{NUMERAL})(?:名|位|人|个人)"
)


def _figure_near(text: str, kind: str, vstart: int, vend: int, taken: set[int]) -> Figure | None:
    killing = _KILLING_VERB_RE.fullmatch(text, vstart, vend) is not None
    if killing:
        # "一男子持刀砍伤4名学生": after a verb of killing or wounding the victims follow it
        k = _BACKWARD_RE.match(text, vend) or _BACKWARD_KILLED_RE.match(text, vend)
        if k is not None and text.startswith("户", k.end("num")):
            k = None
        if k is not None and k.start("num") not in taken and k.start("num") - vend <= 3:
            fig = _make(kind, k, text, (vstart, k.end()), verb_start=vstart)
            if fig is not None:
                taken.add(k.start("num"))
                return fig
    lo = max(0, vstart - _FORWARD_WINDOW)
    if kind == "rescued":
        nobody = _NONE_RESCUED_RE.search(text, max(0, vstart - 8), vstart)
        if nobody is not None:
            # "车上一家四口，一个都没救上来": none of the count before came out alive
            c = _count_before(text, "missing", vstart, taken, skip_from=nobody.start())
            fig = _make("missing", c, text, (c.start(), vend), verb_start=vstart) if c else None
            if c is not None and fig is not None:
                taken.add(c.start())
                return fig
    none_of = _NONE_OF_RE.search(text, max(0, vstart - 6), vstart)
    if none_of is not None and (
        text.startswith(("没", "未"), vstart) or "不" in text[vstart:vend]
    ):  # "一个都没上来", "一个都联系不上", "一个也找不到"
        # "下面有十三个工人，到现在一个也没上来": all of them
        c = _count_before(text, kind, vstart, taken, skip_from=none_of.start())
        fig = _make(kind, c, text, (c.start(), vend), verb_start=vstart) if c else None
        if c is not None and fig is not None:
            taken.add(c.start())
        return fig  # without a count before, "一个都没…" says nobody, not one
    share = _SHARE_BEFORE_RE.search(text, max(0, vstart - 8), vstart) or _SHARE_AFTER_RE.match(
        text, vend
    )
    if share is not None and kind in _SHARE_KINDS:
        c = _count_before(text, kind, min(vstart, share.start()), taken)
        fig = (
            _make(kind, c, text, (c.start(), max(vend, share.end())), verb_start=vstart)
            if c
            else None
        )
        if fig is not None:
            return replace(fig, value=fig.value * _SHARE, approximate=True, note="一半")
    m = _FORWARD_RE.search(text, lo, vstart)
    if m is not None and text.startswith("户", m.end("num")) and kind not in _HOUSEHOLD_KINDS:
        m = None
    if m is not None and vstart and text[vstart - 1] in "只仅才" and _BACKWARD_RE.match(text, vend):
        m = None  # "12个工人只跑出来3个": the count after the verb is the verb's
    if m is not None and (o := _OWNER_AFTER_RE.match(text, m.end("who"))) and o.end() < vstart:
        m = None  # "十几个工人的工资都没了": the count owns what the verb is about
    if m is not None and m.start() not in taken:
        between = text[m.end("num") : vstart]
        negated = bool(
            _NEGATED_BEFORE_VERB.search(between)
            or _NEGATED_BEFORE_NUM.search(text, max(0, m.start() - 3), m.start())
        )
        fig = _make(kind, m, text, (m.start(), vend), negated=negated, verb_start=vstart)
        if fig is not None:
            taken.add(m.start())
            return fig
    b = _BACKWARD_RE.match(text, vend)
    if kind in ("evacuated", "endangered") and b is None:
        b = _BACKWARD_PEOPLE_RE.match(text, vend)
    if b is not None and text.startswith("户", b.end("num")):
        if kind not in _HOUSEHOLD_KINDS:
            b = None
        else:
            # "126户530人": the people, not the households
            people = _PEOPLE_AFTER_HOUSEHOLDS_RE.match(text, b.end("num") + 1)
            b = people or b
    # the number belongs to the verb right before it: "中毒死了两个" are deaths
    if (
        b is not None
        and b.start("num") not in taken
        and _VERB_RE.search(text, vend, b.start("num")) is None
    ):
        negated = bool(_NEGATED_BEFORE_VERB.search(text, max(0, vstart - 4), vstart))
        fig = _make(kind, b, text, (vstart, b.end()), negated=negated, verb_start=vstart)
        if fig is not None:
            taken.add(b.start("num"))
            return fig
    if kind == "deaths" and text.startswith("的", vend):
        t = _FALLEN_TOTAL_RE.match(text, vend)
        if (
            t is not None
            and t.start("num") not in taken
            and _PEOPLE_RE.search(t.group("roles"))
            and _VERB_RE.search(t.group("roles")) is None
        ):
            fig = _make(kind, t, text, (vstart, t.end()), verb_start=vstart)
            if fig is not None:
                taken.add(t.start("num"))
                return fig
    if kind in _THE_ONES_KINDS:
        # "困在巷道里的还有十三个", "压在下面的有十几个工人": those the verb tells of, then counted
        o = _THE_ONES_RE.match(text, vend)
        if (
            o is not None
            and o.start("num") not in taken
            and _VERB_RE.search(text, vend, o.start("num")) is None
        ):
            fig = _make(kind, o, text, (vstart, o.end()), verb_start=vstart)
            if fig is not None:
                taken.add(o.start("num"))
                return fig
    all_of = (
        text[vstart] in "都全"
        or _ALL_OF_RE.search(text, max(0, vstart - 4), vstart)
        or text[vstart:vend] in _NONE_LIVED
    )
    if kind in _ALL_OF_KINDS and all_of:
        c = _count_before(text, kind, vstart, taken)
        fig = _make(kind, c, text, (c.start(), vend), verb_start=vstart) if c else None
        if c is not None and fig is not None:
            taken.add(c.start())
            return fig
    if killing:
        k = _BACKWARD_KILLED_RE.match(text, vend)
        if k is not None and k.start("num") not in taken:
            fig = _make(kind, k, text, (vstart, k.end()), verb_start=vstart)
            if fig is not None:
                taken.add(k.start("num"))
                return fig
    return None


# the clause holds only the count, led by words of hearsay, estimate or time: "听说有五六十个",
# "少说也有三十个", "到现在已经数到十二个了"
_NEXT_CLAUSE_COUNT_RE: Final = re.compile(
    rf"[，,](?:车上|船上|里面|屋里|楼里|井下|下面|底下)?"
    r"(?:听说|据说|说是|好像|大概|估计|可能|恐怕|怕是|起码|至少|少说|最少|足足|足有|一共|总共|共|"
    r"前后|加起来|算下来|到现在|现在|目前|已经|已|也|得|就){0,3}"
    rf"(?:有|是|达到?|到了|数到|数了数)?(?P<num>{NUMERAL})(?:个人|多个人|来个人|个|多个|来个|名|人)"
    r"(?:了|吧|呢|啊|呀)?"
    r"(?=[，,。！!？?；;\s]|$)"
)

# a crowd is estimated a clause or two after it is seen: "聚了好多人，有人拿无人机拍了，估计有
# 五六千人"; the estimate needs its word (估计, 起码 …), as other counts may follow
_CROWD_ESTIMATE_RE: Final = re.compile(
    rf"[，,](?:[^，,。！!？?；;\n]{{0,14}}[，,])?(?:我|我们|我看|我们看)?(?:听说|据说|大概|估计|估摸|起码|少说|至少|足有|足足|"
    rf"一共|总共|粗略估计|目测)(?:也|得)?(?:有|是)?(?P<num>{NUMERAL})(?:个|多个|来个|名|人|号人)"
)

# "上街的人起码有一万多": the crowd counted right after the people who did it, the unit left out
_CROWD_AFTER_RE: Final = re.compile(
    rf"的?(?:人|人数)(?:起码|至少|估计|少说|大概|足有|足足)?(?:也|得)?(?:有|是|达到?|超过)?"
    rf"(?P<num>{NUMERAL})(?:人|号人|个人)?(?=[，,。！!？?；;\s]|$)"
)


# A verb in a clause that names nobody, only when or how ("昨晚全没了", "到现在还没挖出来",
# "翻下去以后就没了"), is about the people counted at the end of the clause right before it:
# "工地上十一个工人，昨晚全没了". The verb closes its clause and its clause has no subject of its
# own, so "还没拿到补偿款" (an object after it) or "工资还没找到" never reaches back.
_CLAUSE_BEFORE_KINDS: Final = frozenset(
    {"deaths", "missing", "trapped", "seriously_injured", "injured"}
)
_NOT_A_CLAUSE_VERB: Final = frozenset(
    {"遗体", "尸体", "遗骸", "遇难者", "死者", "伤者", "死的", "伤的", "死的人"}
)
_SUBJECTLESS_LEAD_RE: Final = re.compile(
    r"(?:[^\d，,。！!？?；;：:\n的]{1,6}?(?:以后|之后|后|时|的时候))?"
    r"(?:昨晚|昨夜|昨天|前天|今天|今早|今晨|当时|当场|现场|现在|到现在|目前|至今|截至目前|后来|最后|"
    r"结果|到最后|已经|已|还|仍|仍然|都|全|全部|全都|一直|也|就|又|竟然|居然|却|可|但|但是|可是|夜里|"
    r"晚上|半夜|早上|上午|下午|中午|凌晨|据说|听说|好像|恐怕|怕是|估计|可能|基本|基本上|几乎|统统|"
    r"通通|大多|大部分|当天|当晚|那天|那晚|没多久|不久|很快|一下子|全部都)*"
)
_VERB_CLOSES_RE: Final = re.compile(r"(?:了|呢|啊|呀|吧|哦|啦)*(?:[，,。！!？?；;\n]|$)")
_PEOPLE_RE: Final = re.compile(_PEOPLE)
_PREVIOUS_CLAUSE_REACH: Final = 40


def _count_in_clause_before(
    text: str, kind: str, v: re.Match[str], taken: set[int]
) -> Figure | None:
    if not _VERB_CLOSES_RE.match(text, v.end()):
        return None
    # the last boundary before the verb must be a comma: a sentence before is told apart
    boundary: re.Match[str] | None = None
    for m in _CLAUSE_END_RE.finditer(text, max(0, v.start() - 12), v.start()):
        boundary = m
    if boundary is None or boundary.group(0) not in "，,":
        return None
    lead = text[boundary.end() : v.start()]
    if not _SUBJECTLESS_LEAD_RE.fullmatch(lead) or _PEOPLE_RE.search(lead):
        return None
    lo = max(0, boundary.start() - _PREVIOUS_CLAUSE_REACH)
    for m in _CLAUSE_END_RE.finditer(text, lo, boundary.start()):
        lo = m.end()
    counts = [
        c
        for c in _COUNT_RE.finditer(text, lo, boundary.start())
        if not text.startswith("户", c.end("num")) and not _OWNER_AFTER_RE.match(text, c.end())
    ]
    if not counts or counts[-1].start() in taken:
        return None
    fig = _make(kind, counts[-1], text, (counts[-1].start(), v.end()), verb_start=v.start())
    if fig is not None:
        taken.add(counts[-1].start())
    return fig


# The people counted in a building or a vehicle a few clauses back, then said to be still under it
# ("房东讲里面租了三十几个人，大部分是在附近打工的，现在还压在里面"): the verb says "still", the
# clause names nobody, and nothing between says they got out.
_STILL_RE: Final = re.compile(r"还|仍")
_STILL_UNDER_VERBS: Final = frozenset({"压在", "埋在", "困在", "被压在", "压着", "埋着", "困着"})
_UNDER_PLACE_CLOSES_RE: Final = re.compile(
    r"(?:里面|里头|下面|底下|下头|废墟里|废墟下面?)?(?:了|呢|啊|呀|吧)*(?:[，,。！!？?；;\n]|$)"
)
_PLACE_OF_PEOPLE_RE: Final = re.compile(r"里|上|下面|底下|井下|内")
_SAFE_RE: Final = re.compile(
    r"没事|平安|安全|跑出来|逃出来|爬出来|出来了|救出|撤离|没受伤|无恙|都好|外面|不在|跑了"
)
_STILL_UNDER_CLAUSES: Final = 3


def _count_clauses_back(text: str, v: re.Match[str], taken: set[int]) -> Figure | None:
    seps = list(_CLAUSE_END_RE.finditer(text, 0, v.start()))
    if not seps or seps[-1].group(0) not in "，,":
        return None
    lead = text[seps[-1].end() : v.start()]
    if (
        not _STILL_RE.search(lead)
        or not _SUBJECTLESS_LEAD_RE.fullmatch(lead)
        or _PEOPLE_RE.search(lead)
    ):
        return None
    # the clauses before the verb's, nearest first, while a comma keeps them in one sentence
    spans: list[tuple[int, int]] = []
    for k in range(len(seps) - 1, -1, -1):
        if seps[k].group(0) not in "，," or len(spans) > _STILL_UNDER_CLAUSES:
            break
        spans.append((seps[k - 1].end() if k else 0, seps[k].start()))
    for i, (lo, hi) in enumerate(spans[:_STILL_UNDER_CLAUSES]):
        if _SAFE_RE.search(text, lo, seps[-1].start()):
            return None  # "车上二十多个人都没事": those counted are out or unhurt
        counts = [
            c
            for c in _COUNT_RE.finditer(text, lo, hi)
            if not text.startswith("户", c.end("num")) and not _OWNER_AFTER_RE.match(text, c.end())
        ]
        if not counts:
            continue
        c = counts[-1]
        # people in a place: "里面租了…", "车上坐了…", "楼上租了十几户，大概三十几个人"
        place_lo = spans[i + 1][0] if i + 1 < len(spans) else lo
        if c.start() in taken or not _PLACE_OF_PEOPLE_RE.search(text, place_lo, c.start()):
            return None
        fig = _make("trapped", c, text, (c.start(), v.end()), verb_start=v.start())
        if fig is not None:
            taken.add(c.start())
        return fig
    return None


# The rest of a count still down a pit or in a tunnel, told with no verb but where they are:
# "上来的不到二十个，剩下三十几个兄弟还在下面". The clause ends there ("还在下面干活" is work) and
# the post tells of an accident or a rescue.
_STILL_DOWN_RE: Final = re.compile(
    rf"(?:剩下|剩余|其余|其他|其它|还有|仍有|尚有)的?(?P<num>{NUMERAL})(?:个|名|位|号)?(?:{_PEOPLE})?"
    r"(?:都|还|仍|仍然|也){1,2}(?:被困|困|留)?在"
    r"(?:下面|井下|底下|里面|洞里|巷道里|井里|坑里|矿井里|隧道里|下头)"
    r"(?:没消息|没有消息|没动静|没出来|没上来)?(?:了|呢|啊|呀|吧)*(?=[，,。！!？?；;\n]|$)"
)
_ACCIDENT_RE: Final = re.compile(
    r"透水|冒顶|塌|垮|爆炸|瓦斯|事故|出事|被困|救援|救缓|抢险|救出|淹|滑坡|泥石流|起火|着火"
)


def _still_down(text: str, taken: set[int]) -> list[Figure]:
    out: list[Figure] = []
    if not _ACCIDENT_RE.search(text):
        return out
    for m in _STILL_DOWN_RE.finditer(text):
        if m.start("num") in taken:
            continue
        fig = _make("trapped", m, text, (m.start(), m.end()))
        if fig is not None:
            taken.add(m.start("num"))
            out.append(fig)
    return out


def _crowd_told_after(text: str, v: re.Match[str], taken: set[int]) -> Figure | None:
    m = _CROWD_AFTER_RE.match(text, v.end())
    if m is None or m.start("num") in taken:
        return None
    parsed = parse_number(m.group("num"))
    if parsed is None or parsed[0] < 2:
        return None
    taken.add(m.start("num"))
    return Figure("crowd", parsed[0], parsed[1], text[v.start() : m.end()], v.start())


_HEARSAY_LEAD_RE: Final = re.compile(
    r"(?:车上|船上|里面|屋里|楼里|井下|下面|底下)?(?:听说|据说|说是)"
)


def _count_in_next_clause(
    text: str, kind: str, vstart: int, vend: int, taken: set[int]
) -> Figure | None:
    """A count told in the clause right after a verb that had none: "压死了好几户人，听说有十几个",
    "吃了营养餐就吐，听说有五六十个"."""
    end = re.compile(r"[，,。！!？?；;\n]").search(text, vend)
    if end is None or text[end.start()] not in "，,":
        return None
    rx = _CROWD_ESTIMATE_RE if kind == "crowd" else _NEXT_CLAUSE_COUNT_RE
    m = rx.match(text, end.start())
    if m is None or m.start("num") in taken:
        return None
    parsed = parse_number(m.group("num"))
    if parsed is None or parsed[0] <= 0:
        return None
    taken.add(m.start("num"))
    if _HEARSAY_LEAD_RE.match(text, m.start() + 1):
        # "…打吊针，听说一共有一百三十多个人": the count is hearsay, the verb is not; the figure
        # starts where the hearsay does, so the reading of claims reaches it
        return Figure(kind, parsed[0], True, text[m.start() + 1 : m.end()], m.start() + 1)
    return Figure(kind, parsed[0], True, text[vstart : m.end()], vstart)


def _case_counts(text: str, taken: set[int]) -> list[Figure]:
    """Counts of cases that no verb took: "本周新增手足口病21例，累计报告35例"."""
    out: list[Figure] = []
    at = text.find("例")
    while at != -1:
        m = _CASES_RE.search(text, max(0, at - _CASE_WINDOW), at + 1)
        at = text.find("例", at + 1)
        if m is None or _NOT_CASES_AFTER_RE.match(text, m.end()):
            continue
        if m.start("num") in taken or m.start() in taken:
            continue
        if _NOT_CASES_BEFORE_RE.search(text, max(0, m.start() - 8), m.start()):
            continue
        fig = _make("sick", m, text, (m.start(), m.end()))
        if fig is not None:
            taken.add(m.start())
            out.append(fig)
    return out


def _remainder_without_count(text: str, found: list[Figure]) -> list[Figure]:
    """ "载有30余人的客车坠入水库，目前已救出11人，其余人员仍在搜寻中": the rest of the people
    counted before are missing (or trapped), however many the rescue left."""
    out: list[Figure] = []
    for m in _REMAINDER_NO_COUNT_RE.finditer(text):
        # those accounted for: rescued, escaped ("12个工人只跑出来3个，剩下的还埋着") or found dead
        # ("车上38人，目前已找到遗体19具，其余人员正在搜救")
        accounted = [
            f
            for f in found
            if f.start < m.start()
            and (
                f.kind in ("rescued", "deaths")
                or (f.kind == "evacuated" and _ESCAPED_RE.search(f.span))
            )
        ]
        if not accounted:
            continue
        last = accounted[-1]
        lo = max(0, last.start - _FORWARD_WINDOW - 20)
        totals = [
            c
            for c in _COUNT_RE.finditer(text, lo, last.start)
            if not any(f.start <= c.start() < f.start + len(f.span) for f in accounted)
        ]
        if not totals:
            continue
        total = parse_number(totals[-1].group("num"))
        out_count = sum(f.value for f in accounted if f.start > totals[-1].start())
        if total is None or total[0] <= out_count:
            continue
        trapped = (
            "被困", "困在", "困着", "埋在", "埋着", "压着", "没出来",
            "在下面", "在井下", "在底下", "在里面", "没上来",
        )  # fmt: skip
        kind = "trapped" if m.group("verb") in trapped else "missing"
        out.append(
            Figure(
                kind,
                total[0] - out_count,
                True,
                text[totals[-1].start() : m.end()],
                totals[-1].start(),
                note="其余",
            )
        )
    return out


def _toll_updates(text: str, found: list[Figure], taken: set[int]) -> list[Figure]:
    """A later count for the figure just before it: "死了两个，现在已经增加到11个了"."""
    out: list[Figure] = []
    for m in _TOLL_UPDATE_RE.finditer(text):
        if m.start("num") in taken:
            continue
        earlier = [
            f
            for f in found
            if f.kind in _TOLL_KINDS
            and not f.negated
            and 0 <= m.start() - (f.start + len(f.span)) <= _TOLL_UPDATE_REACH
        ]
        if not earlier:
            continue
        last = max(earlier, key=lambda f: f.start)
        fig = _make(last.kind, m, text, (m.start(), m.end()))
        if fig is not None and fig.value > last.value:
            taken.add(m.start("num"))
            out.append(fig)
    return out


def _restated_counts(text: str, found: list[Figure], taken: set[int]) -> list[Figure]:
    """A count told again in a clause of its own, without a verb, after a casualty figure: a
    later toll ("一开始说死了4个，后来又说是9个，现在听说已经12个了") or more found ("第一天找到
    3个人的遗体，第二天又找到8个", which add up)."""
    out: list[Figure] = []
    windows = sorted(
        {
            (f.start + len(f.span), f.start + len(f.span) + _TOLL_UPDATE_REACH + 12)
            for f in found
            if f.kind in _TOLL_KINDS
        }
    )
    matches: list[re.Match[str]] = []
    for lo, hi in windows:
        for m in _RESTATED_RE.finditer(text, lo, hi):
            if not matches or m.start() > matches[-1].start():
                matches.append(m)
    for m in matches:
        lead = m.group("lead")
        if m.start("num") in taken or not _RESTATED_LEAD_RE.search(lead) or _VERB_RE.search(lead):
            continue
        earlier = [
            f
            for f in found + out
            if f.kind in _TOLL_KINDS
            and not f.negated
            and 0 <= m.start() - (f.start + len(f.span)) <= _TOLL_UPDATE_REACH
        ]
        if not earlier:
            continue
        last = max(earlier, key=lambda f: f.start)
        fig = _make(last.kind, m, text, (m.start("lead"), m.end()))
        if fig is None:
            continue
        if _MORE_FOUND_RE.search(lead):
            fig = replace(fig, note="又")
        elif fig.value <= last.value:
            continue
        taken.add(m.start("num"))
        out.append(fig)
    return out


# 走了 is a death only next to a count ("九个走了", "当场就走了四个") in a post that tells an
# incident's victims: "三个人吃完饭就走了" is no death
_GONE_COUNT_BEFORE_RE: Final = re.compile(r"[个名位](?:人)?(?:都|也|已经|已|就|全)?\Z")
_GONE_AT_ONCE_BEFORE_RE: Final = re.compile(r"(?:当场|当时|现场)(?:就)?\Z")
_GONE_CONTEXT_RE: Final = re.compile(
    r"挖出|挖了|刨出|抬出|拉出|捞出|捞上|抢救|救出|救援|消防|送医|医院|遗体|尸体|当场|事故|撞|压|埋|烧|淹|砸|"
    r"塌|爆炸|火|中毒|掉下"
)


def _gone_counted(text: str, v: re.Match[str]) -> bool:
    before = text[max(0, v.start() - 6) : v.start()]
    if not (_GONE_COUNT_BEFORE_RE.search(before) or _GONE_AT_ONCE_BEFORE_RE.search(before)):
        return False
    return _GONE_CONTEXT_RE.search(text) is not None


def _death_injury(text: str, taken: set[int]) -> list[Figure]:
    out: list[Figure] = []
    for m in _DEATH_INJURY_RE.finditer(text):
        if m.start("d") in taken:
            continue
        d = m.group("d")
        if m.group("i") is None and (
            not d.isdigit() and (d == "一" or not _DEATHS_ALONE_END.match(text, m.end()))
        ):
            continue
        if m.group("i") is None and d.isdigit() and not _DEATHS_ALONE_END.match(text, m.end()):
            continue
        parsed = parse_number(d)
        if parsed is None:
            continue
        out.append(Figure("deaths", parsed[0], parsed[1], m.group(0), m.start()))
        if m.group("i"):
            injured = parse_number(m.group("i"))
            if injured is not None:
                out.append(Figure("injured", injured[0], injured[1], m.group(0), m.start()))
    return out


def _sentence_rules(text: str, parts: Parts, figures: list[Figure]) -> list[Figure]:
    """What a sentence says about its figures as a whole: light injuries, splits, rescues."""
    out = list(figures)
    by_sentence: dict[int, list[int]] = {}
    for i, f in enumerate(out):
        by_sentence.setdefault(parts.sentence_index(f.start), []).append(i)
    for idx, members in by_sentence.items():
        _, e = parts.sentences[idx]
        for i in members:
            f = out[i]
            after = text[f.start + len(f.span) : e]
            if f.kind == "injured":
                if _ALL_LIGHT_RE.search(after):
                    out[i] = replace(f, kind="light_injured", note="均为轻伤")
                elif _MOSTLY_LIGHT_RE.search(after):
                    out[i] = replace(f, kind="light_injured", note="以轻伤为主")
                elif any(
                    out[j].kind == "seriously_injured"
                    and not _STILL_TREATED_RE.search(out[j].span)
                    for j in members
                ):
                    # "25人受伤，其中重伤12人": the split says how many count
                    out[i] = replace(f, kind="light_injured", note="其中重伤")
            elif f.kind == "trapped" and _rescued_all(text, parts, f, e):
                out[i] = replace(f, rescued=True)
            elif f.kind == "missing" and _FOUND_RE.search(after):
                out[i] = replace(f, negated=True, note="found")
    # "10名工人被困。…已将10名被困人员全部安全转移": the trapped told first are those brought
    # out later, when the later count is as large and nobody is said to be still inside
    brought_out = [g for g in out if g.kind == "trapped" and g.rescued]
    for i, f in enumerate(out):
        if f.kind != "trapped" or f.rescued or f.negated:
            continue
        later_out = any(g.start > f.start and g.value >= f.value for g in brought_out)
        still_in = any(g.kind == "trapped" and not g.rescued and g.start > f.start for g in out)
        if later_out and not still_in:
            out[i] = replace(f, rescued=True, note="later rescued")
    return out


def _rescued_all(text: str, parts: Parts, f: Figure, sentence_end: int) -> bool:
    """Whether the people of a trapped figure came out: a rescue word in its clause, or after
    it in its sentence, that is not followed by a count of its own ("已救出5人" is partial)."""
    cs, _ = parts.clause(f.start)
    if _RESCUE_RE.search(text, cs, f.start):
        return True  # "救出被困群众40余人": the figure is what was rescued
    f_end = f.start + len(f.span)
    for m in _RESCUE_RE.finditer(text, f_end, sentence_end):
        if _COUNT_AFTER_RE.match(text, m.end()):
            continue
        if _NOT_YET_RE.search(text, max(f_end, m.start() - 6), m.start()):
            continue  # "一个都还没挖出来": nobody came out
        # "被困的22名矿工中，已有7人被救出": a count of its own before the word is partial too
        before = text[max(f_end, m.start() - 10) : m.start()]
        if _COUNT_RE.search(before) and not _ALL_WORDS_RE.search(before):
            continue
        return True
    return False


def _death_follows(text: str, v: re.Match[str], nxt: re.Match[str]) -> bool:
    return (
        _VERB_KIND[nxt.group(0)] == "deaths"
        and _DEATH_AFTER_RE.fullmatch(text, v.end(), nxt.start()) is not None
    )


def has_figure_words(text: str) -> bool:
    """Whether ``text`` may hold a figure at all: one cheap scan before the full extraction."""
    return bool(
        _VERB_RE.search(text)
        or "死" in text
        or "损失" in text
        or "级" in text
        or "亩" in text
        or "公顷" in text
        or _STILL_DOWN_RE.search(text) is not None
    )


# the hurt or the ill counted at one place, then at another: "光他们科就收了三十多个受伤的。中医院
# 那边也收了二十几个" — the second count adds to the first (``note`` 也)
_ALSO_KINDS: Final = frozenset({"injured", "seriously_injured", "sick"})
_ALSO_RE: Final = re.compile(
    rf"(?:也|还|另外|另)(?:收了|收治了|收治|送了|送来了|送去了|送进了|接收了|接了|拉去了|有)"
    rf"(?P<num>{NUMERAL})(?:个|名|人|位)(?:人|伤员|伤者|受伤的|病人|患者)?(?:了)?"
    r"(?=[，,。！!？?；;\n]|$)"  # the count closes its clause: "还有两个司机卡在…" is no more hurt
)
_ALSO_REACH: Final = 60


def _also_counts(text: str, found: list[Figure], taken: set[int]) -> list[Figure]:
    out: list[Figure] = []
    for f in [f for f in found if f.kind in _ALSO_KINDS and not f.negated]:
        lo = f.start + len(f.span)
        end = _CLAUSE_END_RE.search(text, lo)
        if end is None:
            continue
        for m in _ALSO_RE.finditer(text, end.end(), lo + _ALSO_REACH):
            if m.start("num") in taken or _VERB_RE.search(text, m.end(), m.end() + 4):
                continue  # "也有3人轻伤" carries its own verb
            parsed = parse_number(m.group("num"))
            if parsed is None:
                continue
            taken.add(m.start("num"))
            out.append(Figure(f.kind, parsed[0], True, m.group(0), m.start(), note="也"))
    return out


_DOER_COUNT_RE: Final = re.compile(r"个[\u4e00-\u9fff]{1,4}的")
_CLAUSE_END_RE: Final = re.compile(r"[，,。！!？?；;\n]")
# "车上十四个娃娃，只救起来六个": only some of the people counted before came out; the rest are
# missing
_ONLY_RE: Final = re.compile(r"(?:只|才|仅|仅仅)(?:有)?\Z")
_ONLY_IN_RE: Final = re.compile(r"的(?:只有|才|仅有|只)")  # "救上来的只有十几个"
_ONLY_REACH: Final = 40
_SURVIVED_RE: Final = re.compile(r"活下来|活了下来|生还|幸存")


def _only_some_rescued(text: str, found: list[Figure], taken: set[int]) -> list[Figure]:
    out: list[Figure] = []
    for f in found:
        if f.kind != "rescued" or f.negated:
            continue
        if not (_ONLY_RE.search(text, max(0, f.start - 3), f.start) or _ONLY_IN_RE.search(f.span)):
            continue
        before = [
            c
            for c in _COUNT_RE.finditer(text, max(0, f.start - _ONLY_REACH), f.start)
            if c.start() not in taken
        ]
        if not before:
            continue
        total = parse_number(before[-1].group("num"))
        if total is None or total[0] <= f.value:
            continue
        out.append(
            Figure(
                # "最后活下来的只有三个": the rest did not live; "只救起来六个": the rest are missing
                "deaths" if _SURVIVED_RE.search(f.span) else "missing",
                total[0] - f.value,
                True,
                text[before[-1].start() : f.start + len(f.span)],
                before[-1].start(),
                note="其余",
            )
        )
    return out


# the ill told without a count ("有人上吐下泻，到晚上越来越多"), then counted as a total a few
# sentences on ("听说一共有一百三十多个人"): the total is the count of the ill
_ILL_TOTAL_RE: Final = re.compile(
    # …or told by the hospital that took them in: "卫生院说收了八十来个"
    rf"(?:(?:医院|卫生院|诊所|急诊)[^，,。！!？?；;\d]{{0,4}}?(?=收|接收)|一共|总共|累计|加起来|前后|先后|总计|合计)"
    rf"(?:也|得|就)?"
    rf"(?:有|是|达到?|送了|来了|拉了|收了|收治了|送去了|送进了|住进了)?"
    rf"(?P<num>{NUMERAL})(?:个人|个|人|名|号人)"
)
_ILL_TOTAL_REACH: Final = 120


def _ill_total(text: str, verbs: list[re.Match[str]], taken: set[int]) -> Figure | None:
    first = next((v for v in verbs if _VERB_KIND[v.group(0)] == "sick"), None)
    if first is None:
        return None
    m = _ILL_TOTAL_RE.search(text, first.end(), first.end() + _ILL_TOTAL_REACH)
    if m is None or m.start("num") in taken:
        return None
    parsed = parse_number(m.group("num"))
    if parsed is None:
        return None
    taken.add(m.start("num"))
    return Figure("sick", parsed[0], True, m.group(0), m.start(), note="一共")


def extract_figures(text: str, parts: Parts | None = None) -> list[Figure]:
    """Figures in text order (a kind may repeat). Each number gets the kind of its nearest verb:
    "20余人受伤送医" is injured, not ill."""
    text = normalize(text)
    found: list[Figure] = []
    taken: set[int] = set()
    verbs = list(_VERB_RE.finditer(text))
    for i, v in enumerate(verbs):
        kind = _VERB_KIND[v.group(0)]
        if kind in _LEADS_TO_DEATH and i + 1 < len(verbs) and _death_follows(text, v, verbs[i + 1]):
            continue  # "3人中毒死亡", "五个老人得了怪病死了": the count is of the dead
        if (
            kind == "deaths"
            and v.group(0).startswith("死")
            and HYPERBOLE_DEATH_RE.search(text, max(0, v.start() - 2), v.start())
        ):
            continue  # "累死了", "笑死了好几个人"
        if v.group(0) == "没了" and text[v.start() - 1 : v.start()] not in ("个", "名"):
            continue  # "房子没了", "三个月工资没了": only "九个没了" tells the dead
        if v.group(0) == "走了" and not _gone_counted(text, v):
            continue  # "吃完饭就走了": 走了 tells a death only counted in an incident
        if v.group(0) in ("都走了", "全走了") and not _GONE_CONTEXT_RE.search(text):
            continue  # "十来个人，后来都走了" left: gone all together is a death only in an incident
        if v.group(0) in ("又走了", "又没了") and not any(f.kind == "deaths" for f in found):
            continue  # "客人又走了两个": more dead only after a death told before
        if kind == "seriously_injured" and _PATIENT_NOUN_RE.match(text, v.end()):
            continue  # "危重病人300多人" are a hospital's patients, not people hurt
        if v.group(0) == "牺牲" and (
            _SACRIFICE_RE.match(text, v.end()) or _SACRIFICED_FOR_RE.match(text, v.end())
        ):
            continue  # "牺牲两岸上万居民健康为代价" gives up their health, takes no life
        # a count of people brought out may also be a count of the dead: "拉出来两个已经没气了"
        fig = _figure_near(
            text, kind, v.start(), v.end(), set(taken) if kind == "rescued" else taken
        )
        if kind in _NEXT_COUNT_KINDS and (fig is None or fig.value == VAGUE_COUNT):
            # "好多娃儿…就吐，听说有五六十个": a count after beats a bare 好多 before
            later = _count_in_next_clause(text, kind, v.start(), v.end(), taken)
            if later is not None and (fig is None or later.value > fig.value):
                fig = later
        if kind == "crowd" and fig is None:
            fig = _crowd_told_after(text, v, taken)
        if fig is None and kind in _CLAUSE_BEFORE_KINDS and v.group(0) not in _NOT_A_CLAUSE_VERB:
            fig = _count_in_clause_before(text, kind, v, taken)
        if (
            fig is None
            and v.group(0) in _STILL_UNDER_VERBS
            and _UNDER_PLACE_CLOSES_RE.match(text, v.end())
        ):
            fig = _count_clauses_back(text, v, taken)
        if (
            fig is not None
            and kind == "trapped"
            and v.group(0).startswith("压")
            and _OWNER_AFTER_RE.match(text, fig.start + len(fig.span))
        ):
            fig = None  # "压了三百多个工人的工资" withholds their wages
        if fig is not None and kind in ("sick", "affected") and _DOER_COUNT_RE.search(fig.span):
            fig = None  # "一个非常常见的病例": a count of people named by what they did is of victims
        if fig is not None:
            found.append(fig)
    if "在" in text:
        found += _still_down(text, taken)
    if "死" in text:
        found += _death_injury(text, taken)
    if "例" in text:
        found += _case_counts(text, taken)
    if found:
        found += _toll_updates(text, found, taken)
        found += _restated_counts(text, found, taken)
    if any(f.kind == "rescued" for f in found):
        found += _only_some_rescued(text, found, taken)
        # survivors count only as the part of a count that lived ("活下来的只有三个"): on their
        # own they tell no incident ("活下来的企业只有三个")
        found = [f for f in found if f.kind != "rescued" or not _SURVIVED_RE.search(f.span)]
    if any(f.kind in _ALSO_KINDS for f in found):
        found += _also_counts(text, found, taken)
    if not any(f.kind == "sick" for f in found):
        total = _ill_total(text, verbs, taken)
        if total is not None:
            found.append(total)
    if "其" in text or "剩" in text:
        found += _remainder_without_count(text, found)
    if "损失" in text:
        for m in _LOSS_RE.finditer(text):
            if m.group("yi"):
                count = parse_number(m.group("yi"))
                more = {"多": 0.0, "半": 0.5}.get(m.group("yi_more") or "", 0.0)
                parsed = (
                    ((count[0] + more) * _YI, count[1] or bool(m.group("yi_more")))
                    if count
                    else None
                )
            else:
                parsed = parse_number(m.group("num"))
            if parsed is not None:
                found.append(Figure("loss_yuan", parsed[0], parsed[1], m.group(0), m.start()))
    if "级" in text and _QUAKE_RE.search(text):
        parts = parts or Parts.of(text)
        for m in _MAGNITUDE_RE.finditer(text):
            if not _QUAKE_RE.search(parts.sentence_text(m.start())):
                continue
            parsed = parse_number(m.group("num"))
            if parsed is not None and 1.0 <= parsed[0] < 10.0:
                found.append(Figure("magnitude", parsed[0], False, m.group(0), m.start()))
        for m in _MAGNITUDE_AFTER_RE.finditer(text):
            value = float(m.group("num"))
            if 1.0 <= value < 10.0:
                found.append(Figure("magnitude", value, False, m.group(0), m.start()))
        for m in _CN_MAGNITUDE_RE.finditer(text):
            if _QUAKE_RE.search(parts.sentence_text(m.start())):
                value = _CN_DIGIT[m.group("i")] + _CN_DIGIT[m.group("f")] / 10
                found.append(Figure("magnitude", value, False, m.group(0), m.start()))
    if "亩" in text or "公顷" in text:
        for m in _AREA_RE.finditer(text):
            parsed = parse_number(m.group("num"))
            if parsed is not None:
                ha = parsed[0] / _MU_PER_HA if m.group("unit") == "亩" else parsed[0]
                found.append(Figure("burned_ha", ha, parsed[1], m.group(0), m.start()))
    found.sort(key=lambda f: f.start)
    if found and "捞" in text and _SWEPT_RE.search(text):
        found = _bodies_recovered(text, parts or Parts.of(text), found)
    if found:
        found = _sentence_rules(text, parts or Parts.of(text), found)
    return found


def _bodies_recovered(text: str, parts: Parts, found: list[Figure]) -> list[Figure]:
    """People fished out of the water after others were swept away or drowned are the dead
    unless their sentence says they lived ("河边几户人家连人带房子冲走了。今天搜救队在下游捞起来
    七个。还有五个找不到。")."""
    out: list[Figure] = []
    for f in found:
        end = f.start + len(f.span)
        if (
            f.kind == "rescued"
            and f.span.startswith(("捞", "打捞"))
            and not _ALIVE_RE.search(parts.sentence_text(f.start))
            and not any(g.kind == "deaths" and f.start <= g.start < end for g in found)
        ):
            f = replace(f, kind="deaths", note="捞")
        out.append(f)
    return out
