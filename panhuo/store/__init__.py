"""The database behind imports: versions of each plan's datasets, the original files, mappings.

=================  ==========================================================================
module             what it holds
=================  ==========================================================================
``schema``         the ORM tables
``records``        record ↔ frame conversion, published tables as records, ``NewSource``
``columnar``       parcels and zones as typed Parquet parts (areas parsed once, geometry apart)
``versions``       adding a version (the one way rows enter the store)
``samples``        loading the sample plans under ``data/`` into the store
``api``            the ``Store`` API, ``VersionInfo``, ``store_plans``
``connect``        engines per URL, the write lock (SQLite ``BEGIN IMMEDIATE``, PG advisory)
``migrate``        Alembic migrations (``migrations/``), upgrade on first use
``errors``         ``StoreUnavailable``, ``PlanExists`` with Chinese messages
=================  ==========================================================================
"""

from panhuo.store.api import DATASETS, Store, VersionInfo, store_plans
from panhuo.store.connect import normalise_url
from panhuo.store.errors import UNAVAILABLE, PlanExists, StoreError, StoreUnavailable, unavailable_on_failure
from panhuo.store.records import NewSource, sha256, table_record

__all__ = [
    "DATASETS",
    "UNAVAILABLE",
    "NewSource",
    "PlanExists",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "VersionInfo",
    "normalise_url",
    "sha256",
    "store_plans",
    "table_record",
    "unavailable_on_failure",
]
