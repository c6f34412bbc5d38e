"""What is worked out from a loaded plan and asked for again and again — filter options, a
page's figures for a set of filters — remembered on the plan itself (:attr:`Plan.memo`), so it
lives exactly as long as the loaded plan: a plan loaded anew (a new revision, a restore) starts
empty and nothing stale can be shown.

Results are handed out as deep copies: a caller that adds a column to a remembered table changes
its own copy only. At most :data:`LIMIT` results per plan, the least recently asked dropped first.

>>> from panhuo.model import Plan
>>> import pandas as pd
>>> empty = pd.DataFrame()
>>> plan = Plan("p", {}, empty, empty, empty, empty, empty, empty, empty)
>>> calls = []
>>> def work():
...     calls.append(1)
...     return {"吴兴区": 3}
>>> remember(plan, ("count", "吴兴区"), work)["吴兴区"], remember(plan, ("count", "吴兴区"), work)["吴兴区"], len(calls)
(3, 3, 1)
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from panhuo.model import Plan

LIMIT = 128
_LOCK = threading.Lock()  # plans are shared by every session: one result table at a time
T = TypeVar("T")


def remember(plan: Plan, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for ``key``, worked out once per loaded plan (a copy of it each time)."""
    with _LOCK:
        table = plan.memo.setdefault("results", OrderedDict())
        if key in table:
            table.move_to_end(key)
            return copy.deepcopy(table[key])
    value = compute()  # outside the lock: two sessions asking at once both compute, one is kept
    with _LOCK:
        table[key] = value
        while len(table) > LIMIT:
            table.popitem(last=False)
    return copy.deepcopy(value)
