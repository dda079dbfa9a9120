"""The demo's timeline: what appears on which board, and when.

Offsets are seconds from the moment the replay site starts; negative offsets are the backlog
already on the boards. The texts are written for the sample jurisdiction (七星关区): ordinary
complaints about named places and units, an event reposted on two boards, a suggestion, a
consultation, a rumour, a bus crash first reported with 3 deaths (较大) whose follow-up on
another board two minutes later raises it to 重大 (the same event: one alert, one set of
assignments and clocks), a post that doubts a claim of twenty deaths (待核实), and later an
official reply that closes a response window by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOARDS = ("people", "gov", "discuz", "tieba")


@dataclass(frozen=True)
class Reply:
    offset_s: int  # when the reply appears on the board
    org: str
    content: str


@dataclass(frozen=True)
class ScenarioPost:
    key: str
    board: str
    offset_s: int
    title: str
    content: str
    author: str = "网友"
    kind: str = "投诉/求助"  # the board's own label where it has one
    domain: str = "城建"
    reply: Reply | None = None
    replies: int = 0
    likes: int = 0
    tags: tuple[str, ...] = field(default=())


SCENARIO: tuple[ScenarioPost, ...] = (
    # ------------------------------------------------------------ backlog
    ScenarioPost(
        "p-lajiqingyun",
        "people",
        -7200,
        "洪山街道洪山社区垃圾多日无人清运",
        "洪山街道洪山社区3组附近的垃圾池已经一个星期没有人清运了，天气热，臭味很大，"
        "蚊虫很多，小孩老人都不敢从旁边过。希望洪山街道尽快安排清运，谢谢！",
        kind="投诉/求助",
        domain="城建",
    ),
    ScenarioPost(
        "g-zhatuche",
        "gov",
        -18000,
        "麻园路夜间渣土车噪音扰民",
        "麻园路一带每天晚上11点以后渣土车来回跑，车速快、噪音大，路面全是泥土，"
        "严重影响附近居民休息。请城管和交警部门管一管。联系电话13908571234。",
        kind="投诉",
        domain="城建",
        reply=Reply(
            300,
            "七星关区城市综合执法大队",
            "您好！您反映的问题已收悉。我大队已会同交警部门对麻园路沿线渣土运输车辆开展"
            "夜间专项整治，依法查处违规运输车辆5辆，并要求施工单位落实冲洗措施。感谢您的监督！",
        ),
    ),
    ScenarioPost(
        "d-tongcunlu",
        "discuz",
        -86400,
        "鸭池镇石桥村通村路坑坑洼洼，什么时候修？",
        "鸭池镇石桥村的通村路坏了两年了，下雨全是泥坑，摩托车摔了好几次，学生上学很不方便。"
        "听说早就立项了，一直没动工，请交通部门给个说法。",
        author="石桥村民",
        kind="帖子",
        domain="交通",
        replies=14,
        likes=31,
    ),
    ScenarioPost(
        "t-gongce",
        "tieba",
        -10800,
        "建议在碧阳湖公园增设公厕和座椅",
        "碧阳湖周边每天晚上散步的人很多，但公厕只有一个，离得又远，老人小孩很不方便。"
        "建议在湖边步道增设两到三个公厕，再多放一些座椅。",
        author="碧阳湖边散步的",
        kind="建言",
        domain="城建",
        replies=6,
        likes=18,
    ),
    ScenarioPost(
        "p-yanglao",
        "people",
        -72000,
        "灵活就业人员养老保险怎么缴费？",
        "您好，我在七星关区做个体，想咨询一下灵活就业人员的养老保险在哪里办理，"
        "每年的缴费档次是怎么规定的，可以在网上缴费吗？",
        kind="咨询",
        domain="就业",
    ),
    ScenarioPost(
        "g-shipin",
        "gov",
        -1800,
        "观音桥农贸市场有摊位出售病死猪肉",
        "今天早上在观音桥农贸市场买的猪肉颜色发暗、有异味，摊主说是刚宰的。"
        "怀疑是病死猪肉，请市场监管部门查一查，不要让大家吃出问题。",
        kind="投诉",
        domain="商贸",
    ),
    # ------------------------------------------------------------ timeline
    ScenarioPost(
        "t-tingshui-rumour",
        "tieba",
        20,
        "紧急扩散！七星关明天全城停水三天",
        "网传明天开始七星关城区全部停水三天，说是水库被污染了，大家赶紧存水！"
        "不转不是七星关人！据说水务局已经内部通知了。",
        author="路过的",
        kind="帖子",
        domain="城建",
        replies=45,
        likes=12,
    ),
    ScenarioPost(
        "g-xuewei",
        "gov",
        40,
        "咨询区教育局今年小学一年级学位分配政策",
        "请问区教育局，今年城区小学一年级招生是按户籍还是按房产划片？"
        "租房的随迁子女需要准备哪些材料，什么时候开始报名？",
        kind="咨询",
        domain="教育",
    ),
    ScenarioPost(
        "p-wuye",
        "people",
        60,
        "德溪新区某小区物业乱收费",
        "德溪新区我们小区物业今年突然把物业费从每平米1.2元涨到2元，没有开业主大会，"
        "也没有公示，不交就停电梯卡。请区住建局查处。",
        kind="投诉/求助",
        domain="城建",
    ),
    ScenarioPost(
        "d-kecheyiwai",
        "discuz",
        90,
        "海子街镇一客车侧翻坠入河道，已造成3人死亡",
        "今天上午10点左右，海子街镇新开田村附近一辆载有30多人的客车侧翻坠入河道，"
        "据现场群众说已造成3人死亡、20多人受伤，伤者已送往医院，现场还在搜救。"
        "希望政府尽快公布情况！",
        author="海子街镇网友",
        kind="帖子",
        domain="交通",
        replies=230,
        likes=560,
    ),
    ScenarioPost(
        "t-kecheyiwai-repost",
        "tieba",
        120,
        "转：海子街镇客车坠河，3人死亡20多人受伤",
        "转自毕节论坛：今天上午10点左右，海子街镇新开田村附近一辆载有30多人的客车侧翻"
        "坠入河道，已造成3人死亡、20多人受伤，现场还在搜救。",
        author="七星关吧务",
        kind="帖子",
        domain="交通",
        replies=88,
        likes=140,
    ),
    ScenarioPost(
        "p-hongludeng",
        "people",
        150,
        "建议在洪山路与桂花路交叉口增设红绿灯",
        "洪山路与桂花路交叉口上下学高峰车流、人流很大，没有红绿灯，学生过马路很危险，"
        "建议交通部门尽快增设红绿灯和人行横道。",
        kind="建言",
        domain="交通",
    ),
    ScenarioPost(
        "g-qianxin",
        "gov",
        180,
        "燕子口镇某工地拖欠农民工工资",
        "我们十几个人在燕子口镇大河村一个建设项目干了五个月，老板拖欠工资近20万元，"
        "过年都回不了家。请区人社局帮我们讨回工资。本人张德明，身份证号520203198805121234。",
        kind="投诉",
        domain="就业",
    ),
    ScenarioPost(
        "d-kecheyiwai-followup",
        "discuz",
        240,
        "海子街镇客车坠河事故最新：死亡人数升至13人",
        "跟进：海子街镇客车坠河事故死亡人数已上升至13人，仍有2人失联，"
        "家属在医院门口聚集，希望政府尽快公开事故原因和救援进展。",
        author="海子街镇网友",
        kind="帖子",
        domain="交通",
        replies=310,
        likes=720,
    ),
    ScenarioPost(
        "t-huagongchang-claim",
        "tieba",
        270,
        "燕子口镇化工厂爆炸死了二十多人？",
        "网上有人说燕子口镇大河村化工厂爆炸死了二十多个人，我就住在旁边，应该是假的吧，"
        "就看到冒了点烟，有没有知道情况的？",
        author="大河村村民",
        kind="帖子",
        domain="安全",
        replies=35,
        likes=20,
    ),
    ScenarioPost(
        "t-yiyuan",
        "tieba",
        300,
        "区人民医院挂号排队太久",
        "今天带老人去区人民医院看病，挂号排了一个多小时，自助机一半是坏的。"
        "希望卫生部门督促医院增加窗口。",
        author="孝顺儿子",
        kind="帖子",
        domain="医疗",
        replies=9,
        likes=22,
    ),
)

# Ordinary posts that keep arriving after the scripted part, one every `interval` seconds.
RECURRING: tuple[tuple[str, str, str, str, str], ...] = (
    ("gov", "三板桥街道石桥边社区路灯不亮", "三板桥街道石桥边社区主干道路灯坏了半个月，晚上一片漆黑，请尽快维修。", "投诉", "城建"),
    ("people", "梨树镇高原村饮水困难", "梨树镇高原村这个月已经停水三次，村民吃水要到山下去挑，请区水务局帮忙解决。", "投诉/求助", "城建"),
    ("tieba", "市西街道人民公园广场舞噪音", "人民公园晚上广场舞音响开得太大，一直到十点多，附近居民无法休息。", "帖子", "环保"),
    ("discuz", "朱昌镇朱昌工业园排污", "朱昌工业园有企业晚上偷偷排污水，河水发黑发臭，请环保部门查处。", "帖子", "环保"),
    ("people", "撒拉溪镇低保评定不公平", "撒拉溪镇冲锋村低保评定不公开，有的人家里有车有房也吃低保，请区民政局核查。", "投诉/求助", "三农"),
    ("gov", "咨询公积金提取需要什么材料", "请问在七星关区购买二手房，提取住房公积金需要准备哪些材料？", "咨询", "城建"),
)
