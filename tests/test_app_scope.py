"""Private fields follow who is signed in (issue 10): a visitor sees the public view, an analyst
every right-holder, a 区县填报员 of 德清县 德清县's right-holders and no other 区县's — on 明细, in its
CSV/XLSX downloads and on 地图 — and a PANHUO_PUBLIC=1 deployment shows nothing private to anyone.

The sample 湖州 plan lists 片区 only, none with a right-holder; so these tests run on a copy of the
samples whose huzhou-2023 also carries a small parcel list, built here, with right-holders in
德清县, 长兴县 and 吴兴区 (made-up names marked 测试). 上党区's real 附表1 row 11 (a person's name,
the one right-holder of the samples) covers the one-区县 case.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile

import pytest
from streamlit.elements.deck_gl_json_chart import PydeckSelectionState, PydeckState
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from components.map_builder import FEATURE_LAYERS
from panhuo.privacy import MASK
from tests.accounts import sign_in
from tests.conftest import ROOT
from tests.pages import open_page

# (id, name, 区县, right-holder): a private person (name = right-holder) and a company in two 区县
FIXTURE_PARCELS = [
    ("D1", "沈测试", "德清县", "沈测试"),
    ("D2", "德清测试纺织厂", "德清县", "德清测试纺织有限公司"),
    ("C1", "钱测试", "长兴县", "钱测试"),
    ("C2", "长兴测试铸造厂", "长兴县", "长兴测试铸造有限公司"),
    ("W1", "吴兴测试印染厂", "吴兴区", "吴兴测试印染有限公司"),
]
DEQING_PRIVATE = {"沈测试", "德清测试纺织有限公司"}
OTHER_PRIVATE = {"钱测试", "长兴测试铸造有限公司", "吴兴测试印染有限公司"}
SHANGDANG_PERSON = "刘志平"  # 上党区 附表1 row 11: parcel name and right-holder


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """The sample plans, huzhou-2023 with the fixture parcel list beside its 片区."""
    target = tmp_path_factory.mktemp("scope-data")
    for plan in ("shangdang-2021", "huzhou-2023"):
        shutil.copytree(ROOT / "data" / plan, target / plan)
    with (target / "huzhou-2023" / "parcels.csv").open("w", encoding="utf-8", newline="") as handle:
        # the columns of a sample parcel list, so that the copy loads as the samples do
        with (ROOT / "data" / "shangdang-2021" / "parcels.csv").open(encoding="utf-8") as sample:
            fields = next(csv.reader(sample))
        writer = csv.DictWriter(handle, fields, restval="")
        writer.writeheader()
        for ident, name, county, holder in FIXTURE_PARCELS:
            writer.writerow({"id": ident, "name": name, "county": county, "type": "低效工业", "area": "10",
                             "area_unit": "亩", "right_holder": holder, "parcel_count": "1",
                             "source": "测试数据（非原文）"})  # fmt: skip
    return target


@pytest.fixture(autouse=True)
def _scope_data(data_dir, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("PANHUO_DATA_DIR", str(data_dir))
    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes behind every download button of the runs in a test, by the file id in its URL
    (AppTest keeps them in a media store that it drops after each run)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[file_id] = path_or_data if isinstance(path_or_data, bytes) else b""
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    from streamlit.runtime.media_file_manager import MediaFileManager

    deferred = MediaFileManager.add_deferred

    def keep_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        files[file_id] = data_callable  # made when clicked: called by _download, as a click would
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)
    return files


def _download(at: AppTest, files: dict, key: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    if button.proto.deferred_file_id:
        return files[button.proto.deferred_file_id]()
    return files[button.proto.url.rsplit("/", 1)[1].split(".")[0]]


def _csv_text(data: bytes) -> str:
    return data.decode("utf-8-sig")


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "".join(book.read(name).decode("utf-8", "ignore") for name in book.namelist())


def _records(session: dict | None = None, **params: str) -> AppTest:
    at = open_page("records", session=session, timeout=120, **params)
    assert at.title[0].value == "明细"
    return at


def _table(at: AppTest):
    return at.dataframe(key="records_table").value


def _shown(at: AppTest, files: dict[str, bytes]) -> dict[str, str]:
    """Everything a viewer of 明细 gets: the table, the captions and both downloads."""
    return {
        "table": _table(at).to_csv(),
        "captions": "\n".join(c.value for c in at.caption),
        "csv": _csv_text(_download(at, files, "records_csv")),
        "xlsx": _xlsx_text(_download(at, files, "records_xlsx")),
    }


def _deck_text(at: AppTest) -> str:
    (chart,) = at.get("deck_gl_json_chart")
    return json.dumps(json.loads(chart.proto.json), ensure_ascii=False)


# ---------------------------------------------------------------- 明细 and its downloads


def test_a_visitor_sees_no_right_holder_on_records_or_in_downloads(downloads):
    at = _records(plan="shangdang-2021")
    assert "权利人" not in _table(at).columns and len(_table(at)) == 89
    for what, text in _shown(at, downloads).items():
        assert SHANGDANG_PERSON not in text, what
        assert "权利人" not in text.replace("权利人信息不公开", "").replace("同值写入权利人", ""), what
    assert MASK in _shown(at, downloads)["csv"]
    assert not any("不公开信息仅显示" in c.value for c in at.caption)


def test_an_analyst_sees_every_right_holder_and_downloads_them(downloads):
    at = _records(sign_in("analyst", "huzhou-2023"), plan="huzhou-2023")
    table = _table(at)
    assert set(table["权利人"]) == DEQING_PRIVATE | OTHER_PRIVATE
    shown = _shown(at, downloads)
    for text in (shown["csv"], shown["xlsx"]):
        assert all(name in text for name in DEQING_PRIVATE | OTHER_PRIVATE)
    assert "不公开信息仅显示" not in shown["captions"]


def test_an_analyst_of_all_plans_sees_the_person_of_shangdang(downloads):
    at = _records(sign_in("analyst"), plan="shangdang-2021")
    assert SHANGDANG_PERSON in set(_table(at)["权利人"])
    assert SHANGDANG_PERSON in _csv_text(_download(at, downloads, "records_csv"))


def test_a_deqing_reporter_sees_deqing_private_fields_and_no_other_county(downloads):
    at = _records(sign_in("reporter", "huzhou-2023", ("德清县",)), plan="huzhou-2023")
    table = _table(at).set_index("序号")
    holders = table["权利人"].to_dict()
    assert holders == {"D1": "沈测试", "D2": "德清测试纺织有限公司", "C1": "", "C2": "", "W1": ""}
    # 长兴县's private person keeps no name either: the name is the right-holder's
    assert table.loc["C1", "名称"] == MASK and table.loc["C2", "名称"] == "长兴测试铸造厂"
    assert table.loc["D1", "名称"] == "沈测试"
    shown = _shown(at, downloads)
    for what, text in shown.items():
        assert not any(name in text for name in OTHER_PRIVATE), what
    for text in (shown["csv"], shown["xlsx"]):
        assert all(name in text for name in DEQING_PRIVATE)
    assert "权利人等不公开信息仅显示德清县的地块" in shown["captions"]


def test_a_deqing_reporter_cannot_search_another_countys_right_holder():
    session = sign_in("reporter", "huzhou-2023", ("德清县",)) | {"records_search": "钱测试"}
    at = _records(session, plan="huzhou-2023")
    assert len(_table(at)) == 0
    at.text_input(key="records_search").input("测试纺织有限公司").run()
    assert _table(at)["序号"].tolist() == ["D2"]


def test_a_reporter_link_to_another_county_or_plan_shows_the_public_view(downloads):
    """Filtering to 长兴县 by the link does not widen the scope; nor does another plan's link."""
    session = sign_in("reporter", "huzhou-2023", ("德清县",))
    at = _records(session, plan="huzhou-2023", county="长兴县")
    assert set(_table(at)["序号"]) == {"C1", "C2"}
    assert "权利人" not in _table(at).columns  # both rows blank: the column is left out
    assert not any(name in _csv_text(_download(at, downloads, "records_csv")) for name in OTHER_PRIVATE)
    other = _records(session, plan="shangdang-2021")
    assert "权利人" not in _table(other).columns
    assert SHANGDANG_PERSON not in _csv_text(_download(other, downloads, "records_csv"))
    assert not any("不公开信息仅显示" in c.value for c in other.caption)


def test_a_moderator_sees_nothing_private(downloads):
    at = _records(sign_in("moderator"), plan="shangdang-2021")
    assert "权利人" not in _table(at).columns
    assert SHANGDANG_PERSON not in _csv_text(_download(at, downloads, "records_csv"))


def test_a_public_deployment_shows_nothing_private_even_to_a_signed_in_analyst(monkeypatch, downloads):
    session = sign_in("analyst")
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    at = _records(session, plan="huzhou-2023")
    assert "权利人" not in _table(at).columns
    for what, text in _shown(at, downloads).items():
        assert not any(name in text for name in DEQING_PRIVATE | OTHER_PRIVATE), what


# ---------------------------------------------------------------- 地图


def _map(session: dict | None = None, **params: str) -> AppTest:
    at = open_page("map", session=session, timeout=120, **params)
    assert at.title[0].value == "地图"
    return at


def test_the_map_sends_right_holder_names_by_scope():
    visitor = _deck_text(_map(plan="huzhou-2023"))
    assert not any(name in visitor for name in DEQING_PRIVATE | OTHER_PRIVATE) and MASK in visitor
    analyst = _deck_text(_map(sign_in("analyst", "huzhou-2023"), plan="huzhou-2023"))
    assert {"沈测试", "钱测试"} <= {n for n in DEQING_PRIVATE | OTHER_PRIVATE if n in analyst}
    reporter = _deck_text(_map(sign_in("reporter", "huzhou-2023", ("德清县",)), plan="huzhou-2023"))
    assert "沈测试" in reporter and "钱测试" not in reporter and MASK in reporter


def test_the_selected_record_under_the_map_follows_the_scope():
    # what a click on two features would leave in the map's state (AppTest cannot click a map)
    objects = {layer: [{"record_id": "D1"}, {"record_id": "C1"}] for layer in FEATURE_LAYERS}
    picked = {
        "map_deck": PydeckState({"selection": PydeckSelectionState({"indices": {}, "objects": objects})})
    }
    session = sign_in("reporter", "huzhou-2023", ("德清县",)) | picked
    at = _map(session, plan="huzhou-2023")
    (chosen,) = [d.value for d in at.dataframe]
    rows = chosen.set_index("序号")
    assert rows.loc["D1", "权利人"] == "沈测试" and rows.loc["C1", "权利人"] == ""
    assert rows.loc["C1", "名称"] == MASK
    assert "权利人等不公开信息仅显示德清县的地块" in [c.value for c in at.caption]
