"""Thin cached wrappers at the I/O boundary: settings, the catalog of plans, findings of a plan.

Settings come from the environment overridden by ``st.secrets`` (``database_url``,
``sqlite_path``, ``data_dir``, ``tile_url``, ``public_mode``; top level or in a ``[panhuo]``
section). The catalog is the sample plans plus the plans of the store those settings name: the
store is created (and the samples loaded into it) on the first run outside public mode. The
catalog is cached per store revision, so an import — from the page or ``python -m panhuo
import`` in another process — shows on every page at the next run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from panhuo.catalog import Catalog, get_catalog
from panhuo.model import Plan
from panhuo.reconcile import Finding, reconcile
from panhuo.settings import SETTINGS_TABLE, Settings, load_settings

_NAMES = {name for name, *_rest in SETTINGS_TABLE}


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


# --- store revision: what the cached catalog is keyed on -------------------------------------

_LOCK = threading.Lock()
_LOCAL = {"revision": 0, "failed_at": 0.0, "error": ""}
_RETRY_SECONDS = 30.0  # after a failed connection, do not try again on every rerun


def _store_revision(s: Settings) -> int:
    """The store's latest version id (0 with no store; -1 when it cannot be reached)."""
    from panhuo.store import Store

    if _LOCAL["failed_at"] and time.monotonic() - _LOCAL["failed_at"] < _RETRY_SECONDS:
        return -1
    try:
        value = Store(settings=s).revision()
    except Exception as exc:
        with _LOCK:
            _LOCAL["failed_at"], _LOCAL["error"] = time.monotonic(), f"{type(exc).__name__}: {exc}"[:300]
        return -1
    with _LOCK:
        _LOCAL["failed_at"], _LOCAL["error"] = 0.0, ""
    return value


def revision() -> int:
    """Changes whenever the data changes (an import, a restore, :func:`invalidate`)."""
    return _store_revision(settings()) * 1000 + _LOCAL["revision"] % 1000


@st.cache_resource(show_spinner="正在读取规划数据…", max_entries=4)
def _catalog(url: str, data_dir: str, public: bool, revision: int) -> tuple[Catalog, str]:
    """(catalog, problem): samples from ``data_dir``, then the plans of the store at ``url``.

    Outside public mode the store is opened (created on first run, samples loaded into it
    idempotently). A database that cannot be reached leaves the samples and a problem text.
    Shared across sessions and read-only: pages never modify a plan's frames in place.
    """
    from panhuo.store import Store, store_plans

    s = Settings(Path(data_dir), url, Path(), "", public)
    catalog = get_catalog(s.data_dir, include_imports=False)
    try:
        if not public:
            Store.open(s)
        for plan in store_plans(s):
            catalog.plans_by_id[plan.id] = plan
    except Exception as exc:
        return catalog, f"{type(exc).__name__}: {exc}"[:300]
    return catalog, ""


_WARNED = "_panhuo_store_warned"


def catalog() -> Catalog:
    s = settings()
    found, problem = _catalog(s.effective_database_url, str(s.data_dir), s.public_mode, revision())
    problem = problem or _LOCAL["error"]
    if problem and st.session_state.get(_WARNED) != problem:  # once per session and problem
        st.session_state[_WARNED] = problem
        st.toast(f"数据库暂时无法使用，只显示样例规划（{problem}）", icon="⚠️")
    return found


def invalidate() -> None:
    """Forget cached plans (after an import or a restore) so every page sees the new data."""
    with _LOCK:
        _LOCAL["revision"] += 1
        _LOCAL["failed_at"] = 0.0
    _catalog.clear()
    _findings.clear()


def plan(plan_id: str) -> Plan:
    return catalog().get(plan_id)


@st.cache_data(show_spinner=False)
def _findings(plan_id: str, revision: int) -> list[Finding]:
    return reconcile(catalog().get(plan_id))


def findings(plan_id: str) -> list[Finding]:
    return _findings(plan_id, revision())
