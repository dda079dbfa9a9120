"""Classes of miss studied on the sixth outside set (severity_blind6.csv), each tested in words
other than the set's: incidents days ago asked about, people moved from a named threat, burned
areas and losses as people write them, crowds counted loosely, poisoning counts, and the
negatives (claims called false, monthly statistics, questions about the reporting rule)."""

from __future__ import annotations

import pytest

from classifier.severity import RANK, assess


def level(title: str, content: str) -> str:
    return assess(title, content).level


# --------------------------------------------------------------- an incident days ago, asked about
# the figures of a recent incident stand although the post asks for aid or blame
RECENT_ASKED = [
    ("", "昨天下午后山滑坡埋了三户人家，死了五个人，请问遇难家属的补助找哪个部门", "较大"),
    ("", "前天夜里那场泥石流冲了我们组，死了三个，镇里说会有救助，到现在没人来登记", "较大"),
    ("", "前几天那场冰雹，全乡烟叶绝收，统计下来直接经济损失有一千五百多万，想问有没有补贴", "较大"),
    ("", "前天化工厂爆炸炸死了四个工人，家属想问工伤赔偿怎么算", "较大"),
    ("", "前天那场山火过火面积有两千多亩，请问要不要追责上坟的人，有没有补偿", "重大"),
    ("", "昨天一场大风把村里的蔬菜大棚全吹垮了，损失两百多万，想问能不能申请补助", "一般"),
]
# long ago, the money is what the post is about
LONG_AGO_ASKED = [
    ("", "去年那场泥石流死了三个人，到现在补助都没发下来，请领导关心一下"),
    ("", "前年厂里爆炸死了四个工人，赔偿至今没有到位"),
    ("", "上个月那场冰雹损失三百多万，补贴一直没发"),
]


@pytest.mark.parametrize(("title", "content", "want"), RECENT_ASKED)
def test_recent_incident_asked_about_is_graded(title: str, content: str, want: str) -> None:
    assert level(title, content) == want


@pytest.mark.parametrize(("title", "content"), LONG_AGO_ASKED)
def test_long_ago_incident_asked_for_money_is_routine(title: str, content: str) -> None:
    assert level(title, content) == "常规"


# --------------------------------------------------------------- a consequence asked about
OUTCOME_ASKED = [
    ("", "上游工厂废水流进水源地，水厂已经停止取水，请问什么时候能恢复供水？"),
    ("", "河里漂满死鱼，县城自来水厂取水中断，请问我们喝的水安全吗？"),
    ("", "听说二水厂停止取水了，是不是水源被污染了？请问哪里可以领水"),
    ("", "咨询一下，罐车翻进河里，水厂停止取水，要停多久"),
    ("", "请问水库被污染后停止取水，城区什么时候来水"),
]


@pytest.mark.parametrize(("title", "content"), OUTCOME_ASKED)
def test_water_source_stopped_is_an_incident_under_a_question(title: str, content: str) -> None:
    assert RANK[level(title, content)] >= RANK["一般"]


# --------------------------------------------------------------- burned area and losses as written
AREA_AND_LOSS = [
    ("", "山火扑灭了，林业站量了一下，烧掉的山林差不多有45亩", "较大"),
    ("", "这场森林火灾过火面积据说已经有一千五百多亩了", "重大"),
    ("", "森林火灾的过火面积林业局讲大概有三万多亩，几个乡都在扑", "特别重大"),
    ("", "山火烧了两天，烧毁的林地一共是120公顷", "重大"),
    ("", "这次洪灾全县直接经济损失二个多亿，好多桥都冲垮了", "特别重大"),
    ("", "暴雨冲毁了好多农田，损失估计有三个多亿", "特别重大"),
]
# a fire of a house or a field: no forest area
NOT_AN_AREA = [
    ("", "我家承包了15亩地，想问烧秸秆会不会罚款"),
    ("", "烧了几十年的炭窑，承包的30亩林子想改种茶叶，请问有没有补贴"),
    ("", "烧了一上午的秸秆，隔壁15亩地的烟太大，请问能不能管一下"),
]


@pytest.mark.parametrize(("title", "content", "want"), AREA_AND_LOSS)
def test_area_and_loss_as_written(title: str, content: str, want: str) -> None:
    assert level(title, content) == want


@pytest.mark.parametrize(("title", "content"), NOT_AN_AREA)
def test_area_without_a_fire_is_routine(title: str, content: str) -> None:
    assert level(title, content) == "常规"


# --------------------------------------------------------------- people moved from a named threat
MOVED = [
    ("", "上游水库开闸泄洪，沿岸三个乡镇今天转移了一万五千多人", "重大"),
    ("", "河水涨得很快，今天下午沿河两个村转移了一千二百多人", "较大"),
    ("", "后面山坡开裂越来越大，村里把受威胁的二百多个村民全部转移了", "较大"),
    ("", "危岩随时会掉下来，镇上组织转移了一百二十多个群众", "较大"),
    ("", "挖掘机挖断了天然气管道，附近小区疏散了五千多人", "较大"),
    ("燃气管道爆裂", "整条街都是气味，消防讲已经疏散了一万多人", "重大"),
]
NOT_MOVED = [
    ("", "我们小区的水管爆裂了，停水一天了，请问物业什么时候修"),
    ("", "墙体开裂了，开发商一直不管，请住建局处理"),
    ("", "易地扶贫搬迁，我们乡转移就业两万多人，感谢政府"),
]


@pytest.mark.parametrize(("title", "content", "want"), MOVED)
def test_people_moved_from_a_named_threat(title: str, content: str, want: str) -> None:
    assert level(title, content) == want


@pytest.mark.parametrize(("title", "content"), NOT_MOVED)
def test_no_threat_no_move(title: str, content: str) -> None:
    assert level(title, content) == "常规"


# --------------------------------------------------------------- crowds counted loosely
CROWDS = [
    ("", "为了拆迁补偿，今天几个村的人全都来了，站满了县政府门口，我估计至少三千人", "重大"),
    ("", "因为征地的问题，上午好多村民都来了，在镇政府门前，我看起码有一千多人", "重大"),
    ("", "今天两百多个货车司机聚集在收费站，反对超限罚款", "较大"),
    ("", "为了工钱的事，两百多个农民工把省道堵起了，车排了几公里", "重大"),
    ("", "因为补偿款问题，一百多个村民把路给围起，车都过不去", "重大"),
    ("", "一千多名出租车司机聚集在火车站广场，要求取缔黑车", "重大"),
]
NOT_CROWDS = [
    ("", "我们一家人全都来了，估计有二十多个，在饭店吃年夜饭"),
    ("", "请问出租车司机可以拒载吗"),
    ("", "过年亲戚全部来了，估计有三十多人，停车位不够"),
]


@pytest.mark.parametrize(("title", "content", "want"), CROWDS)
def test_crowds_counted_loosely(title: str, content: str, want: str) -> None:
    assert level(title, content) == want


@pytest.mark.parametrize(("title", "content"), NOT_CROWDS)
def test_people_together_without_a_grievance(title: str, content: str) -> None:
    assert level(title, content) == "常规"


# --------------------------------------------------------------- a fight among kin is a 群体性事件
FIGHTS = [
    ("", "为了宅基地两家人打起来，两边叫了三十多个人，打死了一个", "较大"),
    ("", "喝喜酒的时候两边亲戚打起来了，二十几个人混战，一个人被打死", "较大"),
    ("", "两家人为了地界打起来，后来两边加起来四十多个人，当场打死了一个年轻人", "较大"),
    ("", "办丧事时两家亲戚打起来，叫来了五十多个人，一个小伙子被打死了", "较大"),
    ("", "两边亲戚十几个人打起来了，混乱中有个人被打死", "较大"),
]


@pytest.mark.parametrize(("title", "content", "want"), FIGHTS)
def test_a_fight_among_kin_is_graded_as_a_crowd(title: str, content: str, want: str) -> None:
    assert level(title, content) == want


# --------------------------------------------------------------- poisoning counts
POISONING = [
    ("", "工厂用苯刷胶水，工人中毒的越来越多，医院住进去的已经六十几个了", "重大"),
    ("", "电镀厂工人中毒，市医院住进去了二十多个", "较大"),
    ("", "一家人吃了毒蘑菇，全家六口都中毒了，两个大人没抢救过来，每年都说不要乱吃", "较大"),
    ("", "村里办酒席吃了野生菌，三个人没救过来，每年都在提醒还是有人吃", "较大"),
    ("", "厂里一百三十多名工人上吐下泻，疾控说是诺如病毒", "较大"),
    ("", "工地食堂吃了饭，六十多个工人上吐下泻，初步说是诺如", "一般"),
]
NOT_POISONING = [
    ("", "每年都有人吃野生菌中毒，请有关部门加强宣传"),
    ("", "每年全县野生菌中毒死亡十几人，希望多宣传"),
    ("", "请问诺如病毒怎么预防，厂里工人多"),
]


@pytest.mark.parametrize(("title", "content", "want"), POISONING)
def test_poisoning_counts(title: str, content: str, want: str) -> None:
    assert level(title, content) == want


@pytest.mark.parametrize(("title", "content"), NOT_POISONING)
def test_poisoning_talk_is_routine(title: str, content: str) -> None:
    assert level(title, content) == "常规"


# --------------------------------------------------------------- the injured as 伤员
INJURED = [
    ("", "化工厂爆炸，送到医院的伤员有一百一十多个", "特别重大"),
    ("", "大巴侧翻，现场伤员约40人", "较大"),
    ("", "工地坍塌，拉到县医院的伤员有十几个", "较大"),
    ("", "隧道里追尾，三名伤员被送往医院", "一般"),
    ("", "烟花厂爆炸，伤员有五十多个，医院都住满了", "重大"),
]
NOT_INJURED = [
    ("", "请问伤员转院的费用谁出"),
    ("", "医院招聘护士，护理伤员经验优先"),
    ("", "去年车祸的伤员到现在还没拿到赔偿"),
]


@pytest.mark.parametrize(("title", "content", "want"), INJURED)
def test_injured_told_as_casualties_carried(title: str, content: str, want: str) -> None:
    assert level(title, content) == want


@pytest.mark.parametrize(("title", "content"), NOT_INJURED)
def test_injured_talk_is_routine(title: str, content: str) -> None:
    assert level(title, content) == "常规"


# --------------------------------------------------------------- negatives
# claims the post calls false, monthly statistics, a question about the reporting rule
NEGATIVES = [
    ("", "网上到处在传我们县医院死了十几个病人，我就在医院上班，根本没有这回事"),
    ("", "抖音上有人发视频讲我们镇煤矿透水死了三十多个，其实是外地的旧视频，大家别转了"),
    ("", "群里好多人转'我区发生6级地震'，我查了是外省的，我们这边根本没感觉，不要传了"),
    ("", "有人发视频讲我们这里化工厂爆炸，其实是外省的老视频，厂子好好的"),
    ("", "卫健委通报本月全县报告手足口病150例，这个多不多？"),
    ("", "上月全区报告流感两百多例，要不要给老人打疫苗"),
    ("", "请问按照学校传染病的规定，班里五六个学生同时发烧，要不要上报"),
    ("", "班里有四个学生拉肚子，需不需要报告疾控？想了解一下流程"),
]
# a real incident stays graded beside those words
STILL_INCIDENTS = [
    ("", "今天中午学校食堂一百多个学生食物中毒，网上说是假的，我娃就在医院输液", "重大"),
    ("", "本月第二次了，今天化工厂又爆炸了，死了三个工人", "较大"),
    ("", "班里十几个学生同时发烧呕吐，已经送医院了，请问要不要停课", "较大"),
]


@pytest.mark.parametrize(("title", "content"), NEGATIVES)
def test_false_claims_statistics_and_rule_questions_are_routine(title: str, content: str) -> None:
    assert level(title, content) == "常规"


@pytest.mark.parametrize(("title", "content", "want"), STILL_INCIDENTS)
def test_incidents_beside_those_words_stand(title: str, content: str, want: str) -> None:
    assert level(title, content) == want
