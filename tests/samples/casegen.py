"""Writes the case files of sample_suites/ from the data modules beside it. Run it after editing
the data (`python tests/samples/casegen.py`) and commit the output; nothing runs it at test or
run time."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUITES = HERE.parent.parent / "sample_suites"
sys.path.insert(0, str(HERE))

from casegen_answers import QUESTIONS  # noqa: E402
from casegen_code import TASKS  # noqa: E402
from casegen_invoices import invoices  # noqa: E402
from casegen_math import problems  # noqa: E402
from casegen_support import TICKETS  # noqa: E402


def write_jsonl(name: str, rows: list[dict[str, Any]]) -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    (SUITES / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def support_rows() -> list[dict[str, Any]]:
    return [
        {"id": f"ticket-{index:03d}", "input": text, "expected": queue, "tags": [queue, area]}
        for index, (text, queue, area) in enumerate(TICKETS, start=1)
    ]


def code_rows() -> list[dict[str, Any]]:
    rows = []
    for signature, task, tests in TASKS:
        name = signature.split("(")[0].removeprefix("def ")
        rows.append({"id": name, "input": task, "vars": {"signature": signature, "tests": tests}})
    return rows


def answer_rows() -> list[dict[str, Any]]:
    return [
        {"id": f"qa-{index:02d}", "input": question, "expected": answer, "vars": {"context": context}}
        for index, (context, question, answer) in enumerate(QUESTIONS, start=1)
    ]


def main() -> None:
    write_jsonl("support_intent.jsonl", support_rows())
    write_jsonl("invoice_extraction.jsonl", invoices())
    write_jsonl("math_word_problems.jsonl", problems())
    write_jsonl("python_functions.jsonl", code_rows())
    write_jsonl("answer_quality.jsonl", answer_rows())


if __name__ == "__main__":
    main()
