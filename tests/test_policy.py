"""panhuo.policy against the documents: 乌鲁木齐's 18 measures and their 牵头/责任单位 as printed in
the seed text, 聊城's stages and policies, 湖州's lead-first lists."""

from __future__ import annotations

import re
from datetime import date

import pytest

from panhuo import policy as pol
from tests.conftest import seed_text


@pytest.fixture(scope="module")
def urumqi(catalog):
    return catalog.get("urumqi-2025")


@pytest.fixture(scope="module")
def liaocheng(catalog):
    return catalog.get("liaocheng-2020")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市自然资源局、市财政局", ["市自然资源局", "市财政局"]),
        ("各区人民政府(开发区管委会)", ["各区人民政府(开发区管委会)"]),
        # 、 inside brackets does not split
        ("各县（市、区）人民政府、市属开发区管委会", ["各县（市、区）人民政府", "市属开发区管委会"]),
        # 乌鲁木齐 第12条: a stray 、 before the bracket
        (
            "市发改委、市财政局、各区人民政府、(开发区管委会)",
            ["市发改委", "市财政局", "各区人民政府(开发区管委会)"],
        ),
        # 湖州 阶段四: “…税务等有关部门” ends an open list
        ("建设、农业农村、税务等有关部门、市级相关部门", ["建设", "农业农村", "税务", "市级相关部门"]),
        ("市经信局，市财政局；市建设局", ["市经信局", "市财政局", "市建设局"]),
        ("市经信局、市经信局", ["市经信局"]),
        ("", []),
    ],
)
def test_split_departments(text, expected):
    assert pol.split_departments(text) == expected


def test_urumqi_has_18_measures_in_5_groups(urumqi):
    frame = pol.measures(urumqi)
    counts = pol.group_counts(frame)
    assert counts["count"].sum() == 18
    assert list(zip(counts["group"], counts["count"], strict=True)) == [
        ("加强国土空间统筹规划", 5),
        ("强化土地收储支撑", 2),
        ("拓宽土地盘活途径", 7),
        ("优化土地供应方式", 3),
        ("完善地价计收规则", 1),
    ]
    assert (frame["kind"] == "sub_measure").sum() == 6  # 第10条 1)-6)


def _seed(prefix: str) -> str:
    return seed_text(prefix)  # fails (never skips) when ../shared/seeds is missing


def test_urumqi_groups_match_the_seed_headings(urumqi):
    text = _seed("004")
    headings = re.findall(r"^\(?[一二三四五]\)(\S+)$", text, re.M)[:5]
    frame = pol.measures(urumqi)
    assert headings == pol.group_counts(frame)["group"].tolist()
    numbered = re.findall(r"^(\d+)\.", text, re.M)
    assert numbered == [str(i) for i in range(1, 19)]


def test_urumqi_lead_and_responsible_departments_are_those_printed(urumqi):
    """Every 〔牵头单位:…;责任单位:…〕 of the seed text, split, equals the data."""
    text = _seed("004")
    frame = pol.measures(urumqi).set_index("id")
    printed = {
        number: (lead, resp)
        for number, lead, resp in re.findall(
            r"^(\d+)\.[^\n]*〔牵头单位:([^;]*);责任单位:([^〕\n]*)", text, re.M
        )
    }
    printed |= {
        f"10({n})": (lead, resp)
        for n, lead, resp in re.findall(r"^(\d)\)[^\n]*〔牵头单位:([^;]*);责任单位:([^〕\n]*)", text, re.M)
    }
    assert len(printed) == 17 + 6  # 第10条 itself prints none; its six sub-items do
    for measure_id, (lead, resp) in printed.items():
        assert frame.at[measure_id, "leads"] == pol.split_departments(lead), measure_id
        assert frame.at[measure_id, "responsibles"] == pol.split_departments(resp), measure_id


@pytest.mark.parametrize(
    ("measure", "department", "role"),
    [
        ("7 探索均衡片区征收成本", "各区人民政府(开发区管委会)", "牵头"),
        ("7 探索均衡片区征收成本", "市自然资源局", "责任"),
        ("6 完善收储机制", "市财政局", "牵头"),
        ("12 探索老旧小区原拆原建自主更新", "市住建局", "牵头"),
        ("12 探索老旧小区原拆原建自主更新", "各区人民政府(开发区管委会)", "责任"),
        ("18 明确不增收土地价款情形", "市民政局", "责任"),
        ("10(5) 强化资源要素配置调控", "各区人民政府(开发区管委会)", "牵头"),
    ],
)
def test_urumqi_matrix_cells(urumqi, measure, department, role):
    matrix = pol.responsibility_matrix(pol.responsibilities(urumqi))
    assert matrix.at[department, measure] == role


def test_urumqi_matrix_shape_and_load(urumqi):
    long = pol.responsibilities(urumqi)
    matrix = pol.responsibility_matrix(long)
    assert matrix.shape == (12, 23)  # 12 departments; 18 measures − 第10条 + 6 sub-items
    assert "10 鼓励低效工业用地盘活" not in matrix.columns
    assert "(开发区管委会)" not in matrix.index
    load = pol.department_load(long).set_index("部门")
    assert load.index[0] == "市自然资源局"
    assert (load.at["市自然资源局", "牵头"], load.at["市自然资源局", "责任"]) == (21, 2)
    assert (
        pol.unassigned_sentence(pol.measures(urumqi))
        == "原文未列单位、不在矩阵中的条目：10 鼓励低效工业用地盘活。"
    )


def test_filter_by_group_and_department(urumqi):
    frame = pol.measures(urumqi)
    assert len(pol.filter_measures(frame, ["强化土地收储支撑"])) == 2
    finance = pol.filter_measures(frame, department="财政")
    assert finance["id"].tolist() == ["6", "8", "11", "12"]
    long = pol.filter_responsibilities(pol.responsibilities(urumqi), finance["id"], "财政")
    assert long["item_id"].unique().tolist() == ["6", "8", "11", "12"]
    assert "市住建局" in set(long["department"])  # the departments sharing those items stay


def test_liaocheng_matrix_keeps_bracketed_county_names(liaocheng):
    long = pol.responsibilities(liaocheng)
    matrix = pol.responsibility_matrix(long)
    assert matrix.shape[1] == 18  # 1.4, 3.1-3.5, 4.1-4.9, 5.1-5.3
    assert "各县（市、区）人民政府" in matrix.index
    assert not any(d.startswith("区）") or d.endswith("（市") for d in matrix.index)
    # 四（三）加大财税金融支持: seven 责任单位, none 牵头
    item = "4.3 加大财税金融支持"
    assert (matrix[item] == "责任").sum() == 7 and (matrix[item] == "牵头").sum() == 0
    assert matrix.at["分管副市长", "5.1 加强组织领导"] == "牵头"


def test_liaocheng_stages(liaocheng):
    stages = pol.stages_table(liaocheng)
    assert stages["阶段"].tolist() == [
        "调查摸底阶段",
        "标图入库阶段",
        "规划编制阶段",
        "年度计划和方案编制阶段",
        "规范有序实施",
    ]
    assert (
        stages["时间"].tolist()[:2] == ["2020-10 前", "2020-11 前"] and stages["时间"].iloc[-1] == "2021 起"
    )
    assert "牵头单位" not in stages  # the document names only 责任单位 for the stages
    with_stages = pol.responsibility_matrix(pol.responsibilities(liaocheng, include_stages=True))
    assert with_stages.shape[1] == 18 + 5
    assert "市文化和旅游局" in with_stages.index  # named only for the stages


def test_liaocheng_modes_and_policies(liaocheng):
    frame = pol.measures(liaocheng)
    by_kind = frame.groupby("kind_label").size().to_dict()
    assert by_kind == {"任务措施": 5, "开发模式": 4, "配套政策": 9, "类别定义": 3}
    assert pol.kinds(frame)[0] == "measure"


def test_huzhou_lead_printed_first_counts_once_as_lead(catalog):
    long = pol.responsibilities(catalog.get("huzhou-2023"))
    item = long[long["item"] == "2-1 工业全域有机更新"]
    assert len(item) == 8 and item["department"].is_unique
    assert item.loc[item["department"] == "市经信局", "role"].tolist() == ["牵头"]


def test_plans_without_departments(catalog):
    assert pol.responsibilities(catalog.get("shangdang-2021")).empty
    table = pol.measures_table(pol.measures(catalog.get("shangdang-2021")))
    assert "牵头单位" not in table and len(table) == 16


def test_consultation_notice(urumqi, catalog):
    open_notice = pol.consultation(urumqi, date(2025, 12, 10))
    assert open_notice["open"] and open_notice["days_left"] == 7
    assert open_notice["deadline"] == "2025-12-17" and open_notice["published"] == "2025-12-05"
    assert ("联系电话", "0991-8878313") in open_notice["contacts"]
    assert ("电子邮件", "wlmqszrzyj@163.com") in open_notice["contacts"]
    assert "传真或电子邮件" in open_notice["channels"]
    closed = pol.consultation(urumqi, date(2025, 12, 18))
    assert not closed["open"] and closed["days_left"] is None
    assert pol.consultation(catalog.get("shangdang-2021"), date(2025, 12, 10)) is None


def test_departments_table_has_chinese_headers(liaocheng):
    table = pol.departments_table(liaocheng)
    assert list(table.columns)[:2] == ["单位", "角色"]
    assert len(table) == len(liaocheng.departments)
