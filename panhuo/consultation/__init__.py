"""公众征求意见: consultation windows of a plan, comments from the public and by letter, fax or
e-mail, moderation, answers and the 意见汇总表. See :mod:`panhuo.consultation.service`."""

from panhuo.consultation.service import (
    ANSWER_STATUSES,
    CHANNELS,
    STAFF_CHANNELS,
    STATE_LABELS,
    TARGET_LABELS,
    Comment,
    ConsultationClosed,
    ConsultationError,
    Consultations,
    Lookup,
    PublicComment,
    RateLimited,
    Target,
    Window,
)

__all__ = [
    "ANSWER_STATUSES",
    "CHANNELS",
    "STAFF_CHANNELS",
    "STATE_LABELS",
    "TARGET_LABELS",
    "Comment",
    "ConsultationClosed",
    "ConsultationError",
    "Consultations",
    "Lookup",
    "PublicComment",
    "RateLimited",
    "Target",
    "Window",
]
