"""Find and mask personal data in public comments on a draft plan.

Comments submitted during a public consultation are shown publicly only after
phone numbers, ID card numbers and e-mail addresses have been masked, the way
Chinese government sites usually do it:

>>> mask_personal("联系电话：138 1234 5678，邮箱 zhang@example.com")[0]
'联系电话：138＊＊＊＊5678，邮箱 z＊＊＊@example.com'
>>> mask_personal("办公室 0991-8878313")[0]
'办公室 0991-＊＊＊＊＊＊＊'
>>> [f.label for f in find_personal("身份证 65010219900101123X")]
['身份证号码']
>>> find_personal("2025年拆迁20000亩")
[]

Matching runs on a copy of the text in which every character is NFKC-normalised
on its own (full-width digits, ``＠``, ``（）`` …), so spans stay valid in the
original string. Masking is idempotent, and :func:`is_masking_of` lets a
moderator's edit be checked to only mask, never rewrite:

>>> is_masking_of("请联系张三", "请联系＊")
True
>>> describe(find_personal("13812345678 a@b.cn"))
'已隐去手机号码 1 处、电子邮件 1 处'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "LABELS",
    "MASK",
    "MASK_CHARS",
    "Finding",
    "describe",
    "find_personal",
    "is_masking_of",
    "mask_personal",
]

MASK = "＊"
MASK_CHARS = frozenset("＊*")

LABELS: dict[str, str] = {
    "mobile": "手机号码",
    "landline": "固定电话",
    "id_card": "身份证号码",
    "email": "电子邮件",
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: ``text[start:end]`` of kind ``kind``."""

    kind: str  # "mobile" | "landline" | "id_card" | "email"
    start: int
    end: int

    @property
    def label(self) -> str:
        return LABELS[self.kind]


_LOCAL = r"[A-Za-z0-9._%+-]"
_DOMAIN = r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}"
# An already masked address ("z***@example.com") is claimed but not reported,
# so that its domain is never searched again for phone numbers. No look-behind:
# an address written straight after another's domain ("a@qq.com138…b@qq.com")
# starts where the first one ends, and must still be found.
_EMAIL = re.compile(
    rf"(?:(?P<masked>{_LOCAL}?\*+@{_DOMAIN})|(?P<email>{_LOCAL}+@{_DOMAIN}))",
    re.ASCII,
)
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])", re.ASCII)
_MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[- ]?)?(?P<num>1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)", re.ASCII)
_LANDLINE = re.compile(
    r"(?<!\d)(?:\((?P<paren>0\d{2,3})\)|(?P<area>0\d{2,3}))[- ]?\d{7,8}(?!\d)",
    re.ASCII,
)
_SCANS = (("id_card", _ID_CARD), ("mobile", _MOBILE), ("landline", _LANDLINE))


def _normalize(text: str) -> str:
    """NFKC per character, keeping the length (and so every index) unchanged."""
    out = []
    for ch in text:
        norm = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        out.append(norm if len(norm) == 1 else ch)
    return "".join(out)


def _scan(norm: str) -> list[tuple[Finding, re.Match[str]]]:
    taken: list[tuple[int, int]] = []
    found: list[tuple[Finding, re.Match[str]]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in _EMAIL.finditer(norm):
        taken.append(m.span())
        if m.group("email"):
            found.append((Finding("email", *m.span()), m))
    for kind, pattern in _SCANS:
        pos = 0
        while (m := pattern.search(norm, pos)) is not None:
            if free(*m.span()):
                taken.append(m.span())
                found.append((Finding(kind, *m.span()), m))
                pos = m.end()
            else:
                pos = m.start() + 1
    found.sort(key=lambda pair: pair[0].start)
    return found


def find_personal(text: str) -> list[Finding]:
    """Personal data in ``text``: non-overlapping findings in text order.

    >>> find_personal("电话+86 13812345678")
    [Finding(kind='mobile', start=2, end=17)]
    """
    return [finding for finding, _ in _scan(_normalize(text))]


def _masked(text: str, norm: str, finding: Finding, m: re.Match[str]) -> str:
    start, end = finding.start, finding.end
    if finding.kind == "mobile":
        num = m.start("num")
        return text[start : num + 3] + MASK * 4 + text[end - 4 : end]
    if finding.kind == "landline":
        keep = m.end("paren") + 1 if m.group("paren") else m.end("area")
        rest = "".join(MASK if norm[i].isdigit() else text[i] for i in range(keep, end))
        return text[start:keep] + rest
    if finding.kind == "id_card":
        return text[start : start + 3] + MASK * (end - start - 5) + text[end - 2 : end]
    at = norm.index("@", start, end)
    first = text[start] if at - start > 1 else ""
    return first + MASK * 3 + text[at:end]


def mask_personal(text: str) -> tuple[str, list[Finding]]:
    """Return ``text`` with personal data masked, and the findings (spans in ``text``).

    >>> mask_personal("身份证110101199001011234")[0]
    '身份证110＊＊＊＊＊＊＊＊＊＊＊＊＊34'
    >>> mask_personal("（0991）8878313")[0]
    '（0991）＊＊＊＊＊＊＊'
    """
    norm = _normalize(text)
    scanned = _scan(norm)
    parts: list[str] = []
    pos = 0
    for finding, m in scanned:
        parts.append(text[pos : finding.start])
        parts.append(_masked(text, norm, finding, m))
        pos = finding.end
    parts.append(text[pos:])
    return "".join(parts), [finding for finding, _ in scanned]


_MASK_RUN = re.compile("([" + "".join(sorted(MASK_CHARS)) + "]+)")


def is_masking_of(before: str, after: str) -> bool:
    """True when ``after`` only replaces non-empty spans of ``before`` by runs of mask characters.

    Every maximal run of mask characters in ``after`` must stand for a
    non-empty span of ``before``; everything else must be kept verbatim. The
    literal pieces are matched greedily (leftmost), which is exact for this
    kind of pattern (like a glob where each ``*`` needs at least one char).

    >>> is_masking_of("张三的电话", "＊＊的电话"), is_masking_of("张三的电话", "李四的电话")
    (True, False)
    >>> is_masking_of("abc", "ab"), is_masking_of("abc", "abc＊")
    (False, False)
    """
    parts = _MASK_RUN.split(after)
    if len(parts) == 1:
        return before == after
    head, *middle, tail = parts[::2]
    if not before.startswith(head):
        return False
    pos = len(head)
    for literal in middle:
        found = before.find(literal, pos + 1)
        if found < 0:
            return False
        pos = found + len(literal)
    tail_start = len(before) - len(tail)
    return tail_start >= pos + 1 and before.endswith(tail)


def describe(findings: Iterable[Finding]) -> str:
    """Chinese summary of what was masked; ``""`` when nothing was.

    >>> describe([])
    ''
    """
    counts = Counter(finding.kind for finding in findings)
    items = [f"{label} {counts[kind]} 处" for kind, label in LABELS.items() if counts[kind]]
    return "已隐去" + "、".join(items) if items else ""
