# ruff: noqa: E501  (a problem template reads best on one line)
"""Arithmetic word problems for sample_suites/math_word_problems.jsonl, from templates with a
fixed seed. Problems made from one template share a `cluster` (they are not independent)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

NAMES = ["Maya", "Tom", "Priya", "Lukas", "Amara", "Jonas", "Sofia", "Kenji", "Ines", "Omar"]
Template = Callable[[random.Random, str], tuple[str, float]]


def gain(rng: random.Random, who: str) -> tuple[str, float]:
    a, b = rng.randrange(5, 60), rng.randrange(2, 30)
    return f"{who} has {a} stickers. She buys {b} more. How many stickers does she have now?", a + b


def sold(rng: random.Random, who: str) -> tuple[str, float]:
    a = rng.randrange(40, 120)
    b = rng.randrange(5, a - 5)
    return (
        f"A bakery baked {a} muffins in the morning and sold {b} by noon. How many muffins are left?",
        a - b,
    )


def per_box(rng: random.Random, who: str) -> tuple[str, float]:
    a, b = rng.choice([6, 8, 10, 12, 24]), rng.randrange(3, 15)
    return f"Each box holds {a} eggs. How many eggs are in {b} boxes?", a * b


def share(rng: random.Random, who: str) -> tuple[str, float]:
    b = rng.randrange(3, 9)
    a = b * rng.randrange(3, 12)
    return (
        f"{who} shares {a} pencils equally among {b} friends. How many pencils does each friend get?",
        a / b,
    )


def two_step(rng: random.Random, who: str) -> tuple[str, float]:
    a, b = rng.randrange(10, 40), rng.randrange(3, 20)
    c = rng.randrange(1, a)
    return (
        f"{who} had {a} marbles, won {b} more at school, then lost {c} on the way home. How many marbles does {who} have now?",
        a + b - c,
    )


def unit_price(rng: random.Random, who: str) -> tuple[str, float]:
    price, count = rng.choice([2.5, 3.5, 4.25, 1.2, 12]), rng.randrange(2, 9)
    return f"Notebooks cost ${price} each. How much do {count} notebooks cost?", round(price * count, 2)


def discount(rng: random.Random, who: str) -> tuple[str, float]:
    price, off = rng.choice([40, 60, 80, 120, 250]), rng.choice([10, 20, 25, 50])
    return f"A jacket costs ${price}. It is {off}% off today. What is the sale price?", price * (
        1 - off / 100
    )


def distractor(rng: random.Random, who: str) -> tuple[str, float]:
    age, a = rng.randrange(8, 13), rng.randrange(12, 40)
    b = rng.randrange(2, a - 2)
    return (
        f"{who} is {age} years old and has {a} apples. {who} gives {b} apples to a neighbour. How many apples does {who} have left?",
        a - b,
    )


def twice(rng: random.Random, who: str) -> tuple[str, float]:
    a = rng.randrange(5, 30)
    return (
        f"{who} read {a} pages on Monday and twice as many on Tuesday. How many pages did {who} read in total?",
        a * 3,
    )


def speed(rng: random.Random, who: str) -> tuple[str, float]:
    v, h = rng.choice([40, 50, 60, 80, 90]), rng.randrange(2, 7)
    return f"A train travels at {v} miles per hour for {h} hours. How far does it travel?", v * h


def packs(rng: random.Random, who: str) -> tuple[str, float]:
    p, n = rng.randrange(2, 6), rng.choice([6, 8, 10, 12])
    g = rng.randrange(1, p * n // 2)
    return (
        f"{who} buys {p} packs with {n} pencils in each pack and gives away {g} pencils. How many pencils does {who} have?",
        p * n - g,
    )


def difference(rng: random.Random, who: str) -> tuple[str, float]:
    a, b = rng.randrange(20, 60), rng.randrange(5, 19)
    return (
        f"{who} has {a} coins and her brother has {b}. How many more coins does {who} have than her brother?",
        a - b,
    )


def word_numbers(rng: random.Random, who: str) -> tuple[str, float]:
    return f"{who} has a dozen cookies and eats three. How many cookies are left?", 9


TEMPLATES: dict[str, Template] = {
    "gain": gain, "sold": sold, "per-box": per_box, "share": share, "two-step": two_step,
    "unit-price": unit_price, "discount": discount, "distractor": distractor, "twice": twice,
    "speed": speed, "packs": packs, "difference": difference,
}  # fmt: skip


def problems() -> list[dict[str, Any]]:
    rng = random.Random(1729)
    cases: list[dict[str, Any]] = []
    for name, template in TEMPLATES.items():
        for variant in range(1, 6):
            text, answer = template(rng, rng.choice(NAMES))
            cases.append(
                {
                    "id": f"{name}-{variant}",
                    "input": text,
                    "expected": answer,
                    "cluster": name,
                    "tags": [name],
                }
            )
    text, answer = word_numbers(rng, "Ines")
    cases.append(
        {
            "id": "word-numbers-1",
            "input": text,
            "expected": answer,
            "cluster": "word-numbers",
            "tags": ["word-numbers"],
        }
    )
    return cases
