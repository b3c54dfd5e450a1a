"""How the demo models read a prompt: split the instructions from the text they are about,
find words, numbers and lists. Shared by every demo model so they all react to a prompt edit
the same way a real model would: by reading it."""

from __future__ import annotations

import re

STOPWORDS_TEXT = """a an the and or but if of to in on at by for with from as is are was were
    be been being it its
    this that these those there their they them he she his her we our you your i my me do does did
    not no so than then too very can could should would will shall may might must what which who whom
    whose when where why how into onto about over under after before during between up down out off
    again also only just any all each every some such one s t has have had"""
STOPWORDS = frozenset(STOPWORDS_TEXT.split())

# A line such as "Ticket: ...", "Problem: ..." introduces the text the instructions are about.
SUBJECT_MARKER = re.compile(
    r"^[ \t]*(ticket|text|input|message|problem|invoice|question|email|document|task)[ \t]*:[ \t]*",
    re.IGNORECASE | re.MULTILINE,
)
WORD = re.compile(r"[a-z0-9]+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")


def last_user_message(messages: list[dict[str, str]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message.get("content", "")
    return messages[-1].get("content", "") if messages else ""


def split_subject(prompt: str) -> tuple[str, str]:
    """(instructions, subject): the subject starts at the first marker line; the instructions are
    everything else. A prompt without a marker is all subject and no instructions."""
    match = SUBJECT_MARKER.search(prompt)
    if match is None:
        return "", prompt.strip()
    return prompt[: match.start()].strip(), prompt[match.end() :].strip()


def labelled_block(prompt: str, label: str) -> str:
    """The text after a `Label:` line, up to the next blank line followed by another label."""
    pattern = re.compile(
        rf"^[ \t]*{label}[ \t]*:[ \t]*(.*?)(?=\n\s*\n[ \t]*[A-Z][\w ]{{0,30}}:|\Z)",
        re.IGNORECASE | re.MULTILINE | re.DOTALL,
    )
    match = pattern.search(prompt)
    return match.group(1).strip() if match else ""


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    return {stem(word) for word in words(text) if word not in STOPWORDS and len(word) > 1}


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text.strip()) if part.strip()]


def listed_words(instructions: str) -> list[str]:
    """The items of the first inline list in the instructions ("billing, bug, account or other")."""
    match = re.search(r"\b(\w+)((?:,\s*\w+)+),?\s+(?:or|and)\s+(\w+)\b", instructions)
    if match is None:
        return []
    items = [match.group(1), *re.findall(r"\w+", match.group(2)), match.group(3)]
    return [item.lower() for item in items]


def token_estimate(text: str) -> int:
    """About 1.3 tokens a word, like a BPE tokenizer on English prose."""
    count = len(text.split())
    return max(1, round(count * 1.3)) if text else 0
