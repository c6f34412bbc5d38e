"""The command line, run as a user would run it."""

import json
import subprocess
import sys

from tests.conftest import ROOT, SAMPLE_IDS


def run(*args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "panhuo", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_plans_lists_the_five_sample_plans():
    plans = json.loads(run("plans", "--json").stdout)
    assert [p["id"] for p in plans][: len(SAMPLE_IDS)] == SAMPLE_IDS
    assert all(p["title"] for p in plans)
    text = run("plans").stdout.splitlines()
    assert text[0].startswith("shangdang-2021\t")


def test_summary_by_county_gives_the_subtotals_printed_in_huzhou_annex_2(catalog):
    result = json.loads(run("summary", "huzhou-2023", "--by", "county", "--unit", "mu", "--json").stdout)
    table = catalog.get("huzhou-2023").tables["附件2"].frame
    printed = table[table["row_kind"] == "subtotal"]
    area_column = next(c for c in table.columns if c.startswith("面积"))
    expected = {g: int(v) for g, v in zip(printed["group"], printed[area_column], strict=True)}
    assert {g["key"]: g["area"] for g in result["groups"]} == expected
    assert result["area"] == 23743 and result["count"] == 66
    assert result["of"] == "zones" and result["unit"] == "mu"


def test_summary_in_hectares_is_the_same_area():
    result = json.loads(run("summary", "huzhou-2023", "--unit", "ha", "--json").stdout)
    assert result["area"] == round(23743 / 15, 4)


def test_reconcile_json_shape_and_exit_status():
    result = run("reconcile", "huzhou-2023", "--json")
    findings = json.loads(result.stdout)
    assert findings, "huzhou has published subtotals to check"
    assert set(findings[0]) >= {"table", "item", "documented", "computed", "difference", "severity"}
    assert {f["severity"] for f in findings} <= {"ok", "rounding", "mismatch", "invalid", "uncheckable"}


def test_reconcile_by_cause_gives_the_page_s_items():
    from panhuo.catalog import open_catalog
    from panhuo.causes import causes
    from panhuo.reconcile import reconcile

    result = run("reconcile", "wuwei-2023", "--json", "--by-cause")
    shown = json.loads(result.stdout)
    expected = causes(reconcile(open_catalog().get("wuwei-2023")))
    assert [(c["cause"], c["title"], c["checks"]) for c in shown["causes"]] == [
        (c.id, c.title, c.checks) for c in expected
    ]
    assert len(shown["causes"]) == 9 and shown["checks"] == 308
    far = next(f for c in shown["causes"] for f in c["findings"] if f["label"] == "平均容积率提高")
    assert (
        far["arithmetic"].endswith("0.97 − 0.27 = 0.70，文件为 0.79")
        and far["quote"] == "规划范围内平均容积率提高0.79"
    )
    every = json.loads(run("reconcile", "wuwei-2023", "--json").stdout)
    assert sum(1 for f in every if f["cause"]) == sum(c["checks"] for c in shown["causes"])


def test_reconcile_plain_counts_causes():
    out = run("reconcile", "shangdang-2021").stdout
    assert out.splitlines()[0].endswith(
        "问题 13 个（涉及 28 项核查）；共核查 362 项：一致 292，舍入误差 42（其中印刷惯例 2）"
    )
    assert "问题1 [不一致] 附表2 占比、附表8 现状占比" in out
    assert "138.66 ÷ 146.59 × 100 = 94.59%，文件为 86.36%" in out
    huzhou = run("reconcile", "huzhou-2023").stdout
    assert "未发现问题" in huzhou and "问题1" not in huzhou


def test_unknown_plan_is_a_clear_error_in_chinese():
    result = run("summary", "nowhere-1999", check=False)
    assert result.returncode == 2
    assert "没有编号为 nowhere-1999 的规划" in result.stderr
    assert "Traceback" not in result.stderr
