"""The 工作简报 as PDF (fpdf2), with Debian's Noto Sans CJK embedded (subset) and the charts drawn
as vector shapes by fpdf2 itself: no browser, no image, nothing from the network.

Layout: A4 portrait; every page carries the demonstration label (a red band) and 内部资料 when
they apply, and a footer with the plan, the version and 第 n 页／共 N 页. Tables break across
pages with their header repeated. Chinese text is wrapped by :func:`wrap` — any character may
end a line, except that closing punctuation never starts one and opening punctuation never ends
one, and Latin words and numbers (``1,234.5``) are kept whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from fpdf import FPDF

from panhuo import palette
from panhuo.progress.briefing_model import (
    LIGHT_COLORS,
    BarChart,
    Briefing,
    CountyNarrative,
    Figure,
    LineChart,
    Table,
)

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {"": "NotoSansCJK-Regular.ttc", "B": "NotoSansCJK-Bold.ttc"}
COLLECTION_SC = 2  # Simplified Chinese in the Noto CJK collections
FAMILY = "NotoSansSC"
PDF_MIME = "application/pdf"

PAGE_W, PAGE_H = 210.0, 297.0
LEFT = RIGHT = 18.0
TOP, BOTTOM = 24.0, 18.0
BODY_W = PAGE_W - LEFT - RIGHT
PT = 0.3528  # mm per point
BODY, SMALL, NOTE = 10.5, 9.0, 8.0
LEADING = 1.55  # line height / font size

INK = palette.BRIEFING_INK
MUTED = palette.BRIEFING_MUTED
ACCENT = palette.BRIEFING_ACCENT
BORDER = palette.BRIEFING_BORDER
SHADE = "#f3f6f9"
HEAD_FILL = "#e6edf5"
DEMO_INK, DEMO_BAND = palette.DEMO_INK, palette.DEMO_BAND
INTERNAL_INK = "#b00020"

NO_START = set("，。、；：？！）》」』】〕〉”’…%％,.;:?!)]}·～—｜")
NO_END = set("（《「『【〔〈“‘([{")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:%/+\-_']*|\s|.", re.S)


class FontsMissing(RuntimeError):
    """The Chinese fonts for the PDF are not installed (message in Chinese)."""


def font_paths(folder: Path | None = None) -> dict[str, Path]:
    """The regular and bold Noto Sans CJK files; :class:`FontsMissing` when one is absent."""
    folder = folder or FONT_DIR
    paths = {style: folder / name for style, name in FONT_FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FontsMissing(
            "无法生成 PDF 简报：缺少中文字体 "
            + "、".join(missing)
            + "。请安装 Debian 软件包 fonts-noto-cjk（sudo apt-get install fonts-noto-cjk，"
            "或运行 scripts/install-system.sh）后重试；PPTX 简报不需要这些字体。"
        )
    return paths


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return palette.rgb(hex_color)


# --- text ----------------------------------------------------------------------------------------


def wrap(measure: Callable[[str], float], text: str, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (as ``measure`` measures them).

    >>> wrap(len, "甲乙丙丁，戊己", 4)
    ['甲乙丙', '丁，戊己']
    >>> wrap(len, "共 1,234.5 亩", 8)
    ['共', '1,234.5', '亩']
    """
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        tokens: list[str] = []
        for token in _TOKEN.findall(paragraph):
            if len(token) > 1 and measure(token) > width:
                tokens.extend(token)  # a run longer than the line: break it anywhere
            else:
                tokens.append(token)
        line: list[str] = []
        used = 0.0
        for token in tokens:
            size = measure(token)
            if used + size <= width + 1e-6 or not line:
                if token.isspace() and not line:
                    continue
                line.append(token)
                used += size
                continue
            if token.isspace():
                lines.append("".join(line).rstrip())
                line, used = [], 0.0
                continue
            carry: list[str] = []
            if token[0] in NO_START:  # pull the character before down with the punctuation
                while len(line) > 1 and (not carry or carry[0][0] in NO_START):
                    carry.insert(0, line.pop())
            while len(line) > 1 and line[-1][-1] in NO_END:
                carry.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            line = [t for t in carry if not (t.isspace() and t is carry[0])] + [token]
            used = sum(measure(t) for t in line)
        lines.append("".join(line).rstrip())
    return lines


def _fit(measure: Callable[[str], float], text: str, width: float) -> str:
    """``text`` on one line of ``width``, cut with … when longer.

    >>> _fit(len, "甲乙丙丁戊", 4)
    '甲乙丙…'
    """
    if measure(text) <= width:
        return text
    while text and measure(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _nice_step(top: float, ticks: int = 5) -> float:
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _tick_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# --- the document --------------------------------------------------------------------------------


class _Doc(FPDF):
    def __init__(self, briefing: Briefing, fonts: dict[str, Path]) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.briefing = briefing
        for style, path in fonts.items():
            self.add_font(FAMILY, style, str(path), collection_font_number=COLLECTION_SC)
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(True, BOTTOM)
        self.set_title(f"{briefing.plan_title} {briefing.title} {briefing.period_label}")
        self.set_author("盘活")
        self.set_creator("盘活 panhuo")
        self.set_subject(" ".join(briefing.stamps) or briefing.version_label)
        self.alias_nb_pages()

    # fonts and colours
    def font(self, size: float, bold: bool = False, color: str = INK) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*_rgb(color))

    def lines(self, text: str, width: float) -> list[str]:
        return wrap(self.get_string_width, text, width)

    # every page
    def header(self) -> None:
        b = self.briefing
        y = 7.0
        if b.demo_label:
            self.set_fill_color(*_rgb(DEMO_BAND))
            self.rect(LEFT, y, BODY_W - (26 if b.internal else 0), 8, style="F")
            self.font(NOTE + 1, True, DEMO_INK)
            self.set_xy(LEFT + 2, y)
            self.cell(BODY_W - 30, 8, b.demo_label, align="L")
        if b.internal:
            self.set_draw_color(*_rgb(INTERNAL_INK))
            self.set_line_width(0.5)
            self.rect(PAGE_W - RIGHT - 24, y, 24, 8)
            self.font(NOTE + 2, True, INTERNAL_INK)
            self.set_xy(PAGE_W - RIGHT - 24, y)
            self.cell(24, 8, "内部资料", align="C")
        self.set_line_width(0.2)
        self.set_xy(LEFT, TOP)

    def footer(self) -> None:
        self.set_draw_color(*_rgb(BORDER))
        self.set_line_width(0.2)
        self.line(LEFT, PAGE_H - 13, PAGE_W - RIGHT, PAGE_H - 13)
        self.font(NOTE - 0.5, False, MUTED)
        page = f"第 {self.page_no()} 页／共 {{nb}} 页"
        page_w = 28
        text = _fit(self.get_string_width, self.briefing.footer, BODY_W - page_w - 4)
        self.set_xy(LEFT, PAGE_H - 12)
        self.cell(BODY_W - page_w, 5, text, align="L")
        self.set_xy(PAGE_W - RIGHT - page_w, PAGE_H - 12)
        self.cell(page_w, 5, page, align="R")

    # flow helpers
    @property
    def bottom(self) -> float:
        return PAGE_H - BOTTOM

    def room(self, height: float) -> None:
        """A new page unless ``height`` mm fit below the cursor."""
        if self.get_y() + height > self.bottom:
            self.add_page()

    def paragraph(
        self,
        text: str,
        size: float = BODY,
        bold: bool = False,
        color: str = INK,
        indent: float = 0.0,
        first_indent: bool = False,
        after: float = 2.0,
        width: float | None = None,
    ) -> None:
        self.font(size, bold, color)
        width = (width or BODY_W) - indent
        height = size * PT * LEADING
        first = 2 * size * PT if first_indent else 0.0  # two characters, as Chinese paragraphs start
        for part in str(text).split("\n"):
            part = part.strip()
            head, *rest = self.lines(part, width - first) or [""]
            tail = self.lines(part[len(head) :].lstrip(), width) if rest else []
            if len(tail) < 4:  # a short paragraph is never split over two pages
                self.room(height * (len(tail) + 1))
            for i, line in enumerate([head, *tail]):
                self.room(height)
                self.set_x(LEFT + indent + (first if i == 0 else 0.0))
                self.cell(width - (first if i == 0 else 0.0), height, line, align="L")
                self.ln(height)
        self.ln(after)

    def heading(self, text: str, level: int = 1, keep: float = 30.0) -> None:
        """A section heading, on a new page unless ``keep`` mm of what follows fit below it."""
        size = 14 if level == 1 else 11.5
        self.room(size * PT * 2 + keep)
        if level == 1:
            self.ln(2)
        self.font(size, True, ACCENT if level == 1 else INK)
        height = size * PT * 1.6
        self.set_x(LEFT)
        self.cell(BODY_W, height, text, align="L")
        self.ln(height)
        if level == 1:
            self.set_draw_color(*_rgb(ACCENT))
            self.set_line_width(0.4)
            self.line(LEFT, self.get_y(), LEFT + BODY_W, self.get_y())
            self.set_line_width(0.2)
            self.ln(3)
        else:
            self.ln(1)


# --- blocks --------------------------------------------------------------------------------------


def _cover(doc: _Doc, b: Briefing) -> None:
    doc.add_page()
    doc.set_y(62)
    doc.font(30, True, ACCENT)
    doc.cell(BODY_W, 16, b.title, align="C")
    doc.ln(22)
    doc.font(15, True, INK)
    for line in doc.lines(b.plan_title, BODY_W - 20):
        doc.set_x(LEFT)
        doc.cell(BODY_W, 9, line, align="C")
        doc.ln(9)
    doc.ln(6)
    doc.font(14, False, INK)
    doc.set_x(LEFT)
    doc.cell(BODY_W, 9, b.period_label, align="C")
    doc.ln(12)
    doc.font(13, False, MUTED)
    doc.set_x(LEFT)
    doc.cell(BODY_W, 8, b.date_text, align="C")
    doc.ln(24)
    doc.set_draw_color(*_rgb(BORDER))
    doc.line(LEFT + 30, doc.get_y(), PAGE_W - RIGHT - 30, doc.get_y())
    doc.ln(6)
    notes = [
        f"数据截至 {b.as_of_text}，仅含审核通过的区县填报。",
        b.target_note,
        "内部资料：含权利人信息及标注为仅内部使用的内容，请勿公开。"
        if b.internal
        else "公开版：不含权利人信息，不含标注为仅内部使用的内容。",
        *b.notes,
    ]
    for note in notes:
        if note:
            doc.font(SMALL + 0.5, False, MUTED)
            for line in doc.lines(note, BODY_W - 40):
                doc.set_x(LEFT)
                doc.cell(BODY_W, 6, line, align="C")
                doc.ln(6)
    if b.demo_label:
        doc.ln(8)
        doc.font(16, True, DEMO_INK)
        doc.set_x(LEFT)
        doc.cell(BODY_W, 10, b.demo_label, align="C")
    if b.internal:
        doc.ln(14)
        doc.font(18, True, INTERNAL_INK)
        doc.set_x(LEFT)
        doc.cell(BODY_W, 10, "内部资料", align="C")


def _figures(doc: _Doc, figures: Sequence[Figure]) -> None:
    per_row, gap = 3, 4.0
    width = (BODY_W - gap * (per_row - 1)) / per_row
    for start in range(0, len(figures), per_row):
        row = figures[start : start + per_row]
        doc.font(NOTE, False, MUTED)
        notes = [doc.lines(f.note, width - 6) if f.note else [] for f in row]
        doc.font(SMALL, False, MUTED)
        labels = [doc.lines(f.label, width - (11 if f.light else 6)) for f in row]
        doc.font(17, True, ACCENT)
        values = [doc.lines(f.value, width - 6) for f in row]
        height = (
            5
            + max(
                len(lab) * 4.8 + len(val) * 8.5 + len(note) * 4.2
                for lab, val, note in zip(labels, values, notes, strict=True)
            )
            + 3
        )
        doc.room(height + gap)
        top = doc.get_y()
        for i, figure in enumerate(row):
            x = LEFT + i * (width + gap)
            doc.set_draw_color(*_rgb(BORDER))
            doc.set_fill_color(*_rgb(SHADE))
            doc.rect(x, top, width, height, style="DF")
            if figure.light:
                doc.set_fill_color(*_rgb(LIGHT_COLORS.get(figure.light, LIGHT_COLORS["none"])))
                doc.circle(x + width - 5.5, top + 5.5, 1.8, style="F")
            y = top + 3
            doc.font(SMALL, False, MUTED)
            for line in labels[i]:
                doc.set_xy(x + 3, y)
                doc.cell(width - 6, 4.8, line)
                y += 4.8
            doc.font(17, True, ACCENT)
            for line in values[i]:
                doc.set_xy(x + 3, y)
                doc.cell(width - 6, 8.5, line)
                y += 8.5
            doc.font(NOTE, False, MUTED)
            for line in notes[i]:
                doc.set_xy(x + 3, y)
                doc.cell(width - 6, 4.2, line)
                y += 4.2
        doc.set_y(top + height + gap)


def _table(doc: _Doc, table: Table, size: float = SMALL, title: str = "") -> None:
    """The table, its header repeated on every page it runs onto; a table under a third of a page
    is kept on one page, and ``title`` (a line above it) with its header and first row."""
    if not table.rows:
        if title:
            doc.paragraph(title, SMALL, bold=True, after=1)
        doc.paragraph(table.empty, SMALL, color=MUTED)
        return
    total = sum(table.widths)
    widths = [BODY_W * w / total for w in table.widths]
    pad = 1.6
    line_h = size * PT * 1.45
    dot = 3.6  # room for a traffic light before the text

    def cell_lines(row: Sequence[str], bold: bool) -> list[list[str]]:
        doc.font(size, bold)
        out = []
        for c, text in enumerate(row):
            room = widths[c] - 2 * pad - (dot if c == table.light_column and not bold else 0)
            out.append(doc.lines(text, room))
        return out

    def draw(
        row: Sequence[str], lines, height: float, *, head: bool, bold: bool, shade: bool, light: str
    ) -> None:
        x, y = LEFT, doc.get_y()
        for c, text_lines in enumerate(lines):
            w = widths[c]
            doc.set_draw_color(*_rgb(BORDER))
            doc.set_fill_color(*_rgb(HEAD_FILL if head else (SHADE if shade else "#ffffff")))
            doc.rect(x, y, w, height, style="DF")
            doc.font(size, head or bold, INK)
            align = "C" if head else table.align[c]
            offset = 0.0
            if c == table.light_column and not head and light:
                doc.set_fill_color(*_rgb(LIGHT_COLORS.get(light, LIGHT_COLORS["none"])))
                doc.circle(x + pad + 1.4, y + height / 2, 1.4, style="F")
                offset = dot
            ty = y + (height - len(text_lines) * line_h) / 2
            for line in text_lines:
                doc.set_xy(x + pad + offset, ty)
                doc.cell(w - 2 * pad - offset, line_h, line, align=align)
                ty += line_h
            x += w
        doc.set_xy(LEFT, y + height)

    head_lines = cell_lines(table.columns, True)
    head_h = max(len(c) for c in head_lines) * line_h + 2 * pad
    last = len(table.rows) - 1
    bolds = [(table.bold_last and r == last) or (table.bold_first and r == 0) for r in range(len(table.rows))]
    body = [cell_lines(row, bold) for row, bold in zip(table.rows, bolds, strict=True)]
    heights = [max(len(c) for c in lines) * line_h + 2 * pad for lines in body]
    title_h = SMALL * PT * LEADING + 1 if title else 0.0

    def header() -> None:
        draw(table.columns, head_lines, head_h, head=True, bold=True, shade=False, light="")

    whole = title_h + head_h + sum(heights)
    doc.room(whole if whole < (doc.bottom - TOP) / 3 else title_h + head_h + heights[0])
    if title:
        doc.paragraph(title, SMALL, bold=True, after=1)
    header()
    for r, row in enumerate(table.rows):
        bold, lines, height = bolds[r], body[r], heights[r]
        if doc.get_y() + height > doc.bottom:
            doc.add_page()
            header()
        light = table.lights[r] if table.lights else ""
        draw(row, lines, height, head=False, bold=bold, shade=r % 2 == 1, light=light)
    doc.ln(3)


def _legend(doc: _Doc, x: float, y: float, items: Sequence[tuple[str, str, bool]], size: float) -> None:
    doc.font(size, False, MUTED)
    for name, color, dashed in items:
        doc.set_draw_color(*_rgb(color))
        doc.set_line_width(0.6)
        if dashed:
            doc.set_dash_pattern(dash=1.2, gap=0.8)
        doc.line(x, y + 1.8, x + 6, y + 1.8)
        doc.set_dash_pattern()
        doc.set_xy(x + 7, y)
        doc.cell(doc.get_string_width(name) + 1, 3.6, name)
        x += 7 + doc.get_string_width(name) + 5
    doc.set_line_width(0.2)


def _line_chart(doc: _Doc, chart: LineChart, x: float, y: float, w: float, h: float, small: bool) -> None:
    size = 6.5 if small else NOTE
    doc.font(size + (1.5 if small else 2), True, INK)
    doc.set_xy(x, y)
    doc.cell(w, 5, chart.title + ("" if small else f"（{chart.unit_label}）"))
    items = [(s.name, s.color, s.dashed) for s in chart.series]
    if chart.target is not None:
        items.append((chart.target_label or "目标", LIGHT_COLORS["red"], False))
    if not small:
        _legend(doc, x, y + 6, items, size)
    top = y + (6 if small else 12)
    bottom = y + h - (5 if small or not any(chart.years) else 8)
    doc.font(size, False, MUTED)
    step = _nice_step(chart.maximum() * 1.08 or 1, 4 if small else 5)
    ticks = math.ceil((chart.maximum() * 1.08 or 1) / step)
    top_value = step * max(ticks, 1)
    label_w = max(doc.get_string_width(_tick_text(top_value)), doc.get_string_width("0")) + 2
    left = x + label_w
    right = x + w - (2 if small else 4)
    n = len(chart.categories)

    def px(i: int) -> float:
        return left + (right - left) * ((i + 0.5) / n if n else 0.5)

    def py(value: float) -> float:
        return bottom - (bottom - top) * (value / top_value)

    doc.set_line_width(0.15)
    for k in range(ticks + 1):
        value = step * k
        doc.set_draw_color(*_rgb("#e5e7eb" if k else "#9ca3af"))
        doc.line(left, py(value), right, py(value))
        doc.set_xy(x, py(value) - 1.6)
        doc.cell(label_w - 1, 3.2, _tick_text(value), align="R")
    # x labels: every period when there is room, else every other; the year under the first of each
    widest = max((doc.get_string_width(t) for t in chart.categories), default=0.0) + 1.5
    every = max(1, math.ceil(n * widest / max(right - left, 1)))
    year_w = doc.get_string_width("2024年") + 1.5
    last_year_x = -1e9
    for i, label in enumerate(chart.categories):
        if i % every == 0 and not small:  # small multiples: the years only
            doc.set_xy(px(i) - widest / 2, bottom + 0.8)
            doc.cell(widest, 3.2, label, align="C")
        if chart.years and (i == 0 or chart.years[i] != chart.years[i - 1]) and px(i) - last_year_x >= year_w:
            doc.set_xy(px(i) - year_w / 2, bottom + (0.8 if small else 4))
            doc.cell(year_w, 3.2, chart.years[i], align="C")
            last_year_x = px(i)
    if chart.target is not None:
        doc.set_draw_color(*_rgb(LIGHT_COLORS["red"]))
        doc.set_line_width(0.4)
        doc.line(left, py(chart.target), right, py(chart.target))
        doc.font(size, False, LIGHT_COLORS["red"])
        text = f"{chart.target_label or '目标'} {_tick_text(chart.target)}"
        doc.set_xy(right - doc.get_string_width(text) - 1, py(chart.target) - 3.6)
        doc.cell(doc.get_string_width(text) + 1, 3.2, text)
    for series in chart.series:
        points = [(px(i), py(v)) for i, v in enumerate(series.values) if v is not None]
        if not points:
            continue
        doc.set_draw_color(*_rgb(series.color))
        doc.set_line_width(0.5 if small else 0.7)
        if series.dashed:
            doc.set_dash_pattern(dash=1.2, gap=0.8)
        doc.polyline(points)
        doc.set_dash_pattern()
        if not series.dashed:
            doc.set_fill_color(*_rgb(series.color))
            for px_, py_ in points:
                doc.circle(px_, py_, 0.5 if small else 0.7, style="F")
            last = [v for v in series.values if v is not None][-1]
            doc.font(size, True, series.color)
            text = _tick_text(last)
            tx = min(points[-1][0] - doc.get_string_width(text) / 2, right - doc.get_string_width(text))
            doc.set_xy(tx, points[-1][1] - 4.2)
            doc.cell(doc.get_string_width(text) + 0.5, 3.2, text)
    doc.set_line_width(0.2)


def _burnups(doc: _Doc, city: LineChart, counties: Sequence[LineChart]) -> None:
    doc.room(92)
    y = doc.get_y()
    _line_chart(doc, city, LEFT, y, BODY_W, 88, small=False)
    doc.set_y(y + 92)
    if not counties:
        return
    doc.paragraph("各区县（小图，纵轴各自取值）：", SMALL, color=MUTED, after=1)
    cols, gap, height = 3, 4.0, 46.0
    width = (BODY_W - gap * (cols - 1)) / cols
    starts = range(0, len(counties), cols)
    for start in starts:
        doc.room(height + 2 + (8 if start == starts[-1] else 0))  # the last row keeps the legend
        y = doc.get_y()
        for i, chart in enumerate(counties[start : start + cols]):
            x = LEFT + i * (width + gap)
            doc.set_draw_color(*_rgb(BORDER))
            doc.rect(x, y, width, height)
            _line_chart(doc, chart, x + 1.5, y + 1, width - 3, height - 2, small=True)
        doc.set_y(y + height + 2)
    items = [(s.name, s.color, s.dashed) for s in counties[0].series]
    if counties[0].target is not None:
        items.append((counties[0].target_label or "目标", LIGHT_COLORS["red"], False))
    doc.room(6)
    _legend(doc, LEFT, doc.get_y() + 1, items, NOTE)
    doc.ln(7)


def _bar_chart(doc: _Doc, chart: BarChart) -> None:
    if not chart.bars:
        return
    size = SMALL
    doc.font(size)
    label_w = max(doc.get_string_width(b.label) for b in chart.bars) + 3
    text_w = max(doc.get_string_width(b.text) for b in chart.bars) + 3
    bar_h, gap = 6.0, 2.2
    height = len(chart.bars) * (bar_h + gap) + 8
    doc.room(height)
    doc.font(SMALL + 1, True, INK)
    doc.set_x(LEFT)
    doc.cell(BODY_W, 5, chart.title)
    doc.ln(6)
    top = doc.get_y()
    most = max((b.value for b in chart.bars), default=0) or 1
    room = BODY_W - label_w - text_w
    for i, bar in enumerate(chart.bars):
        y = top + i * (bar_h + gap)
        doc.font(size, False, INK)
        doc.set_xy(LEFT, y)
        doc.cell(label_w - 2, bar_h, bar.label, align="R")
        length = room * bar.value / most
        if length > 0:
            doc.set_fill_color(*_rgb(bar.color))
            doc.rect(LEFT + label_w, y, max(length, 0.4), bar_h, style="F")
        doc.set_xy(LEFT + label_w + length + 1.5, y)
        doc.cell(text_w, bar_h, bar.text)
    doc.set_y(top + len(chart.bars) * (bar_h + gap) + 1)
    if chart.note:
        doc.paragraph(chart.note, NOTE, color=MUTED)


def _narrative(doc: _Doc, narrative: CountyNarrative, heading: str) -> None:
    doc.heading(heading, level=2, keep=22)
    if narrative.note:
        doc.paragraph(narrative.note, SMALL, color=MUTED)
        return
    for part in narrative.parts:
        mark = "（内部）" if part.internal else ""
        doc.font(BODY)
        lines = len(doc.lines("\u3000\u3000" + part.text, BODY_W))
        line = BODY * PT * LEADING
        doc.room(
            (SMALL + 0.5) * PT * LEADING + 0.5 + line * (lines if lines <= 4 else 2)
        )  # label with its text
        doc.paragraph(
            f"{part.label}{mark}",
            SMALL + 0.5,
            bold=True,
            color=INTERNAL_INK if part.internal else INK,
            after=0.5,
        )
        doc.paragraph(part.text, BODY, first_indent=True, after=2.5)


# --- the whole -----------------------------------------------------------------------------------


NUMERALS = "一二三四五六七八九十"


def render_pdf(briefing: Briefing, fonts: dict[str, Path] | None = None) -> bytes:
    """The briefing as PDF bytes; :class:`FontsMissing` (Chinese message) without the fonts."""
    doc = _Doc(briefing, fonts or font_paths())
    b = briefing
    _cover(doc, b)
    doc.add_page()
    sections = iter(NUMERALS)

    def section(title: str, keep: float = 30.0) -> None:
        doc.heading(f"{next(sections)}、{title}", keep=keep)

    section("总体进展")
    doc.paragraph(b.target_note, SMALL, color=MUTED)
    _figures(doc, b.headline)
    if b.period_table is not None:
        _table(doc, b.period_table, title="半年内各期全市累计完成情况：")
    section("各区县完成情况（亮晒比拼）")
    _table(doc, b.counties)
    doc.paragraph(
        "亮灯按完成量占截至当期应完成量的比例：绿灯达到应完成量，黄灯接近，红灯明显落后；"
        "排名按目标完成率，并列同名次。",
        NOTE,
        color=MUTED,
    )
    if b.gains is not None:
        _table(doc, b.gains, title="半年内各区县新增完成情况：")
    rows = math.ceil(len(b.county_burnups) / 3)
    section("累计完成进度", keep=95 + (rows * 48 + 16 if rows else 0))  # the charts on one page
    _burnups(doc, b.city_burnup, b.county_burnups)
    section("项目阶段分布", keep=len(b.funnel.bars) * 8.2 + 14)
    _bar_chart(doc, b.funnel)
    _table(doc, b.funnel_table)
    section("预警事项")
    if b.alert_note:
        doc.paragraph(b.alert_note, SMALL, color=MUTED)
    _table(doc, b.alerts)
    if b.slipped is not None:
        _table(doc, b.slipped, title="超过计划年份仍未竣工的项目：")
    section("下一步时间节点")
    if b.milestone_note:
        doc.paragraph(b.milestone_note, SMALL, color=MUTED)
    _table(doc, b.milestones)
    section("各区县工作情况")
    several = len(b.period_ids) > 1
    for narrative in b.narratives:
        title = f"{narrative.county}｜{narrative.period_label}" if several else narrative.county
        _narrative(doc, narrative, title)
    return bytes(doc.output())
