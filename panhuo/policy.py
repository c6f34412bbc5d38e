"""Measures, policies, modes, work stages and who is responsible for them — tidy frames.

``measures.csv`` and ``milestones.csv`` keep department lists as printed (``市自然资源局、市财政局``).
:func:`split_departments` splits them only at separators outside brackets, so
``各县（市、区）人民政府`` and ``各区人民政府(开发区管委会)`` stay whole.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from panhuo.model import Plan

LEAD, RESPONSIBLE = "牵头", "责任"
# What the ``kind`` words of measures.csv mean on screen (FORMAT.md; other words shown as is).
KIND_LABELS = {
    "measure": "任务措施",
    "sub_measure": "子项措施",
    "policy": "配套政策",
    "mode": "开发模式",
    "step": "实施步骤",
    "category": "类别定义",
    "layout": "功能引导",
    "lesson": "工作启示",
    "actor": "再开发主体",
}
MAIN_KIND = "measure"
_SEPARATORS = "、，,；;"
_OPEN, _CLOSE = "（(〈《【", "）)〉》】"
# “税务等有关部门” → 税务: the “等…” tail says the list is open, it is not a department.
_OPEN_TAIL = re.compile(r"等(有关|相关)?(部门|单位)?$")


def split_departments(text: object) -> list[str]:
    """Departments listed in one cell, split at 、，, ； outside brackets.

    A part that is only a bracketed name continues the previous one (乌鲁木齐 第12条 prints
    “各区人民政府、(开发区管委会)” with a stray 、). Duplicates are dropped, order kept.

    >>> split_departments("市自然资源局、市财政局")
    ['市自然资源局', '市财政局']
    >>> split_departments("各县（市、区）人民政府、市属开发区管委会")
    ['各县（市、区）人民政府', '市属开发区管委会']
    >>> split_departments("市发改委、各区人民政府、(开发区管委会)")
    ['市发改委', '各区人民政府(开发区管委会)']
    """
    raw = str(text or "").strip()
    if not raw or raw.lower() == "nan":
        return []
    parts, current, depth = [], "", 0
    for char in raw:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        if char in _SEPARATORS and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    result: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if result and part[0] in _OPEN and part[-1] in _CLOSE:
            result[-1] += part
            continue
        part = _OPEN_TAIL.sub("", part).strip() or part
        if part not in result:
            result.append(part)
    return result


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind or "其他")


def measures(plan: Plan) -> pd.DataFrame:
    """The plan's measures with split department lists.

    Columns: ``id``, ``group``, ``title``, ``gist``, ``lead``, ``responsible`` (as printed),
    ``kind``, ``kind_label``, ``leads``, ``responsibles`` (lists), ``parent``, ``source``.
    """
    frame = plan.measures.copy()
    if "parent" not in frame:
        frame["parent"] = ""
    frame["kind_label"] = frame["kind"].map(kind_label)
    frame["leads"] = frame["lead"].map(split_departments)
    frame["responsibles"] = frame["responsible"].map(split_departments)
    columns = ["id", "group", "title", "gist", "lead", "responsible", "kind", "kind_label", "leads",
               "responsibles", "parent", "source"]  # fmt: skip
    return frame[columns].reset_index(drop=True)


MAIN_KINDS = (MAIN_KIND, "sub_measure")  # measures and their sub-items; the rest are modes, policies …


def kind_counts(frame: pd.DataFrame) -> tuple[int, int, int]:
    """(main measures, sub-items, everything else) of :func:`measures` — 乌鲁木齐: (18, 6, 0)."""
    main = int((frame["kind"] == MAIN_KIND).sum())
    subs = int((frame["kind"] == "sub_measure").sum())
    return main, subs, len(frame) - main - subs


def kinds(frame: pd.DataFrame) -> list[str]:
    """The kinds present, the main one (任务措施) first, then in document order."""
    present = list(dict.fromkeys(frame["kind"]))
    return sorted(present, key=lambda k: (k != MAIN_KIND, k != "sub_measure", present.index(k)))


def group_counts(frame: pd.DataFrame, kind: str | None = MAIN_KIND) -> pd.DataFrame:
    """How many measures each group holds, in document order (columns ``group``, ``count``).

    乌鲁木齐: 18 measures in 5 groups (5, 2, 7, 3, 1).
    """
    part = frame if kind is None else frame[frame["kind"] == kind]
    counts = part.groupby("group", sort=False).size()
    return pd.DataFrame({"group": counts.index, "count": counts.to_numpy()})


def group_kind_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Items per group and kind (sub-measures left out: they belong to their parent measure).

    Columns ``group``, ``kind_label``, ``count``; groups in document order.
    """
    part = frame[frame["kind"] != "sub_measure"]
    counts = part.groupby(["group", "kind_label"], sort=False).size()
    return counts.rename("count").reset_index()


def filter_measures(
    frame: pd.DataFrame, groups: list[str] | tuple[str, ...] = (), department: str = ""
) -> pd.DataFrame:
    """Measures in ``groups`` (all when empty) naming ``department`` (substring, lead or responsible)."""
    result = frame
    if groups:
        result = result[result["group"].isin(groups)]
    needle = str(department or "").strip()
    if needle:
        hit = result["lead"].str.contains(needle, regex=False) | result["responsible"].str.contains(
            needle, regex=False
        )
        result = result[hit]
    return result


def _drop_empty(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    empty = [c for c in columns if c in table and (table[c].astype(str).str.strip() == "").all()]
    return table.drop(columns=empty)


def measures_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Measures with Chinese headers, as a page shows them (department columns left out when
    the document names no department for any of them)."""
    table = pd.DataFrame(
        {
            "编号": frame["id"],
            "分组": frame["group"],
            "名称": frame["title"],
            "牵头单位": frame["leads"].map("、".join),
            "责任单位": frame["responsibles"].map("、".join),
            "要点": frame["gist"],
            "类别": frame["kind_label"],
            "出处": frame["source"],
        }
    )
    return _drop_empty(table, ("牵头单位", "责任单位")) if len(table) else table


def without_departments(frame: pd.DataFrame) -> list[str]:
    """Measures (编号 + 名称) that name neither a lead nor a responsible department."""
    empty = frame[(frame["leads"].map(len) == 0) & (frame["responsibles"].map(len) == 0)]
    return [f"{r.id} {r.title}" for r in empty.itertuples()]


def unassigned_sentence(frame: pd.DataFrame, most: int = 5) -> str:
    """Which items the matrix leaves out because the document names no department for them:
    by name when there are few (乌鲁木齐 第10条, whose departments are printed on its 子项),
    else a count."""
    names = without_departments(frame)
    if not names:
        return ""
    if len(names) <= most:
        return f"原文未列单位、不在矩阵中的条目：{'、'.join(names)}。"
    return f"另有 {len(names)} 项条目原文未列牵头或责任单位，不在矩阵中。"


def responsibilities(plan: Plan, include_stages: bool = False) -> pd.DataFrame:
    """Who answers for what, one row per department × item (long format).

    Columns: ``item`` (编号 + 名称, e.g. ``6 完善收储机制``), ``item_id``, ``item_kind``
    (measure kind, or ``stage`` for a milestone), ``group``, ``department``, ``role``
    (牵头 or 责任; a department printed in both lists counts as 牵头). Items without any
    department are left out.
    """
    rows = []
    frame = measures(plan)
    for r in frame.itertuples():
        rows.extend(_item_rows(f"{r.id} {r.title}", r.id, r.kind, r.group, r.leads, r.responsibles))
    if include_stages:
        for r in plan.milestones.itertuples():
            leads, resp = split_departments(r.lead), split_departments(r.responsible)
            rows.extend(_item_rows(f"阶段{r.id} {r.name}", r.id, "stage", "工作阶段", leads, resp))
    return pd.DataFrame(rows, columns=["item", "item_id", "item_kind", "group", "department", "role"])


def _item_rows(
    item: str, item_id: str, kind: str, group: str, leads: list[str], resp: list[str]
) -> list[dict]:
    base = {"item": item, "item_id": item_id, "item_kind": kind, "group": group}
    rows = [{**base, "department": d, "role": LEAD} for d in leads]
    rows += [{**base, "department": d, "role": RESPONSIBLE} for d in resp if d not in leads]
    return rows


def department_order(long: pd.DataFrame) -> list[str]:
    """Departments by how many items they lead, then how many they answer for."""
    if long.empty:
        return []
    counts = long.pivot_table(
        index="department", columns="role", values="item", aggfunc="count", fill_value=0
    )
    for role in (LEAD, RESPONSIBLE):
        if role not in counts:
            counts[role] = 0
    first_seen = {d: i for i, d in enumerate(dict.fromkeys(long["department"]))}
    return sorted(
        counts.index, key=lambda d: (-counts.at[d, LEAD], -counts.at[d, RESPONSIBLE], first_seen[d])
    )


def responsibility_matrix(long: pd.DataFrame) -> pd.DataFrame:
    """Department × item with 牵头 / 责任 / '' cells, departments ordered by their load."""
    if long.empty:
        return pd.DataFrame()
    items = list(dict.fromkeys(long["item"]))
    wide = long.pivot_table(index="department", columns="item", values="role", aggfunc="first", fill_value="")
    return wide.reindex(index=department_order(long), columns=items, fill_value="")


def department_load(long: pd.DataFrame) -> pd.DataFrame:
    """Per department: how many items it leads and answers for (columns 部门, 牵头, 责任, 合计)."""
    if long.empty:
        return pd.DataFrame(columns=["部门", LEAD, RESPONSIBLE, "合计"])
    order = department_order(long)
    counts = long.groupby(["department", "role"]).size().unstack(fill_value=0)
    for role in (LEAD, RESPONSIBLE):
        if role not in counts:
            counts[role] = 0
    counts = counts.reindex(order)
    return pd.DataFrame(
        {
            "部门": order,
            LEAD: counts[LEAD].astype(int).to_numpy(),
            RESPONSIBLE: counts[RESPONSIBLE].astype(int).to_numpy(),
            "合计": (counts[LEAD] + counts[RESPONSIBLE]).astype(int).to_numpy(),
        }
    )


def stages_table(plan: Plan) -> pd.DataFrame:
    """Work stages and deadlines (milestones) as printed, with Chinese headers."""
    frame = plan.milestones

    def period(start: str, end: str) -> str:
        start, end = str(start).strip(), str(end).strip()
        if start and end:
            return f"{start} — {end}"
        if end:
            return f"{end} 前"
        if start:
            return f"{start} 起"
        return "未载明"

    table = pd.DataFrame(
        {
            "编号": frame["id"],
            "阶段": frame["name"],
            "时间": [period(s, e) for s, e in zip(frame["start"], frame["end"], strict=True)],
            "内容": frame["content"],
            "牵头单位": frame["lead"].map(lambda t: "、".join(split_departments(t))),
            "责任单位": frame["responsible"].map(lambda t: "、".join(split_departments(t))),
            "出处": frame["source"],
        }
    )
    return _drop_empty(table, ("牵头单位", "责任单位")) if len(table) else table


DEPARTMENT_LABELS = {"name": "单位", "role": "角色", "position": "职务", "duty": "职责", "note": "说明",
                     "source": "出处"}  # fmt: skip


def departments_table(plan: Plan) -> pd.DataFrame:
    """The leading group / working group as printed, Chinese headers, empty columns left out."""
    frame = plan.departments
    shown = frame[[c for c in DEPARTMENT_LABELS if c in frame]].rename(columns=DEPARTMENT_LABELS)
    return _drop_empty(shown, tuple(DEPARTMENT_LABELS.values())) if len(shown) else shown


def consultation(plan: Plan, today: date) -> dict | None:
    """The consultation notice of a draft (乌鲁木齐): deadline, whether open, how to comment.

    Keys: ``published``, ``deadline``, ``open``, ``days_left`` (None once closed), ``text``,
    ``channels``, ``contacts`` (list of (label, value) as printed). None for a plan in force.
    """
    if not plan.is_consultation:
        return None
    meta = plan.meta
    notice = meta.get("consultation", {}) or {}
    deadline = str(meta.get("comment_until", "") or "")
    is_open = plan.consultation_open(today)
    days_left = (date.fromisoformat(deadline) - today).days if is_open and deadline else None
    contacts = [
        (label, str(notice[key]).strip())
        for key, label in (
            ("department", "联系科室"),
            ("phone", "联系电话"),
            ("fax", "传真"),
            ("email", "电子邮件"),
        )
        if str(notice.get(key, "")).strip()
    ]
    if not contacts and str(notice.get("contact", "")).strip():
        contacts = [
            ("联系方式", line.strip()) for line in str(notice["contact"]).splitlines() if line.strip()
        ]
    return {
        "published": str(meta.get("published", "") or ""),
        "deadline": deadline,
        "open": is_open,
        "days_left": days_left,
        "text": str(notice.get("text", "")).strip(),
        "channels": str(notice.get("channels", "")).strip(),
        "contacts": contacts,
    }


def filter_responsibilities(
    long: pd.DataFrame, item_ids: pd.Series | list[str], department: str = "", keep_stages: bool = True
) -> pd.DataFrame:
    """Rows of :func:`responsibilities` for the shown measures (and the stages unless a group
    filter hides them); with ``department``, only items that department answers for, with all
    the departments sharing them."""
    keep = long["item_id"].isin(list(item_ids)) & (long["item_kind"] != "stage")
    if keep_stages:
        keep |= long["item_kind"] == "stage"
    result = long[keep]
    needle = str(department or "").strip()
    if needle:
        items = result.loc[result["department"].str.contains(needle, regex=False), "item"]
        result = result[result["item"].isin(items)]
    return result
