"""The import as one call: analyse → map → check → commit (what ``python -m panhuo import`` runs).

Each step is a module of its own, usable alone (the page 数据导入 runs them one by one):

- :mod:`panhuo.importing.analyse` reads the files, finds sheet and header, proposes a mapping;
- :mod:`panhuo.importing.rows` turns each data row into field values and joins a second file;
- :mod:`panhuo.importing.check` validates the records and lists every row it cannot take;
- :mod:`panhuo.importing.commit` stores the valid records as a new version, or only the report.

:func:`find_plan` looks up the plan it writes to (the page takes it from its cached catalog).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from panhuo.access import User
from panhuo.importing.analyse import Analysis, InputFile, Layer, analyse, apply_mappings
from panhuo.importing.check import Checked, check
from panhuo.importing.commit import ImportResult, commit, new_plan_meta
from panhuo.importing.context import context_for, known_counties
from panhuo.model import Plan

if TYPE_CHECKING:
    from panhuo.store import Store


def find_plan(plan_id: str, store: Store | None = None) -> Plan | None:
    """The plan as it stands: from the store when it holds it, else the sample folder.

    Opens the catalog for this one plan (the command line; the page uses its cached catalog).
    """
    from panhuo.catalog import open_catalog

    return open_catalog(store=store, only=[plan_id]).find(plan_id)


def import_files(
    files: list[InputFile],
    plan_id: str,
    *,
    kind: str = "parcels",
    sheet: str | None = None,
    mappings: list[dict | None] | None = None,
    valid_only: bool = False,
    store: Store | None = None,
    plan_meta: dict | None = None,
    dry_run: bool = False,
    crs: str | None = None,
    actor: User | None = None,
    client: str = "",
) -> ImportResult:
    """Analyse, check and commit in one call (what the command line does).

    ``actor`` is who imports (required unless ``dry_run``; the command line passes
    :func:`panhuo.access.system_user`): without the role for the plan the result is the refusal
    and nothing is written. ``plan_meta`` (see :func:`new_plan_meta`) describes a plan that does
    not exist yet. With ``dry_run`` nothing is written, not even the report. ``crs`` is the
    coordinate system of a GIS layer that declares none.
    """
    if actor is None and not dry_run:
        raise TypeError("import_files() 写入时需要 actor=（进行导入的用户）")
    if store is None and not dry_run:
        from panhuo.store import Store

        store = Store.open()
    plan = find_plan(plan_id, store)
    meta = None
    if plan is None:
        meta = dict(plan_meta or new_plan_meta(plan_id, source_file=files[0].name if files else ""))
        meta["id"] = plan_id
    elif store is not None and store.plan_meta(plan_id) is None:
        meta = dict(plan.meta)  # a sample folder the store has not loaded yet
    saved = store if store is not None and store.exists() else None  # remembered mappings
    counties = context_for(plan, kind, meta).counties  # a column of these names is the 区县
    analysis = analyse(files, kind, sheet, mappings, saved, crs=crs, counties=counties)
    if meta is not None and analysis.layers and analysis.layers[0].mapping is not None:
        area = analysis.layers[0].mapping.choice("area")
        if area is not None and area.unit and plan is None and not (plan_meta or {}).get("area_unit"):
            meta["area_unit"] = area.unit
    context = context_for(plan, kind, meta)
    checked = check(analysis, context)
    if dry_run or store is None:
        counts = checked.counts
        return ImportResult(
            ok=not checked.refusal(valid_only),
            status="checked",
            plan_id=plan_id,
            dataset=kind,
            checked=checked,
            problems=checked.problems,
            imported=0,
            rejected=counts["rejected"],
            message=f"检查完成：{counts['rows']} 行，{counts['valid']} 行可导入，"
            f"{counts['rejected']} 行有错误。",
        )
    return commit(checked, store, plan_id, actor=actor, valid_only=valid_only, new_meta=meta, client=client)


__all__ = [
    "Analysis",
    "Checked",
    "ImportResult",
    "InputFile",
    "Layer",
    "analyse",
    "apply_mappings",
    "check",
    "commit",
    "context_for",
    "find_plan",
    "import_files",
    "known_counties",
    "new_plan_meta",
]
