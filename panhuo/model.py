"""The plan model: one :class:`Plan` holds a document's metadata and its data as DataFrames.

Text columns keep the values exactly as printed; normalised columns (``area_ha``, ``count``,
``family``, ``family_label``) are added by :mod:`panhuo.loader`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

# Columns each dataset has after loading (FORMAT.md); missing ones are added empty.
COLUMNS: dict[str, list[str]] = {
    "parcels": [
        "id", "name", "county", "town", "village", "zone", "type", "current_use", "planned_use",
        "area", "area_unit", "phase", "stage", "mode", "actor", "potential", "far_before",
        "far_after", "density_before", "density_after", "right_holder", "parcel_count",
        "derived", "source",
    ],
    "zones": [
        "id", "county", "category", "name", "location", "area", "area_unit", "stage",
        "parcel_count", "note", "derived", "source",
    ],
    "targets": [
        "scope_kind", "scope", "metric", "comparator", "value", "unit", "deadline", "note", "source",
    ],
    "schedules": [
        "scope", "period", "type", "count", "area", "area_unit", "note", "derived", "source",
    ],
    "milestones": ["id", "name", "start", "end", "content", "lead", "responsible", "source"],
    "measures": ["id", "group", "title", "gist", "lead", "responsible", "kind", "source"],
    "departments": ["name", "role", "source"],
}  # fmt: skip
DATASETS = tuple(COLUMNS)

# Sensitive columns: never shown in public views or exports. Besides the right-holder, the
# provincial survey's 土地证编号 (BDCQZ) and 现状土地使用人 (XZTDSYR), kept as extra columns under
# these Chinese names (panhuo/importing/aliases.toml [extras]).
SENSITIVE_COLUMNS = ("right_holder", "土地证编号", "现状土地使用人")

FAMILY_LABELS = {
    "industrial": "产业/工矿",
    "urban_residential": "城镇/住宅",
    "village": "村庄",
    "mine": "矿地",
    "other": "其他",
}
STAGES = ("储备", "计划实施", "正在实施", "已完成")
KIND_LABELS = {"专项规划", "实施方案", "试点方案", "征求意见稿"}


@dataclass
class PublishedTable:
    """A table as printed in the document, with the arithmetic the reconciliation checks."""

    id: str
    title: str
    frame: pd.DataFrame
    unit: str = ""
    key: str = ""
    sum_columns: list[str] = field(default_factory=list)
    shares: list[dict] = field(default_factory=list)
    row_sums: list[dict] = field(default_factory=list)
    ranges: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    role: str = ""  # what a page uses the table for: structure, potential_matrix, intensity …
    columns: dict = field(default_factory=dict)  # role → column name, for that use
    note: str = ""
    source: str = ""

    @property
    def data_rows(self) -> pd.DataFrame:
        if "row_kind" not in self.frame:
            return self.frame
        return self.frame[self.frame["row_kind"].fillna("data").isin(["data", ""])]

    @property
    def printed(self) -> pd.DataFrame:
        """The table as printed, without the transcription's bookkeeping columns."""
        return self.frame.drop(columns=[c for c in ("row_kind", "group", "source") if c in self.frame])


@dataclass
class Plan:
    """One plan (a government document) and everything transcribed or imported from it."""

    id: str
    meta: dict
    parcels: pd.DataFrame
    zones: pd.DataFrame
    targets: pd.DataFrame
    schedules: pd.DataFrame
    milestones: pd.DataFrame
    measures: pd.DataFrame
    departments: pd.DataFrame
    tables: dict[str, PublishedTable] = field(default_factory=dict)
    facts: list[dict] = field(default_factory=list)
    origin: str = "sample"
    # dataset → the store version whose surveyed shapes it has: a stored plan's frames carry no
    # geometry (what draws reads it with Store.version_geometry); a frame's ``geometry`` column
    # (a sample or a plan not from the store) holds WKT instead
    shapes: dict[str, int] = field(default_factory=dict)
    # results worked out from the frames and asked for again (panhuo.memo.remember): not copied by
    # dataclasses.replace, so a plan with other frames starts empty
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # --- metadata conveniences -------------------------------------------------------------
    @property
    def title(self) -> str:
        return str(self.meta.get("title", self.id))

    @property
    def short_title(self) -> str:
        return str(self.meta.get("short_title") or self.title)

    @property
    def province(self) -> str:
        return str(self.meta.get("province", ""))

    @property
    def city(self) -> str:
        return str(self.meta.get("city", ""))

    @property
    def counties(self) -> list[str]:
        return list(self.meta.get("counties", []) or [])

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind", ""))

    @property
    def area_unit(self) -> str:
        return str(self.meta.get("area_unit", "公顷"))

    @property
    def has_parcels(self) -> bool:
        return not self.parcels.empty

    @property
    def has_zones(self) -> bool:
        return not self.zones.empty

    @property
    def period(self) -> tuple[int | None, int | None]:
        start, end = self.meta.get("period_start"), self.meta.get("period_end")
        return (int(start) if start else None, int(end) if end else None)

    @property
    def is_demo(self) -> bool:
        """A demonstration copy whose progress is simulated (:mod:`panhuo.demo` marks it)."""
        return self.meta.get("demo") is True or self.origin == "demo"

    @property
    def is_consultation(self) -> bool:
        return self.meta.get("status") == "consultation"

    def consultation_open(self, today: date) -> bool:
        """True while a consultation draft still accepts comments on ``today``."""
        until = self.meta.get("comment_until")
        if not self.is_consultation or not until:
            return False
        return today <= date.fromisoformat(str(until))

    def dataset(self, name: str) -> pd.DataFrame:
        if name not in DATASETS:
            raise KeyError(f"未知的数据集：{name}")
        return getattr(self, name)

    def records(self) -> tuple[str, pd.DataFrame]:
        """The plan's main records: parcels when it has them, else zones (name, frame)."""
        if self.has_parcels:
            return "parcels", self.parcels
        return "zones", self.zones
