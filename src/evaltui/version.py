"""evaltui's version, as runs, reports and imported suites record it. A module of its own at the
bottom of the house, so that the store and reports need not import the package face above them
(`evaltui/__init__.py`, which opens the Python API)."""

__version__ = "0.1.0"
