"""Errors of the geo package. Each carries a Chinese message a person can act on.

Callers (the import page, the CLI) show ``str(error)`` as it is; no traceback is needed to
understand what went wrong or what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass


class GeoError(ValueError):
    """Base class: a geographic input or lookup problem with a Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GeoReadError(GeoError):
    """A GIS file cannot be read as it is (missing part, not a zip, empty, wrong CRS …)."""


@dataclass(frozen=True)
class CrsCandidate:
    """A coordinate system a file with no CRS is likely to be in, and why."""

    epsg: int | None  # None for GCJ-02, which has no EPSG code
    label: str  # Chinese, e.g. "CGCS2000 3度带 第40带（带号在东坐标中）"
    reason: str  # Chinese, why this candidate fits the coordinates

    @property
    def code(self) -> str:
        """What to pass back as ``crs=`` to :func:`panhuo.geo.readers.read_layer`."""
        return f"EPSG:{self.epsg}" if self.epsg else "GCJ02"


class MissingCRSError(GeoReadError):
    """The file declares no coordinate system (or one its coordinates contradict).

    ``candidates`` lists the likely systems, best first, so a form can offer them.
    """

    def __init__(self, message: str, candidates: list[CrsCandidate] | None = None) -> None:
        super().__init__(message)
        self.candidates: list[CrsCandidate] = list(candidates or [])


class PlaceNotFoundError(GeoError, LookupError):
    """No administrative area of that name in the boundary data."""


class AmbiguousPlaceError(GeoError, LookupError):
    """Several administrative areas carry that name; the city or province is needed."""

    def __init__(self, message: str, matches: list[str]) -> None:
        super().__init__(message)
        self.matches = matches  # "浙江省 湖州市 吴兴区" …
