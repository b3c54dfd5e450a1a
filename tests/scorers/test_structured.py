"""JSON scorers and the numeric scorer: passing, failing and malformed outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaltui.errors import ScorerError, SuiteError
from evaltui.scorers import compile_scorer
from tests.scorers.contexts import score, spec

INVOICE = {"invoice": {"total": 120.5, "currency": "EUR"}, "items": [{"sku": "A-1", "tags": ["x", "y"]}]}
SCHEMA = {
    "type": "object",
    "required": ["invoice"],
    "properties": {"invoice": {"type": "object", "properties": {"total": {"type": "number"}}}},
}


async def test_json_valid_accepts_plain_and_fenced_json() -> None:
    assert (await score({"type": "json-valid"}, '{"a": 1}')).passed
    fenced = await score({"type": "json-valid"}, 'Here it is:\n```json\n{"a": 1}\n```\nDone.')
    assert fenced.passed and "```json block" in fenced.reason


async def test_json_valid_fails_with_the_parse_error() -> None:
    got = await score({"type": "json-valid"}, '{"a": 1,}')
    assert not got.passed and got.reason.startswith("not JSON:") and "line 1" in got.reason
    broken_fence = await score({"type": "json-valid"}, "```json\n{oops}\n```")
    assert not broken_fence.passed and "fenced block is not JSON" in broken_fence.reason


async def test_json_schema_inline_pass_and_violation() -> None:
    assert (await score({"type": "json-schema", "schema": SCHEMA}, json.dumps(INVOICE))).passed
    bad = await score({"type": "json-schema", "schema": SCHEMA}, '{"invoice": {"total": "lots"}}')
    assert not bad.passed and bad.reason.startswith("schema violation at $.invoice.total")
    junk = await score({"type": "json-schema", "schema": SCHEMA}, "no json here")
    assert not junk.passed and "not JSON" in junk.reason


async def test_json_schema_from_a_file_beside_the_suite(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "invoice.json").write_text(json.dumps(SCHEMA))
    written = {"type": "json-schema", "schema_file": "schemas/invoice.json"}
    assert (await score(written, json.dumps(INVOICE), suite_dir=str(tmp_path))).passed
    assert not (await score(written, "[]", suite_dir=str(tmp_path))).passed


def test_json_schema_rejects_an_invalid_schema_and_needs_exactly_one_source() -> None:
    with pytest.raises(SuiteError, match="not a valid JSON schema") as caught:
        compile_scorer(spec({"type": "json-schema", "schema": {"type": "nonsense"}}), suite_dir=".")
    assert caught.value.field == "scorers[0].schema"
    with pytest.raises(SuiteError, match="exactly one"):
        compile_scorer(spec({"type": "json-schema"}), suite_dir=".")


async def test_json_path_equals_exists_and_contains() -> None:
    output = json.dumps(INVOICE)
    assert (await score({"type": "json-path", "path": "$.invoice.total", "equals": 120.5}, output)).passed
    assert (await score({"type": "json-path", "path": "items[0].sku", "equals": "A-1"}, output)).passed
    assert (await score({"type": "json-path", "path": "$.items[-1].tags", "contains": "y"}, output)).passed
    assert (await score({"type": "json-path", "path": "$.invoice.due", "exists": False}, output)).passed
    got = await score({"type": "json-path", "path": "$.invoice.currency", "equals": "USD"}, output)
    assert not got.passed and got.reason == '$.invoice.currency: expected "USD", got "EUR"'


async def test_json_path_takes_the_value_from_the_expected_object() -> None:
    expected = {"invoice": {"total": 120.5}}
    assert (
        await score({"type": "json-path", "path": "$.invoice.total"}, json.dumps(INVOICE), expected)
    ).passed
    assert (
        await score({"type": "json-path", "path": '$["invoice"].currency'}, json.dumps(INVOICE), "EUR")
    ).passed
    wrong = await score(
        {"type": "json-path", "path": "$.invoice.total"}, '{"invoice": {"total": 99}}', expected
    )
    assert not wrong.passed and 'expected "120.5", got "99"' in wrong.reason


async def test_json_path_missing_field_and_unparsable_output_fail() -> None:
    missing = await score(
        {"type": "json-path", "path": "$.items[5].sku", "equals": "A-1"}, json.dumps(INVOICE)
    )
    assert not missing.passed and "is missing" in missing.reason
    assert not (await score({"type": "json-path", "path": "$.a", "equals": 1}, "{")).passed


def test_json_path_bad_path_is_a_load_time_error() -> None:
    with pytest.raises(SuiteError, match="cannot read the path") as caught:
        compile_scorer(spec({"type": "json-path", "path": "$.items[zero]"}), suite_dir=".")
    assert caught.value.field == "scorers[0].path"


async def test_numeric_takes_the_last_number_with_thousands_separators() -> None:
    got = await score({"type": "numeric"}, "First 3 apples, so the total is 1,234.50 dollars.", 1234.5)
    assert got.passed
    assert (await score({"type": "numeric", "pick": "first"}, "3 then 4", 3)).passed


async def test_numeric_tolerances() -> None:
    assert (await score({"type": "numeric", "value": 100, "abs_tol": 0.5}, "about 100.4")).passed
    assert (await score({"type": "numeric", "value": 100, "rel_tol": 0.01}, "= 99.2")).passed
    got = await score({"type": "numeric", "value": 100, "rel_tol": 0.01}, "= 98")
    assert not got.passed and got.reason == "expected 100 ±1.0%, got 98 (the last number)"
    assert (await score({"type": "numeric"}, "0.30000000000000004", 0.3)).passed


async def test_numeric_malformed_output_and_expected() -> None:
    none = await score({"type": "numeric"}, "no idea", 4)
    assert not none.passed and none.reason.startswith("no number in")
    with pytest.raises(ScorerError, match="not one number"):
        await score({"type": "numeric"}, "4", "four")
    assert (await score({"type": "numeric"}, "-2.5e3", "-2500")).passed
