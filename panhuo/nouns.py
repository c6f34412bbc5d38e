"""The words for the two kinds of list a plan carries, written once: a 地块 is counted in 宗, a
片区 in 个 ("89 宗地块", "66 个片区")."""

from __future__ import annotations

from typing import NamedTuple


class Noun(NamedTuple):
    name: str  # 地块 | 片区
    measure: str  # the measure word for counting them: 宗 | 个
    type_label: str  # what their type column is called: 类型 (地块) | 类别 (片区)


DATASET_NOUNS: dict[str, Noun] = {
    "parcels": Noun("地块", "宗", "类型"),
    "zones": Noun("片区", "个", "类别"),
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
