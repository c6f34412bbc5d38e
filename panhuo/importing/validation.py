"""Validate mapped records with pandera and turn its failure cases into a Chinese report.

Records arrive as a DataFrame of text (one column per mapped field, ``None`` for empty cells).
Two schemas run lazily over it: :func:`error_schema` (a failure rejects the row) and
:func:`warning_schema` (the row is imported and the finding listed). Each check has a name in
:data:`MESSAGES`, which says in Chinese what is wrong and what to do; near misses against a
vocabulary get a ``difflib`` suggestion.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import pandera.pandas as pa

from panhuo.importing.mapping import synonym, vocabulary
from panhuo.importing.report import Problem
from panhuo.ranges import RANGES, bounds, range_within
from panhuo.units import cell_unit, is_area_unit, parse_number, units_text

UNCACHED = "\x1f公式未计算"  # marks a formula cell saved without its result
_EXCEL_ERROR = re.compile(r"^#(DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!)$")
_APPROX_WORDS = ("约", "近", "超过", "大于", "不少于", "逾", "左右", "余", "≥", ">", "<", "≤")
_YEAR_RANGE = re.compile(r"^\d{4}\s*年?\s*[-—–~～至到]\s*\d{4}\s*年?$")
_DATE = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*([-/.月]\s*\d{1,2}\s*日?)?\s*月?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass
class Context:
    """What validation checks against: the plan's city and 区县, vocabularies, default unit."""

    kind: str = "parcels"
    plan_id: str = ""
    city: str = ""
    counties: list[str] = field(default_factory=list)
    counties_source: str = ""  # where the 区县 list comes from, said in the report
    plan_counties: list[str] = field(default_factory=list)  # the 区县 the plan itself covers
    types: list[str] = field(default_factory=list)
    landuse_names: list[str] = field(default_factory=list)
    area_unit: str = "公顷"  # the unit of the area column
    previous: pd.DataFrame | None = None  # id, area, area_unit of the plan's current version


def _number(value: object) -> Decimal | None:
    return parse_number(str(value)) if value is not None else None


def is_number(value: object) -> bool:
    """A number, or a cell whose problem another check reports (formula without result, #DIV/0!)."""
    return not _cell_ok(value) or _number(value) is not None


def _in_range(
    low: Decimal | float, high: Decimal | float, strict_low: bool = False
) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        number = _number(value)
        if number is None:
            return True  # reported by the number check
        return (number > low if strict_low else number >= low) and number <= high

    return check


def serial_date(value: object) -> dt.date | None:
    """The date an Excel serial number stands for (``45292`` → 2024-01-01), else None."""
    text = str(value).strip()
    if not re.fullmatch(r"\d{5}(\.0+)?", text):
        return None
    number = int(float(text))
    if not 20000 <= number <= 80000:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=number)


def phase_ok(value: object) -> bool:
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return bool(re.fullmatch(r"\d{4}", text)) and 1949 <= int(text) <= 2100
    return True


def _cell_ok(value: object) -> bool:
    return value != UNCACHED and not _EXCEL_ERROR.match(str(value).strip())


def _vocab_check(words: list[str]) -> Callable[[object], bool]:
    allowed = {w.strip() for w in words}
    return lambda value: str(value).strip() in allowed


def suggest(value: object, words: list[str], cutoff: float = 0.5) -> str:
    """The closest word of a vocabulary, or '' (``suggest("实施中", STAGES) == "正在实施"``)."""
    text = str(value).strip()
    if not words:
        return ""
    if synonym(text) in words:
        return synonym(text)
    contained = [w for w in words if w and (w in text or text in w)]
    if contained:
        return max(contained, key=lambda w: difflib.SequenceMatcher(None, text, w).ratio())
    near = difflib.get_close_matches(text, words, n=1, cutoff=cutoff)
    return near[0] if near else ""


def _near_miss(words: list[str]) -> Callable[[object], bool]:
    """True unless the value is not in the vocabulary but close to a word of it."""
    allowed = {w.strip() for w in words}

    def check(value: object) -> bool:
        text = str(value).strip()
        return text in allowed or not suggest(text, words, cutoff=0.6)

    return check


def _not_approximate(value: object) -> bool:
    text = str(value)
    return not any(word in text for word in _APPROX_WORDS)


def _element(fn: Callable[[object], bool], name: str) -> pa.Check:
    return pa.Check(fn, element_wise=True, name=name)


def error_schema(ctx: Context, columns: list[str]) -> pa.DataFrameSchema:
    """Checks whose failure rejects a row."""
    col: dict[str, pa.Column] = {
        ".*": pa.Column(object, checks=[_element(_cell_ok, "cell_ok")], regex=True, nullable=True),
        "id": pa.Column(object, nullable=False, unique=True),
        "area": pa.Column(
            object,
            nullable=False,
            checks=[_element(is_number, "number"), _element(_in_range(0, 1e12, True), "positive")],
        ),
    }
    for name, limits in RANGES.items():
        in_range = _in_range(limits.low, limits.high)
        col[name] = pa.Column(
            object,
            nullable=True,
            required=False,
            checks=[  # a number, or a range as plans print them (≤1.0,＞0; 1.0-2.0), within limits
                _element(lambda v: is_number(v) or bounds(v) is not None, "number_or_range"),
                _element(
                    lambda v, name=name, in_range=in_range: (
                        in_range(v) if _number(v) is not None else range_within(name, v) is not False
                    ),
                    "range",
                ),
            ],
        )
    col["parcel_count"] = pa.Column(
        object,
        nullable=True,
        required=False,
        checks=[
            _element(
                lambda v: (n := _number(v)) is not None and n >= 1 and n == n.to_integral_value(), "count"
            )
        ],
    )
    col["area_unit"] = pa.Column(
        object,
        nullable=True,
        required=False,
        checks=[_element(is_area_unit, "unit")],
    )
    col["stage"] = pa.Column(
        object,
        nullable=True,
        required=False,
        checks=[_element(_vocab_check(vocabulary("stage")), "vocab_stage")],
    )
    if ctx.kind == "parcels":
        col["potential"] = pa.Column(
            object,
            nullable=True,
            required=False,
            checks=[_element(_vocab_check(vocabulary("potential")), "vocab_potential")],
        )
        col["phase"] = pa.Column(object, nullable=True, required=False, checks=[_element(phase_ok, "phase")])
    if ctx.counties:
        col["county"] = pa.Column(
            object,
            nullable=True,
            required=False,
            checks=[_element(_vocab_check(ctx.counties), "known_county")],
        )
    checks = []
    if "geometry" in columns:
        attributes = [c for c in columns if c not in ("geometry", "id")]

        def has_attributes(frame: pd.DataFrame) -> pd.Series:
            present = (
                frame[attributes].notna().any(axis=1) if attributes else pd.Series(False, index=frame.index)
            )
            return ~frame["geometry"].notna() | present

        checks.append(pa.Check(has_attributes, name="geometry_without_attributes", ignore_na=False))
    return pa.DataFrameSchema(
        {k: v for k, v in col.items() if k in columns or k == ".*" or v.required}, checks=checks, coerce=False
    )


def warning_schema(ctx: Context, columns: list[str]) -> pa.DataFrameSchema:
    """Checks whose failure is listed but keeps the row."""
    area_unit = ctx.area_unit
    col: dict[str, pa.Column] = {
        "area": pa.Column(
            object,
            nullable=True,
            checks=[
                _element(_not_approximate, "approximate"),
                _element(lambda v: cell_unit(v) in ("", area_unit), "cell_unit"),
            ],
        ),
    }
    for name in ("density_before", "density_after"):
        col[name] = pa.Column(
            object,
            nullable=True,
            checks=[
                _element(
                    lambda v: "%" in str(v) or (n := _number(v)) is None or not 0 < n < 1, "density_fraction"
                )
            ],
        )
    if ctx.kind == "parcels":
        types = ctx.types or vocabulary("type")
        col["type"] = pa.Column(object, nullable=True, checks=[_element(_near_miss(types), "type_near")])
        if ctx.landuse_names:
            for name in ("current_use", "planned_use"):
                col[name] = pa.Column(
                    object, nullable=True, checks=[_element(_near_miss(ctx.landuse_names), "landuse_near")]
                )
    col["geometry"] = pa.Column(object, nullable=False)
    return pa.DataFrameSchema({k: v for k, v in col.items() if k in columns}, coerce=False)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case", "index"])


# --- messages -----------------------------------------------------------------------------------


def _fmt(number: Decimal | float | None) -> str:
    return "" if number is None else f"{float(number):,.4g}"


def _message(check: str, value: str, ctx: Context, field_name: str) -> tuple[str, str]:
    """(problem, suggestion) in Chinese for a failed check."""
    if check == "not_nullable" and field_name == "geometry":
        return "该要素没有图形", "只导入属性；如需在地图上显示请补绘图形"
    if check == "not_nullable":
        label = {"id": "编号", "area": "面积"}.get(field_name, field_name)
        return f"{label}为空（必填）", f"请补填{label}"
    if check == "number":
        return f"“{value}”不是可识别的数值", "请填写数字，如 12.5；可带单位（300亩）或千分位（1,234.5）"
    if check == "number_or_range":
        return (
            f"“{value}”不是可识别的数值或区间",
            "请填写数字（1.5）或区间（1.0-2.0、≤1.0、≤1.0,＞0）",
        )
    if check == "positive":
        return "面积必须大于 0", "请核对面积；若该地块不存在请删除此行"
    if check == "range" and RANGES[field_name].measure == "容积率":
        return (
            f"容积率 {value} 超出 {RANGES[field_name].text} 的合理范围",
            "请核对容积率（建筑面积 ÷ 用地面积）",
        )
    if check == "range":
        return f"建筑密度 {value} 超出 {RANGES[field_name].text} 的范围", "建筑密度是百分数，请核对"
    if check == "unit":
        return f"面积单位“{value}”无法识别", f"请填写 {units_text(' 或 ')}"
    if check == "count":
        return f"宗数“{value}”应为不小于 1 的整数", "请填写地块个数，如 1 或 3"
    if check in ("vocab_stage", "vocab_potential"):
        words = vocabulary("stage" if check == "vocab_stage" else "potential")
        label = "实施阶段" if check == "vocab_stage" else "潜力等级"
        near = suggest(value, words)
        hint = f"是否为“{near}”？" if near else ""
        return f"{label}“{value}”不在规定词表（{'、'.join(words)}）中", f"{hint}请改为词表中的一项".lstrip()
    if check == "known_county":
        near = suggest(value, ctx.counties)
        where = ctx.city or "本规划"
        hint = f"是否为“{near}”？" if near else f"可选：{'、'.join(ctx.counties[:20])}"
        return f"“{value}”不是{where}的区县（依据：{ctx.counties_source}）", hint
    if check == "phase":
        date = serial_date(value)
        if date:
            return (
                f"“{value}”像是 Excel 日期序列号（对应 {date.isoformat()}）",
                "请把单元格设为日期格式，或直接填写年份（2024）或年份区间（2021-2025）",
            )
        return f"实施时序“{value}”不是年份", "请填写年份（2024）、年份区间（2021-2025）或日期"
    if check == "cell_ok":
        if value == UNCACHED:
            return "公式单元格没有保存计算结果", "请在 Excel 中打开文件，重新计算并保存后再导入"
        return f"公式计算出错（{value}）", "请在 Excel 中修正公式后再导入"
    if check == "field_uniqueness":
        return f"编号“{value}”重复", "编号应唯一；请核对是否重复录入"
    if check == "geometry_without_attributes":
        return "有图形但没有属性", "请在 GIS 软件中补录属性，或删除该要素"
    # warnings
    if check == "approximate":
        return f"“{value}”含近似或说明文字，按 {_fmt(_number(value))} 读取", "如有确切数值，请填写确切数值"
    if check == "cell_unit":
        return (
            f"单元格自带单位“{cell_unit(value)}”，与列单位“{ctx.area_unit}”不同，按“{cell_unit(value)}”记录",
            "请确认单位；整列应使用同一单位",
        )
    if check == "density_fraction":
        number = _number(value)
        return (
            f"建筑密度 {value} 像是小数形式（{_fmt(number * 100) if number is not None else ''}%？）",
            "建筑密度按百分数填写，如 35 或 35%；若确为不到 1% 可忽略",
        )
    if check == "type_near":
        near = suggest(value, ctx.types or vocabulary("type"), cutoff=0.6)
        return f"类型“{value}”与已有类型“{near}”相近", f"是否为“{near}”？"
    if check == "landuse_near":
        near = suggest(value, ctx.landuse_names, cutoff=0.6)
        return f"用途“{value}”不在用地分类中，与“{near}”相近", f"是否为“{near}”？"
    return f"未通过检查 {check}", ""


# the quality-control family of each check (panhuo.importing.report.FAMILIES): whether a field
# is there, filled, of its type and unique is 属性结构; whether its value is allowed is 值域
_STRUCTURE_CHECKS = {
    "cell_ok",
    "not_nullable",
    "number",
    "unit",
    "field_uniqueness",
    "geometry_without_attributes",
}


def family_of(check: str, field_name: str = "") -> str:
    """属性结构 (structure) for presence, type and uniqueness; 值域 (domain) for the rest; a
    feature without geometry is 拓扑 (topology), with the other geometry checks."""
    if check == "not_nullable" and field_name == "geometry":
        return "topology"
    return "structure" if check in _STRUCTURE_CHECKS else "domain"


@dataclass
class Outcome:
    problems: list[Problem]
    rejected: set[int]  # frame index labels of rejected rows


def validate_frame(frame: pd.DataFrame, ctx: Context, locate: Callable[[int, str], dict]) -> Outcome:
    """Run both schemas over ``frame`` (text, ``None`` for empty cells).

    ``locate(index, field)`` says where a cell comes from: a dict with ``row``, ``column``,
    ``value``, ``file`` and ``sheet`` (the keyword arguments of :class:`Problem`).
    """
    columns = list(frame.columns)
    problems: list[Problem] = []
    rejected: set[int] = set()
    seen: set[tuple] = set()
    copies: dict[str, dict] = {}  # field → value → positions, for duplicate messages
    for severity, schema in (
        ("error", error_schema(ctx, columns)),
        ("warning", warning_schema(ctx, columns)),
    ):
        failures = _failures(schema, frame)
        whole_rows = set()
        if severity == "error":
            geo = failures[failures["check"] == "geometry_without_attributes"]
            whole_rows = {int(i) for i in geo["index"].dropna()}
        for case in failures.itertuples(index=False):
            check = str(case.check)
            field_name = "" if pd.isna(case.column) else str(case.column)
            index = None if case.index is None or pd.isna(case.index) else int(case.index)
            if check.startswith("dtype(") or check == "column_in_dataframe":
                problems.append(
                    Problem(
                        severity,
                        f"缺少必需的列：{case.failure_case}",
                        "请在映射中指定对应的列",
                        family="structure",
                    )
                )
                continue
            if index is None:
                continue
            if index in whole_rows and check != "geometry_without_attributes":
                continue  # one line says it all
            if check == "geometry_without_attributes":
                field_name = "geometry"
            key = (index, check, field_name if check != "geometry_without_attributes" else "")
            if key in seen:
                continue
            seen.add(key)
            where = locate(index, field_name)
            raw = frame.at[index, field_name] if field_name in frame.columns else None
            problem, suggestion = _message(check, where["value"] if raw is None else raw, ctx, field_name)
            if check == "field_uniqueness":
                if field_name not in copies:
                    copies[field_name] = frame.groupby(field_name, dropna=True).indices
                same = copies[field_name].get(frame.at[index, field_name], [])
                others = [str(locate(int(i), field_name)["row"]) for i in same[:11] if int(i) != index][:10]
                more = "等" if len(same) > 11 else ""
                problem += f"（同一编号也在第 {'、'.join(others)}{more} 行）"
            problems.append(
                Problem(severity, problem, suggestion, family=family_of(check, field_name), **where)
            )
            if severity == "error":
                rejected.add(index)
    return Outcome(problems=problems, rejected=rejected)
