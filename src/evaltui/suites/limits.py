"""Bounds that suites, their templates and the command line share, in a module of their own so that
the command line reads them without loading the suite models (pydantic) for `evaltui --version` or
`--help`, and a template of text and names is rendered without loading Jinja's sandbox."""

MAX_EPOCHS = 1000  # asks of each case in one run; the run's plan holds cases x epochs entries
MAX_TEXT = 1_000_000  # characters (or items) of one template value, and of a rendered prompt
MAX_CONCURRENCY = 4096  # requests in flight one run may ask for (`-c`, the config, the Python API)
