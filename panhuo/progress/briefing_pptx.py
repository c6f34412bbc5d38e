"""The 工作简报 as PPTX (python-pptx): native charts (line, bar), tables, the look and the
east-Asian fonts of the 会议简报 (:mod:`panhuo.briefing`, whose helpers it reuses).

Slides: cover; 总体进展 (headline figures; the half-year's periods); 各区县完成情况 (lights and
rank); the city's burn-up; the 区县 small multiples; the stage funnel; 预警 (continued over
slides when long); 下一步时间节点; each 区县's narrative (continued when long). Every slide
carries the demonstration label and 内部资料 when they apply.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from panhuo import palette

# the 会议简报's drawing helpers: the same fonts (a:ea on every run), sizes, colours and frame
from panhuo.briefing import (
    ACCENT,
    BODY,
    BORDER,
    FONT,
    HEIGHT,
    INK,
    MARGIN,
    MUTED,
    NOTE,
    PPTX_MIME,
    SMALL,
    WIDTH,
    _cell,
    _demo_stamp,
    _east_asian_fonts,
    _new_slide,
    _set_ea,
    _text,
)
from panhuo.progress.briefing_model import (
    LIGHT_COLORS,
    BarChart,
    Briefing,
    CountyNarrative,
    Figure,
    LineChart,
    Table,
)

__all__ = ["PPTX_MIME", "render_pptx"]

TOP = Inches(1.35)  # below a slide's title
FOOT = HEIGHT - Inches(0.7)  # above its footer
TABLE_SIZE = Pt(16)
HEAD_SIZE = Pt(14)
ROW = Inches(0.46)
INTERNAL_INK = RGBColor(0xB0, 0x00, 0x20)


def _color(hex_color: str) -> RGBColor:
    return RGBColor(*palette.rgb(hex_color))


def _stamps(slide, b: Briefing) -> None:
    if b.demo_label:
        _demo_stamp(slide, b.demo_label)
        if b.internal:  # leave the top right corner to 内部资料
            band = next(s for s in slide.shapes if s.name == "demo_label")
            band.width = WIDTH - 2 * MARGIN - Inches(1.9)
    if b.internal:
        box = _text(
            slide, WIDTH - MARGIN - Inches(1.7), Inches(0.02), Inches(1.7), Inches(0.36),
            ["内部资料"], NOTE, True, INTERNAL_INK, align=PP_ALIGN.CENTER,
        )  # fmt: skip
        box.name = "internal_label"
        box.line.color.rgb = INTERNAL_INK
        box.line.width = Pt(1.5)
        box.text_frame.margin_top = box.text_frame.margin_bottom = Inches(0.02)


def _slide(prs, b: Briefing, title: str):
    return _new_slide(prs, title, b.footer)


# --- blocks --------------------------------------------------------------------------------------


def _cover(prs, b: Briefing) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = WIDTH - 2 * MARGIN
    _text(
        slide, MARGIN, Inches(1.0), width, Inches(1.1), [b.title], Pt(44), True, ACCENT, align=PP_ALIGN.CENTER
    )
    _text(
        slide,
        MARGIN,
        Inches(2.2),
        width,
        Inches(1.2),
        [b.plan_title],
        Pt(26),
        True,
        INK,
        align=PP_ALIGN.CENTER,
    )
    _text(
        slide, MARGIN, Inches(3.45), width, Inches(1.0),
        [(b.period_label, Pt(24), False, INK), (b.date_text, BODY, False, MUTED)], align=PP_ALIGN.CENTER,
    )  # fmt: skip
    notes = [f"数据截至 {b.as_of_text}，仅含审核通过的区县填报。", b.target_note]
    notes.append(
        "内部资料：含权利人信息及标注为仅内部使用的内容，请勿公开。"
        if b.internal
        else "公开版：不含权利人信息，不含标注为仅内部使用的内容。"
    )
    lines = [(n, SMALL, False, MUTED) for n in [*notes, *b.notes] if n]
    if b.demo_label:
        lines.append((b.demo_label, Pt(24), True, _color(palette.DEMO_INK)))
    _text(slide, MARGIN, Inches(4.75), width, Inches(2.0), lines, align=PP_ALIGN.CENTER)
    _text(slide, MARGIN, HEIGHT - Inches(0.55), width, Inches(0.4), [b.footer], NOTE, color=MUTED)


def _cards(slide, figures: Sequence[Figure], top) -> None:
    per_row, gap = 3, Inches(0.3)
    card_w = int((WIDTH - 2 * MARGIN - gap * (per_row - 1)) / per_row)
    card_h = Inches(2.35)
    for i, figure in enumerate(figures[:6]):
        row, col = divmod(i, per_row)
        left = MARGIN + col * (card_w + gap)
        y = top + row * (card_h + gap)
        lines = [(figure.label, SMALL, False, MUTED), (figure.value, Pt(36), True, ACCENT)]
        if figure.note:
            lines.append((figure.note, Pt(16), False, MUTED))
        box = _text(slide, int(left), int(y), card_w, int(card_h), lines)
        box.line.color.rgb = BORDER
        if figure.light:
            dot = slide.shapes.add_shape(
                MSO_SHAPE.OVAL,
                int(left + card_w - Inches(0.45)),
                int(y + Inches(0.15)),
                Inches(0.28),
                Inches(0.28),
            )
            dot.fill.solid()
            dot.fill.fore_color.rgb = _color(LIGHT_COLORS.get(figure.light, LIGHT_COLORS["none"]))
            dot.line.fill.background()
            dot.name = f"light_{figure.light}"


def _table(slide, table: Table, rows: Sequence[int], top, *, size=TABLE_SIZE, head=HEAD_SIZE, left=None,
           width=None):  # fmt: skip
    """Rows ``rows`` of ``table`` as a native table; the light column gets a coloured ●."""
    left = MARGIN if left is None else left
    width = int(WIDTH - 2 * MARGIN if width is None else width)
    n, cols = len(rows) + 1, len(table.columns)
    shape = slide.shapes.add_table(n, cols, left, top, width, ROW * n)
    grid = shape.table
    total = sum(table.widths)
    for i, w in enumerate(table.widths):
        grid.columns[i].width = int(width * w / total)
    for c, header in enumerate(table.columns):
        _cell(grid.cell(0, c), header, head, bold=True)
    last = len(table.rows) - 1
    for r, index in enumerate(rows, start=1):
        values = table.rows[index]
        bold = (table.bold_last and index == last) or (table.bold_first and index == 0)
        for c, value in enumerate(values):
            cell = grid.cell(r, c)
            _cell(cell, value, size, bold=bold)
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.alignment = {"R": PP_ALIGN.RIGHT, "C": PP_ALIGN.CENTER}.get(
                table.align[c], PP_ALIGN.LEFT
            )
            if c == table.light_column and table.lights and paragraph.runs:
                label = paragraph.runs[0]
                run = paragraph.add_run()
                run.text = "● "
                run.font.size = size
                run.font.name = FONT
                run.font.color.rgb = _color(LIGHT_COLORS.get(table.lights[index], LIGHT_COLORS["none"]))
                label._r.addprevious(run._r)  # the dot before the label
    return shape


def _row_lines(table: Table, cells: Sequence[str], size_pt: float) -> int:
    """How many lines the tallest of a row's ``cells`` takes (estimated from widths and lengths)."""
    width_in = (WIDTH - 2 * MARGIN) / 914400
    total = sum(table.widths)
    most = 1
    for c, text in enumerate(cells):
        chars = max(1, int((width_in * table.widths[c] / total - 0.2) * 72 / size_pt))
        extra = 1.2 if c == table.light_column else 0.0  # the ● before a light
        most = max(most, math.ceil((_text_width(text) + extra) / chars))
    return most


def _row_height(table: Table, cells: Sequence[str], size_pt: float) -> int:
    lines = _row_lines(table, cells, size_pt)
    return max(ROW, int(Inches(lines * size_pt * 1.2 / 72 + 0.1)))


def _text_width(text: str) -> float:
    """A text's width in em: CJK characters 1, ASCII about 0.55."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in str(text))


def _paged_table(prs, b: Briefing, title: str, table: Table, note: str = "") -> None:
    """A table over as many slides as it needs (title 续 on the following ones)."""
    top = TOP + (Inches(0.55) if note else 0)
    if not table.rows:
        slide = _slide(prs, b, title)
        if note:
            _text(slide, MARGIN, TOP, WIDTH - 2 * MARGIN, Inches(0.5), [note], SMALL, color=MUTED)
        _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.6), [table.empty], BODY, color=MUTED)
        return
    pages: list[list[int]] = []
    page: list[int] = []
    header = _row_height(table, table.columns, HEAD_SIZE.pt)
    used = header
    for index in range(len(table.rows)):
        height = _row_height(table, table.rows[index], TABLE_SIZE.pt)
        if page and top + used + height > FOOT:
            pages.append(page)
            page, used = [], header
        page.append(index)
        used += height
    pages.append(page)
    for number, rows in enumerate(pages):
        slide = _slide(prs, b, title + ("（续）" if number else ""))
        if note:
            more = f"（第 {number + 1}／{len(pages)} 页）" if len(pages) > 1 else ""
            _text(slide, MARGIN, TOP, WIDTH - 2 * MARGIN, Inches(0.5), [note + more], SMALL, color=MUTED)
        _table(slide, table, rows, top)


def _chart_fonts(chart) -> None:
    for rpr in chart._chartSpace.iter(qn("a:defRPr")):
        if rpr.find(qn("a:latin")) is None:
            rpr.append(etree.Element(qn("a:latin"), typeface=FONT))
        _set_ea(rpr)


def _line_chart(slide, chart: LineChart, left, top, width, height, *, small: bool) -> None:
    data = CategoryChartData(number_format="#,##0")
    if chart.years and len(set(chart.years)) > 1:
        for year in dict.fromkeys(chart.years):
            group = data.add_category(year)
            for label, y in zip(chart.categories, chart.years, strict=True):
                if y == year:
                    group.add_sub_category(label)
    else:
        data.categories = list(chart.categories)
    for series in chart.series:
        data.add_series(series.name, list(series.values))
    if chart.target is not None:
        data.add_series(chart.target_label or "目标", [chart.target] * len(chart.categories))
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, data)
    frame.name = f"chart:{chart.title}"
    c = frame.chart
    c.font.size = Pt(12) if small else SMALL
    c.font.name = FONT
    c.has_title = small
    if small:
        c.chart_title.text_frame.text = chart.title
        c.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
        c.chart_title.text_frame.paragraphs[0].runs[0].font.bold = True
    c.has_legend = not small
    if not small:
        c.legend.position = XL_LEGEND_POSITION.TOP
        c.legend.include_in_layout = False
        c.legend.font.size = SMALL
    c.value_axis.has_major_gridlines = True
    c.value_axis.major_gridlines.format.line.color.rgb = _color("#e5e7eb")
    c.value_axis.tick_labels.font.size = Pt(12) if small else Pt(14)
    c.value_axis.tick_labels.number_format = "#,##0"
    c.value_axis.tick_labels.number_format_is_linked = False
    c.category_axis.tick_labels.font.size = Pt(11) if small else Pt(14)
    colors = [s.color for s in chart.series] + [LIGHT_COLORS["red"]]
    dashed = [s.dashed for s in chart.series] + [False]
    plot = c.plots[0]
    for i, series in enumerate(plot.series):
        line = series.format.line
        line.color.rgb = _color(colors[i])
        line.width = Pt(2 if small else 3)
        series.smooth = False
        if dashed[i]:
            line.dash_style = MSO_LINE_DASH_STYLE.DASH
        marker = series.marker
        if i >= len(chart.series) or dashed[i]:
            marker.style = XL_MARKER_STYLE.NONE
        else:
            marker.format.fill.solid()
            marker.format.fill.fore_color.rgb = _color(colors[i])
            marker.format.line.color.rgb = _color(colors[i])
    # the latest completed figure as a label, so a projected slide needs no hovering
    first = plot.series[0]
    values = chart.series[0].values
    known = [i for i, v in enumerate(values) if v is not None]
    if known:
        point = first.points[known[-1]]
        label = point.data_label
        label.has_text_frame = False
        label.position = XL_LABEL_POSITION.ABOVE
        label.font.size = Pt(12) if small else SMALL
        label.font.bold = True
        label.font.color.rgb = _color(colors[0])
        label.number_format = "#,##0"
        label.number_format_is_linked = False
        label.show_value = True
    _chart_fonts(c)


def _bar_chart(slide, chart: BarChart, left, top, width, height) -> None:
    data = CategoryChartData(number_format="#,##0")
    data.categories = [bar.label for bar in chart.bars]
    data.add_series(chart.title, [bar.value for bar in chart.bars])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height, data)
    frame.name = f"chart:{chart.title}"
    c = frame.chart
    c.has_legend = False
    c.has_title = False
    c.font.size = SMALL
    c.font.name = FONT
    c.category_axis.reverse_order = True  # the first stage at the top
    c.category_axis.tick_labels.font.size = SMALL
    c.value_axis.visible = False
    c.value_axis.has_major_gridlines = False
    plot = c.plots[0]
    plot.gap_width = 50
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = SMALL
    labels.number_format = "#,##0"
    labels.number_format_is_linked = False
    for i, bar in enumerate(chart.bars):
        point = plot.series[0].points[i]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = _color(bar.color)
    _chart_fonts(c)


# --- narratives ----------------------------------------------------------------------------------

NARRATIVE_SIZE = 16  # pt
PART_HEAD = 17


def _pieces(text: str, most: float) -> list[str]:
    """``text`` in sentences, a sentence longer than ``most`` em cut into pieces of that width."""
    out = []
    for sentence in re.findall(r"[^。！？；\n]*[。！？；\n]?", text):
        if not sentence.strip():
            continue
        piece = ""
        for ch in sentence:
            if _text_width(piece + ch) > most:
                out.append(piece)
                piece = ""
            piece += ch
        out.append(piece)
    return out


def _narrative_pages(
    narrative: CountyNarrative, width_in: float, height_in: float, heading: str = ""
) -> list[list[tuple]]:
    """The narrative's paragraphs as text boxes of ``width_in`` × ``height_in``: [(text, size,
    bold, color)], a part split between sentences when it does not fit. Estimated in points:
    characters per line from the width, a paragraph's lines × 1.2 × its size plus the 6 pt after
    it (what :func:`panhuo.briefing._text` sets)."""
    per_line = max(8, int((width_in - 0.25) * 72 / NARRATIVE_SIZE))
    room = height_in * 72 - 12  # the box's own margins
    pages: list[list[tuple]] = [[]]
    used = 0.0

    def cost_of(text: str, size: float = NARRATIVE_SIZE) -> float:
        chars = max(8, int((width_in - 0.25) * 72 / size))
        return max(1, math.ceil(_text_width(text) / chars)) * size * 1.2 + 6

    def put(text: str, size: float, bold: bool, color) -> None:
        nonlocal used
        cost = cost_of(text, size)
        if used + cost > room and pages[-1]:
            pages.append([])
            used = 0.0
        pages[-1].append((text, Pt(size), bold, color))
        used += cost

    if heading:
        put(heading, PART_HEAD + 1, True, ACCENT)
    if narrative.note:
        put(narrative.note, NARRATIVE_SIZE, False, MUTED)
    for part in narrative.parts:
        color = INTERNAL_INK if part.internal else INK
        put(part.label + ("（内部）" if part.internal else ""), PART_HEAD, True, color)
        chunk = "\u3000\u3000"
        most = per_line * max(1, int(room / (NARRATIVE_SIZE * 1.2)) - 3)
        for piece in _pieces(part.text, most):
            if chunk.strip() and used + cost_of(chunk + piece) > room:
                put(chunk, NARRATIVE_SIZE, False, INK)
                chunk = ""
            chunk += piece
        if chunk.strip():
            put(chunk, NARRATIVE_SIZE, False, INK)
    return pages


def _narratives(prs, b: Briefing) -> None:
    """Two 区县 a slide side by side when both fit a column, else one 区县 over full-width slides."""
    several = len(b.period_ids) > 1
    width = WIDTH - 2 * MARGIN
    gap = Inches(0.4)
    column = int((width - gap) / 2)
    height = (FOOT - TOP) / 914400

    def heading(n: CountyNarrative) -> str:
        return n.county + (f"｜{n.period_label}" if several else "")

    items = []  # (narrative, its pages in a column)
    for n in b.narratives:
        items.append((n, _narrative_pages(n, column / 914400, height, heading(n))))
    i = 0
    while i < len(items):
        n, pages = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if len(pages) == 1 and nxt is not None and len(nxt[1]) == 1:
            slide = _slide(
                prs, b, "各区县工作情况" + (f"｜{n.county}、{nxt[0].county}" if not several else "")
            )
            for k, lines in enumerate((pages[0], nxt[1][0])):
                box = _text(slide, MARGIN + k * (column + gap), TOP, column, FOOT - TOP, lines)
                box.name = "narrative"
            i += 2
            continue
        if len(pages) == 1:  # the last, alone: a column is enough
            slide = _slide(prs, b, "各区县工作情况" + (f"｜{n.county}" if not several else ""))
            box = _text(slide, MARGIN, TOP, column, FOOT - TOP, pages[0])
            box.name = "narrative"
            i += 1
            continue
        wide = _narrative_pages(n, width / 914400, height, heading(n))
        for number, lines in enumerate(wide):
            slide = _slide(prs, b, f"{n.county}工作情况" + ("（续）" if number else ""))
            box = _text(slide, MARGIN, TOP, width, FOOT - TOP, lines)
            box.name = "narrative"
        i += 1


# --- the whole -----------------------------------------------------------------------------------


def render_pptx(briefing: Briefing) -> bytes:
    """The briefing as PPTX bytes (16:9)."""
    b = briefing
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    width = WIDTH - 2 * MARGIN

    _cover(prs, b)

    slide = _slide(prs, b, "总体进展")
    _text(slide, MARGIN, Inches(1.2), width, Inches(0.45), [b.target_note], Pt(16), color=MUTED)
    _cards(slide, b.headline, Inches(1.75))
    if b.period_table is not None:
        _paged_table(prs, b, "半年内各期全市累计完成情况", b.period_table)

    _paged_table(
        prs, b, "各区县完成情况（亮晒比拼）", b.counties,
        "亮灯按完成量占截至当期应完成量的比例；排名按目标完成率，并列同名次。",
    )  # fmt: skip
    if b.gains is not None:
        _paged_table(prs, b, "半年内各区县新增完成情况", b.gains)

    slide = _slide(prs, b, f"累计完成进度（{b.unit_label}）")
    _line_chart(slide, b.city_burnup, MARGIN, TOP, width, FOOT - TOP, small=False)

    if b.county_burnups:
        slide = _slide(prs, b, f"各区县累计完成进度（{b.unit_label}）")
        cols = 3
        rows = math.ceil(len(b.county_burnups) / cols)
        gap = Inches(0.15)
        cell_w = int((width - gap * (cols - 1)) / cols)
        cell_h = int((FOOT - TOP - Inches(0.4) - gap * (rows - 1)) / rows)
        for i, chart in enumerate(b.county_burnups):
            r, c = divmod(i, cols)
            _line_chart(
                slide, chart, int(MARGIN + c * (cell_w + gap)), int(TOP + r * (cell_h + gap)), cell_w, cell_h,
                small=True,
            )  # fmt: skip
        names = [s.name for s in b.county_burnups[0].series]
        if b.county_burnups[0].target is not None:
            names.append(b.county_burnups[0].target_label or "目标")
        _text(slide, MARGIN, FOOT - Inches(0.4), width, Inches(0.4),
              ["实线：" + names[0] + "；虚线：" + "、".join(names[1:-1] or ["—"]) + "；红线：" + names[-1]],
              Pt(14), color=MUTED)  # fmt: skip

    slide = _slide(prs, b, b.funnel.title)
    chart_w = Inches(6.2)
    _bar_chart(slide, b.funnel, MARGIN, TOP, chart_w, FOOT - TOP - (Inches(0.5) if b.funnel.note else 0))
    small = Table(
        b.funnel_table.columns, b.funnel_table.rows, b.funnel_table.widths, b.funnel_table.align,
        bold_last=b.funnel_table.bold_last,
    )  # fmt: skip
    _table(slide, small, range(len(small.rows)), TOP + Inches(0.1), size=Pt(15), head=Pt(14),
           left=MARGIN + chart_w + Inches(0.2), width=width - chart_w - Inches(0.2))  # fmt: skip
    if b.funnel.note:
        _text(slide, MARGIN, FOOT - Inches(0.45), width, Inches(0.4), [b.funnel.note], Pt(14), color=MUTED)

    _paged_table(prs, b, "预警事项", b.alerts, b.alert_note)
    if b.slipped is not None:
        _paged_table(prs, b, "超过计划年份仍未竣工的项目", b.slipped)
    _paged_table(prs, b, "下一步时间节点", b.milestones, b.milestone_note)
    _narratives(prs, b)

    for slide in prs.slides:
        _stamps(slide, b)
        _east_asian_fonts(slide._element)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
