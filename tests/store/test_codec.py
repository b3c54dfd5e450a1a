"""The JSON a result row stores: its prompt and scores go through a shared encoder, which must
write what `dump_json` writes, with or without json's C speedups."""

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
def test_the_shared_encoder_writes_what_dump_json_writes(value: object) -> None:
    assert codec._dump_acyclic(value) == codec.dump_json(value)
    assert json.loads(codec._dump_acyclic(value)) == value


@pytest.mark.parametrize("value", VALUES)
def test_without_json_c_speedups_the_same_text_is_written(
    value: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    monkeypatch.setattr(codec, "_ACYCLIC", jsoncodec.encoder(ensure_ascii=False))
    assert codec._dump_acyclic(value) == codec.dump_json(value)
    assert jsoncodec.encoder(ensure_ascii=True)(value) == json.dumps(value)


def test_a_value_nested_too_deep_is_refused_as_dump_json_refuses_it() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        codec._dump_acyclic(deep)
