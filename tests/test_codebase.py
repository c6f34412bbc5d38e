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
