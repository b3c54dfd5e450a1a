"""Bounds a suite and the command line share, in a module of their own so that the command line
reads them without loading the suite models (pydantic) for `evaltui --version` or `--help`."""

MAX_EPOCHS = 1000  # asks of each case in one run; the run's plan holds cases x epochs entries
