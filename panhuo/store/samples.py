"""Loading the sample plans under ``data/`` into the store, idempotently: a file already stored
with the same sha256 is not stored again; a changed sample file becomes a new version."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from panhuo import audit
from panhuo.access import SYSTEM, User
from panhuo.labels import dataset_label
from panhuo.model import COLUMNS
from panhuo.store.records import NewSource, clean_json, frame_records, sha256, table_record
from panhuo.store.schema import PlanRow, VersionRow, now
from panhuo.store.versions import add_version, current_version

# the form in which tables and facts are stored as records; a change makes the samples' tables
# and facts a new version at the next sync, so a store made by an older release is brought up
RECORD_FORMAT = "records-2"


@dataclass
class SampleDataset:
    """One dataset of a sample plan folder as it is stored."""

    dataset: str
    records: list[dict]
    columns: list[str]
    sources: list[NewSource]
    extra: dict = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """What identifies the dataset's content: the file's sha256 for one CSV, else a hash
        of the files and the record format."""
        if len(self.sources) == 1 and self.dataset in COLUMNS:
            return sha256(self.sources[0].content)
        return sha256(
            RECORD_FORMAT.encode()
            + b"".join(sha256(s.content).encode() + s.filename.encode() for s in self.sources)
        )


def sample_datasets(folder: Path) -> Iterable[SampleDataset]:
    """The datasets of a sample plan folder: each CSV, the published tables, the facts."""
    from panhuo.loader import _load_tables, read_csv_text, read_toml

    for dataset in COLUMNS:
        path = folder / f"{dataset}.csv"
        if path.exists():
            frame = read_csv_text(path)
            yield SampleDataset(
                dataset,
                frame_records(frame),
                [str(c) for c in frame.columns],
                [NewSource(path.name, path.read_bytes())],
            )
    spec_path = folder / "tables.toml"
    if spec_path.exists():
        tables = _load_tables(folder)
        sources = [NewSource("tables.toml", spec_path.read_bytes())]
        for spec in read_toml(spec_path).get("table", []):
            sources.append(NewSource(spec["file"], (folder / spec["file"]).read_bytes()))
        yield SampleDataset("tables", [table_record(t) for t in tables.values()], [], sources)
    facts_path = folder / "facts.toml"
    if facts_path.exists():
        facts = read_toml(facts_path).get("fact", [])
        yield SampleDataset(
            "facts", [clean_json(f) for f in facts], [], [NewSource("facts.toml", facts_path.read_bytes())]
        )


def sync_plan(session: Session, folder: Path, actor: User = SYSTEM) -> int:
    """Store what is new in one sample plan folder; returns the number of versions added.

    A new sample version is current unless the plan's data was replaced by an import. When
    anything was added or changed, one audit row (``samples_loaded``) says what, in the same
    transaction; a folder already stored leaves no row."""
    meta = tomllib.loads((folder / "plan.toml").read_bytes().decode("utf-8"))
    plan_id = str(meta.setdefault("id", folder.name))
    added: list = []
    plan = session.get(PlanRow, plan_id)
    new_plan = plan is None
    meta_changed = False
    if plan is None:
        session.add(PlanRow(id=plan_id, origin="sample", meta=meta))
        session.flush()
    elif plan.origin == "sample" and plan.meta != meta:
        plan.meta, plan.updated_at = meta, now()
        meta_changed = True
    for item in sample_datasets(folder):
        digest = item.digest
        known = session.scalar(
            select(VersionRow.id).where(
                VersionRow.plan_id == plan_id,
                VersionRow.dataset == item.dataset,
                VersionRow.data_origin == "sample",
                VersionRow.source_sha256 == digest,
            )
        )
        if known is not None:
            continue
        current = current_version(session, plan_id, item.dataset)
        row = add_version(
            session,
            plan_id,
            item.dataset,
            item.records,
            item.columns,
            item.sources,
            origin="sample",
            data_origin="sample",
            source_name="、".join(f"{folder.name}/{s.filename}" for s in item.sources),
            source_sha=digest,
            make_current=current is None or current.data_origin == "sample",
            extra=item.extra,
            note="样例数据",
            author=actor,
        )
        added.append(row)
    if added or meta_changed:
        what = "、".join(f"{dataset_label(r.dataset)} 第 {r.number} 版" for r in added)
        audit.record(
            session,
            actor,
            "samples_loaded",
            plan=plan_id,
            summary=f"{'载入' if new_plan else '更新'}样例数据 {folder.name}"
            + (f"：{what}" if what else "：规划信息"),
            records=[r.id for r in added],
            after=versions_added(added, meta_changed),
        )
    return len(added)


def versions_added(added: list, meta_changed: bool) -> dict:
    """The ``after`` of an audit row for versions added from a folder (samples, the demo copy)."""
    return {
        "versions": [
            {"dataset": r.dataset, "version": r.number, "rows": r.row_count, "sha256": r.source_sha256}
            for r in added
        ],
        **({"plan_meta": "updated"} if meta_changed else {}),
    }
