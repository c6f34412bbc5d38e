"""进展填报: what has actually happened, per 区县 and period, reviewed by the city.

- :mod:`~panhuo.progress.stages`: the lifecycle stages (data, ordered);
- :mod:`~panhuo.progress.periods`: reporting periods from a plan's cadence;
- :mod:`~panhuo.progress.fields`: what an entry holds and its Chinese headers;
- :mod:`~panhuo.progress.validation`: the rules, written once;
- :mod:`~panhuo.progress.service`: the store's reports, workflow and approved state.
"""

from panhuo.progress.fields import FIELDS, NARRATIVE, Field, entry_columns
from panhuo.progress.periods import Period, make_periods, period_by_id
from panhuo.progress.service import (
    STATE_LABELS,
    AttachmentInfo,
    CountyStatus,
    Progress,
    ProgressConfig,
    ReportInfo,
    record_frame,
)
from panhuo.progress.stages import DEFAULT_STAGES, Stage, parse_stage, stages_from
from panhuo.progress.validation import Problem, ProgressRejected, check_entries

__all__ = [
    "DEFAULT_STAGES",
    "FIELDS",
    "NARRATIVE",
    "STATE_LABELS",
    "AttachmentInfo",
    "CountyStatus",
    "Field",
    "Period",
    "Problem",
    "Progress",
    "ProgressConfig",
    "ProgressRejected",
    "ReportInfo",
    "Stage",
    "check_entries",
    "entry_columns",
    "make_periods",
    "parse_stage",
    "period_by_id",
    "record_frame",
    "stages_from",
]
