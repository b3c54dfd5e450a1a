"""How demo:keyword and demo:rules act when a request offers tools: a small trip assistant that
knows two tools, `get_weather(city, unit)` and `convert_currency(amount, from, to)`.

The two styles read the question differently, as two real models would:
- keyword knows city names (several words, any case) and currency names, asks for both tools at
  once when a question needs both, and reads "fahrenheit";
- rules calls `get_weather` only when the word "weather" is there, takes the last capitalised word
  as the city, knows ISO currency codes only, and answers after its first tool.

Once the conversation holds tool results after the last question, either answers from them. A
tool the request does not offer is never called.
"""

from __future__ import annotations

import re
from typing import Any

from evaltui.providers.base import Request, ToolCall

CITIES = (
    "new york", "san francisco", "rio de janeiro", "buenos aires", "hong kong", "mexico city",
    "cape town", "los angeles", "paris", "london", "oslo", "tokyo", "berlin", "madrid", "rome",
    "lisbon", "sydney", "toronto", "dublin", "vienna", "prague", "bergen", "cairo", "lima", "seoul",
)  # fmt: skip
WEATHER_WORDS = frozenset(
    [
        "weather",
        "temperature",
        "forecast",
        "rain",
        "raining",
        "sunny",
        "cold",
        "warm",
        "hot",
        "snow",
        "snowing",
        "umbrella",
    ]
)
CURRENCY_NAMES = {
    "dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP", "pound": "GBP",
    "yen": "JPY", "kroner": "NOK", "krone": "NOK", "francs": "CHF", "franc": "CHF",
}  # fmt: skip
CODES = frozenset({"USD", "EUR", "GBP", "JPY", "NOK", "CHF", "SEK", "CAD", "AUD"})
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*([A-Za-z]{3,7})\s+(?:in|to|into)\s+([A-Za-z]{3,7})")


def agent_turn(request: Request, style: str) -> tuple[str, tuple[ToolCall, ...]]:
    """(text, tool calls) of one turn."""
    question, results = _question_and_results(request.messages)
    if results:
        return " ".join(f"{name}: {content}." for name, content in results), ()
    offered = {tool["function"]["name"] for tool in request.tools}
    plan = _keyword_plan(question) if style == "keyword" else _rules_plan(question)
    calls = tuple(
        ToolCall.from_value(f"call_{index}", name, arguments)
        for index, (name, arguments) in enumerate((n, a) for n, a in plan if n in offered)
    )
    if calls:
        return "", calls
    return "I can check the weather or convert currencies for your trip.", ()


def _question_and_results(messages: list[dict[str, Any]]) -> tuple[str, list[tuple[str, str]]]:
    question, results = "", list[tuple[str, str]]()
    for message in messages:
        if message.get("role") == "user":
            question, results = str(message.get("content", "")), []
        elif message.get("role") == "tool":
            results.append((str(message.get("name", "")), str(message.get("content", ""))))
    return question, results


def _keyword_plan(question: str) -> list[tuple[str, dict[str, Any]]]:
    plan: list[tuple[str, dict[str, Any]]] = []
    lower = question.lower()
    words = set(re.findall(r"[a-z]+", lower))
    city = next((c for c in CITIES if re.search(rf"\b{c}\b", lower)), None)
    if city is not None and words & WEATHER_WORDS:
        arguments: dict[str, Any] = {"city": city.title()}
        if "fahrenheit" in words:
            arguments["unit"] = "f"
        plan.append(("get_weather", arguments))
    found = _AMOUNT.search(question)
    if found is not None:
        source, target = _currency(found.group(2), names=True), _currency(found.group(3), names=True)
        if source and target:
            plan.append(
                ("convert_currency", {"amount": _number(found.group(1)), "from": source, "to": target})
            )
    return plan


def _rules_plan(question: str) -> list[tuple[str, dict[str, Any]]]:
    if "weather" in question.lower():
        capitalised = re.findall(r"\b[A-Z][a-z]+\b", question)
        if capitalised:
            return [("get_weather", {"city": capitalised[-1]})]
    found = _AMOUNT.search(question)
    if found is not None:
        source, target = _currency(found.group(2), names=False), _currency(found.group(3), names=False)
        if source and target:
            return [("convert_currency", {"amount": _number(found.group(1)), "from": source, "to": target})]
    return []


def _currency(word: str, *, names: bool) -> str | None:
    if word in CODES:
        return word
    return CURRENCY_NAMES.get(word.lower()) if names else None


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value
