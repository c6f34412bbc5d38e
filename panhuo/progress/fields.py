"""What a progress entry holds, with the Chinese headers the page, the workbook and the
problems table use (one list, so they never drift apart).

An entry is a plain dict of text: ``""`` is empty, numbers are kept as typed (their printed
precision matters, as for plan areas), dates are ``YYYY-MM-DD``.

>>> entry_columns("亩")["area"]
'累计再开发面积（亩）'
"""

from __future__ import annotations

from dataclasses import dataclass

from panhuo.progress.stages import DATE_FIELDS


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # {unit} is the plan's area unit
    kind: str  # text | stage | date | number
    help: str = ""

    def title(self, unit: str) -> str:
        return self.header.format(unit=unit)


FIELDS: tuple[Field, ...] = (
    Field("record_id", "编号", "text", "规划中的片区/地块编号，不能改"),
    Field("stage", "阶段", "stage", "本期末所处的阶段"),
    Field("approved_on", "方案批复日期", "date"),
    Field("supplied_on", "供地/签约日期", "date"),
    Field("started_on", "开工日期", "date"),
    Field("completed_on", "竣工日期", "date"),
    Field("accepted_on", "验收/上图入库日期", "date"),
    Field("area", "累计再开发面积（{unit}）", "number", "自开始实施累计，不是本期新增"),
    Field("investment", "累计投资（万元）", "number", "自开始实施累计"),
    Field("floor_area", "新增建筑面积（平方米）", "number"),
    Field("tax_per_mu", "亩均税收（万元/亩）", "number", "再开发后"),
    Field("note", "进展说明", "text"),
    Field("issues", "存在问题", "text"),
    Field("reason", "变动原因", "text", "累计数减少或阶段后退时必填"),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
KEYS = tuple(f.key for f in FIELDS)
NUMBER_KEYS = tuple(f.key for f in FIELDS if f.kind == "number")
TEXT_KEYS = ("note", "issues", "reason")
assert set(DATE_FIELDS) == {f.key for f in FIELDS if f.kind == "date"}

# the narrative parts of a 区县's report (湖州: 工作进展及成效、制度建设情况、典型案例、难点问题)
NARRATIVE: tuple[tuple[str, str], ...] = (
    ("progress", "工作进展及成效"),
    ("institution", "制度建设情况"),
    ("cases", "典型案例"),
    ("difficulties", "难点问题"),
)
NARRATIVE_MAX = 20_000  # characters per narrative part
TEXT_MAX = 2_000  # characters per note in an entry


def entry_columns(unit: str) -> dict[str, str]:
    """Field key → Chinese header, with the plan's area unit."""
    return {f.key: f.title(unit) for f in FIELDS}


def empty_entry(record_id: str) -> dict[str, str]:
    return {key: (str(record_id) if key == "record_id" else "") for key in KEYS}


INTERNAL = "internal"  # narrative key: the parts marked for internal use only (not in a public briefing)


def clean_narrative(narrative: dict | None) -> dict:
    """The four narrative parts as text (unknown keys dropped, whitespace trimmed), and under
    ``internal`` the keys of the parts marked internal (only when there are any).

    >>> clean_narrative({"progress": " 已开工 ", "internal": ["difficulties", "x"], "other": 1})
    {'progress': '已开工', 'institution': '', 'cases': '', 'difficulties': '', 'internal': ['difficulties']}
    """
    narrative = narrative or {}
    text: dict = {key: str(narrative.get(key) or "").strip() for key, _label in NARRATIVE}
    marked = narrative.get(INTERNAL) or []
    internal = [key for key, _label in NARRATIVE if key in marked]
    if internal:
        text[INTERNAL] = internal
    return text


def public_narrative(narrative: dict | None) -> dict[str, str]:
    """The narrative parts a public briefing may carry: those not marked internal.

    >>> public_narrative({"progress": "已开工", "difficulties": "资金缺口", "internal": ["difficulties"]})
    {'progress': '已开工', 'institution': '', 'cases': ''}
    """
    text = clean_narrative(narrative)
    hidden = set(text.pop(INTERNAL, []))
    return {key: value for key, value in text.items() if key not in hidden}
