"""The plans the application knows: the sample plans under ``data/`` and imported plans.

Imported plans come from the store (:func:`panhuo.store.store_plans`), so the CLI and the pages
see them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from panhuo.loader import load_plan, sample_plan_dirs
from panhuo.model import Plan
from panhuo.settings import load_settings

# The order of the seed plans in menus: as PRODUCT.md lists them.
SAMPLE_ORDER = ["shangdang-2021", "wuwei-2023", "liaocheng-2020", "huzhou-2023", "urumqi-2025"]


@dataclass
class Catalog:
    """The plans, by id, in menu order."""

    plans_by_id: dict[str, Plan] = field(default_factory=dict)

    def ids(self) -> list[str]:
        return list(self.plans_by_id)

    def plans(self) -> list[Plan]:
        return list(self.plans_by_id.values())

    def get(self, plan_id: str) -> Plan:
        if plan_id not in self.plans_by_id:
            known = "、".join(self.plans_by_id) or "（无）"
            raise KeyError(f"没有编号为 {plan_id} 的规划。已有：{known}")
        return self.plans_by_id[plan_id]

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self.plans_by_id


def load_samples(data_dir: Path | None = None) -> list[Plan]:
    data_dir = data_dir or load_settings().data_dir
    plans = [load_plan(folder) for folder in sample_plan_dirs(data_dir)]
    rank = {pid: i for i, pid in enumerate(SAMPLE_ORDER)}
    return sorted(plans, key=lambda p: (rank.get(p.id, len(rank)), p.id))


def get_catalog(data_dir: Path | None = None, include_imports: bool = True) -> Catalog:
    """All plans: samples first, then imported plans (an import may replace a sample's data)."""
    catalog = Catalog()
    for plan in load_samples(data_dir):
        catalog.plans_by_id[plan.id] = plan
    if include_imports:
        from panhuo.store import store_plans  # the store imports the loader: import it late

        for plan in store_plans():
            catalog.plans_by_id[plan.id] = plan
    return catalog
