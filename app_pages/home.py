"""首页 (``/``, hidden from the menu): forwards to 总览 with the same query parameters."""

from components.drilldown import goto

if __name__ == "__main__":
    goto("overview")
