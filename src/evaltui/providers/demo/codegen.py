"""Small Python functions from templates the model recognises in the task description.

The function name and parameter names come from the signature in the prompt. `keyword` knows
more templates and handles their edge cases (mostly); `rules` knows fewer and writes the naive
version. A task neither recognises gets a stub that raises NotImplementedError.
"""

# ruff: noqa: E501  (template tables read best one template a line)
from __future__ import annotations

import re

from evaltui.providers.demo.reading import split_subject

# (pattern on the task text, function body using p0, p1, p2 for the parameters in order)
KEYWORD_TEMPLATES: list[tuple[str, str]] = [
    (r"palindrome", "cleaned = ''.join(ch.lower() for ch in {p0} if ch.isalnum())\nreturn cleaned == cleaned[::-1]"),
    (r"revers", "return {p0}[::-1]"),
    (r"factorial|\bn!", "result = 1\nfor i in range(2, {p0} + 1):\n    result *= i\nreturn result"),
    (r"fibonacci", "a, b = 0, 1\nfor _ in range({p0}):\n    a, b = b, a + b\nreturn a"),
    (r"prime", "if {p0} < 2:\n    return False\nreturn all({p0} % d for d in range(2, int({p0} ** 0.5) + 1))"),
    (r"sum of the even", "return sum(x for x in {p0} if x % 2 == 0)"),
    (r"vowel", "return sum(1 for ch in {p0}.lower() if ch in 'aeiou')"),
    (r"largest number|maximum", "best = {p0}[0]\nfor x in {p0}[1:]:\n    if x > best:\n        best = x\nreturn best"),
    (r"second largest", "return sorted(set({p0}))[-2]"),
    (r"flatten", "return [x for sub in {p0} for x in sub]"),
    (r"duplicates removed|remove duplicates", "seen = set()\nreturn [x for x in {p0} if not (x in seen or seen.add(x))]"),
    (r"how many times|word frequenc", "counts = {{}}\nfor w in {p0}.lower().split():\n    counts[w] = counts.get(w, 0) + 1\nreturn counts"),
    (r"character counts", "from collections import Counter\nreturn dict(Counter({p0}))"),
    (r"number of words", "return len({p0}.split())"),
    (r"fahrenheit", "return {p0} * 9 / 5 + 32"),
    (r"greatest common divisor|gcd", "a, b = {p0}, {p1}\nwhile b:\n    a, b = b, a % b\nreturn a"),
    (r"capitali[sz]e the first letter", "return {p0}.title()"),
    (r"anagram", "return sorted({p0}.lower()) == sorted({p1}.lower())"),
    (r"chunks", "return [{p0}[i:i + {p1}] for i in range(0, len({p0}), {p1})]"),
    (r"clamp", "return max({p1}, min({p0}, {p2}))"),
    (r"median", "ordered = sorted({p0})\nreturn ordered[len(ordered) // 2]"),
    (r"\bmean\b|average", "return sum({p0}) / len({p0}) if {p0} else 0.0"),
    (r"leap year", "return {p0} % 4 == 0 and ({p0} % 100 != 0 or {p0} % 400 == 0)"),
    (r"fizz", "if {p0} % 15 == 0:\n    return 'FizzBuzz'\nif {p0} % 3 == 0:\n    return 'Fizz'\n"
              "if {p0} % 5 == 0:\n    return 'Buzz'\nreturn str({p0})"),
    (r"sum of the (decimal )?digits", "return sum(int(d) for d in str({p0}))"),
    (r"merge two sorted", "return sorted({p0} + {p1})"),
    (r"whitespace", "return ''.join({p0}.split())"),
    (r"index of", "lo, hi = 0, len({p0}) - 1\nwhile lo <= hi:\n    mid = (lo + hi) // 2\n"
                  "    if {p0}[mid] == {p1}:\n        return mid\n    if {p0}[mid] < {p1}:\n        lo = mid + 1\n"
                  "    else:\n        hi = mid - 1\nreturn -1"),
    (r"transpose", "return [list(row) for row in zip(*{p0})]"),
    (r"is sorted|non-decreasing", "return all(a <= b for a, b in zip({p0}, {p0}[1:]))"),
]  # fmt: skip

RULES_TEMPLATES: list[tuple[str, str]] = [
    (r"palindrome", "return {p0} == {p0}[::-1]"),
    (r"revers", "return {p0}[::-1]"),
    (r"factorial", "return 1 if {p0} <= 1 else {p0} * {name}({p0} - 1)"),
    (r"fibonacci", "a, b = 1, 1\nfor _ in range({p0}):\n    a, b = b, a + b\nreturn a"),
    (r"prime", "return all({p0} % d for d in range(2, {p0}))"),
    (r"even", "return sum(x for x in {p0} if x % 2 == 0)"),
    (r"vowel", "return sum(1 for ch in {p0} if ch in 'aeiou')"),
    (r"largest number", "return sorted({p0})[-1]"),
    (r"second largest", "return sorted({p0})[-2]"),
    (r"fahrenheit", "return {p0} * 9 / 5 + 32"),
    (r"greatest common divisor", "import math\nreturn math.gcd({p0}, {p1})"),
    (r"\bmean\b|average", "return sum({p0}) / len({p0})"),
    (r"leap year", "return {p0} % 4 == 0"),
    (r"fizz", "return 'Fizz' if {p0} % 3 == 0 else 'Buzz' if {p0} % 5 == 0 else str({p0})"),
    (r"number of words", "return len({p0}.split(' '))"),
    (r"whitespace", "return {p0}.replace(' ', '')"),
    (r"flatten", "return sum({p0}, [])"),
    (r"chunks", "return [{p0}[i:i + {p1}] for i in range(0, len({p0}), {p1})]"),
    (r"clamp", "return min(max({p0}, {p1}), {p2})"),
    (r"transpose", "return [list(row) for row in zip(*{p0})]"),
]  # fmt: skip


def signature(prompt: str) -> tuple[str, list[str]]:
    """The function name and parameter names the prompt asks for."""
    match = re.search(r"def\s+(\w+)\s*\(([^)]*)\)", prompt)
    if match:
        params = [re.split(r"[:=]", part)[0].strip() for part in match.group(2).split(",") if part.strip()]
        return match.group(1), params
    named = re.search(r"function (?:named |called )?`?(\w+)`?", prompt)
    return (named.group(1) if named else "solution"), ["x"]


def write_function(prompt: str, templates: list[tuple[str, str]]) -> str:
    _, task = split_subject(prompt)
    name, params = signature(prompt)
    task = f"{task} ({name.replace('_', ' ')})"  # the name is a hint too: is_palindrome
    body = "# I do not recognise this task\nraise NotImplementedError"
    for pattern, template in templates:
        if re.search(pattern, task, re.IGNORECASE):
            names = {f"p{i}": param for i, param in enumerate([*params, "x", "y", "z"][:3])}
            body = template.format(name=name, **names)
            break
    indented = "\n".join(f"    {line}" for line in body.splitlines())
    return f"```python\ndef {name}({', '.join(params)}):\n{indented}\n```"


def keyword_code(prompt: str) -> str:
    return write_function(prompt, KEYWORD_TEMPLATES)


def rules_code(prompt: str) -> str:
    return write_function(prompt, RULES_TEMPLATES)
