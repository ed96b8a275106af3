"""Every page fixture in tests/fixtures/checks/, run through the one harness of tests/conftest.py.

The marker grammar (``case:``, ``expect:``, ``ok:``) and the family runners are in conftest.py; this file only
parametrizes over the fixture files, so a new ``<CODE>.html`` is picked up without further code.
"""

from __future__ import annotations

import pytest
from conftest import FAMILY_RUNNERS, load_rule_cases, run_rule_case

CASES = load_rule_cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_fixture(case):
    run_rule_case(case)


def test_every_fixture_file_has_a_runner_and_a_marker_of_its_own_code():
    files = {c.file for c in CASES}
    assert len(files) >= 19
    for c in CASES:
        assert c.code[:2] in FAMILY_RUNNERS, c.id
    for name in files:
        mine = [c for c in CASES if c.file == name]
        assert any(c.fires for c in mine), f"{name}: no expect marker of its own code"


def test_grammar_and_matching_can_fail():
    """A missed expectation and an unexpected finding both fail (the harness is not a no-op)."""
    from conftest import match_expectations

    from xunjian.checks.base import Finding

    f = Finding(rule="TX002", severity="deduct", message="错别字“按装”，应为“安装”", evidence={"match": "按装"})
    match_expectations([f], [("TX002", ["按装"])], "TX")
    with pytest.raises(AssertionError, match="expected"):
        match_expectations([f], [("TX002", ["竟争"])], "TX")
    with pytest.raises(AssertionError, match="unexpected"):
        match_expectations([f], [], "TX")
    match_expectations([f], [], "FT")  # out of scope
