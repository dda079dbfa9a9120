"""Severity on text as people write it: one test per class of failure found on unseen posts."""

from __future__ import annotations

import json

import pytest

from classifier.severity import RANK, combine
from tests.localities import sample_assess as assess  # the posts name the 七星关区 sample's places


def level(content: str, title: str = "") -> str:
    return assess(title, content).level


# --- a casualty figure is an incident by itself, whatever the verb


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("路口一辆渣土车把三个行人撞死了。", "较大"),
        ("工地上一块预制板掉下来，砸死了两个工人。", "一般"),
        ("河边淹死了四个游泳的小伙子。", "较大"),
        ("听说昨晚那边死了十几个人，烟冒得老高。", "重大"),
        ("货车冲进集市，撞死了11个人。", "重大"),
        ("一辆水泥罐车压死了一个骑电动车的大姐。", "一般"),
        ("那个厂子3死5伤的消息已经传开了。", "较大"),
        ("一家作坊锅炉爆了，工人罹难5名。", "较大"),
        ("造成20余人伤亡。", "较大"),
    ],
)
def test_a_death_or_injury_figure_is_an_incident(content: str, expected: str) -> None:
    assert level(content) == expected


def test_an_animal_or_a_game_death_is_no_incident() -> None:
    assert level("楼下的流浪猫被车撞死了，小区车开太快。") == "常规"
    assert level("打游戏被人打死了十几次，心态崩了。") == "常规"


# --- a cue belongs to its clause; a current figure wins over context elsewhere


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("继去年透水事故之后，今天该镇另一煤矿又发生瓦斯爆炸，已造成11人死亡。", "重大"),
        (
            "【情况通报】今日一在建商场发生坍塌，截至目前已造成10人死亡。请广大网民不信谣、不传谣。",
            "重大",
        ),
        ("这个路口去年就撞死过人，今天又出事了，一辆大巴翻了，死了6个。", "较大"),
        ("上午刚搞完消防演练，下午一栋居民楼就真着火了，目前已造成3人死亡。", "较大"),
        ("网传大桥垮塌死亡30人系谣言，经核实，事故造成3人死亡、5人受伤。", "较大"),
    ],
)
def test_a_current_figure_wins_over_context_elsewhere(content: str, expected: str) -> None:
    assert level(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        "今年以来全区共发生生产安全事故8起，死亡9人，同比下降20%。",
        "区应急局开展透水事故应急演练，模拟32名矿工被困井下。",
        "卫生院组织消防演练。演练模拟住院部起火，转移病人40余名。",
        "【辟谣】网传“某镇化工厂爆炸致30人死亡”系谣言，当地未发生爆炸。",
        "三年前那场大火死了5个人，赔偿款至今没到位。",
        "今天是那次矿难十周年，当年28名矿工遇难。",
        "看了《唐山大地震》，几十万人遇难的画面太震撼。",
        "根据规定，造成30人以上死亡的为特别重大事故。",
        "这座危桥如果不及时处理，可能造成上百人伤亡。",
        "群里都在传镇上中毒死了十几个人，应该是假的吧。",
        "山西一个煤矿透水死了21个人，我们这边的煤矿也要查一查。",
    ],
)
def test_a_cue_rules_out_its_own_clause_and_sentence(content: str) -> None:
    assert level(content) == "常规"


def test_a_lowered_major_figure_is_kept_as_a_candidate() -> None:
    debunk = assess("", "【辟谣】网传“某镇化工厂爆炸致30人死亡”系谣言，当地未发生爆炸。")
    assert debunk.level == "常规"
    assert debunk.evidence["candidate_level"] == "特别重大"
    assert any(
        c.startswith("debunk") or c.startswith("claim") for c in debunk.evidence["candidate_cues"]
    )
    doubted = assess("", "群里都在传镇上中毒死了十几个人，应该是假的吧。")
    assert RANK[doubted.evidence["candidate_level"]] >= RANK["重大"]
    ambiguous = assess("", "商场火灾已造成30余人伤亡。")
    assert ambiguous.level == "较大"  # 伤亡 read as injured
    assert ambiguous.evidence["candidate_level"] == "特别重大"  # and as deaths
    assert "candidate_level" not in assess("", "两车相撞，2人受伤。").evidence
    event = combine([debunk, assess("", "两车相撞，2人受伤。")], heat=0)
    assert event.evidence["candidate_level"] == "特别重大"


# --- negated and rescued figures are no casualties; the incident still happened


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("一辆公交车侧翻，车上28名乘客均未受伤。", "一般"),
        ("校车滑进沟里，车上35名学生均未受伤，已换车送到学校。", "一般"),
        ("厂房昨晚起火，好在无一人伤亡。", "一般"),
        ("本次强降雨全区死亡人数为零。", "一般"),
        ("餐馆后厨起火，所幸无人员伤亡。", "一般"),
        ("电梯卡在8楼，被困的6人已全部获救。", "一般"),
        ("煤矿局部冒顶，被困的12名矿工已全部安全升井。", "一般"),
        ("井下30名矿工被困，目前已救出5人。", "重大"),  # 25 still trapped
    ],
)
def test_negated_and_rescued_figures(content: str, expected: str) -> None:
    assert level(content) == expected


def test_missing_people_found_again_are_no_incident() -> None:
    assert level("失联的8名矿工已全部联系上，系手机没信号。") == "常规"


# --- number forms


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("煤矿透水事故已确认１２人遇难。", "重大"),
        ("大客车侧翻，造成３人死亡、５２人受伤。", "重大"),
        ("仓库大火，直接经济损失约12,000万元。", "特别重大"),
        ("暴雨致直接经济损失达0.6亿元。", "重大"),
        ("这次暴雨把乡里冲得稀烂，损失估计上亿了。", "特别重大"),
        ("板材厂失火，损失三千多万。", "较大"),
        ("工厂爆炸，已造成二十余人死亡。", "重大"),
        ("隧道塌方，十来个人被埋在下面。", "重大"),
        ("山洪暴发，三四十名游客被困在河心岛上。", "特别重大"),
        ("一起一死两伤的车祸，司机逃逸了。", "一般"),
        ("工地坍塌，目前已致6死多伤。", "较大"),
    ],
)
def test_number_forms(content: str, expected: str) -> None:
    assert level(content) == expected


# --- legal counting: 重伤 counts, 轻伤 does not, an unqualified 受伤 leans up


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("公交车急刹，车内60多名乘客摔倒，均为轻伤。", "一般"),
        ("商场扶梯故障，55人受轻伤。", "一般"),
        ("锅炉爆炸，造成25人受伤，其中重伤12人。", "较大"),
        ("大巴侧翻，导致51人受伤。", "重大"),
        ("企业硫化氢泄漏，造成16名工人急性中毒。", "较大"),
        ("氨气泄漏，一百多名工人中毒送医。", "特别重大"),
        ("斗殴中6人受伤，均为轻微伤。", "一般"),
    ],
)
def test_legal_counting_of_the_injured(content: str, expected: str) -> None:
    assert level(content) == expected


def test_mostly_light_injuries_are_a_candidate_not_a_grade() -> None:
    result = assess("", "音乐节护栏倒塌，60余人受伤，以轻伤为主。")
    assert result.level == "一般"
    assert result.evidence["candidate_level"] == "重大"


# --- each kind is graded by its own plan


@pytest.mark.parametrize(
    ("content", "expected", "kind"),
    [
        ("本地发生5.0级地震，城区震感强烈，未收到人员伤亡报告。", "重大", "earthquake"),
        ("地震已造成我区12人遇难。", "较大", "earthquake"),
        ("滑坡体持续变形，威胁下方600余名群众，已全部转移。", "重大", "geological"),
        ("泥石流冲毁公路和农田，直接经济损失800余万元。", "重大", "geological"),
        ("山体滑坡掩埋民房，3人遇难。", "较大", "geological"),
        ("森林火灾过火面积约120公顷。", "重大", "forest_fire"),
        ("山火烧了三十来亩林子。", "较大", "forest_fire"),
        ("升学宴110人食物中毒，无死亡病例。", "较大", "food_poisoning"),
        ("食堂120余名学生食物中毒，1名学生死亡。", "重大", "food_poisoning"),
        ("婚宴后四十多人食物中毒。", "一般", "food_poisoning"),
        ("一周内报告霍乱病例31例。", "重大", "public_health"),
        ("一名婴儿接种疫苗后第二天死亡。", "重大", "public_health"),
        ("村里出现十几例不明原因的高热病人。", "较大", "public_health"),
        ("一千多名家长聚集在区教育局门口。", "重大", "crowd"),
        ("两村村民发生械斗，已致3人死亡。", "重大", "crowd"),
        ("男子持刀行凶，致3人死亡。", "较大", "social_other"),
        ("化工企业泄漏，周边8000余名群众紧急疏散。", "较大", "production_safety"),
    ],
)
def test_each_kind_by_its_plan(content: str, expected: str, kind: str) -> None:
    result = assess("", content)
    assert (result.level, result.evidence["kind"]) == (expected, kind)


def test_sixty_light_injuries_are_not_major_under_the_regulation() -> None:
    assert level("旅游大巴与货车刮擦，车上60名游客均为轻伤。") == "一般"


# --- evidence a duty officer can read


def test_evidence_names_the_figure_its_clause_the_rule_and_the_article() -> None:
    result = assess("", "今早赶场天，一辆大货车刹车失灵冲进集市，撞死了11个人。")
    assert result.level == "重大"
    (entry,) = [m for m in result.evidence["measures"] if m["level"] == "重大"]
    assert entry["figure"] == "撞死了11个"
    assert "撞死了11个人" in entry["clause"]
    assert "11 ≥ 10" in entry["rule"]
    assert "第三条" in entry["basis"]
    assert "条例" in result.evidence["plan"]
    json.dumps(result.evidence, ensure_ascii=False)


def test_ruled_out_words_say_which_cue() -> None:
    result = assess("", "今天上午开展地震应急疏散演练，1200余名师生安全撤离。")
    assert result.level == "常规"
    assert "演练" in result.evidence["suppressed_by"]["drill"]


# --- a vulnerable group named in another clause or sentence than the figure


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # the people last counted before a count that names no one
        ("车上坐了12个娃娃，翻进河里以后，捞上来4个已经没气了。", "重大"),
        ("养老院住着四十多位老人。昨晚失火，目前已有5人遇难。", "重大"),
        ("3名初中生放学去河里洗澡，都被冲走了，下午找到了3具遗体。", "重大"),
        ("男子持刀冲进幼儿园，砍伤了好几个，其中两个伤势危重。", "较大"),
        # a count of others there says it is not the group
        ("窑洞塌了，当时里面有5个工人，外面玩的小孩没事，已确认死亡3人。", "较大"),
        # the clause after the figure says who the victims were
        ("客车翻下山坡，造成4人死亡，死者都是去赶考的学生。", "重大"),
        ("寿宴后35人上吐下泻住院，大多是村里的老人。", "较大"),
        # no count before: a group named earlier in the figure's sentence
        ("货车冲进放学的学生队伍，据在场家长说死了3个。", "重大"),
        # people ill at a school are its pupils
        ("镇中学这周有六十多人发烧咳嗽，确诊是流感。", "较大"),
    ],
)
def test_a_vulnerable_group_named_elsewhere_raises(content: str, expected: str) -> None:
    result = assess("", content)
    assert result.level == expected
    assert result.evidence.get("vulnerable") or expected == "较大"


def test_a_group_named_beside_the_incident_is_not_its_victims() -> None:
    drivers = assess("", "我们小区住的都是老人。今天门口两辆货车撞了，两个司机都伤得很重。")
    assert drivers.level == "一般"
    assert "vulnerable" not in drivers.evidence
    young = assess("", "中学门口一辆摩托车撞上货车，骑车的两个年轻人当场死亡。")
    assert young.level == "一般"


# --- a death told without a numeral


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("坝坝宴后一百多人上吐下泻，有个老太太死了。", "重大"),  # food 100 + a death
        ("一家人吃了野生菌，三口人都中毒了，老人没抢救过来。", "较大"),
        ("给娃娃打完疫苗后，有个一岁的娃当天晚上就没气了。", "重大"),
        ("小作坊下午炸了，在里面干活的人没了。", "一般"),
        ("一辆三轮车翻下坎，开车的大爷当场就没了。", "一般"),  # no emergency word needed
        ("小孩被倒车的渣土车卷到车底，人没了。", "一般"),
        ("矿上透水，有个老工人没上来，人已经没了。", "一般"),
        ("一家四口烧炭取暖煤气中毒，早上发现一家人都没了。", "较大"),
    ],
)
def test_a_death_without_a_numeral_is_one_death(content: str, expected: str) -> None:
    assert level(content) == expected


def test_many_dead_without_a_number_lean_up_and_are_checked() -> None:
    for content in (
        "工地脚手架垮了，死了好多人。",
        "一辆拉人去赶场的农用车翻到河里，一车人都没了。",
    ):
        result = assess("", content)
        assert result.level == "较大"
        assert result.evidence["candidate_level"] == "重大"
        assert any(c.startswith("many") for c in result.evidence["candidate_cues"])


@pytest.mark.parametrize(
    "content",
    [
        "笑死了，昨天的视频你们看了没。",
        "这周加了五天班，人都快累没了。",
        "热死了，四十多个学生挤在一个教室里。",
        "公交车上挤死了，早上根本挤不上去。",
        "难吃死了，吃了一口就吐了。",
        "早上冻死了，宿舍暖气还没来，孩子们都冻感冒了。",
        "我爸知道了非得打死我不可。",
        "上次阑尾炎差点没命，卫生院耽误了两个小时。",
        "我爷爷去年冬天走了，高龄补贴还没停发。",
        "我家老人在医院没抢救过来，我们怀疑是误诊。",
        "鱼缸里的鱼也死了，停电谁来赔？",
        "村里好几头牛喝了河水就烂肚子而死，明明是被河水毒死的。",
        "开发商说今年交房，我劝你们死了这条心吧。",
    ],
)
def test_exaggeration_and_natural_deaths_are_no_incident(content: str) -> None:
    assert level(content) == "常规"


# --- cases of disease counted in 例


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("一所幼儿园一周出现9例手足口病。", "一般"),
        ("一所小学本周新增水痘19例，累计报告26例。", "较大"),  # 26 pupils ill: raised
        ("村里一周内确诊霍乱病例33例。", "重大"),
        ("发现肺鼠疫病例，目前已确诊7例。", "重大"),
        ("某村新增不明原因发热病例6例，已有1例死亡。", "较大"),
        ("镇中学发病学生一百二十多人，确诊为流感。", "重大"),
        ("城区三所幼儿园累计报告手足口病患儿52例。", "较大"),
    ],
)
def test_case_counts_are_the_ill(content: str, expected: str) -> None:
    assert level(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        "今年以来全区共报告手足口病病例312例，同比下降15%。",
        "区医院今年完成心脏搭桥手术130例。",
        "妇幼保健院去年接生新生儿2800例。",
        "区疾控开展传染病防控演练，模拟霍乱病例30例。",
    ],
)
def test_case_counts_of_statistics_and_drills_are_no_outbreak(content: str) -> None:
    assert level(content) == "常规"


# --- people moved or threatened, by the plans that grade them


@pytest.mark.parametrize(
    ("content", "expected", "kind"),
    [
        ("山坡出现滑移迹象，坡下130余名群众已被提前转移。", "较大", "geological"),
        ("山体开始滑动，威胁到下方两个组98户560人，已连夜转移。", "重大", "geological"),
        ("危岩体随时可能崩落，受威胁群众共计40户210人。", "较大", "geological"),
        ("山塘出现管涌险情，危及下游4个村2500余人。", "较大", "natural_other"),
        ("液氨泄漏，周边一万一千多名群众被疏散。", "重大", "production_safety"),
    ],
)
def test_people_moved_or_threatened(content: str, expected: str, kind: str) -> None:
    result = assess("", content)
    assert (result.level, result.evidence["kind"]) == (expected, kind)


def test_a_plan_without_rows_for_people_moved_flags_them_for_a_check() -> None:
    fire = assess("", "森林火灾向村寨蔓延，已紧急转移群众1.4万人。")
    assert (fire.level, fire.evidence["kind"]) == ("一般", "forest_fire")
    assert fire.evidence["candidate_level"] == "重大"
    assert any("no row for people moved" in c for c in fire.evidence["candidate_cues"])
    quake = assess("", "凌晨发生地震，房屋开裂，已紧急转移安置群众1.2万人。")
    assert quake.evidence["candidate_level"] == "重大"
    small = assess("", "山火烧到村边，转移群众2000余人。")
    assert "candidate_level" not in small.evidence


@pytest.mark.parametrize(
    "content",
    [
        "地质灾害隐患点排查：全区共有隐患点74处，威胁群众9800人。",
        "易地扶贫搬迁安置点共安置群众3000人。",
        "明天开展山洪灾害避险转移演练，预计转移群众400人。",
        "表彰去年汛期带头转移群众600多人的先进个人。",
    ],
)
def test_people_moved_outside_an_incident(content: str) -> None:
    assert level(content) == "常规"


# --- trapped people: the remainder as stated


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("已有8人升井，其余15人仍被困。", "重大"),
        ("已救出5名工人，仍有9人被困在里面。", "较大"),
        ("挖出来4个，剩下的11个人还埋在下面。", "重大"),
        ("井下被困的24名矿工中，已有9人被救出。", "重大"),  # 15 left
        ("40多名工人被压在下面，目前已救出31人。", "较大"),  # 9 left
        ("下面有十二个工人，到现在一个也没上来。", "重大"),
        ("一辆载有30余人的客车坠入水库，已救出12人，其余人员仍在搜寻中。", "重大"),
    ],
)
def test_trapped_people_left(content: str, expected: str) -> None:
    assert level(content) == expected


# --- tolls that rise, grow, or are told in parts


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("爆炸事故死亡人数从6人上升到13人。", "重大"),
        ("事故遇难人数由8人升至12人。", "重大"),
        ("那起车祸刚开始说死了两个，现在已经增加到10个了。", "重大"),
        ("昨天找到4具遗体，今天又挖出来7具。", "重大"),
        ("客车翻下山了。车上四十多个人。看到的说死了一半。", "重大"),
        ("KTV着火了。抬出来的已经有十二个，全都没气了。", "重大"),
        # told again in a clause of its own
        ("车祸一开始说死了3个，后来又说是8个，现在听说已经11个了。", "重大"),
        ("山洪过后第一天找到4个人的遗体，第二天又找到7个。", "重大"),
        # counts joined by 和 add up
        ("死了4个大人和6个小孩。", "重大"),
        ("6名工人和5名村民被埋。", "重大"),
        # a count said to be the least
        ("听知情人说烟花厂炸了以后死的人不下12个。", "重大"),
    ],
)
def test_tolls_over_clauses_and_sentences(content: str, expected: str) -> None:
    assert level(content) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("下面14个工人只跑出来3个，剩下的还埋着。", "重大"),  # 11 left
        ("出租屋起火，住里面的十来个打工的一个都没出来。", "重大"),
        ("要不是邻居发现得早，一家人都没了。", "常规"),  # a counterfactual
    ],
)
def test_who_got_out_and_who_did_not(content: str, expected: str) -> None:
    assert level(content) == expected


# --- counts as citizens write them


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("煤矿透水，听说十几二十个人没上来。", "重大"),
        ("商场塌了，几十上百人埋在里面。", "重大"),
        ("千把个村民把高速路口堵了，要求退还补偿款。", "特别重大"),
        ("办席的百把人吃了上吐下泻，有个老人没了。", "重大"),
        ("八十多名农民工在镇上一工地门口聚集讨薪。", "一般"),
        ("后山裂开了，下面住着的30多户、200来口人连夜搬走了。", "较大"),
        ("化工厂泄漏，成百上千人跑出来了。", "一般"),  # 成百上千 → 100
        ("工厂爆炸，听说死了二十大几个人。", "重大"),
    ],
)
def test_colloquial_counts(content: str, expected: str) -> None:
    assert level(content) == expected


# --- hearsay as people tell it


def test_hearsay_is_graded_as_told_and_falls_when_doubted() -> None:
    told = assess("", "据知情人透露，煤矿下面还困着二十多个矿工，矿上一直瞒着。")
    assert told.level == "重大"
    doubted = assess("", "听村里人讲，化工厂炸了死了十几个，我问了在厂里上班的表哥，根本没有的事。")
    assert doubted.level == "常规"
    assert RANK[doubted.evidence["candidate_level"]] >= RANK["重大"]
    rumour = assess("", "群里有人说镇上车祸死了十几个，其实就是两辆车刮擦，别瞎传了。")
    assert rumour.level == "常规"


# --- one count, several verbs: the dead are counted as dead


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("3名工人在污水井里中毒死亡。", "较大"),
        ("村里这个月有五个老人得了怪病死了。", "重大"),  # 5 elderly dead (较大) raised
        ("12人受伤后经抢救无效死亡。", "重大"),
    ],
)
def test_a_count_told_ill_then_dead_is_of_the_dead(content: str, expected: str) -> None:
    assert level(content) == expected


def test_a_group_counted_within_the_victims_raises_by_its_count() -> None:
    four = assess("", "镇上出现霍乱疫情，截至目前确诊11例，其中有4个是学生。")
    assert four.level == "较大"  # 4 students ill are below the raise
    twelve = assess("", "镇上出现水痘疫情，截至目前确诊31例，其中有12个是学生。")
    assert twelve.level == "较大"  # 一般 raised by 12 pupils


def test_a_drill_or_film_label_heads_all_that_follows() -> None:
    drill = assess("", "演练脚本：井下被困23人，已有8人升井，其余15人仍被困，指挥部启动二级响应。")
    assert drill.level == "常规"
    assert "drill" in drill.evidence["suppressed_by"]
    assert level("剧情简介：一辆大巴坠河，车上40人，已造成12人死亡。") == "常规"
    assert level("最新通报：井下被困23人，已有8人升井，其余15人仍被困。") == "重大"


def test_a_road_blocked_by_a_crowd_is_a_grievance_in_itself() -> None:
    assert level("几百个村民把去工厂的路堵死了，已经两天了。") == "重大"


@pytest.mark.parametrize(
    "content",
    [
        "这个游戏太难了，打了一下午，队友一个都没活下来。",
        "吃了一口就咸死了，这家店的菜太难吃了。",
        "房子漏雨漏了一年了，再不修人都要淹死了。",
        "门被锁死了，物业半天不来开。",
        "要不是邻居发现得早，一家人都没了。",
    ],
)
def test_more_ways_of_saying_no_one_died(content: str) -> None:
    assert level(content) == "常规"


# --- a county's bare short name that is also an ordinary word or a local name


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("兴隆煤矿井下透水，18名矿工被困，正在抽水救人。", "重大"),
        ("一辆旅游大巴在盘山公路上翻下山崖，已造成11人死亡。", "重大"),
        ("我县沿河两岸的几个村昨晚被淹，已找到12名遇难者。", "重大"),
        ("新河村、塘口村一千二百多个村民聚集在镇政府门口要说法。", "重大"),
        ("老城区发生地面塌陷，直接经济损失超过1500万元。", "特别重大"),
    ],
)
def test_a_county_short_name_that_does_not_stand_as_a_place_is_not_elsewhere(
    content: str, expected: str
) -> None:
    assert level(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        "听说沿河县发生山体滑坡，已有12人遇难。",
        "沿河昨晚突发山洪，已有11人遇难。",
        "我表哥在沿河那边打工，说那边煤矿透水，死了15个人。",
        "贵州沿河一处煤矿透水，12人被困。",
    ],
)
def test_a_county_short_name_standing_as_a_place_is_elsewhere(content: str) -> None:
    assert level(content) == "常规"


# --- the dead and missing told after a bare count, and more dead told later


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("作坊炸了，里头干活的有八个没了，还有两个找不着人。", "重大"),
        ("大货车冲进早市，当场没了五个，送到医院又走了六个。", "重大"),
        ("矿上透水，下去的人里还有十一个到现在都联系不上。", "重大"),
        ("房子没了，三个月的工资也没了，这日子怎么过。", "常规"),
        ("来了五个客人，坐了一会又走了两个。", "常规"),
    ],
)
def test_dead_and_missing_told_after_a_bare_count(content: str, expected: str) -> None:
    assert level(content) == expected


# --- a forest fire told by its firefighting, without the word 山火


def test_a_forest_fire_told_by_its_firefighters_and_area() -> None:
    assert level("后山那场火烧了三天，扑火队说已经烧了一千六百多亩林子。") == "重大"
    assert level("村后的火头翻过了山梁，已经烧了四十来亩。") == "较大"


# --- a crowd counted where its grievance is told, or by 聚了 / 堵得死死的; a crowd gathered today


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("为反对在河边建化工厂，今晚广场上聚了上万人。", "特别重大"),
        ("拖了两百多个农民工半年的工资，今天这些人坐到国道上，把路堵得死死的。", "重大"),
        ("家属叫了一百多个亲戚朋友把医院大门都堵死了。", "重大"),
        ("征地补偿款被扣，今天一早一千二百多个村民聚集到镇政府门口，到现在还没散。", "重大"),
    ],
)
def test_a_crowd_told_as_people_tell_it(content: str, expected: str) -> None:
    assert level(content) == expected


def test_a_past_gathering_or_a_quarrel_in_a_group_chat_is_no_crowd() -> None:
    assert level("去年几百个村民到镇上反映补偿款的事，到现在补偿款还没发，找哪个部门？") == "常规"
    assert level("小区两百多个业主在群里吵了一晚上，都反对物业涨价。") == "常规"


# --- the ill told by a count restated after a tally, by 就诊, or by where they were taken


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("办完酒席好多人拉肚子，开始说二十几个，后来一统计一百一十多个，有个老人没抢救过来。", "重大"),
        ("学校中午吃了食堂的饭，下午有一百二十多个学生送到了县医院。", "重大"),
        ("寿宴后宾客陆续呕吐腹泻，累计就诊108人，其中1人经抢救无效死亡。", "重大"),
    ],
)
def test_the_ill_told_loosely(content: str, expected: str) -> None:
    assert level(content) == expected


def test_a_hospital_queue_is_no_illness() -> None:
    assert level("县人民医院今天门诊就诊一千多人，挂号排队排到了门口。") == "常规"


# --- bodies fished out after people were swept away; 冇 is 没


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("山洪把沟边几户人家连人带屋冲走了，今天在下游捞起来八个，还有四个没找到。", "重大"),
        ("作坊下午爆了，当场炸死了七个，还有四个到现在冇找到人。", "重大"),
        ("渡船翻了，捞上来三个冇得气哒。", "较大"),
    ],
)
def test_the_dead_fished_out_or_told_with_mao(content: str, expected: str) -> None:
    assert level(content) == expected


def test_people_fished_out_alive_are_no_dead() -> None:
    assert RANK[level("两个娃娃落水，师傅跳下去把两个都捞起来了，送到卫生院检查没事。")] <= RANK["一般"]


# --- a building fire: 过火面积 by the square metre, or a building that 烧起来


def test_a_building_fire_is_graded_by_the_regulation() -> None:
    a = assess("", "建材市场火灾过火面积约1.2万平方米，烧毁门店260余间，直接经济损失约1.1亿元。")
    assert (a.level, a.evidence["kind"]) == ("特别重大", "production_safety")
    assert level("东门家具城半夜烧起来了，到天亮才扑灭，初步算下来损失六千多万。") == "重大"
    assert level("看到物业这样敷衍，我心里火一下就烧起来了。") == "常规"
    assert assess("", "后山林子起火，过火面积约60公顷，扑火队连夜扑灭。").evidence["kind"] == "forest_fire"


# --- counts people write: 弟兄 by 个, a count closed by 了, people after 村民小组


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("煤窑冒顶，还有十一个弟兄困在下面。", "重大"),
        ("寨子里好多人发高烧，查不出啥病，前后已经死了十一个了。", "重大"),
        ("崩塌险情加剧，直接威胁坡脚4个村民小组1100余名群众。", "特别重大"),
    ],
)
def test_counts_as_people_write_them(content: str, expected: str) -> None:
    assert level(content) == expected


def test_a_violent_clash_is_graded_by_the_crowd_table() -> None:
    a = assess("", "两个村为抢水源发生激烈冲突，造成3人死亡、8人受伤。")
    assert (a.level, a.evidence["kind"]) == ("重大", "crowd")


def test_a_named_disease_wins_over_advice_about_eating() -> None:
    a = assess("", "本周全市累计报告霍乱病例32例，提醒市民不吃生冷食物、不喝生水。")
    assert (a.level, a.evidence["kind"]) == ("重大", "public_health")


# --- what did not happen: a sacrifice of health, the trapped brought out later, a denied clash


def test_what_did_not_happen_raises_nothing() -> None:
    assert level("化工厂为了赚钱，不惜牺牲周边上千村民的健康，废水直排。") == "常规"
    assert (
        level("鱼塘管理房被淹，12名工人被困。消防员已将12名被困人员全部安全转移，无人受伤。")
        == "一般"
    )
    assert level("因对分班不满，今天三百多名家长聚集在县教育局门口，现场没有发生冲突。") == "较大"


# --- a hazard that is moving, water rising, 男主人


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("后山滑坡隐患点变形加剧，坡顶裂缝越拉越宽，已转移受威胁的180名群众。", "较大"),
        ("全县共有地质灾害隐患点63处，威胁群众4000余人，已落实监测员。", "常规"),
        ("今晚河水位持续上涨，沿河两个社区已转移群众1200人。", "较大"),
        ("一家五口吃野蘑菇都中毒了，男主人没抢救过来。", "较大"),
    ],
)
def test_hazards_moving_and_household_words(content: str, expected: str) -> None:
    assert level(content) == expected
