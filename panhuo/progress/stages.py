"""The lifecycle stages of a redevelopment record, as data with an order.

Each stage maps to the plan's own 实施阶段 words (储备 / 计划实施 / 正在实施 / 已完成) and names the
date that says when it was reached. A plan can override the set (its ``progress_config`` row);
the dates an entry can carry are fixed (:data:`DATE_FIELDS`), so an overriding stage names one
of them or none.

>>> [s.label for s in DEFAULT_STAGES]
['未启动', '方案批复', '供地/签约', '开工', '竣工', '验收/上图入库']
>>> parse_stage("开工", DEFAULT_STAGES).code, parse_stage("started", DEFAULT_STAGES).plan_stage
('started', '正在实施')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from panhuo.model import STAGES as PLAN_STAGES

# the dates an entry can carry, in the order the stages reach them
DATE_FIELDS = ("approved_on", "supplied_on", "started_on", "completed_on", "accepted_on")


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    plan_stage: str  # the plan's 实施阶段 word this stage counts as
    date_field: str = ""  # the date reached at this stage ("" none)
    order: int = 0

    def to_json(self) -> dict:
        return asdict(self)


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("none", "未启动", "储备", "", 0),
    Stage("approved", "方案批复", "计划实施", "approved_on", 1),
    Stage("supplied", "供地/签约", "正在实施", "supplied_on", 2),
    Stage("started", "开工", "正在实施", "started_on", 3),
    Stage("completed", "竣工", "已完成", "completed_on", 4),
    Stage("accepted", "验收/上图入库", "已完成", "accepted_on", 5),
)


def stages_from(items: Iterable[dict]) -> tuple[Stage, ...]:
    """Stages from stored dicts, checked: unique codes and labels, known plan stages and dates.
    Raises ValueError (Chinese) on a bad set."""
    stages = []
    for order, item in enumerate(items):
        stage = Stage(
            code=str(item.get("code", "")).strip(),
            label=str(item.get("label", "")).strip(),
            plan_stage=str(item.get("plan_stage", "")).strip(),
            date_field=str(item.get("date_field", "") or "").strip(),
            order=order,
        )
        if not stage.code or not stage.label:
            raise ValueError(f"第 {order + 1} 个阶段缺少代码或名称")
        if stage.plan_stage not in PLAN_STAGES:
            raise ValueError(
                f"阶段“{stage.label}”对应的实施阶段“{stage.plan_stage}”不是 {'、'.join(PLAN_STAGES)} 之一"
            )
        if stage.date_field and stage.date_field not in DATE_FIELDS:
            raise ValueError(f"阶段“{stage.label}”的日期字段“{stage.date_field}”未知")
        stages.append(stage)
    if not stages:
        raise ValueError("至少需要一个阶段")
    for attr, word in (("code", "代码"), ("label", "名称"), ("date_field", "日期字段")):
        values = [getattr(s, attr) for s in stages if getattr(s, attr)]
        if len(values) != len(set(values)):
            raise ValueError(f"阶段的{word}有重复")
    return tuple(stages)


def parse_stage(text: object, stages: Sequence[Stage]) -> Stage | None:
    """The stage named by its code or its label (spaces and ／ tolerated), None if unknown."""
    key = str(text or "").strip().replace("／", "/").replace(" ", "")
    for stage in stages:
        if key in (stage.code, stage.label.replace(" ", "")):
            return stage
    return None


def stage_of(code: str, stages: Sequence[Stage]) -> Stage | None:
    return next((s for s in stages if s.code == code), None)


def labels(stages: Sequence[Stage]) -> list[str]:
    return [s.label for s in stages]
