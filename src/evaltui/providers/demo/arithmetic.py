"""Arithmetic word problems: read the quantities and the verbs around them.

`keyword` keeps a running value clause by clause (more/sold/each/shared/percent off), which
solves most one- and two-step problems and falls for distractor numbers; `rules` looks only at
the question's wording and applies one operation to every number it sees.
"""

from __future__ import annotations

import re

from evaltui.providers.demo.reading import split_subject

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
    "hundred": 100, "dozen": 12,
}  # fmt: skip
NUMBER = re.compile(
    r"\$?(\d+(?:,\d{3})*(?:\.\d+)?)\s*(%|percent)?|\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I
)
CLAUSE_SPLIT = re.compile(r"(?<=[.?!])\s+|,\s*(?:and\s+)?then\s+|\s+and\s+|;\s*")
MULTIPLY = re.compile(r"\b(each|per|every|times|costs?)\b")
DIVIDE = re.compile(r"\b(equally|among|split|divided|shares?|shared|groups? of)\b")
SUBTRACT = re.compile(
    r"\b(sells?|sold|gives?|gave|loses?|lost|eats?|ate|spends?|spent|uses?|used|removes?|removed|minus|fewer|less|breaks?|broke|donates?|donated)\b"
)
MULTIPLES = {"twice": 2.0, "double": 2.0, "triple": 3.0, "half": 0.5}


def numbers_in(text: str) -> list[tuple[float, bool]]:
    """(value, is_percent) for each quantity, digits or number words, in order."""
    found = []
    for match in NUMBER.finditer(text):
        if match.group(1):
            found.append((float(match.group(1).replace(",", "")), bool(match.group(2))))
        else:
            found.append((float(NUMBER_WORDS[match.group(3).lower()]), False))
    return found


def apply(value: float, number: float, clause: str) -> float:
    if DIVIDE.search(clause) and number:
        return value / number
    if MULTIPLY.search(clause):
        return value * number
    if SUBTRACT.search(clause):
        return value - number
    return value + number


def keyword_solve(problem: str) -> float | None:
    value: float | None = None
    last, carried = 0.0, ""  # the previous number, and a per-unit cue ("each box") for later clauses
    for clause in CLAUSE_SPLIT.split(problem):
        lowered = clause.lower()
        cue = (
            lowered
            if (MULTIPLY.search(lowered) or DIVIDE.search(lowered) or SUBTRACT.search(lowered))
            else carried
        )
        for number, is_percent in numbers_in(clause):
            if is_percent and value is not None:
                value = percent_of(value, number, lowered)
            elif value is None:
                value = number
            else:
                value = apply(value, number, cue)
            last = number
        for word, factor in MULTIPLES.items():
            if word in lowered and value is not None:
                term = last * factor
                value = value + term if re.search(r"total|altogether|in all|both", problem, re.I) else term
        carried = lowered if MULTIPLY.search(lowered) else ""
    return value


def percent_of(value: float, percent: float, clause: str) -> float:
    if re.search(r"\b(off|discount|less|decrease)", clause):
        return value * (1 - percent / 100)
    if re.search(r"\b(tax|tip|increase|more|raise)", clause):
        return value * (1 + percent / 100)
    return value * percent / 100


def rules_solve(problem: str) -> float | None:
    numbers = [number for number, _ in numbers_in(problem)]
    if not numbers:
        return None
    question = problem.lower().rsplit(".", 1)[-1]
    if re.search(r"how many more .* than|difference", question) and len(numbers) >= 2:
        return numbers[0] - numbers[1]
    if re.search(r"left|remain|still", question):
        return numbers[0] - sum(numbers[1:])
    if re.search(r"\b(each|per)\b", problem.lower()) and len(numbers) == 2:
        if DIVIDE.search(problem.lower()):
            return numbers[0] / numbers[1] if numbers[1] else None
        return numbers[0] * numbers[1]
    return sum(numbers)


def show(value: float) -> str:
    return str(round(value)) if abs(value - round(value)) < 1e-9 else f"{value:.2f}"


def keyword_answer(prompt: str) -> str:
    _, problem = split_subject(prompt)
    value = keyword_solve(problem)
    if value is None:
        return "I could not find any quantities in this problem."
    steps = ", ".join(show(number) for number, _ in numbers_in(problem))
    return f"Quantities: {steps}.\nAnswer: {show(value)}"


def rules_answer(prompt: str) -> str:
    _, problem = split_subject(prompt)
    value = rules_solve(problem)
    return "I don't know." if value is None else f"The answer is {show(value)}."
