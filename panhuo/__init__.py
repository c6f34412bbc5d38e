"""Panhuo 盘活 — the domain package of the low-efficiency land redevelopment dashboard.

Never imports streamlit: everything here runs from the command line and in tests.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
