"""The cached wrappers at the I/O boundary, shared by every page and the import page:
settings, the store, the catalog of plans, findings of a plan.

Settings come from the environment overridden by ``st.secrets`` (``database_url``,
``sqlite_path``, ``data_dir``, ``tile_url``, ``public_mode``, ``demo`` …; top level or in a ``[panhuo]``
section). The catalog is :func:`panhuo.catalog.open_catalog` with these caches passed in: the
sample plans are read once; each plan taken from the store is cached under (plan id, id of
its latest version), so an import — from the page or ``python -m panhuo import`` in another
process — reloads only the plan it changed, at the next run, and the entry it replaces is
dropped. Only an unreachable database or file (:class:`~panhuo.store.StoreUnavailable`) is
caught, leaving the samples and a notice; any other error is a bug and shows as one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from panhuo.catalog import Catalog, load_samples, open_catalog
from panhuo.demo import ensure_demo_plan
from panhuo.model import Plan
from panhuo.reconcile import Finding, reconcile
from panhuo.settings import SETTINGS_TABLE, Settings, load_settings
from panhuo.store import Store, StoreUnavailable, unavailable_on_failure

_NAMES = {name for name, *_rest in SETTINGS_TABLE}
_TTL = 6 * 3600  # seconds: a plan nobody looked at for this long is read again when asked for
_MAX_PLANS = 64  # plans from the store kept at once (one entry per plan: see _forget_older)


def _secret_overrides() -> dict:
    """The settings given in st.secrets (none when there is no secrets file)."""
    try:
        secrets: Mapping = st.secrets
        found = {k: secrets[k] for k in _NAMES if k in secrets}
        section = secrets.get("panhuo") if "panhuo" in secrets else None
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return {}
    if isinstance(section, Mapping):
        found.update({k: section[k] for k in _NAMES if k in section and k not in found})
    return found


def settings() -> Settings:
    """Settings from the environment, overridden by st.secrets when a secrets file exists."""
    return load_settings(_secret_overrides())


# --- the caches ------------------------------------------------------------------------------

_log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_LOCAL: dict = {"bump": 0, "failed_at": 0.0, "error": "", "loaded": {}}
_RETRY_SECONDS = 30.0  # after a failed connection, do not try again on every rerun


@st.cache_resource(show_spinner="正在读取样例规划…", max_entries=2)
def _samples(data_dir: str) -> list[Plan]:
    """The sample plans, read once per data folder. Shared and read-only, like every plan."""
    return load_samples(Path(data_dir))


@st.cache_resource(show_spinner="正在读取规划数据…", max_entries=_MAX_PLANS, ttl=_TTL)
def _stored_plan(url: str, plan_id: str, revision: int, _store: Store) -> Plan:
    """One plan from the store as of ``revision`` (the id of its latest version)."""
    return _store.load_plan(plan_id)


def _forget_older(url: str, plan_id: str, revision: int, store: Store) -> None:
    """Drop the cached entry of an earlier revision of the plan, so memory holds one copy."""
    loaded: dict = _LOCAL["loaded"]
    with _LOCK:
        previous = loaded.get((url, plan_id))
        loaded[(url, plan_id)] = revision
    if previous is not None and previous != revision:
        _stored_plan.clear(url, plan_id, previous, store)
        _findings.clear(plan_id, previous)


def _load_stored(store: Store, plan_id: str, revision: int) -> Plan:
    _forget_older(store.url, plan_id, revision, store)
    return _stored_plan(store.url, plan_id, revision, store)


@st.cache_resource(show_spinner="正在准备数据库…", max_entries=4)
def _open_store(url: str, data_dir: str, demo: bool = False) -> Store:
    """The store, created on first run (samples, and with ``demo`` the demonstration plan,
    loaded into it idempotently)."""
    with unavailable_on_failure():
        store = Store.open(Settings(Path(data_dir), url, Path(), "", False, demo=demo), url=url)
        ensure_demo_plan(store)  # nothing unless demo
        return store


def store() -> Store:
    """The store the settings name, opened and upgraded (the import page writes to it).
    Raises :class:`StoreUnavailable` when it cannot be reached."""
    s = settings()
    return _open_store(s.effective_database_url, str(s.data_dir), s.demo_enabled)


def _samples_only(s: Settings) -> Catalog:
    return open_catalog(s, imports=False, samples=lambda d: _samples(str(d)))


_WARNED = "_panhuo_store_warned"


def catalog() -> Catalog:
    """Every plan: the samples, then the store's imported and changed plans. A database that
    cannot be reached leaves the samples and a notice (once per session and problem)."""
    s = settings()
    if _LOCAL["failed_at"] and time.monotonic() - _LOCAL["failed_at"] < _RETRY_SECONDS:
        found, problem = _samples_only(s), _LOCAL["error"]
    else:
        try:
            opened = None if s.public_mode else store()
            found = open_catalog(
                s,
                store=opened,
                read_only=s.public_mode,  # public mode never writes, not even a schema upgrade
                samples=lambda d: _samples(str(d)),
                stored=_load_stored,
            )
            problem = ""
            with _LOCK:
                _LOCAL["failed_at"], _LOCAL["error"] = 0.0, ""
        except StoreUnavailable as exc:
            with _LOCK:
                _LOCAL["failed_at"], _LOCAL["error"] = time.monotonic(), exc.detail
            found, problem = _samples_only(s), exc.detail
    if problem and st.session_state.get(_WARNED) != problem:
        st.session_state[_WARNED] = problem
        # the driver's text names hosts and file paths: for the log only. Nobody can be signed in
        # while the database is away (accounts live there), so every viewer is a visitor now.
        _log.warning("数据库暂时无法使用：%s", problem)
        detail = "" if s.public_mode else "（原因已写入服务器日志）"
        st.toast(f"数据库暂时无法使用，只显示样例规划{detail}", icon=":material/warning:")
    return found


def plan_revision(plan_id: str) -> int:
    """Changes when this plan's data changes (an import or a restore, from any process), and
    only then: what caches of one plan are keyed on."""
    return catalog().revision(plan_id)


def revision() -> int:
    """Changes whenever any data changes (e.g. remembered mappings after an import)."""
    revisions = catalog().revisions
    return sum(revisions.values()) * 1000 + _LOCAL["bump"] % 1000


def invalidate() -> None:
    """Look again at the store at the next run (after an import or a restore): the plan that
    changed is reloaded, the others stay cached."""
    with _LOCK:
        _LOCAL["bump"] += 1
        _LOCAL["failed_at"] = 0.0


def plan(plan_id: str) -> Plan:
    return catalog().get(plan_id)


@st.cache_data(show_spinner=False, max_entries=32, ttl=_TTL)
def _findings(plan_id: str, revision: int) -> list[Finding]:
    return reconcile(catalog().get(plan_id))


def findings(plan_id: str) -> list[Finding]:
    return _findings(plan_id, plan_revision(plan_id))
