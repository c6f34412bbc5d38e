"""Downloads from 明细: text in the data stays text in the workbook."""

import io

import openpyxl
import pandas as pd

from panhuo.export import to_xlsx_bytes


def test_text_starting_with_equals_is_not_written_as_a_formula():
    # an imported name like "=HYPERLINK(...)" must reach the user as the text it is
    frame = pd.DataFrame({"名称": ["=1+1", "普通名称"]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    cells = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row}
    assert cells["=1+1"] == "s"
    assert cells["普通名称"] == "s"
