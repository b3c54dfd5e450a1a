"""The JSON the store writes (a result's prompt and scores, a case's fields) goes through one shared
encoder, which must write what json.dumps writes, with or without json's C speedups."""

from __future__ import annotations

import json

import pytest

from evaltui import jsoncodec
from evaltui.records import Result, ScoreRecord
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


PROMPTS = [
    (),
    ({"role": "user", "content": "plain"},),
    ({"role": "system", "content": "be brief"}, {"role": "user", "content": 'a "quoted"\n\ttext\\'}),
    ({"role": "user", "content": "café ☕ 日本 \u2028 \x00 \x1b[31m"},),
    ({"role": "user", "content": "lone \ud800 surrogate"},),  # not UTF-8: stored as ASCII JSON
    ({"content": "key order reversed", "role": "user"},),
    ({"role": "user", "content": "extra key", "name": "x"},),
    ({"role": "user", "content": [{"type": "text", "text": "parts"}]},),
    ({"role": "assistant", "content": None},),
    ({"role": "user", "content": 7},),
    ({"role": "user"}, {"role": "user", "content": "one key short, then one"}),
]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_a_prompt_is_written_as_dump_json_writes_it(prompt: tuple[dict[str, object], ...]) -> None:
    assert codec.prompt_json(prompt) == codec.dump_json(prompt)
    assert codec.prompt_json(list(prompt)) == codec.dump_json(list(prompt))


def _score(**changed: object) -> ScoreRecord:
    fields = {"name": "equals", "passed": True, "value": 1.0, "reason": 'equals "x"', "weight": 1.0}
    return ScoreRecord(**{**fields, **changed})  # type: ignore[arg-type]


SCORES = [
    (),
    (_score(),),
    (_score(passed=False, value=0.0, reason='expected "a", got "B"'),),
    (_score(value=-0.0), _score(value=0.5, weight=2.0), _score(value=1e-7, weight=0.25)),
    (_score(value=0.1 + 0.2, weight=3.0000000000000004),),
    (_score(value=float("nan")),),
    (_score(weight=float("inf")),),
    (_score(weight=-float("inf")),),
    (_score(value=1),),  # an int where a float belongs
    (_score(weight=True),),
    (_score(passed=1),),
    (_score(reason=None),),
    (_score(name="naïve ☕", reason="lone \udfff surrogate"),),
    (_score(reason="ünïcode only"), _score(name=3)),
]


@pytest.mark.parametrize("scores", SCORES)
def test_scores_are_written_as_dump_json_writes_them(scores: tuple[ScoreRecord, ...]) -> None:
    assert codec.scores_json(scores) == codec.dump_json([score.as_dict() for score in scores])


def test_a_result_row_holds_the_json_dump_json_writes() -> None:
    result = Result(
        "run",
        "case",
        status="fail",
        output="B",
        prompt=({"role": "user", "content": "Q: é"},),
        scores=(_score(passed=False, value=0.0, reason='expected "a", got "B"'),),
        value=0.0,
    )
    row = dict(zip(codec.RESULT_COLUMNS, codec.encode_result(result), strict=True))
    assert row["prompt"] == codec.dump_json(result.prompt) == '[{"role": "user", "content": "Q: é"}]'
    assert row["scores"] == codec.dump_json([score.as_dict() for score in result.scores])
