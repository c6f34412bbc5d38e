"""How far an import has got: rows read, checked and written, for the bar the import page and the
command line show while a large file goes through.

The steps that loop over rows report through :func:`counter`, which costs one integer comparison
per row and calls the listener about a hundred times per stage; whoever runs the import listens
with :func:`reporting` (a context variable, so concurrent imports in other sessions keep their own
bars, and code run without a listener reports to nobody).

>>> seen = []
>>> with reporting(seen.append):
...     count = counter("read", 1000)
...     for i in range(1000):
...         count(i + 1)
>>> seen[-1].label, seen[-1].fraction, len(seen) <= 101
('已读取 1,000 / 1,000 行', 1.0, True)
>>> counter("read", 10)(5)  # nobody listening: nothing happens
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

STAGES = {"read": "读取", "check": "检查", "write": "写入"}
STEPS = 100  # reports per stage at most (and one at its end)


@dataclass(frozen=True)
class Step:
    """One report: ``done`` of ``total`` rows through ``stage`` (read, check or write)."""

    stage: str
    done: int
    total: int

    @property
    def fraction(self) -> float:
        """How far this stage is, 0…1."""
        return min(1.0, self.done / self.total) if self.total else 1.0

    @property
    def overall(self) -> float:
        """How far the whole import is, 0…1 (each stage a third)."""
        index = list(STAGES).index(self.stage) if self.stage in STAGES else 0
        return (index + self.fraction) / len(STAGES)

    @property
    def label(self) -> str:
        verb = {"read": "已读取", "check": "已检查", "write": "已写入"}.get(self.stage, self.stage)
        return f"{verb} {self.done:,} / {self.total:,} 行"


Listener = Callable[[Step], None]
_LISTENER: ContextVar[Listener | None] = ContextVar("panhuo_import_progress", default=None)


@contextmanager
def reporting(listener: Listener | None) -> Iterator[None]:
    """Send the progress of the imports run inside the block to ``listener`` (None: nobody)."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def report(stage: str, done: int, total: int) -> None:
    """Tell the listener, if any, that ``done`` of ``total`` rows are through ``stage``."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(Step(stage, done, max(total, done)))


def counter(stage: str, total: int) -> Callable[[int], None]:
    """A function to call with the number of rows done so far: it reports every hundredth of
    ``total`` and at the end, and does nothing when nobody listens."""
    if _LISTENER.get() is None:
        return _nothing
    step = max(1, -(-total // STEPS))  # rounded up: at most STEPS reports
    state = {"next": step}

    def count(done: int) -> None:
        if done >= state["next"] or done >= total:
            state["next"] = done + step
            report(stage, done, total)

    return count


def _nothing(done: int) -> None:
    return None


BAR_WIDTH = 24


def bar_text(step: Step) -> str:
    """One line of the command line's bar.

    >>> bar_text(Step("write", 250_000, 1_000_000))
    '写入 [██████··················]  25% 已写入 250,000 / 1,000,000 行'
    """
    filled = round(step.fraction * BAR_WIDTH)
    bar = "█" * filled + "·" * (BAR_WIDTH - filled)
    return f"{STAGES.get(step.stage, step.stage)} [{bar}] {step.fraction:4.0%} {step.label}"


class TextBar:
    """The command line's listener: on a terminal one line redrawn in place; in a log (not a
    terminal) a line at each quarter of each stage, so a log stays short."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.last: tuple[str, int] | None = None

    def __call__(self, step: Step) -> None:
        if self.live:
            self.stream.write("\r" + bar_text(step))
            if step.fraction >= 1:
                self.stream.write("\n")
            self.stream.flush()
            return
        quarter = int(step.fraction * 4)
        if self.last != (step.stage, quarter):
            self.last = (step.stage, quarter)
            print(bar_text(step), file=self.stream, flush=True)
