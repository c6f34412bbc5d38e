"""The failing checks of a plan grouped by cause: one wrong printed value often fails several
checks, and a reviewer acts on the value, not on each check.

Two failing checks share a cause when

- they check the same printed value (the same cell, or a sentence quoting it again);
- one is computed from a printed value the other finds wrong — unless that value agrees with
  another check (a total that adds up is not the wrong value of a sum that does not);
- they check cells of the same column of one table by the same per-row rule (a share column
  computed from the wrong base fails on every row: one problem);
- they print the same number against the same recomputed number (a table's column printed
  again in another table, a sentence repeated in another chapter).

The values a cause rests on are the printed values its checks find wrong, apart from those
that fail only because of another wrong value (a total that no longer adds up).

>>> from panhuo.catalog import open_catalog
>>> from panhuo.reconcile import reconcile
>>> len(causes(reconcile(open_catalog(imports=False).get("huzhou-2023"))))
0
"""

from __future__ import annotations

from dataclasses import dataclass, field

from panhuo.reconcile import PROBLEMS, Finding, column_phrase

_PER_ROW_RULES = ("share", "change", "range")
_WORST = {"invalid": 0, "mismatch": 1, "uncheckable": 2}


@dataclass
class Cause:
    id: str  # 问题1, 问题2, … in the order of the document's tables and text
    severity: str  # the worst of its checks: invalid, mismatch, uncheckable
    title: str
    rests_on: list[Finding]  # one check per printed value the cause rests on
    findings: list[Finding] = field(default_factory=list)  # every check it fails

    @property
    def checks(self) -> int:
        return len(self.findings)

    def to_json(self) -> dict:
        return {
            "cause": self.id,
            "severity": self.severity,
            "title": self.title,
            "checks": self.checks,
            "rests_on": [_value(f) for f in self.rests_on],
            "findings": [f.to_json() for f in self.findings],
        }


def _value(finding: Finding) -> dict:
    return {
        "location": finding.location,
        "value": finding.documented,
        "unit": finding.unit,
        "quote": finding.quote,
    }


class _Sets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _table_column(finding: Finding) -> tuple[str, str] | None:
    parts = finding.claim.split("｜")
    if len(parts) == 3 and parts[0] != "正文":
        return parts[0], parts[2]
    return None


def _where(finding: Finding) -> str:
    cell = _table_column(finding)
    return f"{cell[0]} {column_phrase(cell[1])}" if cell else finding.location


def _explains(finding: Finding, wrong: Finding) -> bool:
    """Whether the wrong input ``wrong`` explains ``finding``: for a plain sum, whether the sum
    agrees once that input is corrected to its computed value (a sentence that disagrees with a
    wrong table cell and with its correction has a problem of its own); for other arithmetic
    (shares, rates), and for a check that could not be computed, it is taken to."""
    if not finding.additive or None in (finding.computed, wrong.computed, wrong.documented):
        return True
    corrected = finding.computed + (wrong.computed - wrong.documented)
    return abs(corrected - finding.documented) <= (finding.tolerance or 0) + 0.00005 + 1e-9


def causes(findings: list[Finding]) -> list[Cause]:
    """The causes of a plan's failing checks; sets each failing finding's ``cause``."""
    problems = [f for f in findings if f.severity in PROBLEMS]
    confirmed = {f.claim for f in findings if f.severity in ("ok", "rounding")}
    wrong: dict[str, list[int]] = {}
    for i, f in enumerate(problems):
        if f.severity in ("mismatch", "invalid"):
            wrong.setdefault(f.claim, []).append(i)
    sets = _Sets(len(problems))
    symptoms: set[int] = set()  # failing only because of another check's wrong value
    by_claim: dict[str, int] = {}
    by_column: dict[tuple, int] = {}
    by_pair: dict[tuple, int] = {}
    for i, f in enumerate(problems):
        sets.union(i, by_claim.setdefault(f.claim, i))
        for cell in f.inputs:
            if cell in wrong and cell not in confirmed and _explains(f, problems[wrong[cell][0]]):
                for j in wrong[cell]:
                    sets.union(i, j)
                symptoms.add(i)
        column = _table_column(f)
        if column and f.kind in _PER_ROW_RULES:
            sets.union(i, by_column.setdefault((*column, f.kind, f.severity), i))
        if f.severity == "mismatch" and f.computed is not None:
            sets.union(i, by_pair.setdefault((f.documented, f.computed), i))
    members: dict[int, list[Finding]] = {}
    for i, f in enumerate(problems):
        members.setdefault(sets.find(i), []).append(f)
    secondary = {id(problems[i]) for i in symptoms}
    result = []
    for number, group in enumerate(members.values(), start=1):
        cause_id = f"问题{number}"
        for f in group:
            f.cause = cause_id
        result.append(_cause(cause_id, group, secondary))
    return result


def _cause(cause_id: str, group: list[Finding], secondary: set[int]) -> Cause:
    failing = [f for f in group if f.severity in ("mismatch", "invalid")]
    primary = [f for f in failing if id(f) not in secondary] or failing or group
    seen, rests_on = set(), []
    for f in primary:
        if f.claim not in seen:
            seen.add(f.claim)
            rests_on.append(f)
    severity = min((f.severity for f in group), key=_WORST.get)
    first = {f.claim for f in rests_on}  # the wrong values' own checks first, then their symptoms
    ordered = sorted(group, key=lambda f: f.claim not in first or f.severity == "uncheckable")
    return Cause(cause_id, severity, _title(rests_on), rests_on, ordered)


def _shown(finding: Finding, value: float | None) -> str:
    """A value with its unit, with the decimals the document prints it with."""
    decimals = len(finding.printed.rstrip("%％").partition(".")[2])
    unit = finding.unit
    number = f"{value:,.{decimals}f}" if value is not None else ""
    return number + ("%" if unit == "%" else (f" {unit}" if unit else ""))


def _title(rests_on: list[Finding]) -> str:
    """What is wrong, in one line: the printed value, where, and what it disagrees with."""
    first = rests_on[0]
    computed = {f.computed for f in rests_on}
    worked = (
        f"重算为 {_shown(first, first.computed)}" if len(computed) == 1 and first.computed is not None else ""
    )
    if len(rests_on) > 1:
        where = "、".join(dict.fromkeys(_where(f) for f in rests_on))
        if len({f.documented for f in rests_on}) == 1:
            return f"{where}：{len(rests_on)} 处均印为 {_shown(first, first.documented)}" + (
                f"，{worked}" if worked else ""
            )
        rules = list(dict.fromkeys(f.rule for f in rests_on if f.kind != "fact")) or ["与重算不符"]
        rule = "、".join(rules) if len(rules) <= 2 else "与重算不符"
        return f"{where}：{len(rests_on)} 个印刷数值{rule}"
    cell = _table_column(first)
    if cell and first.kind != "fact":
        phrase = column_phrase(cell[1])
        text = f"{first.location}{' ' if phrase[:1].isdigit() else ''}{phrase}印为 {_shown(first, first.documented)}，{first.rule}"
        return text + (f"（{worked}）" if worked else "")
    return f"{first.location}：{first.label}，文件为 {_shown(first, first.documented)}" + (
        f"，{worked}" if worked else ""
    )


def group(findings: list[Finding]) -> list[Cause]:
    """:func:`causes`, for :func:`panhuo.reconcile.reconcile` (which keeps the findings)."""
    return causes(findings)


def cause_counts(found: list[Cause]) -> dict[str, int]:
    """How many causes, and how many failing checks they explain."""
    return {"causes": len(found), "checks": sum(c.checks for c in found)}


__all__ = ["Cause", "cause_counts", "causes"]
