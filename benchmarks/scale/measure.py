"""One measurement of the scale benchmark, run by :mod:`run` in a fresh process of its own.

``panhuo PAGE``: open ``/PAGE?plan=PLAN`` through ``app.py`` as ``tests/pages.py`` does (a first
run registers the pages, then the link's page is switched to), then rerun unchanged (warm) and
choose one 区县 in the sidebar filter and rerun, several times with a different 区县 each time.
``naive PAGE``: the same on ``naive_app.py?page=PAGE``. ``floor``: a plain pandas group-by by 区县
over the same rows. The result is written as JSON to ``--out``; a page that shows an exception,
times out or would send a message over ``server.maxMessageSize`` is recorded as failed with the
error's type, and the process ends there.

    python benchmarks/scale/measure.py panhuo overview --plan scale-10000 --file F --out r.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PAGE_FILES = {
    "overview": "app_pages/overview.py",
    "targets": "app_pages/targets.py",
    "timeline": "app_pages/timeline.py",
    "records": "app_pages/records.py",
}
COUNTY_LABEL = "区县"


class PageFailed(Exception):
    """A run that did not show the page: ``kind`` is the error's type."""

    def __init__(self, kind: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.trace = trace or []


def rss_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (MB), from /proc."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return {"rss_mb": round(values.get("VmRSS", 0), 1), "peak_rss_mb": round(values.get("VmHWM", 0), 1)}


def _elements(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from _elements(child)


def message_bytes(at) -> tuple[int, int]:
    """(largest element, all elements) in bytes as serialised protobuf: what the server sends."""
    sizes = [el.proto.ByteSize() for el in _elements(at._tree) if getattr(el, "proto", None) is not None]
    return max(sizes, default=0), sum(sizes)


def _run(at, timeout: float, stage: str, result: dict) -> float:
    """Run the app once; seconds taken. Raises PageFailed on a timeout or a shown exception.
    ``stage`` (which run this is) is left in ``result``, so a failure says where it happened."""
    result["stage"] = stage
    started = time.perf_counter()
    try:
        at.run(timeout=timeout)
    except RuntimeError as exc:
        if "timed out" in str(exc):
            raise PageFailed("Timeout", f"run over {timeout:g} s") from exc
        raise PageFailed(type(exc).__name__, str(exc)[:300]) from exc
    elapsed = time.perf_counter() - started
    if at.exception:
        first = at.exception[0]
        kind = getattr(first.proto, "type", "") or "Exception"
        raise PageFailed(kind, first.value[:300], [line.strip() for line in first.stack_trace[-4:]])
    return elapsed


def _check_size(at, result: dict) -> None:
    from streamlit import config

    largest, total = message_bytes(at)
    result["largest_element_mb"] = round(largest / 1e6, 2)
    result["elements_mb"] = round(total / 1e6, 2)
    limit = config.get_option("server.maxMessageSize") * 1e6
    if total > limit:
        raise PageFailed(
            "MessageSizeError", f"{total / 1e6:.0f} MB over server.maxMessageSize {limit / 1e6:.0f} MB"
        )


def _county_filter(at):
    for widget in at.sidebar.multiselect:
        if widget.label == COUNTY_LABEL:
            return widget
    raise PageFailed("NoCountyFilter", "no 区县 multiselect in the sidebar")


def _interact(at, result: dict, repeats: int, timeout: float, *, linked: bool = False) -> None:
    """Warm reruns (nothing changed), then filter changes to one 区县 after another. ``linked``:
    the app mirrors its filters in the link, so the link must name the 区县 chosen."""
    result["warm_s"] = [_run(at, timeout, "rerun", result) for _ in range(repeats)]
    counties = list(_county_filter(at).options)
    result["filter_s"] = []
    for i in range(repeats):
        county = counties[i % len(counties)]
        _county_filter(at).set_value([county])
        result["filter_s"].append(_run(at, timeout, "filter", result))
        if linked and at.query_params.get("county") != county:
            raise PageFailed(
                "FilterNotApplied", f"the link says {at.query_params.get('county')!r}, not {county!r}"
            )
        result["filtered_to"] = county
    _check_size(at, result)


def measure_panhuo(page: str, plan: str, repeats: int, timeout: float, result: dict) -> None:
    from streamlit.testing.v1 import AppTest

    started = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    result["first_run_s"] = _run(at, timeout, "first run", result)  # the default page; registers the pages
    at.query_params.clear()
    at.switch_page(PAGE_FILES[page])
    at.query_params["plan"] = plan
    result["page_run_s"] = _run(at, timeout, "cold", result)
    result["cold_s"] = time.perf_counter() - started
    if at.query_params.get("plan") != plan:  # the link's plan was not found: another plan is shown
        raise PageFailed("PlanNotShown", f"the page shows {at.query_params.get('plan')!r}, not {plan!r}")
    _check_size(at, result)
    _interact(at, result, repeats, timeout, linked=True)


def measure_naive(page: str, file: str, repeats: int, timeout: float, result: dict) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ["PANHUO_BENCH_FILE"] = file
    started = time.perf_counter()
    at = AppTest.from_file(str(HERE / "naive_app.py"), default_timeout=timeout)
    at.query_params["page"] = page
    result["page_run_s"] = _run(at, timeout, "cold", result)
    result["cold_s"] = time.perf_counter() - started
    _check_size(at, result)
    _interact(at, result, repeats, timeout)


def measure_floor(file: str, repeats: int, result: dict) -> None:
    """The group-by alone, over rows already in memory with the area parsed (not timed)."""
    sys.path.insert(0, str(HERE))
    from naive_app import AREA, COUNTY, read

    frame = read(file)
    samples = []
    for _ in range(max(repeats, 5)):
        started = time.perf_counter()
        frame.groupby(COUNTY)[AREA].agg(["size", "sum"])
        samples.append(time.perf_counter() - started)
    result["groupby_s"] = samples
    result["rows"] = len(frame)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=["panhuo", "naive", "floor"])
    parser.add_argument("page", nargs="?", default="", choices=["", *PAGE_FILES])
    parser.add_argument("--plan", default="")
    parser.add_argument("--file", default="")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)  # app.py reads .streamlit/ and data/ relative to the project
    result: dict = {"app": args.app, "page": args.page, "ok": True}
    try:
        if args.app == "panhuo":
            measure_panhuo(args.page, args.plan, args.repeats, args.timeout, result)
        elif args.app == "naive":
            measure_naive(args.page, args.file, args.repeats, args.timeout, result)
        else:
            measure_floor(args.file, args.repeats, result)
    except PageFailed as failure:
        result.update(ok=False, error=failure.kind, message=failure.message, trace=failure.trace)
    except Exception as exc:  # recorded, not hidden: the run goes on with the next page
        result.update(ok=False, error=type(exc).__name__, message=str(exc)[:300])
    else:
        result.pop("stage", None)
    for key in ("warm_s", "filter_s", "groupby_s"):
        if result.get(key):
            result[key.replace("_s", "_median_s")] = statistics.median(result[key])
    result.update(rss_mb())
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]  # the machine is shared
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    sys.stdout.flush()
    os._exit(0)  # a timed-out script thread may still be running: do not wait for it


if __name__ == "__main__":
    main()
