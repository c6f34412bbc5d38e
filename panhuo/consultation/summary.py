"""The 意见汇总表 of a consultation window: one row per comment (in number order), the counts by
意见对象 and by 处理情况, as a frame, an XLSX workbook and a PDF (A4 landscape, Noto Sans CJK).

Two versions: the internal one (审核员) shows the masked text of comments not yet published and
the reason a comment was not published; the public one (公开版) shows only what anyone may see.
Neither ever holds the author's name or contact, the original text or the reference.
"""

from __future__ import annotations

import pandas as pd
from fpdf import FPDF

from panhuo.consultation.service import ANSWER_STATUSES, TARGET_LABELS, Comment, Window
from panhuo.export import Sheet, write_xlsx
from panhuo.progress.briefing_pdf import COLLECTION_SC, FAMILY, font_paths, wrap

COLUMNS = ["序号", "收到日期", "渠道", "意见对象", "主题", "意见内容", "是否公开", "处理情况", "理由"]
UNANSWERED = "未答复"
HIDDEN = "（未公开）"
TOTAL = "合计"


def summary_title(plan_title: str, *, internal: bool) -> str:
    """《…》意见汇总表（公开版） / （内部版，不含联系方式）."""
    version = "（内部版，不含联系方式）" if internal else "（公开版）"
    return f"{plan_title} 意见汇总表{version}".strip()


def window_line(window: Window) -> str:
    return f"征求意见：{window.opens_text} 至 {window.closes_text}（北京时间）"


def _published_state(comment: Comment, numbers: dict[int, int], internal: bool) -> str:
    if comment.state == "published":
        return "已公开"
    if comment.state == "rejected":
        return f"未公开：{comment.reject_reason}" if internal and comment.reject_reason else "未公开"
    if comment.state == "merged":
        number = numbers.get(comment.merged_into) if comment.merged_into is not None else None
        return f"已合并至第 {number} 条" if number is not None else "已合并"
    return "未公开（待审核）"


def summary_frame(comments: list[Comment], *, internal: bool, answers: bool = True) -> pd.DataFrame:
    """The 意见汇总表: one row per comment in number order, Chinese headers (:data:`COLUMNS`).

    ``answers`` False (a public version before the answers are released) leaves 处理情况 as
    未答复 and 理由 empty. Never the author's name or contact, the original text or the reference.
    """
    numbers = {c.id: c.number for c in comments}
    rows = []
    for c in sorted(comments, key=lambda c: c.number):
        shown = c.state == "published"
        text = c.text_published if shown else (c.text_masked if internal else HIDDEN)
        rows.append(
            {
                "序号": c.number,
                "收到日期": c.received_text[:10],
                "渠道": c.channel,
                "意见对象": c.target_text,
                "主题": c.topic if (shown or internal) else "",
                "意见内容": text,
                "是否公开": _published_state(c, numbers, internal),
                "处理情况": (c.answer_status if answers else "") or UNANSWERED,
                "理由": c.answer_reason if answers else "",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _target_order(comment: Comment) -> tuple:
    kinds = list(TARGET_LABELS)
    kind = kinds.index(comment.target_kind) if comment.target_kind in kinds else len(kinds)
    ident = comment.target_id
    return (kind, 0, int(ident), "") if ident.isdigit() else (kind, 1, 0, comment.target_text)


def counts_frames(comments: list[Comment]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by 意见对象: 意见对象, 意见数, 已公开; by 处理情况: 处理情况, 意见数), each with a 合计 row.

    Every comment counts once, a merged one under its own target and its own (often no) answer.
    """
    by_target: dict[str, list[int]] = {}
    for c in sorted(comments, key=_target_order):
        counts = by_target.setdefault(c.target_text, [0, 0])
        counts[0] += 1
        counts[1] += int(c.state == "published")
    targets = pd.DataFrame(
        [(t, n, p) for t, (n, p) in by_target.items()]
        + [(TOTAL, len(comments), sum(c.state == "published" for c in comments))],
        columns=["意见对象", "意见数", "已公开"],
    )
    statuses = [*ANSWER_STATUSES, UNANSWERED]
    tally = dict.fromkeys(statuses, 0)
    for c in comments:
        tally[c.answer_status if c.answer_status in tally else UNANSWERED] += 1
    answers = pd.DataFrame([*tally.items(), (TOTAL, len(comments))], columns=["处理情况", "意见数"])
    return targets, answers


def _answers_shown(window: Window, internal: bool) -> bool:
    return internal or window.answers_released


def summary_xlsx(window: Window, plan_title: str, comments: list[Comment], *, internal: bool) -> bytes:
    """The 意见汇总表 and its two count tables as an XLSX workbook (text written as text, never a
    formula or a link: :func:`panhuo.export.write_xlsx`)."""
    title = summary_title(plan_title, internal=internal)
    frame = summary_frame(comments, internal=internal, answers=_answers_shown(window, internal))
    targets, answers = counts_frames(comments)
    widths = {0: 6, 1: 12, 2: 8, 3: 24, 4: 16, 5: 50, 6: 18, 7: 10, 8: 36}
    return write_xlsx(
        [
            Sheet("意见汇总表", frame, f"{title}　{window_line(window)}", wrap=True, widths=widths),
            Sheet("按对象统计", targets, title),
            Sheet("按处理情况统计", answers, title),
        ]
    )


# --- PDF -----------------------------------------------------------------------------------------

PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 12.0
BODY_W = PAGE_W - 2 * MARGIN
PT = 0.3528
SIZE = 8.0
LINE_H = SIZE * PT * 1.45
PAD = 1.4
WEIGHTS = [5, 9, 6, 18, 12, 50, 14, 8, 28]


class _Doc(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        for style, path in font_paths().items():
            self.add_font(FAMILY, style, str(path), collection_font_number=COLLECTION_SC)
        self.doc_title = title
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, MARGIN)
        self.set_title(title)
        self.set_creator("盘活 panhuo")
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font(FAMILY, "", 7)
        self.cell(0, 4, f"{self.doc_title}　第 {self.page_no()} 页／共 {{nb}} 页", align="C")

    def table(self, frame: pd.DataFrame, weights: list[float], width: float = BODY_W) -> None:
        total = sum(weights)
        widths = [width * w / total for w in weights]

        def lines(row: list[str], bold: bool) -> list[list[str]]:
            self.set_font(FAMILY, "B" if bold else "", SIZE)
            return [wrap(self.get_string_width, t, w - 2 * PAD) for t, w in zip(row, widths, strict=True)]

        def draw(cells: list[list[str]], head: bool) -> None:
            height = max(len(c) for c in cells) * LINE_H + 2 * PAD
            if self.get_y() + height > self.h - MARGIN - 6:
                self.add_page()
                if not head:
                    draw(header, True)
            x, y = MARGIN, self.get_y()
            self.set_font(FAMILY, "B" if head else "", SIZE)
            for text_lines, w in zip(cells, widths, strict=True):
                self.set_fill_color(*((230, 237, 245) if head else (255, 255, 255)))
                self.rect(x, y, w, height, style="DF")
                ty = y + PAD
                for line in text_lines:
                    self.set_xy(x + PAD, ty)
                    self.cell(w - 2 * PAD, LINE_H, line)
                    ty += LINE_H
                x += w
            self.set_xy(MARGIN, y + height)

        header = lines([str(c) for c in frame.columns], True)
        draw(header, True)
        for row in frame.itertuples(index=False):
            draw(lines(["" if v is None else str(v) for v in row], False), False)
        self.ln(4)

    def heading(self, text: str, size: float = 10) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * PT * 1.6, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)


def summary_pdf(window: Window, plan_title: str, comments: list[Comment], *, internal: bool) -> bytes:
    """The 意见汇总表 as a PDF: A4 landscape, title and window, the table, the two count tables.

    Raises :class:`panhuo.progress.briefing_pdf.FontsMissing` without the Noto CJK fonts."""
    title = summary_title(plan_title, internal=internal)
    frame = summary_frame(comments, internal=internal, answers=_answers_shown(window, internal))
    targets, answers = counts_frames(comments)
    doc = _Doc(title)
    doc.add_page()
    doc.heading(title, 14)
    doc.set_font(FAMILY, "", 9)
    doc.cell(0, 5, window_line(window), new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    if frame.empty:
        doc.heading("（本次征求意见未收到意见）", 9)
    else:
        doc.table(frame, WEIGHTS)
    doc.heading("按意见对象统计")
    doc.table(targets, [40, 8, 8], BODY_W / 2)
    doc.heading("按处理情况统计")
    doc.table(answers, [20, 8], BODY_W / 4)
    return bytes(doc.output())
