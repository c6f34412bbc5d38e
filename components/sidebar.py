"""The one sidebar every page shares: plan, 区县, 片区, type, stage, unit — mirrored in the URL.

The URL is read when a session starts (or when a link with other parameters is opened), and
written back after every change, so a copied link opens exactly the same view.

The demonstration plan (:mod:`panhuo.demo`) comes last in the plan list under its 【模拟演示】
title; while it is chosen every page opens with a banner saying its figures are simulated
(drawn here, before the page runs, so no page can leave it out).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import TypeVar

import pandas as pd
import streamlit as st

from components import cached as data
from components.auth import current_user
from components.text import plain
from panhuo.access import ANONYMOUS, CountyScope, User
from panhuo.aggregate import apply_filters
from panhuo.catalog import Catalog
from panhuo.demo import DEMO_LABEL, NOTE, is_demo
from panhuo.memo import remember
from panhuo.model import Plan
from panhuo.nouns import type_label
from panhuo.privacy import scoped_records
from panhuo.units import unit_label
from panhuo.viewstate import PARAMS, ViewState, default_unit, filter_options, for_plan, parse_query

T = TypeVar("T")
KEYS = {"plan": "f_plan", "county": "f_county", "zone": "f_zone", "type": "f_type",
        "stage": "f_stage", "unit": "f_unit"}  # fmt: skip
_WRITTEN = "_view_written"
_PENDING = "_view_pending"
_NOTICES = "_view_notices"
_CONTEXT = "_view_context"
_SHOWN_PLAN = "_view_plan"  # the plan of the last run, to tell what a plan change changes
# parameters of one page, not of the view (进展监测's period and ?view=alerts, meeting mode's
# screen=1): kept in the URL as they came, so a link to that page still says what it shows
PAGE_PARAMS = ("period", "view", "screen")


@dataclass
class Context:
    """What a page needs: the plan, the view state, the filtered records, and who is looking.

    ``records`` are already scoped (:func:`panhuo.privacy.scoped_records`): a page cannot show a
    private field outside ``scope`` by forgetting to. Pages still pass ``scope`` on where they
    build tables or map features from other frames (scoping twice changes nothing).
    """

    plan: Plan
    view: ViewState
    dataset: str  # "parcels" | "zones"
    records: pd.DataFrame  # filtered
    user: User
    scope: CountyScope  # the 区县 whose private fields the user may see in this plan

    @property
    def unit(self) -> str:
        return self.view.unit

    def cached(self, compute: Callable[..., T], *args: object, **kwargs: object) -> T:
        """``compute(*args, **kwargs)`` remembered for this loaded plan, dataset, filters and
        scope (:func:`panhuo.memo.remember`): a rerun or another page with the same view reads it
        back. The arguments are this context's ``records``, ``plan`` or ``scope``, or plain values."""
        key = (compute.__module__, compute.__qualname__, self.dataset, self.view.filters, self.scope,
               tuple(self._key(a) for a in args),
               tuple(sorted((name, self._key(a)) for name, a in kwargs.items())))  # fmt: skip
        return remember(self.plan, key, lambda: compute(*args, **kwargs))

    def _key(self, value: object) -> Hashable:
        if value is self.records:
            return ("<records>",)
        if value is self.plan:
            return ("<plan>",)
        if value is self.scope:
            return ("<scope>",)
        if value is None or isinstance(value, str | int | float | bool):
            return value
        if isinstance(value, tuple):  # conditions such as 明细's on extra columns
            return ("<tuple>", *(self._key(v) for v in value))
        raise TypeError(f"Context.cached: {type(value).__name__} 不能作为缓存键")

    @property
    def unit_label(self) -> str:
        return unit_label(self.view.unit)


def _put(state: ViewState) -> None:
    st.session_state[KEYS["plan"]] = state.plan
    st.session_state[KEYS["county"]] = list(state.counties)
    st.session_state[KEYS["zone"]] = list(state.zones)
    st.session_state[KEYS["type"]] = list(state.types)
    st.session_state[KEYS["stage"]] = list(state.stages)
    st.session_state[KEYS["unit"]] = state.unit


def _current() -> ViewState:
    ss = st.session_state
    return ViewState(
        plan=ss[KEYS["plan"]],
        counties=tuple(ss.get(KEYS["county"], ())),
        zones=tuple(ss.get(KEYS["zone"], ())),
        types=tuple(ss.get(KEYS["type"], ())),
        stages=tuple(ss.get(KEYS["stage"], ())),
        unit=ss.get(KEYS["unit"], "ha"),
    )


def request_view(**changes: object) -> None:
    """Ask for a change of filters on the next run (e.g. a chart click), then switch page."""
    pending = dict(st.session_state.get(_PENDING, {}))
    pending.update(changes)
    st.session_state[_PENDING] = pending


def _on_plan_change() -> None:
    """Keep only the filters that apply to the new plan; the unit follows the new plan's document
    unless the user had chosen another unit than the old plan's own."""
    catalog = data.catalog()
    new_plan = catalog.get(st.session_state[KEYS["plan"]])
    old = _current()
    old_plan = catalog.plans_by_id.get(st.session_state.get(_SHOWN_PLAN, ""))
    chosen = old_plan is not None and old.unit and old.unit != default_unit(old_plan)
    state = for_plan(old, new_plan)
    _put(replace(state, unit=old.unit if chosen else default_unit(new_plan)))


def _sync_from_url(plans: dict[str, Plan], default_plan: str) -> None:
    params = {k: st.query_params.get(k) for k in st.query_params}
    first = KEYS["plan"] not in st.session_state
    changed = bool(params) and params != st.session_state.get(_WRITTEN)
    if first or changed:
        state, notices = parse_query(params, plans, default_plan)
        _put(state)
        st.session_state[_NOTICES] = notices
    pending = st.session_state.pop(_PENDING, None)
    if pending:
        state = _current()
        plan = plans[state.plan]
        merged = ViewState(
            plan=state.plan,
            counties=tuple(pending.get("counties", state.counties)),
            zones=tuple(pending.get("zones", state.zones)),
            types=tuple(pending.get("types", state.types)),
            stages=tuple(pending.get("stages", state.stages)),
            unit=state.unit,
        )
        _put(for_plan(merged, plan))


def render_sidebar(*, filters: bool = True) -> Context:
    """Draw the sidebar, keep the URL in step, and return the page context. Without ``filters``
    (meeting mode) nothing is drawn in the sidebar: the view is the one the link holds."""
    catalog = data.catalog()
    plans = catalog.plans_by_id
    default_plan = catalog.ids()[0]
    _sync_from_url(plans, default_plan)
    # a public deployment has no sign-in: whoever asks is a visitor, whatever the session holds
    user = ANONYMOUS if data.settings().public_mode else current_user()

    if filters:
        _draw_filters(catalog)
    plan = plans[st.session_state[KEYS["plan"]]]
    dataset, frame = plan.records()

    view = _current()
    query = view.to_query(default_plan, default_unit(plan))
    current_query = {k: st.query_params.get(k) for k in st.query_params}
    # parameters the sidebar does not own (meeting mode's screen/rotate, a page's own) stay
    query = {k: v for k, v in current_query.items() if k not in PARAMS} | query
    if current_query != query:
        st.query_params.from_dict(query)
    st.session_state[_WRITTEN] = query
    st.session_state[_SHOWN_PLAN] = view.plan

    for notice in st.session_state.pop(_NOTICES, []):
        st.warning(plain(notice), icon=":material/warning:")
    demo_banner(plan)

    scope = user.private_scope(plan.id)  # ANONYMOUS holds no grant: CountyScope(), nothing
    records = apply_filters(frame, view.filters, dataset)
    records = records if scope.everything else scoped_records(records, scope)
    context = Context(plan=plan, view=view, dataset=dataset, records=records, user=user, scope=scope)
    st.session_state[_CONTEXT] = context
    return context


def set_page_param(name: str, value: str) -> None:
    """Put a page's own parameter (one of :data:`PAGE_PARAMS`) into the link, or take it out
    (``value`` ''), without the next run reading it as a new link."""
    if value:
        st.query_params[name] = value
    else:
        st.query_params.pop(name, None)
    written = dict(st.session_state.get(_WRITTEN) or {})
    written.pop(name, None)
    st.session_state[_WRITTEN] = {**written, **({name: value} if value else {})}


def _draw_filters(catalog: Catalog) -> None:
    plans = catalog.plans_by_id
    with st.sidebar:
        st.markdown("### 筛选")
        st.selectbox(
            "规划",
            options=list(plans),
            format_func=catalog.short_title,  # titles only: just the plan on screen is read
            key=KEYS["plan"],
            on_change=_on_plan_change,
        )
        plan = plans[st.session_state[KEYS["plan"]]]
        if is_demo(plan):
            st.caption(f"演示规划：{DEMO_LABEL}")
        options = filter_options(plan)
        dataset, _frame = plan.records()
        if options["county"]:
            st.multiselect("区县", options["county"], key=KEYS["county"], placeholder="全部区县")
        if options["zone"]:
            st.multiselect("片区", options["zone"], key=KEYS["zone"], placeholder="全部片区")
        if options["type"]:
            label = type_label(dataset)
            st.multiselect(label, options["type"], key=KEYS["type"], placeholder=f"全部{label}")
        if options["stage"]:
            st.multiselect("实施阶段", options["stage"], key=KEYS["stage"], placeholder="全部阶段")
        st.radio("面积单位", ["mu", "ha"], format_func=unit_label, key=KEYS["unit"], horizontal=True)
        if plan.origin == "import":
            st.caption("本规划数据来自导入。")


def current() -> Context:
    """The context the sidebar computed for this run (pages call this)."""
    return st.session_state[_CONTEXT]


def shown_plan() -> Plan | None:
    """The plan the sidebar chose for this run (None before it ran: a page run on its own)."""
    context = st.session_state.get(_CONTEXT)
    return context.plan if context is not None else None


def demo_banner(plan: Plan | None) -> None:
    """The banner above every page of a demonstration plan (nothing for any other plan)."""
    if is_demo(plan):
        st.warning(f"**{DEMO_LABEL}**　{NOTE}", icon=":material/science:")
