"""Downloads from 明细: text in the data stays text in the workbook."""

import io

import openpyxl
import pandas as pd

from panhuo.access import CountyScope
from panhuo.export import to_xlsx_bytes


def test_text_starting_with_equals_is_not_written_as_a_formula():
    # an imported name like "=HYPERLINK(...)" must reach the user as the text it is
    frame = pd.DataFrame({"名称": ["=1+1", "普通名称"]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    cells = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row}
    assert cells["=1+1"] == "s"
    assert cells["普通名称"] == "s"


HOSTILE = [
    '=HYPERLINK("http://evil.example/x","点我")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-12亩",
]


def _csv_cells(data: bytes) -> list[list[str]]:
    import csv

    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for the Chinese headers
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_download_guards_cells_a_spreadsheet_would_run():
    from panhuo.export import to_csv_bytes

    frame = pd.DataFrame({"名称": HOSTILE, "面积": ["1"] * len(HOSTILE)})
    header, *rows = _csv_cells(to_csv_bytes(frame))
    assert header == ["名称", "面积"]
    assert [r[0] for r in rows] == ["'" + text for text in HOSTILE]
    assert all(not r[0].startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows)


def test_csv_download_keeps_numbers_and_plain_text():
    from panhuo.export import to_csv_bytes

    frame = pd.DataFrame(
        {
            "文字": ["-12.5", "+3", "-1,234.5", "普通名称", "a=b", "1e-3"],
            "数": [-12.5, 3.0, -1234.5, 0.0, 1.0, 0.001],
        }
    )
    _, *rows = _csv_cells(to_csv_bytes(frame))
    assert [r[0] for r in rows] == ["-12.5", "+3", "-1,234.5", "普通名称", "a=b", "1e-3"]
    assert [r[1] for r in rows] == ["-12.5", "3.0", "-1234.5", "0.0", "1.0", "0.001"]


def test_csv_download_guards_a_hostile_column_name():
    from panhuo.export import to_csv_bytes

    header, _ = _csv_cells(to_csv_bytes(pd.DataFrame({"=1+1": ["x"]})))
    assert header == ["'=1+1"]


def test_xlsx_download_writes_hostile_text_as_text_without_a_quote():
    frame = pd.DataFrame({"名称": [*HOSTILE, "http://evil.example/p"], "面积": [1.5] * (len(HOSTILE) + 1)})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    values = [(c.value, c.data_type) for c in sheet["A"][1:]]
    # the lone CR, a control character, is dropped; the rest stays exactly as written
    assert [v for v, _ in values] == [*(t.replace("\r", "") for t in HOSTILE), "http://evil.example/p"]
    assert {t for _, t in values} == {"s"}
    assert all(c.hyperlink is None for c in sheet["A"])  # a URL in the data is no live link
    assert sheet["B2"].value == 1.5 and sheet["B2"].data_type == "n"


def test_xlsx_download_drops_control_characters():
    sheet = openpyxl.load_workbook(
        io.BytesIO(to_xlsx_bytes(pd.DataFrame({"名称": ["a\x01b\x1fc", "换\n行"]})))
    ).active
    assert [c.value for c in sheet["A"][1:]] == ["abc", "换\n行"]


def test_problem_report_shows_minus_twelve_mu_as_written():
    from panhuo.importing.report import Problem, report_xlsx

    problems = [
        Problem("error", "面积必须大于 0", "请核对", row=4, column="面积", value="-12亩", file="a.csv")
    ]
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(problems, {"规划": "x", "数据行": 3})))
    cell = book["问题清单"]["F2"]
    assert (cell.value, cell.data_type) == ("-12亩", "s")
    assert book["问题清单"]["D2"].value == 4
    assert [tuple(r) for r in book["概要"].values] == [("规划", "x"), ("数据行", 3)]


def test_derived_notes_name_fields_in_chinese():
    # 上党区's list says "phase由第四章…推定" in its data file; the 推算说明 column must not
    import re
    from pathlib import Path

    from panhuo.export import records_table
    from panhuo.loader import load_plan

    plan = load_plan(Path(__file__).resolve().parents[1] / "data" / "shangdang-2021")
    table = records_table(plan.parcels, "parcels", "ha", CountyScope(everything=True))
    notes = table["推算说明"].astype(str)
    assert notes.str.startswith("实施时序由第四章").sum() == 89
    assert notes.str.contains("改造主体由第四章").sum() == 2
    assert notes.str.contains("同值写入权利人").any()
    assert not notes.str.contains(r"(?<![A-Za-z])(?:phase|actor|right_holder)(?![A-Za-z])").any()
    assert not any(re.search(r"[a-z]+_[a-z]+", n) for n in notes)


def test_csv_written_in_chunks_is_the_csv_written_at_once(tmp_path):
    """:func:`panhuo.export.write_csv` formats a chunk at a time (memory bounded by a chunk): the
    file is byte for byte the one pandas writes in one go — BOM, CRLF, guarded formulas, numbers
    as numbers, empty cells empty — and is read back to the same rows."""
    import io

    from panhuo.export import csv_safe, write_csv

    n = 1_003
    frame = pd.DataFrame(
        {
            "编号": pd.array([f"DK{i}" for i in range(n)], dtype="str"),
            "名称": pd.array(
                [["=HYPERLINK(1)", "-2+3", "-12.5", "甲\r乙", None, "+x"][i % 6] for i in range(n)],
                dtype="str",
            ),
            "面积（亩）": [i * 0.5 for i in range(n)],
            "备注": [["@SUM(A1)", 3, None, "普通"][i % 4] for i in range(n)],
        }
    )
    chunked = io.BytesIO()
    size = write_csv(frame, chunked, chunk_rows=100)
    whole = frame.map(csv_safe).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    assert chunked.getvalue() == whole and size == len(whole)
    back = pd.read_csv(io.BytesIO(whole), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(back) == n and back.loc[0, "名称"] == "'=HYPERLINK(1)" and back.loc[2, "名称"] == "-12.5"
    assert back.loc[3, "名称"] == "甲\r乙" and back.loc[4, "名称"] == ""
