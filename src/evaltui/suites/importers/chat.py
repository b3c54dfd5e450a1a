"""Datasets whose input is a list of chat messages (OpenAI evals, Inspect AI) as one evaltui
message list: a suite has one list of message templates, so every record must have the same
roles in the same order. The last message's text becomes the case's input, the earlier ones vars
`message_1`, `message_2`, …; the templates put each back in its place."""

from __future__ import annotations

from typing import Any

from evaltui.errors import SuiteError
from evaltui.suites.models import Message

ROLES = ("system", "user", "assistant")


def split_messages(
    value: Any, file: str, line: int, field: str = "input"
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """(roles, case fields) of one record's messages (`field`: where the record holds them)."""
    if not value or not all(isinstance(m, dict) for m in value):
        raise SuiteError(
            f"{field} is text or a list of {{role, content}} messages", file=file, line=line, field=field
        )
    roles: list[str] = []
    texts: list[str] = []
    for index, message in enumerate(value):
        role, content = message.get("role"), _text(message.get("content"))
        problem = _unreplayable(message, role, content)
        if problem:
            raise SuiteError(problem, file=file, line=line, field=f"{field}[{index}]")
        roles.append(role)
        texts.append(str(content))
    fields: dict[str, Any] = {
        "input": texts[-1],
        "vars": {f"message_{i}": t for i, t in enumerate(texts[:-1], 1)},
    }
    return tuple(roles), fields


def _text(content: Any) -> Any:
    """Content parts that are all text, as their text; anything else as it is."""
    if (
        isinstance(content, list)
        and content
        and all(
            isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)
            for part in content
        )
    ):
        return "".join(part["text"] for part in content)
    return content


def _unreplayable(message: dict[str, Any], role: Any, content: Any) -> str | None:
    """Why a message cannot be one of a case's (None: it can): a case's conversation is system,
    user and assistant text."""
    why = " (its conversation is system, user and assistant text)"
    if role == "tool":
        return "a tool result cannot be a message of a case" + why
    if role == "assistant" and message.get("tool_calls"):
        return "an assistant turn that called tools cannot be a message of a case" + why
    if isinstance(content, list):
        kinds = sorted({str(p.get("type")) for p in content if isinstance(p, dict)} - {"text"})
        return f"content parts other than text ({', '.join(kinds) or 'unknown'}) cannot be sent by evaltui"
    if role not in ROLES or not isinstance(content, str):
        return f"a message needs a role ({', '.join(ROLES)}) and text content"
    return None


def message_templates(roles: tuple[str, ...]) -> list[Message]:
    """The suite's messages for records shaped `roles`."""
    contents = [f"{{{{ message_{i} }}}}" for i in range(1, len(roles))] + ["{{ input }}"]
    return [Message(role=role, content=content) for role, content in zip(roles, contents, strict=True)]


def same_shape(
    first: tuple[str, ...] | None, roles: tuple[str, ...], file: str, line: int
) -> tuple[str, ...]:
    if first is not None and roles != first:
        raise SuiteError(
            f"this record's messages are {'/'.join(roles)}, the first record's {'/'.join(first)}; "
            "an evaltui suite has one message list: split the file by shape",
            file=file,
            line=line,
            field="input",
        )
    return roles
