"""Which task a prompt asks for, and which skill of a demo model answers it."""

from __future__ import annotations

import re
from collections.abc import Callable

from evaltui.providers.demo import answer, arithmetic, classify, codegen, extract
from evaltui.providers.demo.reading import last_user_message, split_subject

Skill = Callable[[str], str]

KEYWORD_SKILLS: dict[str, Skill] = {
    "code": codegen.keyword_code,
    "extract": extract.keyword_extract,
    "answer": answer.keyword_answer,
    "classify": classify.keyword_label,
    "arithmetic": arithmetic.keyword_answer,
}
RULES_SKILLS: dict[str, Skill] = {
    "code": codegen.rules_code,
    "extract": extract.rules_extract,
    "answer": answer.rules_answer,
    "classify": classify.rules_label,
    "arithmetic": arithmetic.rules_answer,
}
CONTEXT = re.compile(r"^\s*context\s*:", re.I | re.M)
QUESTION = re.compile(r"^\s*question\s*:", re.I | re.M)
UNSURE = (
    "I am an offline demo model: I can route tickets, extract invoice fields as JSON, solve arithmetic "
    "word problems, write small Python functions and answer questions about a given context."
)


def task_of(prompt: str) -> str | None:
    instructions, _ = split_subject(prompt)
    text = (instructions or prompt).lower()
    if CONTEXT.search(prompt) and QUESTION.search(prompt):
        return "answer"
    if "python" in text and ("function" in text or "def " in text):
        return "code"
    if "json" in text and re.search(r"extract|field", text):
        return "extract"
    if re.search(r"classif|categor|route|routing|queue", text):
        return "classify"
    if re.search(r"how (many|much|far|long|old)|solve|word problem|\bsum\b|total", prompt.lower()):
        return "arithmetic"
    return None


def prompt_text(messages: list[dict[str, str]]) -> str:
    """The system instructions (if any) followed by the last user message."""
    system = [message.get("content", "") for message in messages if message.get("role") == "system"]
    return "\n\n".join([*system, last_user_message(messages)])


def reply(messages: list[dict[str, str]], skills: dict[str, Skill], fallback: str) -> str:
    prompt = prompt_text(messages)
    task = task_of(prompt)
    return skills[task](prompt) if task else fallback


def keyword_reply(messages: list[dict[str, str]]) -> str:
    return reply(messages, KEYWORD_SKILLS, UNSURE)


def rules_reply(messages: list[dict[str, str]]) -> str:
    return reply(messages, RULES_SKILLS, "OK.")
