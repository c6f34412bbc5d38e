"""``make bench-scale``: Panhuo against a naive Streamlit app and a pandas floor, at N parcels.

For each N: generate N simulated parcels (:mod:`generate`), import them into a fresh SQLite
store with ``python -m panhuo import`` (wall time and the child's peak RSS), then, each in a
fresh process (:mod:`measure`) so that memory and caches do not mix: Panhuo's 总览, 区县目标,
时序安排 and 明细 through AppTest (cold load, unchanged rerun, filter change to one 区县), the
same pages of ``naive_app.py``, and a plain pandas group-by by 区县 (the floor). Prints a
Markdown table and writes it with the raw figures to ``benchmarks/results/scale-<date>.md``
and ``.json`` (rewritten after every N, so an interrupted run keeps what it measured).

    python benchmarks/scale/run.py --sizes 10000 100000

The file imported is a GeoPackage when it fits the importer's current limits
(``panhuo/importing/_limits.py``), else the CSV of the same parcels (no geometry); ``--format``
forces one. Figures are server-side only: the browser's rendering is not included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402  (this folder, on sys.path when run as a script)

PAGES = {"overview": "总览", "targets": "区县目标", "timeline": "时序安排", "records": "明细"}
RESULTS = ROOT / "benchmarks" / "results"


# ------------------------------------------------------------------------------------ children


def run_child(command: list[str], env: dict[str, str], timeout: float) -> dict:
    """Run a command to its end: exit code, wall seconds, its own peak RSS (MB, from wait4),
    the tail of its output. Killed (with its process group) after ``timeout`` seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT, start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                timed_out = True
                os.killpg(child.pid, 9)
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return {
            "returncode": child.returncode,
            "seconds": round(seconds, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "timed_out": timed_out,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr_tail": err.read().decode("utf-8", "replace")[-2000:],
        }


def bench_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ, PANHUO_DEMO="0", PANHUO_DATABASE_URL=database_url, PYTHONHASHSEED="0")
    env["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] = "full"  # a failed page's result names the error
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def measure(args: list[str], env: dict[str, str], timeout: float) -> dict:
    """One :mod:`measure` process; its JSON result with the process's wall time and peak RSS."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        child = run_child([sys.executable, str(HERE / "measure.py"), *args, "--out", str(out)], env, timeout)
        text = out.read_text(encoding="utf-8") if out.stat().st_size else ""
    finally:
        out.unlink(missing_ok=True)
    if text:
        result = json.loads(text)
    else:
        error = "Timeout" if child["timed_out"] else f"exit {child['returncode']}"
        result = {"ok": False, "error": error, "message": child["stderr_tail"][-300:]}
    result["process_s"] = child["seconds"]
    result["process_peak_rss_mb"] = child["peak_rss_mb"]
    return result


# ------------------------------------------------------------------------------------ one size


def choose_format(n: int, paths: dict[str, Path], wanted: str) -> str:
    """The GeoPackage if the importer's current limits accept it, else the CSV."""
    if wanted != "auto":
        return wanted
    from panhuo.importing import _limits

    gpkg = paths["gpkg"]
    fits = gpkg.stat().st_size <= _limits.MAX_FILE_BYTES and n <= _limits.MAX_ROWS
    return "gpkg" if fits else "csv"


def bench_size(n: int, options: argparse.Namespace) -> dict:
    work = options.workdir
    work.mkdir(parents=True, exist_ok=True)
    formats = ["gpkg", "csv"] if options.format == "auto" else [options.format]
    record: dict = {"n": n}
    log(f"N={n:,}: generating ({', '.join(formats)})")
    child = run_child(
        [sys.executable, str(HERE / "generate.py"), str(n), "--seed", str(options.seed), "--format", *formats,
         "--out", str(work)],
        dict(os.environ), options.import_timeout,
    )  # fmt: skip
    record["generate"] = {"seconds": child["seconds"], "peak_rss_mb": child["peak_rss_mb"]}
    if child["returncode"] != 0:
        record["generate"]["error"] = child["stderr_tail"][-500:]
        return record
    paths = {fmt: generate.output_path(work, n, fmt) for fmt in formats}
    fmt = choose_format(n, paths, options.format)
    file = paths[fmt]
    record.update(format=fmt, file=str(file), file_mb=round(file.stat().st_size / 1e6, 1))

    database = Path(f"/tmp/bench-scale-{n}.sqlite")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    env = bench_env(f"sqlite:///{database}")
    plan = f"scale-{n}"
    log(f"N={n:,}: importing {file.name} ({record['file_mb']} MB) into {database}")
    command = [sys.executable, "-m", "panhuo", "import", str(file), "--plan", plan, "--json",
               "--title", generate.plan_title(n), "--province", generate.PROVINCE, "--city", generate.CITY]  # fmt: skip
    child = run_child(command, env, options.import_timeout)
    imported = {
        "seconds": child["seconds"],
        "peak_rss_mb": child["peak_rss_mb"],
        "returncode": child["returncode"],
    }
    try:
        answer = json.loads(child["stdout"])
        imported.update(
            status=answer.get("status"), rows=answer.get("imported"), message=answer.get("message")
        )
    except json.JSONDecodeError:
        imported.update(status="failed", message=(child["stderr_tail"] or child["stdout"])[-500:])
    if child["timed_out"]:
        imported["status"] = "Timeout"
    imported["ok"] = child["returncode"] == 0 and imported.get("status") == "imported"
    imported["store_mb"] = round(
        sum(p.stat().st_size for p in database.parent.glob(f"{database.name}*")) / 1e6, 1
    )
    record["import"] = imported
    log(f"N={n:,}: import {imported.get('status')} in {imported['seconds']:.1f} s")

    run_timeout = options.timeout * (2 + 2 * options.repeats) + 120
    common = ["--repeats", str(options.repeats), "--timeout", str(options.timeout)]
    record["floor"] = measure(["floor", "--file", str(file), *common], env, run_timeout)
    record["pages"] = {}
    for page in options.pages:
        entry = record["pages"][page] = {}
        if imported["ok"]:
            log(f"N={n:,}: Panhuo {page}")
            entry["panhuo"] = measure(["panhuo", page, "--plan", plan, *common], env, run_timeout)
        else:
            entry["panhuo"] = {"ok": False, "error": "ImportFailed", "message": imported.get("message", "")}
        log(f"N={n:,}: naive {page}")
        entry["naive"] = measure(["naive", page, "--file", str(file), *common], env, run_timeout)
    if not options.keep:
        for path in paths.values():
            path.unlink(missing_ok=True)
    return record


# ------------------------------------------------------------------------------------ report


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _s(result: dict | None, key: str) -> str:
    if not result:
        return "–"
    if not result.get("ok", True) and result.get(key) is None:
        return f"failed: {result.get('error', '?')}"
    value = result.get(key)
    return "–" if value is None else f"{value:.2f}"


def _ratio(top: dict | None, bottom: dict | None, key: str, bottom_key: str | None = None) -> str:
    a = (top or {}).get(key)
    b = (bottom or {}).get(bottom_key or key)
    return f"{a / b:.1f}×" if a and b else "–"


def _mb(result: dict | None) -> str:
    value = (result or {}).get("rss_mb")
    return "–" if value is None else f"{value:,.0f}"


def markdown(report: dict) -> str:
    env = report["environment"]
    lines = [
        f"# 规模基准（scale benchmark）{report['date']}",
        "",
        f"Generated parcels (模拟, {generate.CITY}), `make bench-scale`; {env['cpus']} CPUs shared with other "
        f"work, {env['memory_gb']} GB; Python {env['python']}, Streamlit {env['streamlit']}. Times in "
        "seconds, server-side through AppTest (no browser), each app and page in a fresh process.",
        "",
        "- *cold*: from a fresh process to the page shown; for Panhuo a first run on the default page "
        "(which registers the pages), then the run of the link `/<page>?plan=scale-N`, shown apart;",
        "- *rerun*: an unchanged rerun; *filter*: one 区县 chosen in the sidebar, median of "
        f"{report['repeats']} changes (a different 区县 each time);",
        "- *naive/Panhuo* above 1× means Panhuo is faster; *floor*: a pandas group-by by 区县 over the "
        "rows already in memory;",
        "- memory: RSS of the process after the page's runs (MB); *largest element*: the biggest "
        "element the page sends (MB).",
        "",
        "## Import",
        "",
        "| N | file | generate s | import s | import peak RSS MB | store MB | floor ms | status | commit |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in report["sizes"]:
        imported = size.get("import", {})
        floor = size.get("floor", {})
        floor_ms = f"{floor['groupby_median_s'] * 1000:.1f}" if floor.get("groupby_median_s") else "–"
        lines.append(
            f"| {size['n']:,} | {size.get('format', '–')} {size.get('file_mb', '–')} MB "
            f"| {size['generate']['seconds']:.1f} | {imported.get('seconds', 0):.1f} "
            f"| {imported.get('peak_rss_mb', 0):,.0f} | {imported.get('store_mb', '–')} | {floor_ms} "
            f"| {imported.get('status', '–')} | `{size.get('commit', '?')}`{'+' if size.get('dirty') else ''} |"
        )
    lines += [
        "",
        "## Pages",
        "",
        "| N | page | Panhuo cold | of which the link's run | Panhuo rerun | Panhuo filter | naive cold | naive filter "
        "| naive/Panhuo cold | naive/Panhuo filter | Panhuo filter/floor | Panhuo MB | naive MB | largest element MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size in report["sizes"]:
        floor = size.get("floor", {})
        for page, entry in size.get("pages", {}).items():
            ours, naive = entry.get("panhuo"), entry.get("naive")
            lines.append(
                f"| {size['n']:,} | {PAGES[page]} | {_s(ours, 'cold_s')} | {_s(ours, 'page_run_s')} "
                f"| {_s(ours, 'warm_median_s')} "
                f"| {_s(ours, 'filter_median_s')} | {_s(naive, 'cold_s')} | {_s(naive, 'filter_median_s')} "
                f"| {_ratio(naive, ours, 'cold_s')} | {_ratio(naive, ours, 'filter_median_s')} "
                f"| {_ratio(ours, floor, 'filter_median_s', 'groupby_median_s')} | {_mb(ours)} | {_mb(naive)} "
                f"| {(ours or {}).get('largest_element_mb', '–')} |"
            )
    failures = [
        f"- N={size['n']:,} {PAGES[page]} {app}: {result.get('error')} — {result.get('message', '')}"
        for size in report["sizes"]
        for page, entry in size.get("pages", {}).items()
        for app, result in entry.items()
        if not result.get("ok", True)
    ]
    if failures:
        lines += ["", "## Failures", "", *failures]
    notes = [
        f"- N={size['n']:,} (started {size.get('started', '?')}, load average "
        f"{' '.join(f'{x:.1f}' for x in size.get('load_average_start', []))}): {size['note']}"
        for size in report["sizes"]
        if size.get("note")
    ]
    if notes:
        lines += ["", "## Notes", "", *notes]
    return "\n".join(lines) + "\n"


def environment() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return ""

    import streamlit

    return {
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no").strip()),
        "cpus": os.cpu_count(),
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
    }


def earlier_sizes(out: Path, measuring: list[int]) -> list[dict]:
    """Today's results for the sizes not measured again now (each says its own commit), so a run
    of one size (``SIZES=1000000``) completes the day's table instead of replacing it."""
    path = out / f"scale-{dt.date.today().isoformat()}.json"
    if not path.exists():
        return []
    return [
        size for size in json.loads(path.read_text(encoding="utf-8"))["sizes"] if size["n"] not in measuring
    ]


def write(report: dict, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"scale-{report['date']}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return md_path, json_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="规模基准：生成、导入、逐页计时（Panhuo、朴素应用、pandas 下限）"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--format", choices=["auto", "gpkg", "csv"], default="auto")
    parser.add_argument("--repeats", type=int, default=3, help="filter changes (and reruns) per page")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run of a page")
    parser.add_argument("--import-timeout", type=float, default=3600)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bench-scale")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--fresh", action="store_true", help="drop the sizes measured earlier today")
    parser.add_argument("--note", default="", help="a sentence kept with each size measured (what was run)")
    options = parser.parse_args(argv)
    report = {
        "date": dt.date.today().isoformat(),
        "environment": environment(),
        "repeats": options.repeats,
        "timeout_s": options.timeout,
        "sizes": [] if options.fresh else earlier_sizes(options.out, options.sizes),
    }
    for n in options.sizes:
        record = {
            "commit": report["environment"]["commit"],
            "dirty": report["environment"]["dirty"],
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "load_average_start": list(os.getloadavg()),
            "note": options.note,
        }
        record.update(bench_size(n, options))
        report["sizes"] = sorted([*report["sizes"], record], key=lambda size: size["n"])
        md_path, json_path = write(report, options.out)
    print(markdown(report))
    log(
        f"written {md_path.relative_to(ROOT) if md_path.is_relative_to(ROOT) else md_path} and {json_path.name}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
