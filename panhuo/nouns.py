"""The words and columns of the two kinds of list a plan carries, written once: a 地块 is counted
in 宗, a 片区 in 个 ("89 宗地块", "66 个片区"); a 地块's type is its ``type`` column, a 片区's its
``category``. Every rule that differs between the two reads it from here, not from a ternary."""

from __future__ import annotations

from typing import NamedTuple


class Noun(NamedTuple):
    name: str  # 地块 | 片区
    measure: str  # the measure word for counting them: 宗 | 个
    type_label: str  # what their type column is called: 类型 (地块) | 类别 (片区)
    type_column: str  # the column holding the plan's own type word: type | category
    zone_column: str  # the column naming the 片区 a record is in: zone (地块) | name (a 片区 itself)
    count_note: str  # how the count is made, shown under it ('' when obvious)


DATASET_NOUNS: dict[str, Noun] = {
    "parcels": Noun("地块", "宗", "类型", "type", "zone", "一组地块按其包含的宗数计"),
    "zones": Noun("片区", "个", "类别", "category", "name", ""),
}


def noun(dataset: str) -> str:
    """地块 for ``"parcels"``, 片区 for ``"zones"``."""
    return DATASET_NOUNS[dataset].name


def measure_word(dataset: str) -> str:
    """The measure word counting the records of ``dataset``: 宗 (地块) or 个 (片区)."""
    return DATASET_NOUNS[dataset].measure


def type_label(dataset: str) -> str:
    """What the type of a record of ``dataset`` is called: 类型 (地块) or 类别 (片区)."""
    return DATASET_NOUNS[dataset].type_label


def type_column(dataset: str) -> str:
    """The column holding the plan's own type word: ``type`` for parcels, ``category`` for zones."""
    return DATASET_NOUNS[dataset].type_column


def zone_column(dataset: str) -> str:
    """The column naming the 片区 of a record: ``zone`` for parcels, ``name`` for zones."""
    return DATASET_NOUNS[dataset].zone_column


def count_note(dataset: str) -> str:
    """The note under a count of ``dataset``'s records ('' when none is needed)."""
    return DATASET_NOUNS[dataset].count_note
