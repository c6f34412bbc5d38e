"""What each viewer may see of the private fields: the public view, an analyst's, a 区县填报员's."""

import pandas as pd
import pytest

from panhuo.access import ROLE_ACTIONS, Action, CountyScope, Grant, Role, User
from panhuo.privacy import MASK, covered_rows, public_records, scope_note, scoped_records, sensitive_values


def test_public_records_hide_every_right_holder(catalog):
    for plan in catalog.plans():
        frame = public_records(plan.parcels)
        assert "right_holder" not in frame.columns
        secrets = sensitive_values(plan.parcels)
        shown = set(frame.astype(str).to_numpy().ravel())
        assert not (secrets & shown), plan.id


def test_shangdang_has_a_private_person_among_its_parcel_names(catalog):
    parcels = catalog.get("shangdang-2021").parcels
    private = parcels[parcels["right_holder"].str.strip() != ""]
    assert len(private) >= 1, "附表1 row 11 names a private person"
    masked = public_records(parcels)
    assert (masked.loc[private.index, "name"] == MASK).all()
    # other names stay as printed
    others = parcels.index.difference(private.index)
    assert (masked.loc[others, "name"] == parcels.loc[others, "name"]).all()


# --------------------------------------------------------------------------- scoped_records

EVERY = CountyScope(everything=True)
NONE = CountyScope()
DEQING = CountyScope(counties=frozenset({"德清县"}))
HOSTILE = "德清县<img src=x>[点](http://evil.example)"


def _frame(**extra) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "name": ["张三", "某厂", "李四", "王五"],
            "county": ["德清县", "德清县", "长兴县", "长兴县"],
            "right_holder": ["张三", "某公司", "李四", ""],
            **extra,
        }
    )


def test_every_county_keeps_the_frame_as_it_is_in_a_copy():
    frame = _frame()
    shown = scoped_records(frame, EVERY)
    pd.testing.assert_frame_equal(shown, frame)
    shown.loc[0, "name"] = "x"
    assert frame.loc[0, "name"] == "张三"


def test_no_county_is_the_public_view():
    frame = _frame()
    pd.testing.assert_frame_equal(scoped_records(frame, NONE), public_records(frame))
    assert "right_holder" not in scoped_records(frame, NONE)
    assert scoped_records(frame, NONE)["name"].tolist() == [MASK, "某厂", MASK, "王五"]


def test_a_reporter_sees_the_private_fields_of_their_county_only():
    frame = _frame()
    shown = scoped_records(frame, DEQING)
    assert shown["right_holder"].tolist() == ["张三", "某公司", "", ""]
    assert shown["name"].tolist() == ["张三", "某厂", MASK, "王五"]
    assert frame["right_holder"].tolist() == ["张三", "某公司", "李四", ""]  # the input is untouched
    assert not ({"李四"} & set(shown.astype(str).to_numpy().ravel()))


@pytest.mark.parametrize(
    "county, covered",
    [
        (" 德清县 ", True),  # surrounding spaces in the data
        ("\u3000德清县\t", True),  # a full-width space is whitespace too
        ("德清县\u200b", False),  # a zero-width space is not: another name, fail closed
        ("德清", False),
        ("德清县、长兴县", False),
        (HOSTILE, False),
        ("", False),
        (None, False),
        (float("nan"), False),
    ],
)
def test_county_names_are_compared_exactly_after_trimming(county, covered):
    frame = pd.DataFrame({"name": ["张三"], "county": [county], "right_holder": ["张三"]})
    shown = scoped_records(frame, DEQING)
    assert covered_rows(frame, DEQING).tolist() == [covered]
    assert shown["right_holder"].tolist() == (["张三"] if covered else [""])
    assert shown["name"].tolist() == (["张三"] if covered else [MASK])


def test_a_hostile_county_is_covered_only_by_exactly_its_name():
    frame = pd.DataFrame(
        {"name": ["张三", "李四"], "county": [HOSTILE, "德清县"], "right_holder": ["张三", "李四"]}
    )
    shown = scoped_records(frame, CountyScope(counties=frozenset({f" {HOSTILE} "})))
    assert shown["right_holder"].tolist() == ["张三", ""]


def test_a_scope_of_blank_names_is_no_scope():
    frame = _frame()
    blank = CountyScope(counties=frozenset({" ", ""}))
    pd.testing.assert_frame_equal(scoped_records(frame, blank), public_records(frame))
    assert scope_note(blank, "地块") == ""


def test_without_a_county_column_a_partial_scope_covers_nothing():
    frame = _frame().drop(columns="county")
    shown = scoped_records(frame, DEQING)
    assert shown["right_holder"].tolist() == ["", "", "", ""]
    assert shown["name"].tolist() == [MASK, "某厂", MASK, "王五"]
    assert scoped_records(frame, EVERY)["right_holder"].tolist() == ["张三", "某公司", "李四", ""]


def test_frames_without_private_fields_pass_through():
    zones = pd.DataFrame({"name": ["高沟片区"], "county": ["长兴县"]})
    for scope in (EVERY, NONE, DEQING):
        pd.testing.assert_frame_equal(scoped_records(zones, scope), zones)


def test_missing_right_holders_and_names_are_not_a_match():
    frame = pd.DataFrame({"name": [None, ""], "county": ["长兴县", "长兴县"], "right_holder": [None, ""]})
    shown = scoped_records(frame, DEQING)
    pd.testing.assert_series_equal(shown["name"], frame["name"])
    assert shown["right_holder"].tolist() == ["", ""]


def test_scoping_twice_changes_nothing():
    frame = _frame()
    for scope in (EVERY, NONE, DEQING):
        once = scoped_records(frame, scope)
        pd.testing.assert_frame_equal(scoped_records(once, scope), once)


def test_the_user_scope_decides():
    frame = _frame()
    reporter = User("wang", grants=(Grant(Role.REPORTER, "huzhou-2023", ("德清县",)),))
    moderator = User("zhao", grants=(Grant(Role.MODERATOR),))
    analyst = User("li", grants=(Grant(Role.ANALYST, "huzhou-2023"),))
    assert scoped_records(frame, reporter.private_scope("huzhou-2023"))["right_holder"].tolist()[:3] == [
        "张三", "某公司", ""]  # fmt: skip
    assert "right_holder" not in scoped_records(frame, reporter.private_scope("shangdang-2021"))
    assert "right_holder" not in scoped_records(frame, moderator.private_scope("huzhou-2023"))
    assert scoped_records(frame, analyst.private_scope("huzhou-2023"))["right_holder"].tolist()[2] == "李四"


def test_downloading_private_fields_goes_with_seeing_them():
    """Downloads are built from the table on screen with the same scope: that is only right while
    the roles that may download private fields are exactly those that may see them."""
    for role, actions in ROLE_ACTIONS.items():
        assert (Action.VIEW_PRIVATE in actions) == (Action.DOWNLOAD_PRIVATE in actions), role


@pytest.mark.parametrize(
    "scope, note",
    [
        (DEQING, "权利人等不公开信息仅显示德清县的地块"),
        (
            CountyScope(counties=frozenset({"长兴县", "德清县"})),
            "权利人等不公开信息仅显示德清县、长兴县的地块",
        ),
        (EVERY, ""),
        (NONE, ""),
    ],
)
def test_scope_note(scope, note):
    assert scope_note(scope, "地块") == note
