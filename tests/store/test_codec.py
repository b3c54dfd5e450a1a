"""The JSON the store writes (a result's prompt and scores, a case's fields) goes through one shared
encoder, which must write what json.dumps writes, with or without json's C speedups."""

from __future__ import annotations

import json

import pytest

from evaltui import jsoncodec
from evaltui.store import codec

VALUES = [
    [{"role": "user", "content": "plain"}],
    [{"role": "user", "content": "café ☕ 日本"}],
    [{"role": "user", "content": "lone \ud800 surrogate"}],  # not UTF-8: stored as ASCII JSON
    [{"name": "equals", "value": 1.0, "passed": True, "reason": None}],
    [],
]


@pytest.mark.parametrize("value", VALUES)
def test_the_shared_encoder_writes_what_json_dumps_writes(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    stored = codec.dump_json(value)
    assert stored == (json.dumps(value) if "\ud800" in text else text)
    assert json.loads(stored) == value


@pytest.mark.parametrize("value", VALUES)
def test_without_json_c_speedups_the_same_text_is_written(
    value: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = codec.dump_json(value)
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    monkeypatch.setattr(codec, "_READABLE", jsoncodec.encoder(ensure_ascii=False))
    monkeypatch.setattr(codec, "_ASCII", jsoncodec.encoder(ensure_ascii=True))
    assert codec.dump_json(value) == fast
    assert jsoncodec.encoder(ensure_ascii=True)(value) == json.dumps(value)


def test_a_value_nested_too_deep_is_refused_as_dump_json_refuses_it() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        codec.dump_json(deep)


def test_a_value_inside_itself_is_refused_as_json_dumps_refuses_it() -> None:
    loop: list[object] = []
    loop.append(loop)  # what a YAML anchor can build: `vars: &a {self: *a}`
    with pytest.raises(ValueError, match="Circular reference"):
        json.dumps(loop, ensure_ascii=False)
    with pytest.raises(ValueError, match="Circular reference"):
        codec.dump_json(loop)
