"""The rule for plan ids, checked by every route that takes one (store writes, the import
engine and command line, the ``plan=`` link parameter).

A plan id appears in links, file names and database keys, so it is kept to lowercase ASCII
letters, digits and hyphens, starting with a letter or digit, at most :data:`MAX_LENGTH`
characters.

>>> check_plan_id("shangdang-2021")
'shangdang-2021'
>>> is_valid_plan_id("../../etc/passwd")
False
"""

from __future__ import annotations

import re

MAX_LENGTH = 64
_RULE = re.compile(rf"[a-z0-9][a-z0-9-]{{0,{MAX_LENGTH - 1}}}")
PLAN_ID_RULE = (
    f"规划编号只能由小写英文字母、数字和连字符（-）组成，以字母或数字开头，不超过 {MAX_LENGTH} 个字符"
)


class InvalidPlanId(ValueError):
    """A plan id that breaks the rule; ``str()`` is the Chinese message for the user."""

    def __init__(self, plan_id: object) -> None:
        shown = str(plan_id)
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        super().__init__(f"规划编号“{shown}”无效：{PLAN_ID_RULE}。")
        self.plan_id = plan_id


def is_valid_plan_id(plan_id: object) -> bool:
    """True when ``plan_id`` follows the rule (a str of allowed characters and length)."""
    return isinstance(plan_id, str) and _RULE.fullmatch(plan_id) is not None


def check_plan_id(plan_id: object) -> str:
    """``plan_id`` itself when it follows the rule, else :class:`InvalidPlanId`."""
    if not is_valid_plan_id(plan_id):
        raise InvalidPlanId(plan_id)
    return str(plan_id)
