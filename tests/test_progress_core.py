"""进展填报 core: periods, every validation rule (table-driven), the workflow and its audit
trail, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select

from panhuo.access import Grant, PermissionDenied, Role, User
from panhuo.catalog import open_catalog
from panhuo.progress import DEFAULT_STAGES, Progress, ProgressRejected, check_entries, make_periods
from panhuo.progress.service import record_frame
from panhuo.store import Store
from panhuo.store.schema import AuditRow, ProgressEntryRow, ProgressReportRow
from tests.conftest import ROOT
from tests.test_store import BACKENDS, use_database

PLAN = "huzhou-2023"
TODAY = dt.date(2024, 7, 20)  # after 2024-B3 (5—6月, due 07-15) ended
REPORTER = User("dq", "德清填报员", (Grant(Role.REPORTER, PLAN, ("德清县",)),))
OTHER = User("cx", "长兴填报员", (Grant(Role.REPORTER, PLAN, ("长兴县",)),))
ANALYST = User("fx", "分析员", (Grant(Role.ANALYST, PLAN),))


@pytest.fixture(scope="module")
def huzhou():
    return open_catalog(imports=False).get(PLAN)


@pytest.fixture(params=BACKENDS)
def progress(request, tmp_path, monkeypatch, huzhou):
    folder = tmp_path / "data"
    for name in (PLAN, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    use_database(request.param, tmp_path, monkeypatch)
    store = Store.open()
    return Progress(store, today=lambda: TODAY)


def deqing(plan):
    records = record_frame(plan)[1]
    return records[records["county"] == "德清县"].reset_index(drop=True)


def entry(record_id, **values):
    return {"record_id": record_id, **values}


# --- periods ---------------------------------------------------------------------------------
def test_huzhou_reports_every_two_months_from_its_data(huzhou):
    made = make_periods(dt.date(2023, 1, 1), 2027, int(huzhou.meta["progress_cadence_months"]))
    assert len(made) == 30
    assert [p.id for p in made[:3]] == ["2023-B1", "2023-B2", "2023-B3"]
    assert made[-1].label == "2027年第6期（11—12月）" and made[-1].due == dt.date(2028, 1, 15)


def test_default_cadence_is_half_yearly():
    periods = make_periods(dt.date(2021, 1, 1), 2022, 6)
    assert [(p.id, p.label, p.end.isoformat()) for p in periods] == [
        ("2021-H1", "2021年上半年", "2021-06-30"),
        ("2021-H2", "2021年下半年", "2021-12-31"),
        ("2022-H1", "2022年上半年", "2022-06-30"),
        ("2022-H2", "2022年下半年", "2022-12-31"),
    ]


# --- validation, one rule a row ----------------------------------------------------------------
B3 = make_periods(dt.date(2024, 1, 1), 2024, 2)[2]  # 2024-B3, 5—6月
PREVIOUS = {"Z": {"record_id": "Z", "stage": "started", "area": "100", "investment": "5000"}}
OK = dict(stage="开工", approved_on="2024-01-05", supplied_on="2024-02-01", started_on="2024-03-01")
FIGURES = dict(area="120", investment="6000")
CASES = [
    # (name, entry values, expected (severity, column, words in the problem) or None)
    ("clean", dict(OK, area="120", investment="6000"), None),
    ("unknown id", dict(record_id="999", **OK), ("error", "编号", "不在本规划")),
    ("other county", dict(record_id="OTHER", **OK), ("error", "编号", "不属于本报告的德清县")),
    ("unknown stage", dict(OK, stage="拆迁中"), ("error", "阶段", "未知的阶段")),
    ("stage back", dict(stage="方案批复", approved_on="2024-01-05"), ("error", "阶段", "退回")),
    (
        "stage back with reason",
        dict(stage="方案批复", approved_on="2024-01-05", reason="重新报批"),
        ("warning", "阶段", "已说明原因"),
    ),
    (
        "date missing",
        dict(stage="开工", approved_on="2024-01-05", supplied_on="2024-02-01"),
        ("error", "开工日期", "须填写开工日期"),
    ),
    ("date for stage not reached", dict(OK, completed_on="2024-04-01"), ("error", "竣工日期", "但阶段为")),
    ("dates out of order", dict(OK, started_on="2024-01-01"), ("error", "开工日期", "早于供地/签约日期")),
    ("not a date", dict(OK, started_on="三月初"), ("error", "开工日期", "不是日期")),
    ("date in the future", dict(OK, started_on="2024-07-25"), ("error", "开工日期", "晚于今天")),
    ("date after period end", dict(OK, started_on="2024-07-02"), ("warning", "开工日期", "晚于本期截止日")),
    ("area falls", dict(OK, area="90"), ("error", "累计再开发面积（亩）", "减少")),
    (
        "area falls with reason",
        dict(OK, area="90", reason="上期误报"),
        ("warning", "累计再开发面积（亩）", "已说明原因"),
    ),
    ("investment falls", dict(OK, investment="4000"), ("error", "累计投资（万元）", "减少")),
    ("not a number", dict(OK, investment="约五千"), ("error", "累计投资（万元）", "不是数字")),
    ("negative", dict(OK, floor_area="-5"), ("error", "新增建筑面积（平方米）", "负数")),
    ("area within rounding", dict(OK, area="{area}.4"), ("warning", "累计再开发面积（亩）", "取整误差内")),
    ("area beyond record", dict(OK, area="{area}.6"), ("error", "累计再开发面积（亩）", "超过该记录面积")),
    ("stage without any date", dict(stage="竣工"), ("error", "方案批复日期", "须填写")),
    ("area left blank", dict(OK, area=""), ("error", "累计再开发面积（亩）", "留空，上期已通过的为“100”")),
    (
        "stage left blank",
        dict(area="120", investment="6000", stage=""),
        ("error", "阶段", "留空，上期已通过的为“开工”"),
    ),
]


@pytest.mark.parametrize(("name", "values", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_rule(huzhou, name, values, expected):
    records = deqing(huzhou)
    first = records.iloc[0]
    other = record_frame(huzhou)[1].query("county == '长兴县'").iloc[0]["id"]
    rid = {"999": "999", "OTHER": other}.get(values.get("record_id"), first["id"])
    values = {k: v.format(area=first["area"]) for k, v in (FIGURES | values).items() if k != "record_id"}
    previous = {rid: dict(PREVIOUS["Z"], record_id=rid)}
    cleaned, problems = check_entries(
        [entry(rid, **values)],
        records=record_frame(huzhou)[1],
        county="德清县",
        previous=previous,
        stages=DEFAULT_STAGES,
        unit="亩",
        period=B3,
        today=TODAY,
    )
    if expected is None:
        assert problems == [] and cleaned[0]["stage"] == "started"
        return
    severity, column, words = expected
    found = [(p.severity, p.column, p.problem) for p in problems]
    assert any(s == severity and c == column and words in text for s, c, text in found), found
    if severity == "warning":
        assert not [p for p in problems if p.severity == "error"], found


def test_duplicates_and_missing_ids_are_listed_not_dropped(huzhou):
    rid = deqing(huzhou).iloc[0]["id"]
    _cleaned, problems = check_entries(
        [entry(rid), entry(rid), entry(""), entry("X-1"), entry("X-2")],
        records=record_frame(huzhou)[1], county="德清县", previous={}, stages=DEFAULT_STAGES,
        unit="亩", period=B3, today=TODAY,
    )  # fmt: skip
    texts = [(p.row, p.problem) for p in problems]
    assert (2, f"编号 {rid} 重复（另见第 1 行）") in texts
    assert (3, "缺少编号") in texts
    assert {p.value for p in problems if "不在本规划" in p.problem} == {"X-1", "X-2"}


# --- workflow --------------------------------------------------------------------------------
def count(store, row):
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(row))


def audit_kinds(store):
    with store.session() as session:
        return [
            r.kind
            for r in session.scalars(select(AuditRow).order_by(AuditRow.id))
            if r.kind.startswith("progress")
        ]


def test_report_review_return_resubmit_approve(progress, huzhou):
    p, store = progress, progress.store
    rid = deqing(huzhou).iloc[0]["id"]
    area = deqing(huzhou).iloc[0]["area"]
    narrative = {"progress": "完成征收", "cases": "某村"}

    draft = p.save_draft(
        REPORTER, huzhou, "德清县", "2024-B3", [entry(rid, **OK, area="50", investment="800")], narrative
    )
    assert (draft.state, draft.revision) == ("draft", 1)
    again = p.save_draft(
        REPORTER, huzhou, "德清县", "2024-B3", [entry(rid, **OK, area="60", investment="800")], narrative
    )
    assert again.id == draft.id and p.entries(draft.id)[0]["area"] == "60"

    submitted = p.submit(REPORTER, huzhou, "德清县", "2024-B3")
    assert submitted.state == "submitted" and submitted.late is True  # due 2024-07-15, today 07-20
    with pytest.raises(ValueError, match="已提交，等待审核"):
        p.save_draft(REPORTER, huzhou, "德清县", "2024-B3", [entry(rid, **OK)], narrative)
    assert p.approved_state(huzhou, "2024-B3").set_index("id").loc[rid, "state"] == "none"

    with pytest.raises(ValueError, match="退回须写明理由"):
        p.return_report(ANALYST, huzhou, "德清县", "2024-B3", "  ")
    returned = p.return_report(ANALYST, huzhou, "德清县", "2024-B3", "投资额与台账不符")
    assert returned.state == "returned" and returned.review_note == "投资额与台账不符"

    fixed = p.save_draft(
        REPORTER, huzhou, "德清县", "2024-B3", [entry(rid, **OK, area="60", investment="950")], narrative
    )
    assert (fixed.revision, fixed.previous_id) == (2, returned.id)
    assert p.entries(returned.id)[0]["investment"] == "800"  # the returned revision is kept as it was
    p.submit(REPORTER, huzhou, "德清县", "2024-B3")
    approved = p.approve(ANALYST, huzhou, "德清县", "2024-B3")
    assert approved.state == "approved" and approved.reviewed_by_label == "分析员（fx）"

    state = p.approved_state(huzhou, "2024-B3").set_index("id")
    assert state.loc[rid, ["stage_label", "area", "investment", "unit", "state"]].tolist() == [
        "开工",
        "60",
        "950",
        "亩",
        "approved",
    ]
    assert state.loc[rid, "record_area"] == area
    later = p.approved_state(huzhou, "2024-B4").set_index("id")
    assert later.loc[rid, "state"] == "carried" and later.loc[rid, "period_id"] == "2024-B3"
    statuses = {s.county: s for s in p.status(huzhou, "2024-B3")}
    assert statuses["德清县"].state_label == "已通过" and statuses["德清县"].late
    assert statuses["长兴县"].state_label == "未报送（已逾期）"  # due 07-15, today 07-20

    # a correction after approval is a new submission with a reason, never an edit in place
    with pytest.raises(ValueError, match="更正须写明更正原因"):
        p.save_draft(REPORTER, huzhou, "德清县", "2024-B3", [entry(rid, **OK, area="61")], narrative)
    correction = p.save_draft(
        REPORTER, huzhou, "德清县", "2024-B3", [entry(rid, **OK, area="61", investment="950")], narrative,
        correction_reason="面积复核",
    )  # fmt: skip
    assert (correction.kind, correction.revision, correction.correction_reason) == (
        "correction",
        3,
        "面积复核",
    )
    assert p.approved_state(huzhou, "2024-B3").set_index("id").loc[rid, "area"] == "60"  # until approved
    assert [r.state for r in p.history(PLAN, "德清县", "2024-B3")] == ["returned", "approved", "draft"]
    changes = p.changes(huzhou, correction.id).set_index("项目")
    assert changes.loc["累计再开发面积（亩）", ["上期", "本期"]].tolist() == ["", "61"]  # no earlier period
    assert changes.loc["阶段", ["编号", "本期"]].tolist() == [rid, "开工"]
    assert audit_kinds(store) == [
        "progress_draft_saved", "progress_draft_saved", "progress_submitted", "progress_returned",
        "progress_draft_saved", "progress_submitted", "progress_approved", "progress_draft_saved",
    ]  # fmt: skip


def test_next_period_checks_against_the_approved_one(progress, huzhou):
    p = progress
    rid = deqing(huzhou).iloc[0]["id"]
    p.save_draft(REPORTER, huzhou, "德清县", "2024-B2", [entry(rid, **OK, area="60", investment="950")])
    p.submit(REPORTER, huzhou, "德清县", "2024-B2")
    p.approve(ANALYST, huzhou, "德清县", "2024-B2")
    assert p.previous_values(huzhou, "德清县", "2024-B3")[rid]["area"] == "60"
    with pytest.raises(ProgressRejected) as caught:
        p.save_draft(REPORTER, huzhou, "德清县", "2024-B3", [entry(rid, **OK, area="40", investment="950")])
    assert "累计再开发面积由上期的 60 减少为 40，未说明原因" in [x.problem for x in caught.value.problems]
    assert count(p.store, ProgressReportRow) == 1  # nothing written for the rejected one


def test_a_reporter_cannot_touch_another_county(progress, huzhou):
    p = progress
    rid = deqing(huzhou).iloc[0]["id"]
    with pytest.raises(PermissionDenied, match="没有填报进展的权限"):
        p.save_draft(OTHER, huzhou, "德清县", "2024-B3", [entry(rid, **OK)])
    with pytest.raises(ProgressRejected) as caught:  # 德清's record in 长兴's report
        p.save_draft(OTHER, huzhou, "长兴县", "2024-B3", [entry(rid, **OK)])
    assert "不属于本报告的长兴县" in caught.value.problems[0].problem
    with pytest.raises(PermissionDenied):
        p.approve(REPORTER, huzhou, "德清县", "2024-B3")
    assert count(p.store, ProgressReportRow) == 0 and count(p.store, ProgressEntryRow) == 0


def test_nobody_reviews_their_own_report(progress, huzhou):
    p = progress
    admin = User("boss", "局长", (Grant(Role.ADMIN, PLAN),))
    p.save_draft(admin, huzhou, "德清县", "2024-B3", [], {"progress": "本期无新进展"})
    p.submit(admin, huzhou, "德清县", "2024-B3")
    with pytest.raises(PermissionDenied):
        p.approve(admin, huzhou, "德清县", "2024-B3")
    assert p.approve(ANALYST, huzhou, "德清县", "2024-B3").state == "approved"


def test_attachments_checked_by_content(progress, huzhou):
    p = progress
    p.save_draft(REPORTER, huzhou, "德清县", "2024-B3", [], {"progress": "现场照片"})
    png = _png()
    att = p.add_attachment(REPORTER, huzhou, "德清县", "2024-B3", "现场.png", png)
    assert att.media_type == "image/png" and att.thumbnail and att.size == len(png)
    assert p.attachment_content(att.id) == png
    with pytest.raises(ValueError, match="不是 JPG、PNG 图片或 PDF 文件"):
        p.add_attachment(REPORTER, huzhou, "德清县", "2024-B3", "照片.jpg", b"MZ\x90\x00 not an image")
    with pytest.raises(ValueError, match="已上传过"):
        p.add_attachment(REPORTER, huzhou, "德清县", "2024-B3", "again.png", png)
    with pytest.raises(ValueError, match="超过 10 MB"):
        p.add_attachment(
            REPORTER, huzhou, "德清县", "2024-B3", "big.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024)
        )
    assert len(p.attachments(p.report(PLAN, "德清县", "2024-B3").id)) == 1


def test_a_future_period_cannot_be_reported(progress, huzhou):
    with pytest.raises(ValueError, match="尚未开始"):
        progress.save_draft(REPORTER, huzhou, "德清县", "2024-B5", [])
    progress.save_draft(REPORTER, huzhou, "德清县", "2024-B4", [], {"progress": "进行中"})
    with pytest.raises(ValueError, match="才结束"):
        progress.submit(REPORTER, huzhou, "德清县", "2024-B4")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def _approve(p, huzhou, period, values):
    p.save_draft(REPORTER, huzhou, "德清县", period, [values])
    p.submit(REPORTER, huzhou, "德清县", period)
    return p.approve(ANALYST, huzhou, "德清县", period)


def test_a_blank_cell_never_erases_approved_figures(progress, huzhou):
    p = progress
    rid = deqing(huzhou).iloc[0]["id"]
    _approve(p, huzhou, "2024-B1", entry(rid, **OK, area="100", investment="500"))
    with pytest.raises(ProgressRejected) as caught:
        p.save_draft(REPORTER, huzhou, "德清县", "2024-B2", [entry(rid, note="本期无变化")])
    texts = {x.problem for x in caught.value.problems}
    assert "阶段留空，上期已通过的为“开工”，未说明原因" in texts
    assert "累计再开发面积留空，上期已通过的为“100”，未说明原因" in texts
    assert "累计投资留空，上期已通过的为“500”，未说明原因" in texts


def test_a_correction_may_not_rise_above_a_later_approved_period(progress, huzhou):
    p = progress
    rid = deqing(huzhou).iloc[0]["id"]
    _approve(p, huzhou, "2024-B3", entry(rid, **OK, area="50", investment="500"))
    with pytest.raises(ProgressRejected) as caught:  # 2024-B2 reported late, above what B3 says
        p.save_draft(REPORTER, huzhou, "德清县", "2024-B2", [entry(rid, **OK, area="500", investment="500")])
    assert "累计再开发面积 500 高于以后一期（2024-B3）已通过的 50，未说明原因" in [
        x.problem for x in caught.value.problems
    ]
    fine = p.save_draft(
        REPORTER, huzhou, "德清县", "2024-B2", [entry(rid, **OK, area="40", investment="400")]
    )
    assert fine.state == "draft"


def test_approval_is_of_the_revision_on_screen_and_never_by_its_editor(progress, huzhou):
    p = progress
    rid = deqing(huzhou).iloc[0]["id"]
    admin = User("boss", "局长", (Grant(Role.ADMIN, PLAN),))
    first = p.save_draft(REPORTER, huzhou, "德清县", "2024-B3", [entry(rid, **OK, area="10")])
    p.submit(REPORTER, huzhou, "德清县", "2024-B3")
    p.return_report(ANALYST, huzhou, "德清县", "2024-B3", "补充投资", report_id=first.id)
    p.save_draft(admin, huzhou, "德清县", "2024-B3", [entry(rid, **OK, area="150", investment="99999")])
    p.submit(REPORTER, huzhou, "德清县", "2024-B3")
    with pytest.raises(ValueError, match="已更新（现为第 2 版）"):
        p.approve(ANALYST, huzhou, "德清县", "2024-B3", report_id=first.id)
    with pytest.raises(PermissionDenied) as caught:  # the administrator typed these figures
        p.approve(admin, huzhou, "德清县", "2024-B3")
    assert str(caught.value.__cause__) == "不能审核自己填报或提交的报告"
    assert p.report(PLAN, "德清县", "2024-B3").state == "submitted"


def test_names_of_private_persons_are_masked_in_the_approved_state(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "s.sqlite"))
    plan = open_catalog(imports=False).get("shangdang-2021")
    parcels = plan.parcels
    private = parcels[
        (parcels["right_holder"].fillna("") != "") & (parcels["name"] == parcels["right_holder"])
    ]
    assert not private.empty  # 上党区 附表1 names a person
    p = Progress(Store.open(), today=lambda: TODAY)
    state = p.approved_state(plan, p.default_period(plan).id).set_index("id")
    assert state.loc[private.iloc[0]["id"], "name"] == "（权利人信息不公开）"
    from panhuo.access import CountyScope

    shown = p.approved_state(plan, p.default_period(plan).id, CountyScope(everything=True)).set_index("id")
    assert shown.loc[private.iloc[0]["id"], "name"] == private.iloc[0]["name"]


def test_an_attachment_comes_off_a_draft_only(progress, huzhou):
    p = progress
    p.save_draft(REPORTER, huzhou, "德清县", "2024-B3", [], {"progress": "现场照片"})
    att = p.add_attachment(REPORTER, huzhou, "德清县", "2024-B3", "错的.png", _png())
    with pytest.raises(PermissionDenied):
        p.remove_attachment(OTHER, huzhou, att.id)
    p.remove_attachment(REPORTER, huzhou, att.id)
    report = p.report(PLAN, "德清县", "2024-B3")
    assert p.attachments(report.id) == [] and audit_kinds(p.store)[-1] == "progress_attachment_removed"
    kept = p.add_attachment(REPORTER, huzhou, "德清县", "2024-B3", "对的.png", _png())
    p.submit(REPORTER, huzhou, "德清县", "2024-B3")
    with pytest.raises(ValueError, match="已提交的报告不能删除附件"):
        p.remove_attachment(REPORTER, huzhou, kept.id)
