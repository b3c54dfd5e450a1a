"""`python -m evaltui`: the same command line as the `evaltui` script (how `evaltui serve` starts
each browser session's app with the very interpreter that serves it)."""

from evaltui.cli import main

main(prog_name="evaltui")
