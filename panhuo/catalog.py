"""The plans the application knows: the sample plans under ``data/`` and imported plans.

:func:`open_catalog` is the one way to get them, for the command line, the import engine and
the pages' cached wrapper (which passes its caches in): samples first, then the plans of the
store whose current data differs from the samples (imports and restores).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from panhuo.loader import load_plan, sample_plan_dirs
from panhuo.model import Plan
from panhuo.settings import Settings, load_settings

if TYPE_CHECKING:  # pragma: no cover
    from panhuo.store import Store

# The order of the seed plans in menus (上党区, 武威, 聊城, 湖州, 乌鲁木齐).
SAMPLE_ORDER = ["shangdang-2021", "wuwei-2023", "liaocheng-2020", "huzhou-2023", "urumqi-2025"]


class LazyPlans(Mapping):
    """Plans by id, in menu order, each read only when it is first asked for: a catalog of
    many stored plans (a province's, each of a million parcels) costs one query for their
    titles, and the page reads only the plan on screen. ``meta(plan_id)`` is the plan's
    metadata without reading its data."""

    def __init__(self, plans: dict[str, Plan] | None = None) -> None:
        self._plans: dict[str, Plan] = dict(plans or {})
        self._pending: dict[str, tuple[Callable[[], Plan], dict]] = {}
        self._order: list[str] = list(self._plans)
        self._lock = threading.Lock()

    def __setitem__(self, plan_id: str, plan: Plan) -> None:
        self._pending.pop(plan_id, None)
        if plan_id not in self._plans and plan_id not in self._order:
            self._order.append(plan_id)
        self._plans[plan_id] = plan

    def defer(self, plan_id: str, load: Callable[[], Plan], meta: dict) -> None:
        """Add a plan read by ``load()`` when first asked for (it replaces a sample of that id)."""
        self._plans.pop(plan_id, None)
        if plan_id not in self._order:
            self._order.append(plan_id)
        self._pending[plan_id] = (load, dict(meta))

    def __getitem__(self, plan_id: str) -> Plan:
        if plan_id in self._plans:
            return self._plans[plan_id]
        if plan_id not in self._pending:
            raise KeyError(plan_id)
        with self._lock:
            if plan_id not in self._plans:
                self._plans[plan_id] = self._pending[plan_id][0]()
                self._pending.pop(plan_id, None)
        return self._plans[plan_id]

    def meta(self, plan_id: str) -> dict:
        if plan_id in self._plans:
            return self._plans[plan_id].meta
        return self._pending[plan_id][1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self._plans or plan_id in self._pending


@dataclass
class Catalog:
    """The plans, by id, in menu order (each read when first asked for, :class:`LazyPlans`);
    ``revisions`` gives each plan taken from the store the id of its latest version (a sample
    plan is at 0), for caches keyed per plan."""

    plans_by_id: LazyPlans = field(default_factory=LazyPlans)
    revisions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.plans_by_id, LazyPlans):
            self.plans_by_id = LazyPlans(self.plans_by_id)

    def short_title(self, plan_id: str) -> str:
        """The plan's short title for menus, without reading its data."""
        meta = self.plans_by_id.meta(plan_id)
        return str(meta.get("short_title") or meta.get("title") or plan_id)

    def ids(self) -> list[str]:
        return list(self.plans_by_id)

    def plans(self) -> list[Plan]:
        return list(self.plans_by_id.values())

    def get(self, plan_id: str) -> Plan:
        if plan_id not in self.plans_by_id:
            known = "、".join(self.plans_by_id) or "（无）"
            raise KeyError(f"没有编号为 {plan_id} 的规划。已有：{known}")
        return self.plans_by_id[plan_id]

    def find(self, plan_id: str) -> Plan | None:
        """The plan, or None when there is none with this id."""
        return self.plans_by_id.get(plan_id)

    def revision(self, plan_id: str) -> int:
        """Changes when this plan's data changes (0 for a plan as its sample folder has it)."""
        return self.revisions.get(plan_id, 0)

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self.plans_by_id


def load_samples(data_dir: Path, only: Iterable[str] | None = None) -> list[Plan]:
    """The sample plans under ``data_dir`` in menu order (``only``: just those folder names)."""
    wanted = set(only) if only is not None else None
    folders = [f for f in sample_plan_dirs(data_dir) if wanted is None or f.name in wanted]
    plans = [load_plan(folder) for folder in folders]
    rank = {pid: i for i, pid in enumerate(SAMPLE_ORDER)}
    return sorted(plans, key=lambda p: (rank.get(p.id, len(rank)), p.id))


def _load_stored(store: Store, plan_id: str, _revision: int) -> Plan:
    return store.load_plan(plan_id)


def _loader(
    load: Callable[[Store, str, int], Plan], store: Store, plan_id: str, revision: int
) -> Callable[[], Plan]:
    """Read the plan when first asked for; a database lost meanwhile is StoreUnavailable."""
    from panhuo.store import unavailable_on_failure

    def read() -> Plan:
        with unavailable_on_failure():
            return load(store, plan_id, revision)

    return read


def open_catalog(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    imports: bool = True,
    create: bool = False,
    read_only: bool = False,
    only: Iterable[str] | None = None,
    samples: Callable[[Path], list[Plan]] | None = None,
    stored: Callable[[Store, str, int], Plan] | None = None,
) -> Catalog:
    """The catalog for ``settings`` (default: the environment's): samples, then the store's
    imported and changed plans (an import may replace a sample's data).

    - ``store``: the store to read (default: the one ``settings`` name);
    - ``imports=False``: the sample plans only, no database touched;
    - ``create``: create the store if needed and load the samples into it (the app outside
      public mode), and the demonstration plan when ``settings.demo_enabled``; otherwise a
      missing database is never created, an existing one is upgraded to the newest schema before it is read (unless ``read_only``: public mode);
    - ``only``: load just these plan ids (the import engine looks up one plan);
    - ``samples(data_dir)`` / ``stored(store, plan_id, revision)``: how to load sample and
      stored plans, for a caller that caches them (the pages).

    The demonstration plan (:mod:`panhuo.demo`) is in the catalog, last, only when
    ``settings.demo_enabled``: with the setting off or in public mode a store that holds it
    does not show it.

    A database or file that cannot be reached raises
    :class:`~panhuo.store.errors.StoreUnavailable`; any other error is a bug and surfaces.
    """
    settings = settings or (store.settings if store is not None else load_settings())
    wanted = list(only) if only is not None else None
    if samples is None or wanted is not None:
        found = load_samples(settings.data_dir, wanted)
    else:
        found = samples(settings.data_dir)
    catalog = Catalog(LazyPlans({p.id: p for p in found if wanted is None or p.id in wanted}))
    if not imports:
        return catalog
    from panhuo.store import Store, unavailable_on_failure  # the store imports the loader: late

    with unavailable_on_failure():
        store = store or Store(settings=settings)
        if create:
            store = Store.open(store.settings, url=store.url)
            if settings.demo_enabled:
                from panhuo.demo import ensure_demo_plan

                ensure_demo_plan(store, settings)
        elif not store.exists():
            return catalog
        elif not read_only:
            store.ensure_schema()
        demo = settings.demo_enabled
        revisions = store.plan_revisions(demo=demo)
        load = stored or _load_stored
        metas = store.plan_metas([p for p in revisions if wanted is None or p in wanted])
        for plan_id, revision in revisions.items():
            if wanted is not None and plan_id not in wanted:
                continue
            catalog.plans_by_id.defer(
                plan_id, _loader(load, store, plan_id, revision), metas.get(plan_id, {})
            )
            catalog.revisions[plan_id] = revision
        if wanted is not None:  # a plan the store holds unchanged, under a folder of another name
            for plan_id in wanted:
                meta = store.plan_meta(plan_id) if plan_id not in catalog.plans_by_id else None
                if meta is not None and (demo or meta.get("demo") is not True):
                    catalog.plans_by_id[plan_id] = store.load_plan(plan_id)
    return catalog
