"""Datasets whose input is a list of chat messages (OpenAI evals, Inspect AI) as one evaltui
message list: a suite has one list of message templates, so every record must have the same
roles in the same order. The last message's text becomes the case's input, the earlier ones vars
`message_1`, `message_2`, …; the templates put each back in its place."""

from __future__ import annotations

from typing import Any

from evaltui.errors import SuiteError
from evaltui.suites.models import Message

ROLES = ("system", "user", "assistant")


def split_messages(value: Any, file: str, line: int) -> tuple[tuple[str, ...], dict[str, Any]]:
    """(roles, case fields) of one record's messages."""
    if not value or not all(isinstance(m, dict) for m in value):
        raise SuiteError(
            "input is text or a list of {role, content} messages", file=file, line=line, field="input"
        )
    roles: list[str] = []
    texts: list[str] = []
    for message in value:
        role, content = message.get("role"), message.get("content")
        if role not in ROLES or not isinstance(content, str):
            raise SuiteError(
                f"a message needs a role ({', '.join(ROLES)}) and text content",
                file=file,
                line=line,
                field="input",
            )
        roles.append(role)
        texts.append(content)
    fields: dict[str, Any] = {
        "input": texts[-1],
        "vars": {f"message_{i}": t for i, t in enumerate(texts[:-1], 1)},
    }
    return tuple(roles), fields


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
