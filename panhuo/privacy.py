"""What a view may show: private fields only for the 区县 the viewer may see, and no parcel name
that is a private person's name anywhere else.

A parcel's right-holder can be a private person (上党区 附表1 row 11 is a person's name, recorded in
``right_holder`` as well as ``name``). Every records frame a page shows or a download writes goes
through :func:`scoped_records` with the viewer's :class:`~panhuo.access.CountyScope`
(``User.private_scope(plan)``); public exports that never depend on a viewer (the briefing) use
:func:`public_records`.
"""

from __future__ import annotations

import pandas as pd

from panhuo.access import CountyScope
from panhuo.model import SENSITIVE_COLUMNS

MASK = "（权利人信息不公开）"


def _holder_names(frame: pd.DataFrame) -> pd.Series:
    """True where a row's name is its (non-empty) right-holder: a private person's name."""
    if "right_holder" not in frame or "name" not in frame:
        return pd.Series(False, index=frame.index)
    holder = frame["right_holder"].fillna("").astype(str).str.strip()
    return (holder != "") & (frame["name"].fillna("").astype(str).str.strip() == holder)


def public_records(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` without sensitive columns, names equal to a right-holder masked.

    >>> frame = pd.DataFrame({"name": ["某厂", "张三"], "right_holder": ["", "张三"]})
    >>> public_records(frame)["name"].tolist()
    ['某厂', '（权利人信息不公开）']
    """
    holders = _holder_names(frame)
    result = frame.drop(columns=[c for c in SENSITIVE_COLUMNS if c in frame.columns])  # lazy: no data copied
    if holders.any():
        result["name"] = frame["name"].mask(holders, MASK)
    return result


def _counties(scope: CountyScope) -> set[str]:
    """The 区县 names of a partial scope, without surrounding spaces (empty names left out)."""
    return {str(c).strip() for c in scope.counties} - {""}


def covered_rows(frame: pd.DataFrame, scope: CountyScope) -> pd.Series:
    """True for the rows whose 区县 ``scope`` covers (names compared without surrounding spaces).

    A frame without a ``county`` column is covered only by a scope of every 区县.

    >>> frame = pd.DataFrame({"county": [" 德清县 ", "长兴县", None]})
    >>> covered_rows(frame, CountyScope(counties=frozenset({"德清县"}))).tolist()
    [True, False, False]
    """
    if scope.everything:
        return pd.Series(True, index=frame.index)
    counties = _counties(scope)
    if not counties or "county" not in frame:
        return pd.Series(False, index=frame.index)
    names = frame["county"].fillna("").astype(str).str.strip()
    return names.isin(counties)


def scoped_records(frame: pd.DataFrame, scope: CountyScope) -> pd.DataFrame:
    """A copy of ``frame`` with private fields only where ``scope`` covers the row's 区县.

    - every 区县 (an analyst): the frame unchanged;
    - no 区县 (anonymous, public deployments, a moderator): as :func:`public_records`;
    - some 区县 (a 区县填报员): sensitive columns kept, but empty on the rows of other 区县, and
      those rows' names masked where they equal the right-holder.

    >>> frame = pd.DataFrame({"name": ["张三", "李四"], "county": ["德清县", "长兴县"],
    ...                       "right_holder": ["张三", "李四"]})
    >>> deqing = scoped_records(frame, CountyScope(counties=frozenset({"德清县"})))
    >>> deqing["name"].tolist(), deqing["right_holder"].tolist()
    (['张三', '（权利人信息不公开）'], ['张三', ''])
    >>> "right_holder" in scoped_records(frame, CountyScope()).columns
    False
    """
    if scope.everything:
        return frame.copy(deep=False)  # copy-on-write: a caller's change never reaches the plan
    if not _counties(scope):
        return public_records(frame)
    result = frame.copy(deep=False)
    hidden = ~covered_rows(result, scope)
    masked = hidden & _holder_names(result)
    if masked.any():
        result["name"] = result["name"].mask(masked, MASK)
    for column in SENSITIVE_COLUMNS:
        if column in result:
            result[column] = result[column].astype(object).mask(hidden, "")
    return result


def scope_note(scope: CountyScope, what: str) -> str:
    """The line under a table whose private fields show for some 区县 only ('' otherwise).

    >>> scope_note(CountyScope(counties=frozenset({"德清县"})), "片区")
    '权利人等不公开信息仅显示德清县的片区'
    >>> scope_note(CountyScope(everything=True), "地块"), scope_note(CountyScope(), "地块")
    ('', '')
    """
    counties = "、".join(sorted(_counties(scope)))
    if scope.everything or not counties:
        return ""
    return f"权利人等不公开信息仅显示{counties}的{what}"


def sensitive_values(frame: pd.DataFrame) -> set[str]:
    """Every non-empty sensitive value in ``frame`` (tests check none reaches a public page)."""
    values: set[str] = set()
    for column in SENSITIVE_COLUMNS:
        if column in frame:
            values |= {str(v).strip() for v in frame[column] if str(v).strip()}
    return values


# columns a loaded plan carries that are neither FORMAT.md's nor an import's extra columns
COMPUTED_COLUMNS = frozenset(
    {"area_q", "area_exact", "area_ha", "count", "place", "family", "family_label", "geometry",
     "geometry_source", "source_row"}
)  # fmt: skip


def known_extras() -> frozenset[str]:
    """The extra columns the import knows to be about the land, none about a person: the survey
    fields beyond FORMAT.md (地均入库税金, 大类代码 …) and the bounds it splits from a range
    (规划容积率下限); the private ones (:data:`SENSITIVE_COLUMNS`) are not among them."""
    from panhuo.importing.mapping import _data, fields_for
    from panhuo.ranges import RANGES

    names = set(_data()["extras"].values())
    for column in RANGES:
        label = fields_for("parcels")[column]
        base, unit = label.replace("(%)", ""), "(%)" if "(%)" in label else ""
        names |= {f"{base}下限{unit}", f"{base}上限{unit}"}
    return frozenset(names - set(SENSITIVE_COLUMNS))


def visible_extras(frame: pd.DataFrame, base: set[str] | frozenset[str], scope: CountyScope) -> list[str]:
    """The extra columns of ``frame`` (those not in ``base`` nor computed) a viewer may see.

    An imported file's extra column may hold anything (a contact, a person's name): a viewer of
    every private field sees them all; everyone else sees the :func:`known_extras` only.

    >>> frame = pd.DataFrame(columns=["id", "地均入库税金", "联系人电话", "土地证编号"])
    >>> visible_extras(frame, {"id"}, CountyScope()), visible_extras(frame, {"id"}, CountyScope(everything=True))
    (['地均入库税金'], ['地均入库税金', '联系人电话', '土地证编号'])
    """
    extras = [
        c for c in frame.columns if c not in base and c not in COMPUTED_COLUMNS and not str(c).startswith("_")
    ]
    if scope.everything:
        return extras
    known = known_extras()
    return [c for c in extras if c in known]
