"""Words behind the severity assessment: emergency vocabulary by type, and context cues.

Every list here is something a duty officer can read and argue with; the evidence of a
``SeverityAssessment`` names the entries that matched.

Emergency vocabulary comes in two strengths:

- **strong** words name an incident that happened (爆炸, 山体滑坡, 食物中毒, 持刀): on their own
  they make a post an emergency of at least 一般;
- **weak** words name a cause, a hazard or a field (暴雨, 事故, 疫情, 发热): they count only
  together with a casualty, loss or crowd figure, so "疫情防控期间买菜难" or "一下暴雨就积水"
  stay 常规.

Entries are regular expressions (most are plain words); look-aheads keep 地震局, 爆炸性消息 and
个人信息泄露 out.
"""

from __future__ import annotations

import re
from typing import Final

NATURAL: Final = "自然灾害"
ACCIDENT: Final = "事故灾难"
HEALTH: Final = "公共卫生事件"
SOCIAL: Final = "社会安全事件"
EMERGENCY_TYPES: Final = (NATURAL, ACCIDENT, HEALTH, SOCIAL)

# a clause: the text between two punctuation marks, used to tie a figure to a victim group
CLAUSE_SPLIT_RE: Final = re.compile(r"[，,。！!？?；;\n]")

STRONG: Final = "strong"
WEAK: Final = "weak"
CROWD: Final = "crowd"  # gathering words: an incident only with a grievance or a crowd figure

# (type, strength, weight, words). Natural causes weigh more than their consequences:
# "暴雨导致民房倒塌" is a natural disaster although 倒塌 alone reads as an accident.
VOCABULARY: Final[tuple[tuple[str, str, float, str], ...]] = (
    (
        NATURAL,
        STRONG,
        2.0,
        "地震 余震 震感 震中 洪水 洪涝 洪灾 山洪 山体滑坡 滑坡 泥石流 落石 崩塌 森林火灾 山火 林火 "
        "水位暴涨 超警戒 管涌 溃坝 垮坝 漫坝 决堤 被淹 淹没 冲毁 冲垮 绝收 受灾 雪灾 旱灾 龙卷风 冰雹 雷击",
    ),
    (
        NATURAL,
        WEAK,
        2.0,
        "特大暴雨 大暴雨 暴雨 强降雨 大风 干旱 凝冻 冻雨 暴雪 内涝 地质灾害 险情 渗水 裂缝",
    ),
    (
        ACCIDENT,
        STRONG,
        1.0,
        "爆炸 火灾 起火 失火 大火 着火 燃爆 闪爆 爆燃 火情 烧毁 坍塌 垮塌 倒塌 塌方 塌陷 车祸 相撞 追尾 "
        "侧翻 翻车 坠落 坠崖 坠河 坠楼 坠入 透水 冒顶 触电 溺水 溺亡 踩踏 脱轨 刹车失灵 冲出护栏 矿难",
    ),
    (ACCIDENT, STRONG, 2.0, "氯气 液氨 泄漏 泄露"),
    (ACCIDENT, WEAK, 1.0, "事故 故障 瓦斯 塔吊 脚手架 撞击 燃烧 漏电 电梯 缆车 索道 游乐设施"),
    (
        HEALTH,
        STRONG,
        1.5,
        "食物中毒 一氧化碳中毒 煤气中毒 亚硝酸盐中毒 农药中毒 酒精中毒 聚集性 集体发病 集体中毒 "
        "集体腹泻 集体呕吐 集体发热 集体感染 不明原因 霍乱 鼠疫 禽流感 非洲猪瘟 猪瘟 狂犬病 疯狗 毒蘑菇",
    ),
    (
        HEALTH,
        WEAK,
        1.5,
        "中毒 疫情 传染病 病例 确诊 感染 发热 发烧 腹泻 呕吐 上吐下泻 拉肚子 腹痛 诺如 水痘 流感 肺炎 "
        "野生菌 手足口 狂犬",
    ),
    (
        SOCIAL,
        STRONG,
        1.5,
        "持刀 砍人 砍伤 捅伤 刺伤 打伤 打死 砍死 捅死 杀人 杀害 凶杀 命案 抢劫 斗殴 群殴 械斗 持械 绑架 "
        "投毒 恐怖袭击 纵火 打砸 枪击 发生冲突 肢体冲突 群体性事件 冲击",
    ),
    (SOCIAL, STRONG, 1.0, "遗体 尸体"),
    (SOCIAL, WEAK, 1.5, "殴打 打架 暴力 围攻"),
    (SOCIAL, CROWD, 1.5, "聚集 围堵 堵路 静坐 拉横幅 集体上访 示威 游行 集结 堵在 堵塞"),
)

# Words whose sense depends on their neighbours: (must not follow, must not precede,
# must follow within a few characters, must precede within a few characters). A failed check
# drops the word. 疫情 is special: it is strong after 暴发 / 出现 …, weak otherwise.
_GAS: Final = (
    r"燃气|天然气|煤气|液化气|氯气|液氨|氨气|沼气|危化品|化学品|毒气|有毒气体|硫化氢|油罐|管道"
)
CONTEXT: Final[dict[str, tuple[str | None, str | None, str | None, str | None]]] = {
    "地震": (r"[局台站科]", None, None, None),  # 地震局, 地震科普
    "爆炸": (r"[性头款品]", None, None, None),  # 爆炸性消息
    "火灾": (r"隐患", None, None, None),
    "大火": (r"[收炒]", None, None, None),  # 大火收汁
    "遗体": (r"告别|捐献|火化|运输", r"动物|[猪狗鸡鸭鱼]", None, None),
    "尸体": (r"告别|捐献|火化|运输", r"动物|[猪狗鸡鸭鱼]", None, None),
    "泄漏": (None, None, None, _GAS),  # 个人信息泄露 is no accident
    "泄露": (None, None, None, _GAS),
    "冲击": (None, None, r"政府|派出所|机关|警戒线|大门", None),
    "堵塞": (None, None, r"路|道|高速|出口|大门|交通", None),
}
CONTEXT_RES: Final = {
    word: tuple(re.compile(p) if p else None for p in checks) for word, checks in CONTEXT.items()
}
CONTEXT_WINDOW: Final = 8
OUTBREAK_BEFORE_RE: Final = re.compile(r"暴发|爆发|出现|发现|发生|新增")

WORDS: Final[dict[str, tuple[str, str, float]]] = {}
for _kind, _strength, _weight, _words in VOCABULARY:
    for _w in _words.split():
        WORDS[_w] = (_kind, _strength, _weight)
# One alternation of plain words, longest first: the regex engine scans it far faster than
# alternatives with groups or look-arounds, and it is the pre-filter every post goes through.
TERM_RE: Final = re.compile("|".join(sorted(map(re.escape, WORDS), key=len, reverse=True)))


def term_sense(text: str, word: str, start: int, end: int) -> tuple[str, str, float] | None:
    """(type, strength, weight) of an occurrence of ``word``, or None when its context rules it out."""
    sense = WORDS[word]
    if word == "疫情":
        before = text[max(0, start - 6) : start]
        if OUTBREAK_BEFORE_RE.search(CLAUSE_SPLIT_RE.split(before)[-1]):
            return (sense[0], STRONG, sense[2])
        return sense
    checks = CONTEXT_RES.get(word)
    if checks is None:
        return sense
    not_after, not_before, needs_after, needs_before = checks
    if not_after is not None and not_after.match(text, end):
        return None
    if not_before is not None and not_before.search(text, max(0, start - 2), start):
        return None
    if needs_after is not None and not needs_after.search(
        CLAUSE_SPLIT_RE.split(text[end : end + CONTEXT_WINDOW])[0]
    ):
        return None
    if needs_before is not None and not needs_before.search(
        CLAUSE_SPLIT_RE.split(text[max(0, start - CONTEXT_WINDOW) : start])[-1]
    ):
        return None
    return sense


# A death told without a figure ("当场身亡", "发病后死亡") counts as one, unless negated.
IMPLIED_DEATH_RE: Final = re.compile(r"死亡|身亡|遇难|罹难|丧生|溺亡|病亡|遇害|致死|殒命")
DEATH_NEGATION_RE: Final = re.compile(r"[无未没]|避免|防止|以免|预防|不会")
DEATH_NOT_EVENT_AFTER: Final = re.compile(r"^(?:率|人数|病例|事故起数|原因|证明|赔偿|抚恤)")

# A live crowd without a figure needs a sign that it is happening now.
CURRENT_RE: Final = re.compile(
    r"今天|今早|今晨|今晚|今日|刚刚|刚才|现在|正在|目前|此刻|昨天|昨晚|昨夜|凌晨|现场|越来越多"
)

# Context cues. ``HARD`` cues cancel the emergency whatever the figures say (a drill, a film,
# a debunk notice, statistics, an advert); ``SOFT`` cues cancel it only when the post carries
# no casualty, loss or crowd figure ("万一发生火灾", "请问地震补助", "专家提醒预防诺如").
HARD_CUES: Final[dict[str, str]] = {
    "drill": r"演练|演习|模拟(?!器)|预演|实战化|桌面推演",
    "fiction": r"电影(?![院城])|影片|灾难片|(?<!一)大片|电视剧|纪录片|观后感|剧情|小说|片中|追剧|重温|动漫|游戏里",
    "history": r"周年|历史上|回顾历史|纪念|曾发生|曾遭遇|铭记|多年前|那一年",
    "stats": r"同比|环比|今年以来|共发生|共接报|每年|全年|分别下降|分别上升|数据显示|研究表明|发生率|死亡率|病死率|致死率",
    "debunk": r"辟谣[：:]|系谣言|是谣言|为谣言|纯属谣言|不信谣|不传谣|造谣者|造谣被|不实信息",
}
SOFT_CUES: Final[dict[str, str]] = {
    "advice": r"科普|提醒|专家|预防|培训|知识|讲座|急救|如何|怎么办|避险|安全教育|宣传|注意安全|要注意|一定要|接种",
    "ad": r"意外险|重疾险|投保|保额|特价|促销|详询|名额有限|客服|优惠|爆款|下单|包邮|全保障",
    "plan": r"预案|会议|部署|工作会|印发|召开|招聘|招商引资|签约|防治|防范|防控",
    "hazard": (
        r"容易|差点|险些|迟早|隐患|万一|一旦|可能会|可能性|会不会|以防|危险|建议|希望尽快|请尽快|经常|"
        r"面临|随时|亟待|危楼|危房|曾经|出现过"
    ),
    "question": r"请问|咨询|怎么申请|如何申请|什么时候|哪里|[吗呢][？?]|多久",
    "lost": r"走失|寻人|寻找|启事|必有重谢",
}
# A past incident that the post only mentions to ask for money or paperwork ("去年失火，保险
# 公司一直不赔"): both a past-time word and a claim word cancel it.
PAST_RE: Final = re.compile(
    r"去年|前年|年前|当年|上个月|上周|前几天|前些天|那场|那次|至今|到现在|还没|还未|一直没"
)
CLAIM_RE: Final = re.compile(
    r"赔偿|理赔|补助|补偿款|重建|报销|赔付|不赔|工伤|责任认定|保险公司|定损|抚恤"
)
HARD_CUE_RES: Final = {name: re.compile(p) for name, p in HARD_CUES.items()}
SOFT_CUE_RES: Final = {name: re.compile(p) for name, p in SOFT_CUES.items()}

# Rescue finished: trapped figures no longer count.
RESCUED_RE: Final = re.compile(
    r"全部(?:安全)?(?:获救|救出|救下|脱险|被救出|被救下|转移)|均已(?:获救|脱险|救出)|已被救出|成功救出|"
    r"已全部安全|无人(?:员)?被困"
)
# A crowd is an incident when it carries a grievance or turns violent; a queue, a concert or
# square dancing is not. 要求 / 反映 appear in every complaint, so they count only for a crowd
# with a figure ("五十多名村民聚集…反映补偿"); a crowd without a figure needs a specific one.
GRIEVANCE_RE: Final = re.compile(
    r"维权|讨薪|讨要|补偿|拆迁|征地|征收|上访|拉横幅|抗议|情绪激动|情绪激烈|讨说法|讨个说法|静坐|示威|"
    r"闹事|阻挠|阻止施工|阻工|赔偿|欠薪|工资|械斗|斗殴|群殴|冲击|冲突|打砸"
)
GRIEVANCE_WEAK_RE: Final = re.compile(r"要求|反映|诉求|解决")
# Blocking a road or violence raises a crowd incident by one level.
BLOCKADE_RE: Final = re.compile(
    r"堵路|堵塞|堵住|堵死|拦路|拦截车辆|交通(?:已经?|一度)?中断|打砸|冲突|冲击|围攻|械斗|群殴"
)
VULNERABLE_RE: Final = re.compile(
    r"学生|幼儿|儿童|孩子|小孩|师生|小学生|中学生|婴儿|老人|老年人|养老院|敬老院|幼儿园"
)

# Places outside the jurisdiction: an incident located there has no local link. 长春堡, 威宁路
# and 金沙路-style local names are excluded by the look-aheads.
_REMOTE: Final = (
    r"北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    r"广东|广西|海南|四川|云南|陕西|甘肃|青海|内蒙古|宁夏|新疆|西藏|台湾|香港|澳门|"
    r"贵阳|遵义|六盘水|安顺|铜仁|凯里|都匀|兴义|黔东南|黔南|黔西南|黔西(?![南路])|织金|纳雍|赫章|"
    r"威宁(?![路街])|金沙(?![路街江])|大方县|成都|昆明|银川|吕梁|唐山|汶川|泸定|武汉|广州|深圳|杭州|"
    r"南京|西安|长沙|郑州|济南|石家庄|太原|沈阳|长春(?!堡)|哈尔滨|合肥|福州|南昌|南宁|兰州|西宁|"
    r"乌鲁木齐|拉萨|日本|韩国|朝鲜|美国|土耳其|印度|菲律宾|泰国|越南|缅甸|尼泊尔|巴基斯坦|阿富汗|"
    r"伊朗|叙利亚|俄罗斯|乌克兰|英国|法国|德国|意大利|墨西哥|巴西|智利|澳大利亚|新西兰|加拿大|国外|"
    r"外省|外地|某省|某县|某市"
)
REMOTE_RE: Final = re.compile(_REMOTE)
# Markers that tie an incident to the jurisdiction even when a remote name is near it.
LOCAL_RE: Final = re.compile(
    r"七星关|毕节|我区|本区|区里|辖区|交界|本地|本县|我县|我村|我们(?:村|镇|乡|小区|社区|这里)"
)
