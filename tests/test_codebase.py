"""Checks of the codebase itself: layering, documentation of settings, data hygiene."""

import ast
import re

import pandas as pd
import pytest

from panhuo.settings import SETTINGS_TABLE
from tests.conftest import ROOT, SAMPLE_IDS


def _imports(path, root=ROOT):
    """Every module ``path`` imports, relative imports resolved against its package under ``root``
    (``from . import x`` in ``components/m.py`` is ``components.x``), so none slips past a check."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = list(path.relative_to(root).parent.parts)  # of a module and of an __init__.py alike
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            if node.module:
                yield ".".join([*base, node.module])
            else:  # from . import a, b: each name may be a module of the package
                yield from (".".join([*base, alias.name]) for alias in node.names)


def test_domain_package_never_imports_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "panhuo").rglob("*.py")
        if any(name == "streamlit" or name.startswith("streamlit.") for name in _imports(path))
    ]
    assert offenders == []


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [env for _name, env, _default, _help in SETTINGS_TABLE if env not in readme]
    assert missing == []


def test_readme_names_the_two_commands_and_ci_calls_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


@pytest.mark.parametrize("plan_id", SAMPLE_IDS)
def test_every_row_of_every_sample_csv_says_where_it_comes_from(plan_id):
    folder = ROOT / "data" / plan_id
    if not (folder / "plan.toml").exists():
        pytest.fail(f"sample plan {plan_id} is missing")
    for path in folder.rglob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert "source" in frame.columns, f"{path.relative_to(ROOT)} has no source column"
        empty = frame.index[frame["source"].str.strip() == ""].tolist()
        assert empty == [], f"{path.relative_to(ROOT)}: rows without source {empty[:5]}"


def _offenders(package: str, *forbidden: str, root=ROOT) -> list[str]:
    """Modules of ``package`` that import any of ``forbidden`` (a package or one of its modules)."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        for name in _imports(path, root):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root).as_posix()} imports {name}")
    return found


def test_imports_point_from_pages_to_components_to_the_domain():
    """Pages are files the router lists; nothing below imports a page, and the domain knows
    neither the components nor Streamlit."""
    assert _offenders("components", "app_pages") == []
    assert _offenders("panhuo", "app_pages", "components", "streamlit") == []


def test_the_import_check_sees_every_form_of_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import app_pages.overview\nfrom app_pages import records\nfrom components import x\n")
    assert set(_imports(module, tmp_path)) == {"app_pages.overview", "app_pages", "components"}


def test_the_import_check_resolves_relative_imports(tmp_path):
    """``from .. import app_pages`` inside components/ is caught like the absolute form."""
    (tmp_path / "components" / "sub").mkdir(parents=True)
    (tmp_path / "components" / "m.py").write_text(
        "from . import x, y\nfrom .cached import plan\nfrom .. import app_pages\nfrom ..app_pages import overview\n"
    )
    (tmp_path / "components" / "sub" / "__init__.py").write_text("from ...app_pages.records import render\n")
    assert set(_imports(tmp_path / "components" / "m.py", tmp_path)) == {
        "components.x", "components.y", "components.cached", "app_pages",
    }  # fmt: skip
    assert _offenders("components", "app_pages", root=tmp_path) == [
        "components/m.py imports app_pages",  # from .. import app_pages
        "components/m.py imports app_pages",  # from ..app_pages import overview
        "components/sub/__init__.py imports app_pages.records",
    ]


def test_pages_show_plotly_charts_only_through_the_inert_wrapper():
    """Plotly reads HTML tags in data strings; components.chart_view makes them inert."""
    direct = [
        f"{path.name}:{n}"
        for path in sorted((ROOT / "app_pages").glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.plotly_chart\(", line)
    ]
    assert direct == []


def test_every_csv_download_goes_through_the_formula_guard():
    """Only panhuo.export.to_csv_bytes writes CSV: it guards cells a spreadsheet would run."""
    writers = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("app_pages", "components", "panhuo")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".to_csv(" in line and path != ROOT / "panhuo" / "export.py"
    ]
    assert writers == []


# Streamlit reads these elements' text (and a widget's label and help) as Markdown
_MARKDOWN_ELEMENTS = {
    "markdown", "caption", "info", "warning", "error", "success", "toast", "write", "title", "header",
    "subheader", "expander", "popover", "status", "progress", "metric", "button", "download_button",
    "link_button", "page_link", "form_submit_button", "checkbox", "toggle", "radio", "selectbox",
    "multiselect", "pills", "segmented_control", "slider", "select_slider", "text_input", "text_area",
    "number_input", "date_input", "time_input", "file_uploader", "color_picker",
}  # fmt: skip
_NUMBERS = {"len", "int", "sum", "min", "max", "float"}
_CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
# Interpolations that are neither plain() nor obviously code-made, each checked by hand: words the
# code picks from its own literals, counts, dates, ids the store generates, and a percent-encoded
# link target. A new f-string that puts anything else into Markdown must escape it with plain().
_CODE_MADE = {
    "app_pages/consultation.py": {"comment.number", "found.number", "item.number", "topic"},
    "app_pages/consultation_review.py": {"released", "w.id"},
    "app_pages/policy.py": {"label", "quote(plan_id, safe='')"},
    "app_pages/potential.py": {"printed"},
    "app_pages/progress.py": {"pm.day_text(m.as_of)"},
    "app_pages/progress_report.py": {"measure_word(ctx.dataset)", "noun(ctx.dataset)"},
    "app_pages/targets.py": {"split_label"},
    "app_pages/timeline.py": {"undated", "label"},
    "app_pages/users.py": {"active"},
    "components/audit_view.py": {"note", "pages"},
    "components/auth.py": {"what"},
    "components/cached.py": {"detail"},
    "components/consultation_summary.py": {"which"},
    "components/data_check.py": {"colour", "cause.checks"},
    "components/import_form.py": {"link", "role"},
    "components/progress_briefing.py": {"what", "version"},
    "components/progress_form.py": {
        "open_note",
        "due",
        "late",
        "label",
        "version",
        "timing",
        "last.revision",
    },
    "components/progress_monitor.py": {"label", "top"},
    "components/progress_review.py": {"config.cadence_months", "config.due_days"},
    "components/progress_targets.py": {"warnings", "current.version"},
    "components/screen.py": {"seconds", "title"},
    "components/table_download.py": {"total_label"},
    "components/versions_panel.py": {"digest"},
}


def _code_made(expr: ast.expr, allowed: set[str]) -> bool:
    if isinstance(expr, ast.Constant) or ast.unparse(expr) in allowed:
        return True
    if isinstance(expr, ast.JoinedStr):  # a nested f-string: its own parts
        return all(_code_made(v.value, allowed) for v in expr.values if isinstance(v, ast.FormattedValue))
    if isinstance(expr, ast.IfExp):
        return _code_made(expr.body, allowed) and _code_made(expr.orelse, allowed)
    if isinstance(expr, ast.BoolOp):
        return all(_code_made(v, allowed) for v in expr.values)
    if isinstance(expr, ast.BinOp):
        return _code_made(expr.left, allowed) and _code_made(expr.right, allowed)
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Name) and func.id in {"plain", *_NUMBERS}:
            return True
        if isinstance(func, ast.Attribute) and func.attr in {"isoformat", "upper"}:
            return True
        if isinstance(func, ast.Attribute) and func.attr == "get":  # LABELS.get(key, "…")
            return _code_made(func.value, allowed)
    while isinstance(expr, ast.Subscript):  # LABELS[key]
        expr = expr.value
    name = expr.attr if isinstance(expr, ast.Attribute) else expr.id if isinstance(expr, ast.Name) else ""
    return bool(_CONSTANT.match(name))


def test_markdown_f_strings_escape_what_does_not_come_from_the_code():
    """Text from a document, an import, a comment or the URL goes through plain() before an
    f-string puts it into Markdown; numbers (a format spec), constants and the hand-checked words
    above need not."""
    unescaped = []
    for folder in ("app_pages", "components"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            allowed = _CODE_MADE.get(where, set())
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr not in _MARKDOWN_ELEMENTS:
                    continue
                shown = node.args[:1] + [
                    k.value for k in node.keywords if k.arg in ("label", "body", "help", "text")
                ]
                for text in (a for a in shown if isinstance(a, ast.JoinedStr)):
                    for part in text.values:
                        numeric = isinstance(part, ast.FormattedValue) and part.format_spec is not None
                        if (
                            isinstance(part, ast.FormattedValue)
                            and not numeric
                            and not _code_made(part.value, allowed)
                        ):
                            unescaped.append(f"{where}:{node.lineno}: {ast.unparse(part.value)}")
    assert unescaped == []


def test_the_markdown_check_finds_an_unescaped_title():
    """The check above is not vacuous: a document's title put into a caption is caught, plain() passes."""
    bad = ast.parse('st.caption(f"标题：{table.title}")').body[0].value.args[0].values[1].value
    good = ast.parse('st.caption(f"标题：{plain(table.title)}")').body[0].value.args[0].values[1].value
    assert not _code_made(bad, set()) and _code_made(good, set())
