"""What a 工作简报 shows, as plain values: the one shape both renderers (PPTX and PDF) draw from.

:func:`panhuo.progress.briefing.collect` fills a :class:`Briefing` from a Monitor; the renderers
never compute a figure, they lay out the text and numbers they are given — so the slide deck
and the PDF cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from panhuo import palette

# traffic lights: the colour a light is drawn in (the label comes from the Monitor)
LIGHT_COLORS = palette.LIGHT_COLORS  # the page's colours


def date_cn(day: date) -> str:
    """``2024年9月15日`` (no leading zeros, as a document is dated).

    >>> date_cn(date(2024, 9, 5))
    '2024年9月5日'
    """
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Figure:
    """A headline figure: label, value as printed, a note under it (against what)."""

    label: str
    value: str
    note: str = ""
    light: str = ""  # a traffic light for the figure, "" when none


@dataclass(frozen=True)
class Table:
    """A table of text cells. ``widths`` are relative; ``align`` per column ("L", "R", "C");
    ``lights`` gives the light code of each row for column ``light_column`` (drawn as a dot)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    align: tuple[str, ...] = ()
    light_column: int | None = None
    lights: tuple[str, ...] = ()
    bold_last: bool = False  # a 合计/全市 row at the end
    bold_first: bool = False  # a 全市 row at the top
    empty: str = "（无）"

    def __post_init__(self) -> None:
        n = len(self.columns)
        if len(self.widths) != n or any(len(r) != n for r in self.rows):
            raise ValueError("表格的列数不一致")
        if not self.align:
            object.__setattr__(self, "align", ("L",) * n)

    def column(self, header: str) -> list[str]:
        i = self.columns.index(header)
        return [r[i] for r in self.rows]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    color: str
    dashed: bool = False


@dataclass(frozen=True)
class LineChart:
    """Cumulative figures per period: ``categories`` are the periods (short labels), ``years``
    the year of each (a second axis line), ``target`` a horizontal line when set."""

    title: str
    categories: tuple[str, ...]
    years: tuple[str, ...]
    series: tuple[Series, ...]
    unit_label: str
    target: float | None = None
    target_label: str = ""

    def maximum(self) -> float:
        values = [v for s in self.series for v in s.values if v is not None]
        if self.target is not None:
            values.append(self.target)
        return max(values, default=0.0)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as printed beside the bar
    color: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    note: str = ""


@dataclass(frozen=True)
class NarrativePart:
    key: str
    label: str
    text: str
    internal: bool = False


@dataclass(frozen=True)
class CountyNarrative:
    """One 区县's narrative for one period (``note`` says why there is none)."""

    county: str
    period_id: str
    period_label: str
    parts: tuple[NarrativePart, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Briefing:
    """Every figure and text of a 工作简报, in the order the renderers lay them out."""

    plan_id: str
    plan_title: str
    plan_short: str  # the short title, for footers
    title: str  # 工作简报 / 半年工作报告
    period_id: str
    period_label: str
    period_ids: tuple[str, ...]  # the periods covered (one, or the half-year's)
    made_on: date
    as_of: date
    internal: bool
    demo_label: str  # "" for a real plan
    unit_label: str
    target_note: str
    headline: tuple[Figure, ...]
    counties: Table
    city_burnup: LineChart
    county_burnups: tuple[LineChart, ...]
    funnel: BarChart
    funnel_table: Table
    alerts: Table
    alert_note: str
    milestones: Table
    milestone_note: str
    narratives: tuple[CountyNarrative, ...]
    gains: Table | None = None  # the half-year: gains over the half per 区县
    period_table: Table | None = None  # the half-year: the city's figures at each period
    slipped: Table | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def version_label(self) -> str:
        return "内部资料" if self.internal else "公开版"

    @property
    def date_text(self) -> str:
        return date_cn(self.made_on)

    @property
    def as_of_text(self) -> str:
        return date_cn(self.as_of)

    @property
    def footer(self) -> str:
        what = "内部资料，注意保管" if self.internal else "公开版"
        return f"{self.plan_short}｜{self.title}｜{self.period_label}｜{what}"

    @property
    def stamps(self) -> tuple[str, ...]:
        """What every page and slide says at its top: the demo label, 内部资料."""
        return tuple(s for s in (self.demo_label, "内部资料" if self.internal else "") if s)
