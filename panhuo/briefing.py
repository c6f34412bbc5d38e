"""会议简报: a take-away PPTX for a leading group's meeting, built from the figures the pages show.

Every figure comes from :mod:`panhuo.views`, :mod:`panhuo.timeline` and :mod:`panhuo.reconcile`;
records go through :func:`panhuo.privacy.public_records` first, because a briefing travels.

Slides (a slide is left out when the plan carries nothing for it):

1. title: plan, issuer, document number, date, today and the position in the plan period;
2. headline figures (总览) — or, for a plan without a list, its measures, stages and departments;
3. area by 区县 (or the breakdown the 总览 page picks) as a native PowerPoint bar chart and a table;
4. targets (count targets against the list where the plan sets them, else all targets as printed);
5. next milestones (those not yet over on ``today``), else the list's 实施阶段;
6. data check: causes with the checks they explain, and the first causes with their arithmetic.

A demonstration plan's briefing (:mod:`panhuo.demo`) carries 模拟数据（演示用，非真实进展） at the
top of every slide, and its file name begins 模拟-.

python-pptx sets only the Latin font; every run also gets an east-Asian font (``<a:ea>``) so
Chinese text shows in Microsoft YaHei on Windows (and a substitute CJK font elsewhere).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from panhuo import palette, timeline, views
from panhuo.aggregate import exact_area_ha, record_count
from panhuo.causes import Cause, causes
from panhuo.demo import demo_label, export_name
from panhuo.model import Plan
from panhuo.nouns import measure_word
from panhuo.nouns import noun as dataset_noun
from panhuo.privacy import public_records, sensitive_values
from panhuo.reconcile import Finding, reconcile
from panhuo.units import format_area, format_in, unit_code, unit_label

FONT = palette.BRIEFING_FONT
EA_CHARSET = "-122"  # GB2312: lets PowerPoint substitute another Chinese font when YaHei is missing
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
BODY = Pt(20)
SMALL = Pt(18)
NOTE = Pt(14)
INK = RGBColor(*palette.rgb(palette.BRIEFING_INK))
MUTED = RGBColor(*palette.rgb(palette.BRIEFING_MUTED))
ACCENT = RGBColor(*palette.rgb(palette.BRIEFING_ACCENT))
BORDER = RGBColor(*palette.rgb(palette.BRIEFING_BORDER))
DEMO_INK = RGBColor(*palette.rgb(palette.DEMO_INK))
DEMO_BAND = RGBColor(*palette.rgb(palette.DEMO_BAND))
MAX_TABLE_ROWS = 8
ROW_HEIGHT = Inches(0.5)
FOOTER_TOP = HEIGHT - Inches(0.65)
TOP_MISMATCHES = 5
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# children of a:rPr that must follow a:ea (CT_TextCharacterProperties sequence)
_AFTER_EA = ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")


def file_name(plan: Plan, today: date) -> str:
    """``湖州市低效用地再开发试点实施方案_会议简报_2026-11-29.pptx`` (``模拟-…`` for a demonstration)."""
    return export_name(plan, f"{plan.short_title}_会议简报_{today:%Y-%m-%d}.pptx")


# --- fonts ---------------------------------------------------------------------------------------


def _set_ea(rpr: etree._Element) -> None:
    """Give a run-properties element (a:rPr / a:defRPr) an east-Asian font after its a:latin."""
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = etree.Element(qn("a:ea"))
        latin = rpr.find(qn("a:latin"))
        if latin is not None:
            latin.addnext(ea)
        else:
            follower = next((c for c in rpr if c.tag in {qn(t) for t in _AFTER_EA}), None)
            if follower is not None:
                follower.addprevious(ea)
            else:
                rpr.append(ea)
    ea.set("typeface", FONT)
    ea.set("charset", EA_CHARSET)


def _east_asian_fonts(root: etree._Element) -> None:
    """Every run (a:r) under ``root`` gets a Latin and an east-Asian font."""
    for run in root.iter(qn("a:r")):
        rpr = run.find(qn("a:rPr"))
        if rpr is None:
            rpr = etree.Element(qn("a:rPr"))
            run.insert(0, rpr)
        if rpr.find(qn("a:latin")) is None:
            follower = next((c for c in rpr if c.tag in {qn("a:ea")} | {qn(t) for t in _AFTER_EA}), None)
            latin = etree.Element(qn("a:latin"), typeface=FONT)
            if follower is not None:
                follower.addprevious(latin)
            else:
                rpr.append(latin)
        _set_ea(rpr)


# --- drawing helpers -----------------------------------------------------------------------------


def _text(slide, left, top, width, height, lines, size=BODY, bold=False, color=INK, align=None):
    """A text box with one paragraph per line; ``lines`` items may be (text, size, bold, color)."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        text, line_size, line_bold, line_color = (
            line if isinstance(line, tuple) else (line, size, bold, color)
        )
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        paragraph.space_after = Pt(6)
        run = paragraph.add_run()
        run.text = str(text)
        run.font.size = line_size
        run.font.bold = line_bold
        run.font.color.rgb = line_color
        run.font.name = FONT
    return box


def _new_slide(prs: Presentation, title: str, footer: str):
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    _text(slide, MARGIN, Inches(0.35), WIDTH - 2 * MARGIN, Inches(0.9), [title], Pt(32), True, ACCENT)
    _text(slide, MARGIN, HEIGHT - Inches(0.55), WIDTH - 2 * MARGIN, Inches(0.4), [footer], NOTE,
          color=MUTED)  # fmt: skip
    return slide


def _demo_stamp(slide, label: str) -> None:
    """The demonstration label across the top of a slide, in bold red on a pale band."""
    box = _text(slide, MARGIN, Inches(0.02), WIDTH - 2 * MARGIN, Inches(0.36), [label], NOTE, True, DEMO_INK)
    box.name = "demo_label"
    box.fill.solid()
    box.fill.fore_color.rgb = DEMO_BAND
    box.text_frame.margin_top = box.text_frame.margin_bottom = Inches(0.02)


def _table(slide, frame: pd.DataFrame, left, top, width, widths: list[float] | None = None, size=SMALL):
    rows, cols = len(frame) + 1, len(frame.columns)
    row_height = ROW_HEIGHT
    shape = slide.shapes.add_table(rows, cols, left, top, width, row_height * rows)
    table = shape.table
    if widths:
        total = sum(widths)
        for i, w in enumerate(widths):
            table.columns[i].width = int(width * w / total)
    for c, header in enumerate(frame.columns):
        _cell(table.cell(0, c), header, size, bold=True)
    for r, values in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(values):
            _cell(table.cell(r, c), value, size)
    return shape


def _cell(cell, value, size, bold=False) -> None:
    cell.text = "" if value is None else str(value)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    cell.margin_top = cell.margin_bottom = Inches(0.04)
    for paragraph in cell.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = size
            run.font.bold = bold
            run.font.name = FONT


def _rows_fit(top) -> int:
    """How many body rows of a table starting at ``top`` fit above the footer (one-line rows)."""
    return max(1, int((FOOTER_TOP - top) / ROW_HEIGHT) - 1)


def _departments(text: str) -> str:
    """``市自然资源和规划局、市发展改革委、…`` (6 units) → the first three and ``等 6 个单位``."""
    parts = [p for p in str(text or "").split("、") if p.strip()]
    if not parts:
        return "—"
    if len(parts) <= 3:
        return "、".join(parts)
    return "、".join(parts[:3]) + f"等 {len(parts)} 个单位"


def _metric_cards(slide, metrics: list[views.Metric], top) -> None:
    """Big figures in a grid of three per row: label, value, and the explanation below."""
    per_row = 3
    gap = Inches(0.3)
    card_w = (WIDTH - 2 * MARGIN - gap * (per_row - 1)) / per_row
    card_h = Inches(2.4)
    for i, metric in enumerate(metrics[:6]):
        row, col = divmod(i, per_row)
        left = MARGIN + col * (card_w + gap)
        y = top + row * (card_h + gap)
        lines = [(metric.label, SMALL, False, MUTED), (metric.value, Pt(40), True, ACCENT)]
        if metric.help:
            lines.append((metric.help, SMALL, False, MUTED))
        box = _text(slide, int(left), int(y), int(card_w), int(card_h), lines)
        box.line.color.rgb = BORDER


# --- content -------------------------------------------------------------------------------------


def _public_findings(plan: Plan) -> list[Finding]:
    """Findings, with any that quotes a right-holder left out (none do today)."""
    findings = reconcile(plan)
    hidden = set()
    for dataset in (plan.parcels, plan.zones):
        hidden |= sensitive_values(dataset)
    if hidden:
        findings = [
            f
            for f in findings
            if not any(value in " ".join(map(str, f.to_json().values())) for value in hidden)
        ]
    return findings


def _top_causes(found: list[Cause]) -> pd.DataFrame:
    """The first causes (invalid values first), each with the printed values it rests on."""
    ranked = sorted(found, key=lambda c: c.severity != "invalid")[:TOP_MISMATCHES]
    return pd.DataFrame(
        {
            "问题": [c.id for c in ranked],
            "概述": [c.title for c in ranked],
            "核算（首项）": [c.rests_on[0].arithmetic or c.rests_on[0].note for c in ranked],
            "核查项": [f"{c.checks} 项" for c in ranked],
        }
    )


def _chart(slide, groups: pd.DataFrame, label: str, unit: str, left, top, width, height) -> None:
    code = unit_code(unit)
    data = CategoryChartData()
    data.categories = [str(k) for k in groups["key"]]
    data.add_series(f"面积（{unit_label(code)}）", [float(v) for v in groups["area_value"]])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height, data)
    chart = frame.chart
    chart.has_legend = False
    chart.has_title = False  # the slide title names the figure
    chart.font.size = SMALL
    chart.font.name = FONT
    axis = chart.category_axis
    axis.reverse_order = True  # first category at the top, as in the page's chart
    axis.tick_labels.font.size = SMALL
    values = chart.value_axis
    values.has_major_gridlines = False
    values.visible = False
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    labels = plot.data_labels
    whole = code == "mu" and all(float(v).is_integer() for v in groups["area_value"])
    labels.number_format = "#,##0" if whole else ("#,##0.0" if code == "mu" else "#,##0.00")
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = SMALL
    plot.series[0].format.fill.solid()
    plot.series[0].format.fill.fore_color.rgb = ACCENT
    for rpr in chart._chartSpace.iter(qn("a:defRPr")):
        if rpr.find(qn("a:latin")) is None:
            rpr.append(etree.Element(qn("a:latin"), typeface=FONT))
        _set_ea(rpr)


def _group_table(groups: pd.DataFrame, records: pd.DataFrame, label: str, unit: str, noun: str):
    """Largest groups first, the rest in one line, and the total (figures as the page prints them)."""
    code = unit_code(unit)
    ordered = groups.sort_values("area_value", ascending=False, kind="stable")
    head = ordered if len(ordered) <= MAX_TABLE_ROWS else ordered.head(MAX_TABLE_ROWS - 2)
    rows = [[str(r.key), f"{r.count:,} {noun}", r.area_text] for r in head.itertuples()]
    rest = ordered.iloc[len(head) :]
    if len(rest):
        rest_area = sum((Decimal(str(a)) for a in rest["area"]), Decimal(0))
        rest_text = format_in(rest_area, code)
        rows.append([f"其余 {len(rest)} 项", f"{int(rest['count'].sum()):,} {noun}", rest_text])
    rows.append(["合计", f"{record_count(records):,} {noun}", format_area(exact_area_ha(records), code)])
    return pd.DataFrame(rows, columns=[label, "数量", f"面积（{unit_label(code)}）"])


def briefing_pptx(plan: Plan, records: pd.DataFrame, dataset: str, unit: str, today: date) -> bytes:
    """The meeting briefing of ``plan`` for ``records`` (filtered or all) as PPTX bytes."""
    records = public_records(records)
    code = unit_code(unit)
    label_unit = unit_label(code)
    noun, what = measure_word(dataset), dataset_noun(dataset)
    has_list = not plan.dataset(dataset).empty
    footer = f"{plan.title}｜会议简报（公开版，不含权利人信息）｜{today:%Y-%m-%d}"

    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT

    # 1. title
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, MARGIN, Inches(1.3), WIDTH - 2 * MARGIN, Inches(1.8), [plan.title], Pt(36), True, ACCENT)
    issued = "，".join(
        part
        for part in (
            plan.meta.get("issuer", ""),
            plan.meta.get("doc_number", ""),
            timeline.date_text(plan.meta.get("date", "")),
        )
        if part
    )
    _fraction, position = views.period_position(plan, today)
    lines = [
        f"印发：{issued or '文件未载明发文机关与日期'}",
        f"状态：{views.status_text(plan, today)}",
        f"今天：{today:%Y-%m-%d}；{position}",
    ]
    if has_list:
        lines.append(f"本简报口径：{what} {record_count(records):,} {noun}（{label_unit}）")
    _text(slide, MARGIN, Inches(3.4), WIDTH - 2 * MARGIN, Inches(3.0), lines, BODY, color=INK)
    _text(slide, MARGIN, HEIGHT - Inches(0.55), WIDTH - 2 * MARGIN, Inches(0.4),
          [f"领导小组会议简报｜公开版，不含权利人信息｜由盘活生成于 {today:%Y-%m-%d}"], NOTE, color=MUTED)  # fmt: skip

    # 2. headline figures
    if has_list:
        slide = _new_slide(prs, "核心数据", footer)
        _metric_cards(slide, views.headline(plan, records, dataset, unit), Inches(1.5))
    else:
        slide = _new_slide(prs, "概况", footer)
        _metric_cards(slide, views.outline_metrics(plan), Inches(1.5))
        _text(slide, MARGIN, Inches(4.5), WIDTH - 2 * MARGIN, Inches(1.0),
              ["本规划未列出地块或片区清单，简报列出其阶段安排与数据核查结果。"], BODY, color=MUTED)  # fmt: skip

    # 3. area by the first breakdown (区县 when the list spans several)
    if has_list and not records.empty:
        field, label = views.breakdowns(records, dataset)[0]
        groups = views.totals_by(records, field, code)
        slide = _new_slide(prs, f"按{label}的{what}面积（{label_unit}）", footer)
        chart_w = Inches(7.4)
        _chart(slide, groups, label, code, MARGIN, Inches(1.35), chart_w, Inches(5.5))
        table = _group_table(groups, records, label, code, noun)
        _table(slide, table, MARGIN + chart_w + Inches(0.3), Inches(1.45),
               WIDTH - 2 * MARGIN - chart_w - Inches(0.3), [1.5, 1.0, 1.6])  # fmt: skip

    # 4. targets
    counts = views.counts_against_targets(plan, records, dataset) if has_list else pd.DataFrame()
    if not plan.targets.empty:
        slide = _new_slide(prs, "目标与完成口径", footer)
        top = Inches(1.35)
        if has_list:
            area = views.target_metrics(plan, records, code)
            if area:
                line = "；".join(f"{m.label} {m.value}" for m in area)
                _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.6), [line], BODY, True, INK)
                top += Inches(0.7)
        if not counts.empty:
            frame = pd.DataFrame(
                {
                    "类别": counts["category"],
                    "目标（个）": counts["target"].map(
                        lambda v: "—" if v is None or v != v else f"{int(v):,}"
                    ),
                    f"清单（{noun}）": counts["listed"].map(lambda v: f"{int(v):,}"),
                    "期限": counts["deadline"].map(lambda d: timeline.date_text(d) or "—"),
                }
            )
            _table(slide, frame, MARGIN, top, WIDTH - 2 * MARGIN, [3, 1.5, 1.5, 1.5])
        else:
            frame = views.targets_table(plan)[["范围", "指标", "目标", "单位", "期限"]]
            frame = frame.assign(期限=frame["期限"].map(lambda d: timeline.date_text(d) or "—"))
            shown = frame if len(frame) <= _rows_fit(top) else frame.head(_rows_fit(top + Inches(0.6)))
            if len(frame) > len(shown):  # the note goes above the table: wrapped rows cannot cover it
                _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.5),
                      [f"列出前 {len(shown)} 项，另有 {len(frame) - len(shown)} 项目标见“区县目标”页。"],
                      SMALL, color=MUTED)  # fmt: skip
                top += Inches(0.6)
            _table(slide, shown, MARGIN, top, WIDTH - 2 * MARGIN, [2.0, 3.0, 1.3, 1.2, 2.3])

    # 5. next milestones, else the list's 实施阶段
    milestones = timeline.milestone_frame(plan, today)
    if not milestones.empty:
        upcoming = milestones[milestones["status"].isin(["进行中", "未开始", "未到期"])]
        undated = milestones[milestones["shape"] == "undated"]
        slide = _new_slide(prs, f"下一步时间节点（截至 {today:%Y-%m-%d}）", footer)
        if upcoming.empty:
            shown = milestones.head(_rows_fit(Inches(2.05)))
            note = f"全部时间节点均早于 {today:%Y-%m-%d}，以下为原文阶段安排。"
        else:
            shown = pd.concat([upcoming, undated]).head(_rows_fit(Inches(1.35)))
            note = ""
        frame = pd.DataFrame(
            {
                "名称": shown["name"],
                "时间": shown["period_text"],
                "状态": shown["status"],
                "牵头/实施单位": [
                    _departments(lead or resp)
                    for lead, resp in zip(shown["lead"], shown["responsible"], strict=True)
                ],
            }
        )
        top = Inches(1.35)
        if note:
            _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.6), [note], BODY, color=MUTED)
            top += Inches(0.7)
        _table(slide, frame, MARGIN, top, WIDTH - 2 * MARGIN, [3.0, 2.6, 1.9, 3.6])
    elif has_list and (timeline.has_phases(records) or timeline.has_stages(records)):
        by_phase = timeline.has_phases(records)
        totals = (timeline.period_totals if by_phase else timeline.stage_totals)(records, None, code)
        split = "实施时序" if by_phase else "实施阶段"
        slide = _new_slide(prs, f"{split}（{label_unit}）", footer)
        frame = pd.DataFrame(
            {split: totals["label"], "数量": totals["count"].map(lambda v: f"{int(v):,} {noun}"),
             f"面积（{label_unit}）": totals["area_text"]}
        )  # fmt: skip
        _table(slide, frame, MARGIN, Inches(1.35), Inches(8), [3, 2, 2])

    # 6. data check
    findings = _public_findings(plan)
    if findings:
        found = causes(findings)
        slide = _new_slide(prs, "数据核查", footer)
        summary = views.audit_headline(findings, found)
        _text(slide, MARGIN, Inches(1.35), WIDTH - 2 * MARGIN, Inches(0.6), [summary], BODY, True, INK)
        if not found:
            _text(slide, MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(0.6),
                  ["文件中的合计、小计、占比与文字数据均与重算一致（在舍入范围内）。"], BODY, color=MUTED)  # fmt: skip
        else:
            frame = _top_causes(found)
            more = f"，另有 {len(found) - len(frame)} 个见“数据核查”页" if len(found) > len(frame) else ""
            _text(slide, MARGIN, Inches(2.05), WIDTH - 2 * MARGIN, Inches(0.5),
                  [f"前 {len(frame)} 个问题（按原因归并，文件所印与重算对照）{more}："], SMALL, color=MUTED)  # fmt: skip
            _table(slide, frame, MARGIN, Inches(2.6), WIDTH - 2 * MARGIN, [0.9, 4.6, 5.0, 1.0])

    label = demo_label(plan)
    for slide in prs.slides:
        if label:
            _demo_stamp(slide, label)
        _east_asian_fonts(slide._element)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
