"""总览 of plans without a list says what they carry, with the same counts as 政策与任务."""

from panhuo import policy
from panhuo.views import outline_metrics


def _values(plan):
    return {m.label: m.value for m in outline_metrics(plan)}


def test_urumqi_outline_counts_the_18_measures_of_the_document(catalog):
    plan = catalog.get("urumqi-2025")
    shown = _values(plan)
    # 征求意见稿: five groups of 18 measures (5+2+7+3+1), six sub-items under 第10条
    assert shown["任务措施"] == "18 项"
    assert int(policy.group_counts(policy.measures(plan))["count"].sum()) == 18
    departments = policy.responsibility_matrix(policy.responsibilities(plan, include_stages=True))
    assert shown["涉及部门"] == f"{len(departments.index)} 个"


def test_liaocheng_outline_separates_measures_from_modes_and_policies(catalog):
    plan = catalog.get("liaocheng-2020")
    shown = _values(plan)
    frame = policy.measures(plan)
    assert shown["任务措施"] == f"{(frame['kind'] == policy.MAIN_KIND).sum()} 项"
    assert shown["模式、政策等"] == f"{(frame['kind'] != policy.MAIN_KIND).sum()} 项"
    assert shown["阶段与时间节点"] == "5 个"  # 聊城's five work stages
