"""Step 4 of an import, *commit*: store the checked records as a new version of the plan's
dataset with the original files, in one transaction, or nothing but the report."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from panhuo.access import Action, PermissionDenied, User, require
from panhuo.importing.check import SOURCE_ROW, Checked
from panhuo.importing.report import Problem
from panhuo.model import PublishedTable
from panhuo.nouns import noun
from panhuo.planid import InvalidPlanId, is_valid_plan_id
from panhuo.store.errors import PlanExists, is_unavailable

if TYPE_CHECKING:
    from panhuo.store import Store, VersionInfo


@dataclass
class ImportResult:
    """The outcome of an import (or of a dry run): what was written, and every problem found."""

    ok: bool
    status: str  # imported | partial | failed | refused (no role: nothing written) | checked (a dry run)
    plan_id: str
    dataset: str
    checked: Checked | None
    problems: list[Problem]
    imported: int = 0
    rejected: int = 0
    version: VersionInfo | None = None  # the version written, None when nothing was
    report_id: int | None = None
    message: str = ""

    def to_json(self) -> dict:
        layers = self.checked.analysis.layers if self.checked else []
        return {
            "ok": self.ok,
            "status": self.status,
            "plan": self.plan_id,
            "dataset": self.dataset,
            "version": self.version.number if self.version else None,
            "imported": self.imported,
            "rejected": self.rejected,
            "message": self.message,
            "report_id": self.report_id,
            "files": [
                {
                    "name": lay.file.name,
                    "sha256": lay.file.sha256,
                    "sheet": lay.sheet,
                    "mapping": lay.mapping.to_json() if lay.mapping else {},
                }
                for lay in layers
            ],
            "problems": [p.to_json() for p in self.problems],
        }


def new_plan_meta(
    plan_id: str,
    *,
    title: str = "",
    province: str = "",
    city: str = "",
    counties: list[str] | None = None,
    area_unit: str = "公顷",
    source_file: str = "",
) -> dict:
    """plan.toml-like metadata for a plan created by an import."""
    return {
        "id": plan_id,
        "title": title or f"导入数据：{plan_id}",
        "short_title": title or plan_id,
        "kind": "",
        "issuer": "",
        "doc_number": "",
        "date": dt.date.today().isoformat(),
        "province": province,
        "city": city,
        "counties": list(counties or []),
        "status": "in_force",
        "source_file": source_file,
        "area_unit": area_unit,
        "summary": f"由文件 {source_file} 导入的调查数据。",
        "notes": [],
    }


def commit(
    checked: Checked,
    store: Store,
    plan_id: str,
    *,
    actor: User,
    valid_only: bool = False,
    new_meta: dict | None = None,
    client: str = "",
) -> ImportResult:
    """Store the valid records as a new version, or nothing but the report.

    The records, the original files, the remembered mappings and the 小计/合计 tables are written
    in one transaction; the report is written in every case but one: ``actor`` without the
    role for this import (导入数据 on the plan, 导入新规划 for a new one) gets a failed result
    whose message is the refusal, and nothing at all is written. ``new_meta`` (see
    :func:`new_plan_meta`) creates the plan when it does not exist yet.
    """
    layers = checked.analysis.layers
    files = list({id(layer.file): layer.file for layer in layers}.values())  # a gpkg's two layers: one file
    dataset = checked.analysis.kind
    counts = checked.counts
    result = ImportResult(
        ok=False,
        status="failed",
        plan_id=plan_id,
        dataset=dataset,
        checked=checked,
        problems=list(checked.problems),
        rejected=counts["rejected"],
    )
    if not is_valid_plan_id(plan_id):  # nothing is written, not even the report
        result.message = str(InvalidPlanId(plan_id))
        result.problems.append(Problem("error", result.message, "例如 changzhi-2024"))
        return result
    try:  # refused before anything is written, not even the report (the store checks again)
        exists = store.plan_meta(plan_id) is not None
        require(actor, Action.IMPORT if exists else Action.CREATE_PLAN, plan_id)
    except PermissionDenied as exc:
        return _refused(result, exc)
    except SQLAlchemyError as exc:
        if not is_unavailable(exc):
            raise
        # the save below meets the same database and says so
    refusal = checked.refusal(valid_only)
    if refusal:
        result.message = refusal
    else:
        valid = checked.valid_frame
        meta = new_meta
        if meta is not None and not meta.get("counties") and "county" in valid:
            meta = {**meta, "counties": [c for c in pd.unique(valid["county"]) if c]}
        if meta is not None and not meta.get("source_file"):
            names = "、".join(f.name for f in files)
            meta = {**meta, "source_file": names, "summary": f"由文件 {names} 导入的调查数据。"}
        remember = [
            {
                "layout": lay.mapping.layout,
                "kind": dataset,
                "headers": lay.table.headers,
                "mapping": lay.mapping.to_json(),
            }
            for lay in layers
            if lay.mapping and lay.table
        ]
        from panhuo.importing.survey_zones import stored_zones
        from panhuo.store import NewSource, table_record  # the store is needed only to write

        also = stored_zones(checked)  # a survey's 调查区, stored with their 调查单元
        try:
            version = store.save_import(
                plan_id,
                dataset,
                valid,
                [NewSource(f.name, f.data) for f in files],
                also=also,
                new_plan_meta=meta,
                mapping={
                    "remember": remember,
                    "mapping": [r["mapping"] for r in remember],
                    "tables": [table_record(t) for t in _tables_to_store(checked)],
                },
                note="只导入有效行" if counts["rejected"] else "",
                actor=actor,
                client=client,
            )
        except PermissionDenied as exc:  # the plan appeared or went meanwhile
            return _refused(result, exc)
        except PlanExists as exc:
            result.problems.append(Problem("error", str(exc), "刷新后重新导入到该规划"))
            result.message = str(exc)
        except SQLAlchemyError as exc:
            if is_unavailable(exc):
                text = "数据库暂时无法使用，未写入任何数据。"
                advice = "请稍后重试；若一直如此，请联系管理员检查数据库"
            else:
                text = f"写入数据库失败，未写入任何数据（{type(exc).__name__}）。"
                advice = "请联系管理员，并附上此报告"
            result.problems.append(Problem("error", text, advice))
            result.message = text
        else:
            result.ok, result.version, result.imported = True, version, len(valid)
            for other, frame in also.items():
                result.problems.append(
                    Problem("info", f"同时导入{noun(other)} {len(frame):,} 个（调查区图层），为新版本", "")
                )
            result.status = "partial" if counts["rejected"] else "imported"
            result.message = (
                f"已导入 {len(valid)} 行，为“{plan_id}”的{noun(dataset)}"
                f"第 {version.number} 版"
                + (f"；{counts['rejected']} 行未导入，见报告。" if counts["rejected"] else "。")
            )
    try:
        result.report_id = store.record_report(
            plan_id,
            "、".join(f.name for f in files),
            ",".join(f.sha256 for f in files),
            result.status,
            [p.to_json() for p in result.problems],
            summary=result.message,
            version_id=result.version.id if result.version else None,
            actor=actor,
            client=client,
        )
    except PermissionDenied as exc:  # the plan went meanwhile: no report either
        if result.version is None:
            return _refused(result, exc)
        raise
    except SQLAlchemyError as exc:  # the outcome above stands; only its record is missing
        if not is_unavailable(exc):
            raise
        result.problems.append(
            Problem("warning", "导入记录未能写入数据库（数据库暂时无法使用）", "本页的问题清单仍可下载")
        )
    return result


def _refused(result: ImportResult, exc: PermissionDenied) -> ImportResult:
    """The result of an import the user may not make: the refusal, nothing written."""
    result.ok, result.status, result.message = False, "refused", str(exc)
    result.problems.append(Problem("error", str(exc), "请联系管理员授予相应角色"))
    return result


def _tables_to_store(checked: Checked) -> list[PublishedTable]:
    """The file's 小计/合计 tables with the rows that were not imported left out of the detail.

    The audit then compares each printed 小计/合计 with the rows the plan actually holds, so a
    partial import shows there as totals that disagree (the rows left out are in the report).
    The row numbers the tables carried for this (``source_row``) are not stored.
    """
    main = checked.analysis.layers[0] if checked.analysis.layers else None
    label = "" if main is None else f"{main.file.name}（{main.sheet}）" if main.sheet else main.file.name
    left_out = checked.rejected_rows
    tables = []
    for table in checked.tables:
        frame = table.frame
        if SOURCE_ROW not in frame:
            tables.append(table)
            continue
        note = table.note
        if left_out and table.source == label:
            keep = ~((frame["row_kind"] == "data") & frame[SOURCE_ROW].isin(sorted(left_out)))
            frame = frame[keep].reset_index(drop=True)
            note = f"{table.note}；明细只含已导入的行，未导入的 {len(left_out)} 行见导入报告"
        tables.append(dataclasses.replace(table, frame=frame.drop(columns=[SOURCE_ROW]), note=note))
    return tables
