"""Masking personal data in public consultation comments (panhuo.consultation.pii)."""

import itertools
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.consultation.pii import (
    MASK,
    MASK_CHARS,
    Finding,
    describe,
    find_personal,
    is_masking_of,
    mask_personal,
)


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal(text)]


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_personal(text)]


def nfkc(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", ch) for ch in text)


# --------------------------------------------------------------------------- constants / Finding


def test_constants_and_labels():
    assert MASK == "＊"
    assert frozenset("＊*") == MASK_CHARS
    labels = {k: Finding(k, 0, 1).label for k in ("mobile", "landline", "id_card", "email")}
    assert labels == {
        "mobile": "手机号码",
        "landline": "固定电话",
        "id_card": "身份证号码",
        "email": "电子邮件",
    }


# --------------------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    "number",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+8613812345678", "+86 138 1234 5678", "8613812345678"],
)
def test_mobile_forms_are_found(number):
    text = f"我的电话是{number}，欢迎来电"
    assert kinds(text) == ["mobile"]
    assert spans(text) == [number]


def test_mobile_masking_keeps_first_three_and_last_four():
    assert mask_personal("电话13812345678。")[0] == "电话138＊＊＊＊5678。"
    assert mask_personal("电话138-1234-5678")[0] == "电话138＊＊＊＊5678"
    assert mask_personal("电话 +86 138 1234 5678")[0] == "电话 +86 138＊＊＊＊5678"


def test_full_width_mobile():
    text = "电话：１３８１２３４５６７８"
    masked, findings = mask_personal(text)
    assert [f.kind for f in findings] == ["mobile"]
    assert text[findings[0].start : findings[0].end] == "１３８１２３４５６７８"
    assert masked == "电话：１３８＊＊＊＊５６７８"


# --------------------------------------------------------------------------- landline


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("0991-8878313", "0991-＊＊＊＊＊＊＊"),
        ("010-12345678", "010-＊＊＊＊＊＊＊＊"),
        ("(0991)8878313", "(0991)＊＊＊＊＊＊＊"),
        ("（0991）8878313", "（0991）＊＊＊＊＊＊＊"),
        ("0991 8878313", "0991 ＊＊＊＊＊＊＊"),
        ("0991－8878313", "0991－＊＊＊＊＊＊＊"),
    ],
)
def test_landline(text, masked):
    assert kinds(f"办公室{text}转") == ["landline"]
    assert mask_personal(f"办公室{text}转")[0] == f"办公室{masked}转"


# --------------------------------------------------------------------------- id card


def test_id_card_18_and_15_digits():
    assert mask_personal("身份证110101199001011234")[0] == "身份证110" + MASK * 13 + "34"
    assert mask_personal("身份证11010119900101123x号")[0] == "身份证110" + MASK * 13 + "3x号"
    assert kinds("身份证 11010119900101123X") == ["id_card"]
    assert kinds("老证 110101900101123") == ["id_card"]
    assert mask_personal("老证 110101900101123")[0] == "老证 110" + MASK * 10 + "23"


def test_credit_code_is_not_an_id_card():
    assert find_personal("统一社会信用代码 91650100MA77XXXX3K") == []
    assert find_personal("统一社会信用代码91650100MA77XXXX3K，") == []


# --------------------------------------------------------------------------- email


def test_email():
    assert mask_personal("邮箱 zhang.san@example.com.cn 谢谢")[0] == "邮箱 z＊＊＊@example.com.cn 谢谢"
    assert mask_personal("邮箱zhangsan＠qq.com")[0] == "邮箱z＊＊＊＠qq.com"
    assert kinds("邮箱zhangsan＠qq.com") == ["email"]
    # a one-letter local part is masked entirely (keeping it would be an insertion)
    assert mask_personal("a@b.cn")[0] == "＊＊＊@b.cn"


def test_email_made_of_digits_is_one_email():
    assert kinds("13812345678@qq.com") == ["email"]
    assert mask_personal("13812345678@qq.com")[0] == "1＊＊＊@qq.com"


# --------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "text",
    [
        "2025年完成",
        "改造面积20000亩",
        "面积 1234.56 亩",
        "编号12345678901234567890",
        "编号 123456789012345678901",
        "规划期 2021-2035 年",
        "投资 1380000 万元",
        "",
    ],
)
def test_not_personal(text):
    assert find_personal(text) == []
    assert mask_personal(text) == (text, [])


def test_several_findings_in_order():
    text = "张三 13812345678，0991-8878313，zs@example.com，身份证 65010219900101123X"
    assert kinds(text) == ["mobile", "landline", "email", "id_card"]
    masked, findings = mask_personal(text)
    assert describe(findings) == "已隐去手机号码 1 处、固定电话 1 处、身份证号码 1 处、电子邮件 1 处"
    assert mask_personal(masked) == (masked, [])


def test_describe():
    assert describe([]) == ""
    two = find_personal("13812345678 13912345678")
    assert describe(two) == "已隐去手机号码 2 处"


# --------------------------------------------------------------------------- is_masking_of


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("张三的电话", "＊＊的电话", True),
        ("张三的电话", "李四的电话", False),
        ("abc", "ab", False),
        ("abc", "abc＊", False),
        ("请联系张三", "请联系＊", True),
        ("abc", "abc", True),
        ("", "", True),
        ("", "＊", False),
        ("abc", "＊", True),
        ("abc", "a*c", True),
        ("a＊b", "a＊＊b", True),
        ("ab", "a＊b", False),
        ("张三李四", "＊三＊", True),
        ("张三李四", "＊三＊＊五", False),
    ],
)
def test_is_masking_of(before, after, expected):
    assert is_masking_of(before, after) is expected


# --------------------------------------------------------------------------- properties

FRAGMENTS = [
    "1", "3", "8", "0", "9", "5", "１", "３", "８", "x", "X", "a", "Z",
    " ", "-", "－", "+86", "86", "(", ")", "（", "）", ".", ".com", "@", "＠",
    "＊", "*", "年", "亩", "电话", "13812345678", "0991-8878313", "11010119900101123X",
    "zs@qq.com", "138 1234 5678",
]  # fmt: skip
NO_AT = [f for f in FRAGMENTS if "@" not in f and "＠" not in f]

texts = st.one_of(st.text(), st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
texts_without_at = st.lists(st.sampled_from(NO_AT), max_size=30).map("".join)


def test_an_address_straight_after_another_is_masked_too():
    """Found by hypothesis: the second address begins where the first one's domain ends."""
    masked, found = mask_personal("zs@qq.com13812345678zs@qq.com")
    assert "zs@" not in masked and "12345678" not in masked
    assert masked == "z＊＊＊@qq.com1＊＊＊@qq.com"
    assert [f.kind for f in found] == ["email", "email"]
    assert mask_personal(masked) == (masked, [])


@settings(max_examples=400)
@given(texts)
def test_masking_is_idempotent(text):
    once, _ = mask_personal(text)
    twice, found = mask_personal(once)
    assert twice == once
    assert found == []


@settings(max_examples=400)
@given(texts)
def test_masking_only_masks(text):
    masked, findings = mask_personal(text)
    assert is_masking_of(text, masked)
    assert findings == find_personal(text)
    for a, b in itertools.pairwise(findings):
        assert a.end <= b.start


@settings(max_examples=400)
@given(texts_without_at)
def test_no_full_mobile_survives(text):
    masked, _ = mask_personal(text)
    assert re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", nfkc(masked), re.ASCII) is None
