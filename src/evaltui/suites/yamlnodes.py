"""YAML to plain data, remembering the line every value was written on.

PyYAML's `safe_load` forgets positions, silently keeps the last of two duplicate keys and reads
`no` as False (YAML 1.1). We compose the node tree instead and build the data ourselves with the
YAML 1.2 core schema, so errors can name a line, duplicate keys are errors, and `expected: no`
stays the text "no".
"""

from __future__ import annotations

import math
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evaltui.errors import SuiteError

FieldPath = tuple[str | int, ...]

MAX_NODES = 2_000_000  # anchors and aliases can make a small file expand without bound
MAX_ALIAS_CHARS = 10_000_000  # characters aliases may add to what the file itself holds
MAX_DEPTH = 64  # nesting levels; a suite needs about six

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
_TAG = "tag:yaml.org,2002:"

# What a plain scalar with an explicit !!int, !!float, !!bool or !!null tag must resolve to.
_PLAIN_TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int, "float": (int, float), "bool": bool, "null": type(None),
}  # fmt: skip


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _ComposeOnly(yaml.SafeLoader):
    """A loader with no implicit resolvers: every plain scalar composes as `str` and we resolve it.
    It also stops at MAX_DEPTH levels of nesting, long before Python's recursion limit."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark.line + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_ComposeOnly.yaml_implicit_resolvers = {}


def format_path(path: FieldPath) -> str:
    """("cases", 3, "expected") -> "cases[3].expected"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass
class YamlDoc:
    """A parsed YAML file: the data, and the line (1-based) each path was written on."""

    file: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)
    text_lines: dict[FieldPath, int] = field(default_factory=dict)  # where a string's text starts

    def line_of(self, path: FieldPath) -> int | None:
        """The line of `path`, or of its nearest written ancestor (a missing key -> its mapping)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def error(self, message: str, path: FieldPath) -> SuiteError:
        return SuiteError(message, file=self.file, line=self.line_of(path), field=format_path(path) or None)


def read_yaml(path: Path, display: str) -> YamlDoc:
    """Read and compose one YAML file. Every problem is a SuiteError naming `display` and a line."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block, /dev/zero never end
            raise SuiteError(
                "not a regular file (a pipe, device or folder?); a suite is a YAML file", file=display
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise SuiteError(f"cannot read the file ({exc.strerror or exc})", file=display) from exc
    text = decode_text(raw, display)
    try:
        node = yaml.compose(text, Loader=_ComposeOnly)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise SuiteError(f"YAML syntax error: {problem}", file=display, line=line) from exc
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise SuiteError(
            f"character {exc.character!r} is not allowed in YAML", file=display, line=line
        ) from exc
    except yaml.YAMLError as exc:
        raise SuiteError(f"YAML error: {exc}", file=display) from exc
    except _TooDeep as exc:
        raise SuiteError(
            f"values are nested more than {MAX_DEPTH} levels deep", file=display, line=exc.line
        ) from None
    if node is None:
        raise SuiteError("the file is empty; a suite needs at least `name:` and `cases:`", file=display)
    doc = YamlDoc(file=display, data=None)
    _check_expansion(node, doc, len(text))
    doc.data = _Builder(doc).build(node, ())
    return doc


def _check_expansion(root: yaml.Node, doc: YamlDoc, written: int) -> None:
    """Refuse alias cycles and alias bombs before building anything: a document may expand to at
    most MAX_NODES values, and its text to at most MAX_ALIAS_CHARS characters more than the
    `written` characters of the file (one long text repeated by aliases is as costly as many
    values). Sizes are memoized per node, so this costs one visit per distinct node however
    far aliases would expand."""
    sizes: dict[int, tuple[int, int]] = {}
    active: set[int] = set()
    max_chars = written + MAX_ALIAS_CHARS

    def size(node: yaml.Node) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise SuiteError(
                "an alias refers to the value that contains it", file=doc.file, line=node.start_mark.line + 1
            )
        active.add(key)
        if isinstance(node, yaml.SequenceNode):
            parts = [size(item) for item in node.value]
        elif isinstance(node, yaml.MappingNode):
            parts = [size(part) for pair in node.value for part in pair]
        else:
            parts = [(0, len(node.value))]
        active.discard(key)
        nodes = 1 + sum(n for n, _ in parts)
        chars = sum(c for _, c in parts)
        line = node.start_mark.line + 1
        if nodes > MAX_NODES:
            raise SuiteError(
                f"the document expands to more than {MAX_NODES:,} values (anchors and aliases?)",
                file=doc.file,
                line=line,
            )
        if chars > max_chars:
            raise SuiteError(
                f"aliases expand the document by more than {MAX_ALIAS_CHARS:,} characters",
                file=doc.file,
                line=line,
            )
        sizes[key] = (nodes, chars)
        return nodes, chars

    size(root)


def decode_text(raw: bytes, display: str, first_line: int = 1) -> str:
    """UTF-8 text with no NUL bytes; the error names the line of the first bad byte."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = first_line + raw.count(b"\n", 0, nul)
        raise SuiteError("NUL byte in the file (is it binary?)", file=display, line=line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + raw.count(b"\n", 0, exc.start)
        raise SuiteError(
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", file=display, line=line
        ) from exc
    return text.removeprefix("\ufeff")


class _Builder:
    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            self.check_tag(node, "seq", path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        self.check_tag(node, "map", path)
        return self.mapping(node, path)

    def check_tag(self, node: yaml.Node, expected: str, path: FieldPath) -> None:
        if node.tag != _TAG + expected:
            raise self.doc.error(f"unsupported YAML tag {node.tag!r}; use plain values", path)

    def mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SuiteError(
                    "a key must be plain text",
                    file=self.doc.file,
                    line=key_node.start_mark.line + 1,
                    field=format_path(path) or None,
                )
            key = key_node.value  # keys stay text as written: `on:` and `1:` are not bool and int
            key_path = (*path, key)
            line = key_node.start_mark.line + 1
            if key in result:
                first = self.doc.lines[key_path]
                raise SuiteError(
                    f"duplicate key (first written on line {first})",
                    file=self.doc.file,
                    line=line,
                    field=format_path(key_path),
                )
            self.doc.lines[key_path] = line
            result[key] = self.build(value_node, key_path)
        return result

    def scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        value: str = node.value
        if isinstance(value, str):
            block = node.style in ("|", ">")
            self.doc.text_lines[path] = node.start_mark.line + 1 + (1 if block else 0)
        tag = node.tag.removeprefix(_TAG)
        if tag == "str":
            return _resolve_plain(value) if node.style is None else value
        if tag in ("int", "float", "bool", "null"):
            resolved: Any = _resolve_plain(value)
            valid = isinstance(resolved, _PLAIN_TYPES[tag]) and not (
                tag == "int" and isinstance(resolved, bool)
            )
            if valid:
                return float(resolved) if tag == "float" else resolved
            raise self.doc.error(f"{value!r} is not a valid !!{tag}", path)
        raise self.doc.error(f"unsupported YAML tag {node.tag!r}; use plain values", path)


def _resolve_plain(value: str) -> Any:
    """The YAML 1.2 core schema: null, true/false, decimal ints, floats; everything else is text."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return _SPECIAL_FLOATS.get(value.lower(), value)
