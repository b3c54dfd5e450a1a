"""Finding suites in folders, and the content hash the store keys suites on."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaltui.errors import SuiteError
from evaltui.suites import discover_suites, load_suite, suite_hash
from tests.suites.conftest import WriteFile

GOOD = "name: good\nprompt: '{{ input }}'\ncases: [{id: a, input: x}]\n"


def test_broken_suites_are_listed_with_their_error(write: WriteFile, tmp_path: Path) -> None:
    write("a_good.yaml", GOOD)
    write("b_broken.yml", "name: broken\nepochs: zero\ncases: [{input: x}]\n")
    write("team/c_nested.yaml", GOOD.replace("good", "nested"))
    write("team/deeper/d_too_deep.yaml", GOOD)
    write("ci.yaml", "on: push\njobs: {}\n")  # YAML that is not a suite
    write("notes.txt", "cases:\n")
    entries = discover_suites([tmp_path])
    assert [e.path.name for e in entries] == ["a_good.yaml", "b_broken.yml", "c_nested.yaml"]
    good, broken, nested = entries
    assert good.ok and good.suite is not None and good.suite.name == "good"
    assert not broken.ok and broken.suite is None and broken.error is not None
    assert (broken.error.line, broken.error.field) == (2, "epochs")
    assert nested.suite is not None and nested.suite.name == "nested"


def test_a_file_path_is_taken_as_a_suite(write: WriteFile) -> None:
    path = write("one.yaml", GOOD)
    assert [e.path for e in discover_suites([path])] == [path]


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="no such folder"):
        discover_suites([tmp_path / "nope"])


def test_suite_hash_is_stable_and_ignores_location(write: WriteFile) -> None:
    first = load_suite(write("a/s.yaml", GOOD))
    moved = load_suite(write("b/s.yaml", "\n\n# moved and reformatted\n" + GOOD))
    assert suite_hash(first) == suite_hash(load_suite(write("a/s.yaml", GOOD)))
    assert suite_hash(first) == suite_hash(moved)


def test_suite_hash_changes_with_any_content(write: WriteFile) -> None:
    base = suite_hash(load_suite(write("s.yaml", GOOD)))
    changed_case = suite_hash(load_suite(write("s.yaml", GOOD.replace("input: x", "input: y"))))
    new_prompt = GOOD.replace("'{{ input }}'", "'Q: {{ input }}'")
    changed_prompt = suite_hash(load_suite(write("s.yaml", new_prompt)))
    assert len({base, changed_case, changed_prompt}) == 3


def test_folders_are_listed_in_the_order_given_and_each_file_once(write: WriteFile, tmp_path: Path) -> None:
    write("mine/zeta.yaml", GOOD)
    write("samples/alpha.yaml", GOOD)
    write("samples/beta.yaml", GOOD)
    entries = discover_suites([tmp_path / "mine", tmp_path / "samples", tmp_path / "mine"])
    assert [e.path.name for e in entries] == ["zeta.yaml", "alpha.yaml", "beta.yaml"]
