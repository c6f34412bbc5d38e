"""Classification lookups kept as data under ``data/classifications/``.

- families: each plan's own type words (旧厂矿, 低效工业片区 …) → a common family
- land uses: plain land-use words (住宅用地, 商服用地 …) → codes of 用地用海分类 (2023) with
  their first-level class, so structure charts can roll up.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from panhuo.model import FAMILY_LABELS
from panhuo.settings import load_settings

# When a word is not in families.csv (user data), these keywords decide; order matters.
_FAMILY_KEYWORDS = [
    ("mine", ("矿地", "采矿", "矿山")),
    ("industrial", ("工业", "厂矿", "产业", "工矿", "仓储", "厂")),
    ("village", ("村庄", "农村", "村", "宅基地")),
    ("urban_residential", ("城镇", "住宅", "居住", "棚户", "老旧小区", "城中村")),
]


def _folder(data_dir: Path | None = None) -> Path:
    return (data_dir or load_settings().data_dir) / "classifications"


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=4)
def family_table(data_dir: Path | None = None) -> dict[str, str]:
    """Mapping type word → family code, from ``families.csv``."""
    frame = _read(_folder(data_dir) / "families.csv")
    if frame.empty:
        return {}
    word_col = next(c for c in frame.columns if c not in {"family", "family_label", "plan", "source", "note"})
    return {
        str(w).strip(): str(f).strip() for w, f in zip(frame[word_col], frame["family"], strict=False) if w
    }


def family_of(word: object, data_dir: Path | None = None) -> str:
    """The common family of a plan's type or category word (``旧厂矿`` → ``industrial``)."""
    text = "" if word is None or (isinstance(word, float) and word != word) else str(word).strip()
    if not text:
        return "other"
    table = family_table(data_dir)
    if text in table and table[text] in FAMILY_LABELS:
        return table[text]
    for family, keywords in _FAMILY_KEYWORDS:
        if any(k in text for k in keywords):
            return family
    return "other"


@lru_cache(maxsize=4)
def landuse_classes(data_dir: Path | None = None) -> pd.DataFrame:
    """用地用海分类 (2023): code, name, level, parent."""
    return _read(_folder(data_dir) / "landuse_2023.csv")


@lru_cache(maxsize=4)
def landuse_aliases(data_dir: Path | None = None) -> pd.DataFrame:
    return _read(_folder(data_dir) / "aliases.csv")


def landuse_code(word: object, data_dir: Path | None = None) -> tuple[str, str]:
    """(用地用海 2023 code, its first-level code) of a land-use word; ``("", "")`` when unknown.

    Words are looked up in ``aliases.csv`` (plain words and 三调 names mapped to 2023 codes),
    then among the 2023 class names.
    """
    text = str(word or "").strip().replace("\n", "")
    if not text:
        return "", ""
    aliases = landuse_aliases(data_dir)
    if not aliases.empty:
        hit = aliases[aliases["alias"].str.replace("\n", "") == text]
        if not hit.empty:
            row = hit.iloc[0]
            return str(row["code_2023"]), str(row["level1_2023"])
    classes = landuse_classes(data_dir)
    if not classes.empty:
        exact = classes[classes["name"] == text]
        if not exact.empty:
            code = str(exact.iloc[0]["code"])
            return code, code[:2]
    return "", ""


def first_level(code: str, data_dir: Path | None = None) -> tuple[str, str]:
    """(code, name) of the first-level 用地用海 class a code rolls up to."""
    classes = landuse_classes(data_dir)
    if classes.empty or not code:
        return "", ""
    top = str(code)[:2]
    hit = classes[classes["code"] == top]
    return (top, str(hit.iloc[0]["name"])) if not hit.empty else (top, "")
