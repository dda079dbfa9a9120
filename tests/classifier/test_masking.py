"""Masking of personal data in text sent out by email and digests."""

from __future__ import annotations

import pytest

from classifier.masking import mask_pii


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话13812345678。", "我的电话138****5678。"),
        ("手机：+86 138 1234 5678", "手机：+86 138 **** 5678"),
        ("电话8613812345678", "电话86138****5678"),
        ("座机0857-8221234", "座机0857-****234"),
        ("座机(0857)8221234", "座机(0857)****234"),
        ("联系电话：8221234", "联系电话：****234"),
        ("身份证52240119900101123X", "身份证5224**********123X"),
        ("身份证号522401199001011234，", "身份证号5224**********1234，"),
        ("卡号6222021234567890", "卡号6222********7890"),
        ("卡号6222 0212 3456 7890", "卡号6222 **** **** 7890"),
        ("邮箱zhang.san@qq.com", "邮箱zh***@qq.com"),
        ("我叫张三，想反映", "我叫张*，想反映"),
        ("本人王小明，", "本人王**，"),
        ("我叫李明今年30岁", "我叫李*今年30岁"),
        ("我叫欧阳娜娜", "我叫欧阳**"),
        ("车牌贵F·12345的车", "车牌贵F·***45的车"),
        ("贵FD12345", "贵F****45"),
        ("贵F12345停在路边", "贵F***45停在路边"),
    ],
)
def test_masks(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "我是七星关区居民",
        "我是王家坝村的村民",
        "我是毕节人",
        "本人在鸭池镇工作",
        "2023年7月12日，订单号20230712，共3000元",
        "共有43名矿工，损失约2000万元",
        "",
    ],
)
def test_leaves_other_text_alone(text: str) -> None:
    assert mask_pii(text) == text


def test_several_items_in_one_text() -> None:
    text = "我叫张三，电话13812345678，身份证52240119900101123X，车牌贵F·12345。"
    masked = mask_pii(text)
    for secret in ("张三", "13812345678", "52240119900101123X", "12345。"):
        assert secret not in masked
    assert masked.startswith("我叫张*，电话138****5678")
