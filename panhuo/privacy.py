"""What a public view may show: no right-holder, and no parcel name that is a private person's name.

A parcel's right-holder can be a private person (上党区 附表1 row 11 is a person's name, recorded in
``right_holder`` as well as ``name``). Public pages and public exports go through
:func:`public_records`.
"""

from __future__ import annotations

import pandas as pd

from panhuo.model import SENSITIVE_COLUMNS

MASK = "（权利人信息不公开）"


def public_records(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` without sensitive columns, names equal to a right-holder masked.

    >>> frame = pd.DataFrame({"name": ["某厂", "张三"], "right_holder": ["", "张三"]})
    >>> public_records(frame)["name"].tolist()
    ['某厂', '（权利人信息不公开）']
    """
    result = frame.copy()
    if "right_holder" in result and "name" in result:
        holder = result["right_holder"].astype(str).str.strip()
        private = (holder != "") & (result["name"].astype(str).str.strip() == holder)
        result.loc[private, "name"] = MASK
    return result.drop(columns=[c for c in SENSITIVE_COLUMNS if c in result.columns])


def sensitive_values(frame: pd.DataFrame) -> set[str]:
    """Every non-empty sensitive value in ``frame`` (tests check none reaches a public page)."""
    values: set[str] = set()
    for column in SENSITIVE_COLUMNS:
        if column in frame:
            values |= {str(v).strip() for v in frame[column] if str(v).strip()}
    return values
