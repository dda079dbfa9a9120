"""Words behind the severity assessment: emergency vocabulary by type and kind, context cues.

Every list here is something a duty officer can read and argue with; the evidence of a
``SeverityAssessment`` names the entries that matched.

Emergency vocabulary comes in two strengths:

- **strong** words name an incident that happened (爆炸, 山体滑坡, 食物中毒, 持刀): on their own
  they make a post an emergency of at least 一般;
- **weak** words name a cause, a hazard or a field (暴雨, 事故, 疫情, 发热): they count only
  together with a casualty, loss or crowd figure, so "疫情防控期间买菜难" or "一下暴雨就积水"
  stay 常规.

Each word also names the kind of emergency whose grading table applies (``KINDS``, the tables
of ``config/grading.toml``). Entries are regular expressions (most are plain words); look-aheads
keep 地震局, 爆炸性消息, 洪水镇 and 个人信息泄露 out. The context cues (``CUES``) are read by
``classifier.scope``, which decides how far each reaches.
"""

from __future__ import annotations

import re
from typing import Final

from classifier.alternation import trie_pattern

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

# Kinds of emergency, each graded by the table of its own plan (``config/grading.toml``).
PRODUCTION: Final = "production_safety"  # 生产安全事故, fires, road accidents, leaks
EARTHQUAKE: Final = "earthquake"
GEOLOGICAL: Final = "geological"  # 滑坡, 泥石流, 崩塌, 地面塌陷, 地裂缝
FOREST_FIRE: Final = "forest_fire"
NATURAL_OTHER: Final = "natural_other"  # floods, storms, hail, freezing …
FOOD: Final = "food_poisoning"
PUBLIC_HEALTH: Final = "public_health"  # infectious disease, unexplained illness, other poisoning
CROWD_KIND: Final = "crowd"  # 群体性事件
SOCIAL_OTHER: Final = "social_other"  # violent crime
KINDS: Final = (
    PRODUCTION,
    EARTHQUAKE,
    GEOLOGICAL,
    FOREST_FIRE,
    NATURAL_OTHER,
    FOOD,
    PUBLIC_HEALTH,
    CROWD_KIND,
    SOCIAL_OTHER,
)
KIND_TYPE: Final = {
    PRODUCTION: ACCIDENT,
    EARTHQUAKE: NATURAL,
    GEOLOGICAL: NATURAL,
    FOREST_FIRE: NATURAL,
    NATURAL_OTHER: NATURAL,
    FOOD: HEALTH,
    PUBLIC_HEALTH: HEALTH,
    CROWD_KIND: SOCIAL,
    SOCIAL_OTHER: SOCIAL,
}

# (type, strength, weight, kind, words). Natural causes weigh more than their consequences:
# "暴雨导致民房倒塌" is a natural disaster although 倒塌 alone reads as an accident.
VOCABULARY: Final[tuple[tuple[str, str, float, str, str], ...]] = (
    (NATURAL, STRONG, 2.0, EARTHQUAKE, "地震 余震 震感 震中"),
    (
        NATURAL,
        STRONG,
        2.0,
        GEOLOGICAL,
        "山体滑坡 滑坡 泥石流 落石 崩塌 地面塌陷 地裂缝 山垮 危岩体 山体滑动 山体下滑 山体开裂 山体变形 "
        "坡体变形 坡体开裂 边坡变形 边坡失稳 边坡垮塌 滑移 滑动 崩落 滑塌",
    ),
    (NATURAL, STRONG, 2.0, FOREST_FIRE, "森林火灾 山火 林火 过火面积 扑火 扑火队 火头"),
    (
        NATURAL,
        STRONG,
        2.0,
        NATURAL_OTHER,
        "洪水 洪涝 洪灾 山洪 水位暴涨 超警戒 超汛限 管涌 溃坝 垮坝 漫坝 决堤 被淹 淹没 冲毁 冲垮 绝收 受灾 "
        "雪灾 旱灾 龙卷风 冰雹 雷击",
    ),
    (
        NATURAL,
        WEAK,
        2.0,
        NATURAL_OTHER,
        "特大暴雨 大暴雨 暴雨 强降雨 大风 干旱 凝冻 冻雨 暴雪 内涝 险情 渗水 裂缝 水位上涨 水位持续上涨 河水上涨 涨水 变形加剧",
    ),
    (NATURAL, WEAK, 2.0, GEOLOGICAL, "地质灾害 裂开 开裂 危岩"),
    # a threat that moves people: "水库泄洪，下游…转移了两万多人", "河水涨得厉害…转移了六百多人"
    (NATURAL, WEAK, 2.0, NATURAL_OTHER, "泄洪 河水涨"),
    (
        ACCIDENT,
        STRONG,
        1.0,
        PRODUCTION,
        "爆炸 火灾 起火 失火 大火 着火 燃爆 闪爆 爆燃 火情 烧毁 坍塌 垮塌 倒塌 塌方 塌陷 车祸 相撞 追尾 "
        "侧翻 翻车 翻了 撞了 坠落 坠崖 坠河 坠江 坠楼 坠入 透水 冒顶 触电 溺水 溺亡 踩踏 脱轨 刹车失灵 冲出护栏 撞断护栏 矿难 "
        "炸了 塌了 垮了 烧起来",
    ),
    (ACCIDENT, STRONG, 2.0, PRODUCTION, "氯气 液氨 泄漏 泄露 停止取水 取水中断 漏氨 毒气泄漏 漏毒气"),
    # a gas or oil line broken open: "施工挖断了高压燃气管道", "燃气管道爆裂" (a burst water main is
    # a complaint)
    (ACCIDENT, STRONG, 2.0, PRODUCTION, "挖断 爆裂"),
    # smoke or gas of a plant: an incident with a figure (a chimney's smoke is a complaint)
    (ACCIDENT, WEAK, 1.0, PRODUCTION, "冒黄烟 储罐 反应釜"),
    (
        ACCIDENT,
        WEAK,
        1.0,
        PRODUCTION,
        "事故 故障 瓦斯 塔吊 脚手架 撞击 燃烧 漏电 电梯 缆车 索道 游乐设施 落水 被车撞 卷到车底 卷入车底 "
        "冰窟窿 粪坑 掉进河 掉进水 掉到河 掉河里 掉水里 掉进水库 掉进池塘 掉进鱼塘 掉进井 掉进江 冲进江 冲进河",
    ),
    (HEALTH, STRONG, 1.5, FOOD, "食物中毒 毒蘑菇 亚硝酸盐中毒 农药中毒 甲醇中毒"),
    (
        HEALTH,
        STRONG,
        1.5,
        PUBLIC_HEALTH,
        "一氧化碳中毒 煤气中毒 酒精中毒 聚集性 集体发病 集体中毒 集体腹泻 集体呕吐 集体发热 集体感染 "
        "不明原因 霍乱 鼠疫 肺鼠疫 炭疽 肺炭疽 禽流感 非洲猪瘟 猪瘟 狂犬病 疯狗",
    ),
    (
        HEALTH,
        WEAK,
        1.5,
        PUBLIC_HEALTH,
        "中毒 疫情 传染病 病例 确诊 感染 发热 发烧 腹泻 呕吐 上吐下泻 拉肚子 腹痛 诺如 水痘 流感 肺炎 "
        "野生菌 手足口 狂犬 吃坏 疫苗 怪病 猩红热 麻疹 腮腺炎 痢疾 伤寒 肺结核 结核病 肝炎 登革热 疟疾 红眼病 "
        "百日咳 患儿 接种后 打完疫苗 打了疫苗 服药后",
    ),
    (
        SOCIAL,
        STRONG,
        1.5,
        SOCIAL_OTHER,
        "持刀 砍人 砍伤 捅伤 刺伤 打伤 打死 砍死 捅死 杀人 杀害 凶杀 命案 行凶 抢劫 持械 绑架 投毒 "
        "恐怖袭击 纵火 枪击",
    ),
    (
        SOCIAL,
        STRONG,
        1.5,
        CROWD_KIND,
        "斗殴 群殴 械斗 打群架 群架 打成一团 打砸 发生冲突 肢体冲突 激烈冲突 群体性事件 冲击",
    ),
    (SOCIAL, STRONG, 1.0, SOCIAL_OTHER, "遗体 尸体"),
    (SOCIAL, WEAK, 1.5, SOCIAL_OTHER, "殴打 打架 暴力"),
    (SOCIAL, WEAK, 1.5, CROWD_KIND, "围攻 打起来"),
    (
        SOCIAL,
        CROWD,
        1.5,
        CROWD_KIND,
        "聚集 围堵 堵路 静坐 拉横幅 集体上访 示威 游行 集结 堵塞 聚了 围起 把路堵 堵得死死",
    ),
)

# Words whose sense depends on their neighbours: (must not follow, must not precede,
# must follow within a few characters, must precede within a few characters). A failed check
# drops the word. 疫情 is special: it is strong after 暴发 / 出现 …, weak otherwise.
_GAS: Final = (
    r"燃气|天然气|煤气|液化气|氯气|液氨|氨气|沼气|危化品|化学品|毒气|有毒气体|硫化氢|油罐|管道|化工|"
    r"柴油|汽油|甲醇|罐车|储罐|液氯|油品|氨"
)
_LINE_GAS: Final = r"燃气|天然气|煤气|液化气|输油|输气|油管|气管"
CONTEXT: Final[dict[str, tuple[str | None, str | None, str | None, str | None]]] = {
    "地震": (r"[局台站科]", None, None, None),  # 地震局, 地震科普
    "震感": (None, r"没有|[没无未]", None, None),  # 没有震感: nothing was felt
    "爆炸": (r"[性头款品]", None, None, None),  # 爆炸性消息
    "火灾": (r"隐患", None, None, None),
    "发生冲突": (None, r"没有|[没未无]", None, None),  # "现场没有发生冲突"
    "激烈冲突": (None, r"没有|[没未无]", None, None),
    # a building burns by the square metre, a forest by the 亩 or the 公顷
    "过火面积": (r"(?:约|达|近|超过|为)?[\d一二两三四五六七八九十百千万.,余多]+(?:平方米|平米|㎡)", None, None, None),
    # "批发市场昨晚十一点烧起来了"; "火气烧起来" is no fire
    "烧起来": (None, None, None, r"场|厂|房|楼|店|仓库|铺|屋|车|城|馆|坊|棚|厦|酒店|网吧|KTV"),
    "大火": (r"[收炒]", None, None, None),  # 大火收汁
    "遗体": (r"告别|捐献|火化|运输", r"动物|[猪狗鸡鸭鱼]", None, None),
    "尸体": (r"告别|捐献|火化|运输", r"动物|[猪狗鸡鸭鱼]", None, None),
    "泄漏": (None, None, None, _GAS),  # 个人信息泄露 is no accident
    "泄露": (None, None, None, _GAS),
    "冲击": (None, None, r"政府|派出所|机关|警戒线|大门", None),
    "堵塞": (None, None, r"路|道|高速|出口|大门|交通", None),
    "翻了": (None, None, None, r"车|巴|船|三轮|摩托"),  # 翻了一番 is no accident
    "撞了": (None, None, None, r"车"),  # 两辆车撞了; 撞了一下头 is no accident
    "洪水": (r"[镇乡村路街]", None, None, None),  # 洪水镇 is a place
    "游行": (None, r"旅", None, None),  # 旅游行业
    "打死": (r"[我你他她它]|也不|都不", None, None, None),  # "非得打死我不可", "打死也不去"
    "滑移": (r"[门式窗]|装置", None, None, None),  # 滑移门 is a door
    "滑动": (None, None, None, r"山|坡|岩|土体"),  # "山体开始滑动"; 滑动门, 手指滑动 are not
    "裂开": (None, None, None, r"山|坡|岩|地面|地"),
    "开裂": (None, None, None, r"山|坡|岩|地面"),  # "后山开裂"; 墙体开裂 is a housing complaint
    "挖断": (None, None, _LINE_GAS, None),
    "爆裂": (None, None, None, _LINE_GAS),  # "后山裂开了一道大口子"
    # colloquial: "作坊下午炸了", "楼塌了", "桥垮了"; "考试考炸了", "心态崩了" are no accident
    "炸了": (
        None,
        None,
        None,
        r"厂|作坊|矿|罐|锅炉|仓库|库房|店|车|气|瓶|管道|楼|房|鞭炮|烟花|站|桶|窑|炉",
    ),
    "塌了": (
        None,
        None,
        None,
        r"房|楼|桥|墙|山|隧道|顶|屋|棚|坑|井|路|坡|架|堤|坝|窑|场|厂|馆|室|洞",
    ),
    "垮了": (None, None, None, r"房|楼|桥|墙|山|隧道|顶|屋|棚|坡|架|堤|坝|窑|场|厂|馆|室|洞"),
    "不明原因": (
        None,
        None,
        r"疾病|发热|发烧|肺炎|病|高热|腹泻|呕吐|症状|死亡|中毒|皮疹|感染",
        None,
    ),
    "疫苗": (
        r"[^后]",
        None,
        None,
        None,
    ),  # only "接种疫苗后…": a complaint about queues is no event
}
CONTEXT_RES: Final = {
    word: tuple(re.compile(p) if p else None for p in checks) for word, checks in CONTEXT.items()
}
CONTEXT_WINDOW: Final = 8
BODY_WORDS: Final = frozenset({"遗体", "尸体"})
CRIME_HINT_RE: Final = re.compile(
    r"警方|警察|民警|公安|派出所|刑侦|法医|命案|他杀|凶手|行凶|杀害|抛尸|血迹|可疑|嫌疑|报警|被害"
)
OUTBREAK_BEFORE_RE: Final = re.compile(r"暴发|爆发|出现|发现|发生|新增")

WORDS: Final[dict[str, tuple[str, str, float]]] = {}
WORD_KIND: Final[dict[str, str]] = {}
for _type, _strength, _weight, _kind, _words in VOCABULARY:
    for _w in _words.split():
        WORDS[_w] = (_type, _strength, _weight)
        WORD_KIND[_w] = _kind
# The words as a trie (the longest word at each position, one branch per first character):
# every post that passes the pre-filter is scanned with it.
TERM_RE: Final = re.compile(trie_pattern(WORDS))


def term_sense(text: str, word: str, start: int, end: int) -> tuple[str, str, float] | None:
    """(type, strength, weight) of an occurrence of ``word``, or None when its context rules it out."""
    sense = WORDS[word]
    if word == "疫情":
        before = text[max(0, start - 6) : start]
        if OUTBREAK_BEFORE_RE.search(CLAUSE_SPLIT_RE.split(before)[-1]):
            return (sense[0], STRONG, sense[2])
        return sense
    if word == "不明原因" and _ILL_BEFORE_RE.search(text, max(0, start - _ILL_REACH), start):
        # "…二十多个学生住院了。医生原话是“目前不明原因”": the illness was told before
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
    if word in BODY_WORDS and not CRIME_HINT_RE.search(text, max(0, start - 30), end + 30):
        # a body found with no sign of a crime is a drowning or an accident's victim
        return (ACCIDENT, sense[1], sense[2])
    return sense


# ----------------------------------------------------------------------------- context cues
# A cue says that what its clause tells is not an incident here and now. Each family is a list
# a duty officer can read; ``classifier.scope`` decides how far a cue reaches (its clause, and
# the clauses of its sentence until one states a current fact).
CUES: Final[dict[str, str]] = {
    "drill": (
        r"演练|演习|模拟(?!器)|预演|实战化|桌面推演|假设发生|拉练|演示|"
        r"“(?:伤员|被困|受伤|遇难|受威胁|伤者|中毒)[^”]{0,6}”"
    ),
    "fiction": (
        r"电影(?![院城])|影片|灾难片|(?<!一)大片|电视剧|纪录片|观后感|剧情|小说|片中|片子里|片里|剧里|追剧|"
        r"动漫|游戏里|看(?:了|完)?《|《[^》]{1,20}》(?:里|中|这部|讲)|编剧|主角|男主(?!人)|女主(?!人)|吃鸡|王者|打游戏(?!的)|"
        r"这部(?:片|电影|剧)|片子|的故事|副本|团灭|一部剧|部剧|美剧|韩剧|日剧|英剧|网剧|集看完|看完[^，。]{0,3}集"
    ),
    "history": (
        r"周年|历史上|回顾历史|纪念|曾发生|曾遭遇|铭记|多年前|那一年|当年|1[89]\d\d年|那场|那次|祭奠|"
        r"祭扫|缅怀|逝者安息|忘不了|表彰|曾在|烈士|那年(?!代)|那些年|抗洪纪念|纪念碑"
    ),
    "past": (
        r"去年|前年|(?:\d+|[一二两三四五六七八九十几]+)年前|上个月|曾经|[死伤]过|出过事|以前|"
        r"年轻时|小时候|那时候|多次(?:到|去|向|前往)|曾多次"
    ),
    "stats": (
        r"同比|环比|(?:今年|年初|汛期|入汛|本月|入冬|开春)[^，。]{0,4}以来|共发生|共接报|"
        # "每年都讲不要乱吃野生菌" is a warning repeated, not a yearly count
        r"每年(?!都(?:在)?(?:讲|说|提醒|喊|劝|强调))|全年|分别下降|分别上升|数据显示|研究表明|据统计|发生率|"
        r"死亡率|病死率|致死率|第一死因|\d+至\d+月|[一二三四五六七八九十]+至[一二三四五六七八九十]+月|"
        r"上半年|下半年|(?:近|过去)(?:\d+|[一二两三四五六七八九十]+)年|伤亡案件|起数|占.{0,8}%|"
        r"患癌|癌症|发病率|年均|平均每年|累计发生|历年|多年来|"
        r"(?:今年|全年|本年|本月|今冬|今春|入汛)[^，。]{0,10}(?:发生|共|累计)[^，。]{0,10}\d+起|"
        # a year's toll or an inventory of hazards, not an incident: "今年全区因溺水死亡的学生有9名",
        # "全区共有隐患点86处，威胁群众1.2万人"
        r"(?:今年|全年|本年度?|年内|本月|上月|上个月)(?:全区|全县|全市|全镇|全乡|全省|全国|我区|我县)|"
        # …unless the hazard is moving now: "滑坡隐患点变形加剧" is a 险情
        r"隐患点(?![^，。]{0,8}(?:变形|裂缝|加剧|险情|滑动|垮塌|崩塌))"
    ),
    "debunk": (
        r"辟谣|系谣言|是谣言|为谣言|纯属谣言|造谣|不实信息|不属实|系不实|旧视频|假消息|虚假信息|"
        r"谣言(?:吧|呢|[。！!]|$)|子虚乌有|纯属捏造|系捏造|系编造|不要轻信|请勿轻信"
    ),
    "court": r"宣判|判处|一审|二审|判决|开庭|被告人|公诉|提起诉讼",
    "definition": (
        r"是指|所称|的为(?:特别重大|重大|较大|一般)|分为四级|分为(?:特别重大|Ⅰ)|分级标准|以上的为|"
        r"事故等级|属于(?:特别重大|重大|较大|一般)|人以上\d+人以下|"
        # a threshold quoted, not a count: "死亡10人以上为重大事故", "三人以上十人以下的是较大事故",
        # "伤亡超过30人就算特别重大"
        r"(?:以上|以下|及以上|以内)的?(?:就|即|则)?(?:为|是|属于|算|定为|构成|达到)(?:特别重大|重大|较大|一般)|"
        r"(?:以上|以下)[^，。！？]{0,8}(?:以上|以下)的?(?:就|即|则)?(?:为|是|属于|算)|"
        r"(?:就|即|则)?(?:算|构成|属于|达到)(?:特别重大|重大|较大|一般)(?:事故|级别|等级)?的?(?:标准|门槛)|"
        # a question about the reporting rule, not a report: "按照…的规定，有三四个学生同时发烧，
        # 是不是要上报疾控？"
        r"(?:是不是|要不要|需不需要|需要不需要|用不用|该不该)(?:要|需要|得)?(?:上报|报告|报备)|"
        r"按照[^，。！？]{0,16}的?规定"
    ),
    # a condition governs its sentence: "如果不及时处理，可能造成上百人伤亡"
    "hypothetical": (
        r"(?<![一二两三四五六七八九十百千\d])万一(?![千百十])|如果|要是|一旦|假如|假设|可能造成|可能导致|可能引发|"
        r"或将|恐将|重则|轻则|甚至会|会导致|要不是|要不然|不然的话|否则"
    ),
    # clause only: a near miss, a worry, prevention, an intention
    "near_miss": (
        r"差点|险些|差一点|迟早|会不会|可能会|容易|恐怕|以防|防止|避免|预防|以免|谨防|担心|害怕|"
        r"会(?:被)?[撞压砸淹烧炸摔电毒踩]?死人|出人命|将(?:依法)?组织|准备(?:组织|集体)|打算|扬言|"
        r"要去上访|将集体|"
        # a false alarm: "邻居以为着火了打了119", "虚惊一场"
        r"以为|误以为|误认为|误报|虚惊"
    ),
    # a figure of speech, its clause only: "跟被特大洪水冲过一样", "简直就是车祸现场"
    "figurative": r"(?:跟|像|如同|好比)[^，。！？]{0,12}(?:一样|一般|似的)|简直(?:就是|像)|堪比",
}
# "那场", "那次" point back to an event the reader knows: history, unless their clause dates it
# to the last days ("前天那场山火", "昨晚那次爆炸")
THAT_ONE: Final = frozenset({"那场", "那次"})
RECENT_DAY_RE: Final = re.compile(
    r"今天|今日|今早|今晨|今晚|昨天|昨日|昨晚|昨夜|前天|前晚|前两天|这两天|这几天|前几天|前些天|刚才|刚刚|凌晨|上午|下午"
)
# families whose cue reaches only its own clause
CLAUSE_ONLY_CUES: Final = frozenset({"near_miss", "figurative"})
# an emergency word in short quotation marks is a figure of speech ("“重大事故现场”", "“伤亡惨重”",
# "遭遇“特大洪水”"): the quotes say the word is not meant; a claim quoted in full is longer
# ("医生原话是“目前不明原因”" quotes speech: the quotes after a word of saying are no scare quotes)
SCARE_QUOTE_RE: Final = re.compile(
    r"(?<![说称讲道：:])(?<!原话是)(?<!表示)(?<!回复)(?<!答复)(?<!告知)(?<!通报)“[^”\d]{1,10}”"
)
# A clause stating a current fact ends the reach of a cue before it in the same sentence.
CURRENT_RE: Final = re.compile(
    r"今天|今日|今早|今晨|今晚|昨天|昨日|昨晚|昨夜|凌晨|刚刚|刚才|目前|截至|截止|已造成|已致|已有|"
    r"已经|现已|正在|此刻|突发|又发生|又出|又遭|这次|本次|当天|确认|事发"
)
# A claim reported from others: its figures fall when the post calls it false or doubts it.
CLAIM_RE: Final = re.compile(
    r"网传|网上(?:有人)?(?:到处)?(?:在)?(?:说|传|流传)|到处在传|传言|谣传|流传|有人说|听说|据说|"
    r"群里[^，。！？“]{0,3}(?:传|说)|"
    # a message forwarded or a video posted with a claim: "又在转“…”", "好多人转'…'", "有人发视频
    # 说…", "抖音上有人发视频讲…"
    r"(?:转|转发|发|传|在传)(?:了|着)?[^，。！？“]{0,4}[“‘'\"]|有人[^，。！？“]{1,10}(?:说|讲)|"
    r"朋友圈(?:都在)?(?:说|传|疯传)|都在传|不实信息称|有消息称|有网友称|所谓|传闻|标题党|"
    r"听[^，。！？；]{1,6}(?:说|讲)|有人讲|据[^，。！？；]{1,6}(?:讲|透露)|爆料|"
    r"”的(?:新闻|消息|说法|视频|帖子)"
)
HEARSAY_RE: Final = re.compile(
    r"听说|据说|网传|有人说|群里|朋友圈|都在传|传言|听[^，。！？；]{1,6}(?:说|讲)|有人讲|知情人|爆料"
)
# what the post says of a claim: verified facts follow these, the claim does not reach them
VERIFIED_RE: Final = re.compile(
    r"经核实|经核查|经查|经调查|实际|实为|其实|区政府通报|通报称|官方通报|情况通报|据通报|澄清"
)
# the post doubts a claim without calling it false: a person should check it (待核实)
DOUBT_RE: Final = re.compile(
    r"真的假的|是真是假|真假|是不是真的|不知道真不真|不晓得真假|有待核实|未经证实|不知道是不是真的"
)
# the post calls the claim false or doubts it
VERDICT_RE: Final = re.compile(
    r"系谣言|是谣言|为谣言|纯属谣言|谣言(?:吧|呢)|不实|不属实|假的|没有的事|子虚乌有|并未发生|未发生|"
    r"系外地|旧视频|老视频|以前的视频|(?:外省|外地|外国|国外)的(?:老|旧)?视频|其实(?:就是|只是)|根本没有|不可能|捏造|编造|不要轻信|请勿轻信|澄清|别当真|"
    r"标题党|不可信|别信|(?<!不是)(?:瞎说|乱说|胡说|瞎传|乱传)|没(?:那|这)回事|合成(?:的)?(?:视频|图片)|"
    # the claim grew from something small, or the thing stands: "以讹传讹传成了食物中毒",
    # "桥好好的", "根本不是我们这里的"
    r"以讹传讹|传成了|被传成|一切正常|好好的|根本不是|并非|纯属虚构|截图改的|拼接|移花接木|张冠李戴|"
    r"是编的|编出来的|瞎编|胡编|乱编|编造的|屁事没有|啥事没有|啥事都没有|什么事都没有|什么事也没有|"
    # the thing happened elsewhere, or was not felt here: "我查了是外省的", "我们这边根本没感觉"
    r"是(?:外省|外地|邻省|外县)的|根本没(?:有)?感觉|一点(?:都|也)?没感觉"
)

# A past incident that the post only mentions to ask for money or paperwork ("去年失火，保险
# 公司一直不赔"): both a past-time word and a claim word cancel it.
PAST_RE: Final = re.compile(
    r"去年|前年|年前|当年|上个月|上周|前几天|前些天|前天|那场|那次|至今|到现在|还没|还未|一直没"
)
# Long ago: the money is what the post is about. Days ago ("前天…死了四个，有没有补助", "昨天那场
# 大风…损失三百来万"), an incident whose figures stand is still being handled: it is graded.
LONG_AGO_RE: Final = re.compile(r"去年|前年|年前|当年|上个月|上周|至今|一直没|好几年|多年")
MONEY_CLAIM_RE: Final = re.compile(
    r"赔偿|理赔|补助|补贴|补偿款|重建|报销|赔付|不赔|工伤|责任认定|保险公司|定损|抚恤|救助款|"
    r"救灾物资|没领到|医药费|不肯赔|不给赔"
)
# Words that tell a consequence already borne, not a hazard: a question or a plea beside them
# ("自来水厂已经停止取水…请问啥时候恢复？") asks about an incident, like a figure would.
OUTCOME_WORDS: Final = frozenset({"停止取水", "取水中断"})
# Soft cues cancel an emergency word only when the post carries no casualty, loss or crowd
# figure ("万一发生火灾", "请问地震补助", "专家提醒预防诺如").
SOFT_CUES: Final[dict[str, str]] = {
    "advice": r"科普|提醒|专家|预防|培训|知识|讲座|急救|如何|怎么办|避险|安全教育|宣传|注意安全|要注意|一定要|接种",
    "ad": (
        r"意外险|重疾险|财险|财产险|投保|保额|特价|促销|详询|名额有限|客服|优惠|爆款|下单|包邮|全保障|"
        r"私信|了解一下|都能赔|都能保"
    ),
    "plan": r"预案|会议|部署|工作会|印发|召开|招聘|招商引资|签约|防治|防范|防控|排查|检查",
    "hazard": (
        r"容易|差点|险些|迟早|隐患|(?<![一二两三四五六七八九十百千\d])万一(?![千百十])|一旦|可能会|可能性|"
        r"会不会|以防|危险|建议|希望尽快|请尽快|经常|"
        r"面临|随时|亟待|危楼|危房|曾经|出现过|地带|受到(?:严重)?威胁|抵御不了"
    ),
    "question": r"请问|咨询|怎么申请|如何申请|什么时候|哪里|[吗呢][？?]|多久",
    "lost": r"走失|寻人|寻找|启事|必有重谢",
}
CUE_RES: Final = {name: re.compile(p) for name, p in CUES.items()}
SOFT_CUE_RES: Final = {name: re.compile(p) for name, p in SOFT_CUES.items()}
# one scan finds every cue of a post: named groups tell the family
CUE_SCAN_RE: Final = re.compile("|".join(f"(?P<{name}>{p})" for name, p in CUES.items()))

# A death told without a number counts as one, unless negated. How much else the post must tell
# depends on how plainly the words say that someone died in an event:
# - "当场就没了", "当场死亡": a sudden death is an incident by itself;
_SUDDEN_DEATH: Final = r"当场(?:就|已经)?(?:死了|没了|没气了|断气了|身亡|死亡|走了)"
SUDDEN_DEATH_RE: Final = re.compile(_SUDDEN_DEATH)
# - "老人没抢救过来", "人没了", "有个娃娃没气了": with any emergency word (中毒, 疫苗, 落水 …);
#   没了 needs a person before it ("房子没了" is no death);
_DEATH_WHO: Final = (
    r"人|老人|孩子|小孩|娃娃|娃儿|娃|学生|司机|工人|矿工|男子|女子|男的|女的|老太太|老太|老汉|大爷|大妈|"
    r"婆婆|爷爷|奶奶|村民|乘客|伤者|患者|病人|小伙子|姑娘|宝宝|婴儿|他|她"
)
_EVENT_DEATH_WORDS: Final = (
    "身亡",
    "遇难",
    "罹难",
    "丧生",
    "溺亡",
    "遇害",
    "殒命",
    "没抢救过来",
    "没救过来",
    "抢救无效",
    "没气了",
    "没了气",
    "没有呼吸了",
    "没了呼吸",
    "没有生命体征",
    "没了生命体征",
    "失去生命体征",
    "没有心跳了",
    "断气了",
    "断了气",
    "没命了",
    "没挺过来",
    "没熬过来",
    "没撑过来",
    "没扛过来",
)
_GONE: Final = r"(?P<gone>没了|不行了)(?![\u4e00-\u9fff])"
EVENT_DEATH_RE: Final = re.compile(rf"{trie_pattern(_EVENT_DEATH_WORDS)}|{_SUDDEN_DEATH}|{_GONE}")
# 没了 / 不行了 / 走了 tell a death only after the person they are about (checked on the text
# before the words: one plain scan of the post stays fast)
PERSON_GONE_BEFORE_RE: Final = re.compile(
    rf"(?:{_DEATH_WHO})(?:当天晚上|当晚|第二天|送到医院|送医后|到医院|后来|最后|还是)?"
    r"(?:就|也|已经|已|都)?\Z"
)
WALKED_BEFORE_RE: Final = re.compile(rf"(?:{_DEATH_WHO}|时候|时)(?:已经|早就|就)\Z")
# - "有个老人死了", "发病后死亡": with an emergency word that makes an incident on its own, or
#   beside a standing casualty figure (a sick count, the injured)
IMPLIED_DEATH_RE: Final = re.compile(
    rf"{trie_pattern([*_EVENT_DEATH_WORDS, '死亡', '死了', '病亡', '致死', '不幸去世'])}"
    rf"|{_SUDDEN_DEATH}|{_GONE}|(?P<walked>走了)"
)
# "笑死了", "累死了": exaggeration, no death
HYPERBOLE_DEATH_RE: Final = re.compile(
    r"(?:[笑累气吓热饿急困烦忙痛疼冷渴馋愁憋丑懒臭吵辣酸苦贵撑哭乐美咸淡甜香烫晒]|难吃|难看|无聊|羡慕|心疼|郁闷)\Z"
    # "把路堵死了", "门锁死了": blocked for good
    r"|[堵锁卡封焊钉关]\Z"
)
DEATH_NEGATION_RE: Final = re.compile(
    r"[无未没或]|避免|防止|以免|预防|不会|等待|等到|直到|面临|可能|只能|重则|会|你被|把你|将你"
)
DEATH_NOT_EVENT_AFTER: Final = re.compile(
    r"^(?:率|人数|病例|事故起数|原因|证明|赔偿|抚恤|这条心|那条心|心|之心)"
)
# killing verbs make a death without a number an incident ("被车撞死了") unless an animal died
KILLED_RE: Final = re.compile(
    r"(?:[撞压淹烧砸炸毒摔电踩挤砍捅轧]死|打死|杀死)"
    r"(?!了?(?:\d+|好?[一二两三四五六七八九十几]+)[次回遍下]|[我你他她它]|也不|都不)"
)
# a killing verb without a number tells a death when it says who died: "被车撞死了",
# "砸死了人"; "公交车上挤死了" and "热得闷死了" only say how it felt
KILLED_VICTIM_BEFORE_RE: Final = re.compile(r"被|把|将")
GAME_RE: Final = re.compile(r"游戏|副本|关卡|复活")
# "快淹死了", "都要淹死了": nearly, or about to
ABOUT_TO_RE: Final = re.compile(r"(?:[要快会]|快要|都要|差不多)\Z")
THREAT_RE: Final = re.compile(r"扬言|威胁|说要|喊着要|喊要|要拿|要把|要用|想把|非得|非要")
# the verbs people use to say how it felt ("挤死了", "闷死了", "冻死了", "撑死了")
FELT_KILLED_RE: Final = re.compile(r"[挤闷冻撑]死")
KILLED_VICTIM_AFTER_RE: Final = re.compile(r"了?(?:人|一个|个|一名|名)")
# casualties told without a number still tell an incident
CASUALTY_PHRASE_RE: Final = re.compile(
    r"伤亡惨重|死伤惨重|死伤无数|死伤很多|大量人员伤亡|多人伤亡|有人员伤亡|造成人员伤亡"
)
# "所幸无人员伤亡", "没伤到人": an incident happened and hurt nobody
NO_CASUALTY_RE: Final = re.compile(
    r"无人(?:员)?(?:受伤|伤亡|死亡|被困)|无一人?(?:伤亡|受伤)|未造成(?:人员)?伤亡|没有(?:造成)?人员伤亡|"
    r"没有?伤到人|没死人|零伤亡|无人员伤亡|没人受伤|没有人受伤|没人员伤亡|均未受伤|都没受伤|安然无恙|人员均安全|均安全|都安全|"
    r"人员安全|均无大碍|无大碍|(?:死亡|伤亡|受伤)人数为(?:零|0)"
)
ANIMAL_RE: Final = re.compile(
    r"猫|狗|鸡|鸭|鹅|猪|牛|羊|鱼|虾|蟹|鸟|蜂|蚕|宠物|动物|牲畜|家禽|兔|蛇|老鼠|庄稼|作物|植物|树木|果树|禾苗|秧苗|树苗|幼苗|水草|青草|杂草|牧草"
)

# people moved from a threat: a hazard even when the post names none ("紧急转移受威胁群众2.6万人")
EVACUATION_HAZARD_RE: Final = re.compile(
    r"紧急(?:转移|疏散|撤离|避险)|受威胁|受到威胁|威胁到|危及|避险转移|转移避险|"
    r"提前(?:转移|疏散|撤离)|预防性(?:转移|撤离)"
)
# Hints that decide the kind within a type
FOOD_HINT_RE: Final = re.compile(
    r"食物|食堂|饭|餐|酒席|婚宴|寿宴|升学宴|满月酒|坝坝宴|宴席|聚餐|吃|野生菌|蘑菇|辣条|饮料|白酒|散装酒|"
    r"假酒|甲醇|亚硝酸盐|外卖|小卖部|盒饭|食品"
)
WORKPLACE_HINT_RE: Final = re.compile(r"工人|车间|工厂|厂里|[^食]厂|企业|矿工|员工|作业")
FOREST_HINT_RE: Final = re.compile(
    r"山林|林区|林子|森林|林地|草坡|草山|后山|荒山|林场|山上着火|山坡"
)
FIRE_RE: Final = re.compile(
    r"起火|着火|火灾|大火|失火|燃烧|火情|扑救|扑灭|烧了|山火|林火|烧毁|过火"
)
VACCINE_RE: Final = re.compile(r"疫苗|接种|预防性服药")
# a slope or a mountainside that comes down is a landslide or a collapse (崩塌), graded by the
# geological plan whatever the post calls it ("后山突然塌下来了", "村口那段山坡整片塌下来")
SLOPE_FAILURE_RE: Final = re.compile(
    r"(?:山坡|山体|后山|边坡|坡体|半山腰|山上|山头)[^，。！？]{0,6}(?:塌|垮|滑|崩|垮塌|塌方)"
)
# a slope that threatens to come down — cracked, shedding stones, sliding, loose earth above a
# gully — is a 险情 of the geological plan, which grades it by the people to be moved
# ("后山裂了好长的缝", "那匹坡老掉石头", "那座山在往下滑", "沟上游堆了好多松土")
SLOPE_THREAT_RE: Final = re.compile(
    r"(?:山坡|山体|后山|边坡|坡体|坡脚|座山|匹坡|那坡|山上|山头|山崖|沟上游|沟里)[^，。！？]{0,10}"
    r"(?:裂缝|裂了|开裂|裂开|掉石头|落石|滚石|往下滑|在滑|下滑|松土|滑坡|泥石流|变形)"
)
UNEXPLAINED_RE: Final = re.compile(r"不明原因")
# what makes people ill, told before an unexplained cause
_ILL_BEFORE_RE: Final = re.compile(
    r"发热|发烧|高烧|高热|疹子|皮疹|红疹|腹泻|呕吐|咳嗽|肺炎|住院|病倒|发病|怪病|啥病|什么病|查不出"
)
_ILL_REACH: Final = 80
# a named communicable disease is graded by the public-health plan, whatever was eaten
COMMUNICABLE_RE: Final = re.compile(r"霍乱|鼠疫|炭疽|传染病")
# an infection named: workers ill from it are an outbreak, not poisoned at work
INFECTION_RE: Final = re.compile(
    r"霍乱|鼠疫|炭疽|传染|诺如|轮状病毒|病毒性|流感|水痘|结核|手足口|麻疹|腮腺炎|新冠|感染性腹泻"
)

# Rescue finished: trapped figures no longer count.
RESCUED_RE: Final = re.compile(
    r"全部(?:安全)?(?:获救|救出|救下|脱险|被救出|被救下|转移|升井)|均已(?:获救|脱险|救出|升井)|已被救出|"
    r"成功救出|已全部安全|无人(?:员)?被困|安全升井"
)
# A crowd is an incident when it carries a grievance or turns violent; a queue, a concert or
# square dancing is not. 要求 / 反映 appear in every complaint, so they count only for a crowd
# with a figure ("五十多名村民聚集…反映补偿"); a crowd without a figure needs a specific one.
GRIEVANCE_RE: Final = re.compile(
    r"维权|讨薪|讨要|反对|不满|讨不到|补偿|拆迁|征地|征收|上访|拉横幅|抗议|情绪激动|情绪激烈|讨说法|讨个说法|要说法|要个说法|静坐|"
    r"示威|闹事|阻挠|阻止施工|阻工|赔偿|欠薪|工资|工钱|械斗|斗殴|群殴|冲击|冲突|打砸|退钱|退房|退款|爆雷|请愿|"
    r"打起来|争水|纠纷|因[^，。]{1,12}问题|(?:政府|教育局|住建局|[^结]局|信访局|信访办)(?:门口|门前|大门|周边)|"
    # people who take to the street over something are protesting it
    r"上街|走上街头|喊口号|散步[^，。]{0,4}反对"
)
# where people went or sat, together: "一百二十几个移民为了补助的事，今天一早就坐到镇政府院坝里头"
CROWD_WENT_RE: Final = re.compile(
    r"涌到|涌进|涌向|涌入|聚到|聚在|坐到|跑到|坐在[^，。]{0,3}(?:国道|省道|公路|马路|路)上|"
    r"(?:在|到)[^，。]{0,8}(?:政府|局|委|办事处)(?:门口|大门|院坝|大院)"
)
# people in one place: a head count of complainants is a crowd only with one of these
GATHERED_RE: Final = re.compile(
    r"聚集|聚了|围起|堵起|堵得|信访局|信访办|围堵|围住|围了|围着|堵路|堵住|堵了|堵在|堵着|堵死|堵塞|拦在|拦着|"
    r"静坐|拉横幅|上访|门口|门前|围攻|冲击|打砸|械斗|冲进|闯进|砸了|"
    r"群殴|斗殴|集结|请愿|示威|游行|抗议|打起来|冲突|上街|走上街头|不肯走|不肯离开|不走了|大门|围观|"
    + CROWD_WENT_RE.pattern
)
# a group, not one family or two neighbours: a clash among them is a 群体性事件
GROUP_HINT_RE: Final = re.compile(
    r"村民|群众|民众|工人|农民工|业主|家长|商户|摊贩|司机|两村|两个村|两伙|双方人员|多人|数十人|几十|"
    r"上百|上千|数百|几百|一群|一帮|人群|两派|"
    # two families who called in their kin: "两边亲戚都加进来了二三十个人"
    r"[二三四五六七八九]{0,2}十[几多来]?(?:个|名|号)人"
)
# a gathering with a grievance is an incident when it is happening
CROWD_NOW_RE: Final = re.compile(r"情绪激动|情绪激烈|越来越多|正在|现场|目前")
GRIEVANCE_WEAK_RE: Final = re.compile(r"要求|反映|诉求|解决")
# Blocking a road or violence raises a crowd incident by one level; so does shutting a gate, a
# company's or a factory's as a government's, to stop people or goods going in or out ("把项目部
# 大门堵了", "堵着厂门", "不让拉货的车出去"). With a head count these are a grievance in themselves.
BLOCKADE_RE: Final = re.compile(
    r"堵路|堵塞|堵住|堵死|拦路|拦截车辆|交通(?:已经?|一度)?中断|打砸|冲突|冲击|围攻|械斗|群殴|把路堵|"
    r"路堵了|砸了|砸坏|打砸|在铁路上|铁路停运|列车(?:被迫)?停运|"
    r"(?:围堵|围住|围了|围攻)[^，。]{0,6}(?:政府|派出所|机关|局|委|办事处|法院|检察院)|"
    r"(?:政府|派出所|机关|局)[^，。]{0,4}(?:围住|围了|围堵|围得)|水泄不通|推搡|"
    r"(?:路|路口|高速|国道|省道|公路|收费站|大桥)[^，。]{0,2}堵(?:了|住|死)|"
    r"堵门|封门|(?:堵着|围住|围堵|围死|封住|封了)[^，。！？；\d]{0,6}?(?:大门|厂门|院门)|"
    r"(?:把|将)[^，。！？；]{0,8}(?:大门|厂门|门口|院门)(?:给)?(?:围|封|堵)(?:了|住|死|得)|"
    r"不让[^，。！？；]{0,6}车[^，。！？；]{0,3}(?:进|出|走|离开|通行)|"
    # in dialect a road is 堵起 / 围起: "把326国道堵起了", "两百多人把路围起"
    r"(?:路|路口|高速|国道|省道|公路|收费站|大桥)(?:给)?(?:堵起|围起)"
)
# A crowd with a grievance that stands in a gate is raised too ("上百名工人堵在公司大门口讨薪",
# "三百多人围着厂门"), but standing there is no grievance by itself ("家长堵在学校门口接孩子").
# People gathered at a gate without blocking it ("在公司门口静坐", "围在镇政府门口", "门口围着看
# 热闹") are not raised.
GATE_BLOCKADE_RE: Final = re.compile(
    r"(?:(?:堵|拦)(?:在|住|着|了|死|得)?|(?<![周范氛])围(?:住|着|堵|死))"
    r"[^，。！？；\d]{0,8}?(?:大门|厂门|门口|门前|院门)|"
    r"(?:大门|厂门|门口|院门)[^，。！？；]{0,4}(?:(?:堵|封|拦)(?:了|住|死|着|上|得)|围(?:住|死))|"
    r"车[^，。！？；]{0,4}(?:进不去|出不来|出不去|开不出)"
)
# what lifts a crowd of 1000 to 5000 (重大) to 特别重大 under the 分级标准 群体性事件 rows: an
# attack or a clash ("冲击、围攻县级以上党政军机关…", "打、砸、抢、烧…"), an office itself
# surrounded (not people gathered at its gate), or a 高速 / 国道 / 铁路 cut ("阻断铁路繁忙干线、
# 国道、高速公路…"). A crowd gathered at a government's gate stays 重大.
SEVERE_BLOCKADE_RE: Final = re.compile(
    r"打砸|砸了|砸坏|推搡|冲突|冲击|围攻|械斗|群殴|冲进|"
    r"(?:围堵|围住|围了|围得)(?!在)[^，。门]{0,6}(?:政府|派出所|公安局|机关|法院|检察院)(?!门)|"
    r"(?<!门口)(?:派出所|公安局|机关)(?:围住|围了|围堵|围得)|"
    r"(?:把|将)[^，。门]{0,8}(?:政府|派出所|公安局)(?:大院)?(?:给)?(?:围住|围了|围堵|围得)|"
    r"(?:高速|国道|铁路|列车|收费站|干线)[^，。]{0,6}(?:堵|中断|停运|阻断|封)|"
    r"(?:堵塞|堵住|堵死|堵了|拦截|阻断|拦停)[^，。]{0,8}(?:高速|国道|铁路|列车|收费站|干线)"
)
VULNERABLE_RE: Final = re.compile(
    r"(?<!大)学生|幼儿|儿童|孩子|小孩|娃娃|娃|师生|小学生|中学生|初中生|婴儿|老人|老年人|养老院|敬老院|"
    r"幼儿园|女生|男生|小朋友|少年|幼童|孩童|学童|宝宝|细娃|伢|患儿|老太太|老太婆|老太|老大爷|老奶奶|老爷爷|"
    r"老汉|老头"
)
# people ill at a school or a kindergarten are its pupils
SCHOOL_RE: Final = re.compile(r"学校|小学|中学|幼儿园|托儿所|托管班|早教|校园|寄宿制|学生食堂|校内")

# People who are not of a vulnerable group: a count of them before a bare count is whom it counts
# ("当时有6个工人在里面，…死亡4人").
OTHER_PEOPLE: Final = (
    r"人员|群众|村民|居民|工人|矿工|乘客|游客|员工|业主|家长|宾客|顾客|病人|患者|职工|农民工|队员|行人|路人|"
    r"渔民|司机|驾驶员|妇女|男子|女子|工友|家属|商户|民工|消防员|救援人员|施工人员|作业人员|年轻人|小伙子|"
    r"大人|青年|成年人|师傅|女工|男工|旅客|群众们|老师|教师|医生|护士|民警|警察|保安|店员|厨师|服务员"
)
OTHER_PEOPLE_RE: Final = re.compile(OTHER_PEOPLE)
# who tells it is not whom it tells of: "据在场家长说死了3个"
ATTRIBUTION_RE: Final = re.compile(r"(?:据|听|听说|有)[^，。！？；]{0,8}?(?:说|讲|称|透露)")
# a clause right after a figure that says who its victims were: "其中多名儿童", "死者都是附近敬老院的
# 老人", "都是一到三年级的娃娃", "送医的大多是老人"
WHO_THEY_WERE_RE: Final = re.compile(
    r"^(?:其中|包括|都是|全是|均是|均为|全为|全部是|大多是|大多为|多为|多是|大部分是|大部分为|大都是|"
    r"基本都是)|(?:都|全|均|大多|多为|多数|大部分|大都|基本)(?:是|为)|(?:中|里)有"
)

# Words that place an incident outside the jurisdiction wherever it is: foreign countries and
# places left unnamed. The divisions of China are data, read by ``classifier.locality``.
REMOTE_MARKERS: Final = (
    r"日本|韩国|朝鲜|美国|土耳其|印度|菲律宾|泰国|越南|缅甸|尼泊尔|巴基斯坦|阿富汗|伊朗|叙利亚|俄罗斯|"
    r"乌克兰|英国|法国|德国|意大利|墨西哥|巴西|智利|澳大利亚|新西兰|加拿大|黎巴嫩|以色列|加沙|伊拉克|埃及|"
    r"印尼|孟加拉|国外|外国|外省|外地|某省|某县|某市|某地|某某|全国|全省|我国|北方|东北|西北|华北|华南|"
    r"华东|华中|隔壁市|隔壁县|邻县|邻市|外县|外市|别的县|别的地方|邻省|隔壁省|别的省|"
    # a distance tells the place is far: "四百多公里外的邻省", "离我们两百公里"
    r"(?:\d+|[一二两三四五六七八九十百千几]+)[多余来]?公里(?:以)?外|离我们[^，。]{0,6}公里"
)
# remote names that cannot be a local place misread: a foreign country, a distance, 国外 or a
# quake only felt here; what they rule out is no candidate for a person's check
CERTAINLY_ELSEWHERE_RE: Final = re.compile(
    r"日本|韩国|朝鲜|美国|土耳其|印度|菲律宾|泰国|越南|缅甸|尼泊尔|巴基斯坦|阿富汗|伊朗|叙利亚|俄罗斯|"
    r"乌克兰|英国|法国|德国|意大利|墨西哥|巴西|智利|澳大利亚|新西兰|加拿大|黎巴嫩|以色列|加沙|伊拉克|埃及|"
    r"印尼|孟加拉|国外|外国|外省|邻省|隔壁省|别的省|.*公里.*|.*震感|.*灾情|虚惊一场"
)
# Words that tie an incident to the jurisdiction wherever it is, even when a remote name is
# near; the jurisdiction's own names and places come from its configuration.
LOCAL_MARKERS: Final = (
    # "与纳雍交界处" is at the jurisdiction's edge; "两国交界那边" is not
    r"我区|本区|区里|辖区|交界处|交界地带|本地|本县|我县|我村|我乡|我镇|"
    r"我们(?:村|镇|乡|小区|社区|这里|这边|这|区|县)|我们[\u4e00-\u9fff]{1,4}(?:街道|社区|镇|乡|村|小区)"
)
# an earthquake elsewhere that is felt here is graded here
FELT_HERE_RE: Final = re.compile(r"(?<!没有)(?<![没无未])(?:震感|晃|摇)")
# …unless the post says it was only felt: an earthquake elsewhere felt here without damage is
# no incident here ("我们这里只是有震感，县地震局说没有接到灾情报告")
FELT_ONLY_RE: Final = re.compile(
    r"(?:只是|只|仅|仅仅)(?:是)?(?:有|感到|感觉到)?(?:轻微)?震感|"
    r"(?:没有|没|未|无)(?:接到|收到|发现|造成|出现)?(?:任何)?[^，。！？]{0,4}灾情|虚惊一场|"
    r"没什么事|没啥事|没事|没有什么影响|没什么影响|无影响|没有损失|一切正常"
)
