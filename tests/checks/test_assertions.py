"""JSON body assertions: the forms, their meaning on real documents, and readable errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devday.checks.assertions import Assertion, parse

DOC = {
    "status": "down",
    "uptime": 99.2,
    "items": [{"id": 1, "price": 5}, {"id": 2, "price": 15}],
    "tags": ["prod", "eu"],
    "message": "all systems ready",
    "ok": True,
    "count": 0,
    "error": None,
    "meta": {"region": "eu-west"},
    "a b": 1,
}


def check(expr: str, document: object = DOC) -> tuple[bool, str]:
    return parse(expr).evaluate(document)


@pytest.mark.parametrize(
    ("expr", "holds"),
    [
        ('$.status == "ok"', False),
        ('$.status == "down"', True),
        ('$.status != "ok"', True),
        ("$.uptime >= 99.5", False),
        ("$.uptime < 99.5", True),
        ("$.uptime > 99", True),
        ("$.uptime <= 99.2", True),
        ("$.count == 0", True),
        ("$.count == 0.0", True),
        ("$.ok == true", True),
        ("$.ok == 1", False),  # JSON equality: true is not 1
        ("$.count == false", False),
        ("$.error == null", True),
        ('$.message > "a"', True),  # strings order as strings
        ('$["a b"] == 1', True),
        ("$.items[0].id == 1", True),
        ("$.items[*].price > 1", True),  # every matched value
        ("$.items[*].price > 10", False),
        ("$.items[?@.price > 10].id == 2", True),
        ("$..id >= 1", True),
    ],
)
def test_it_compares_a_path_with_a_literal(expr: str, holds: bool) -> None:
    ok, explanation = check(expr)
    assert ok is holds, explanation


def test_it_explains_a_failed_comparison_with_the_value_found() -> None:
    assert check('$.status == "ok"') == (False, '$.status is "down", expected == "ok"')
    assert check("$.uptime >= 99.5") == (False, "$.uptime is 99.2, expected >= 99.5")


def test_it_fails_a_comparison_whose_path_matches_nothing() -> None:
    ok, explanation = check('$.state == "ok"')
    assert not ok
    assert explanation == '$.state matched nothing, expected == "ok"'
    ok, explanation = check("$.items[?@.price > 100].id != 0")
    assert not ok and "matched nothing" in explanation


def test_it_fails_an_ordering_between_different_types() -> None:
    ok, explanation = check("$.status < 3")
    assert not ok
    assert explanation == '$.status is a string "down", which cannot be compared with 3 by <'
    assert not check("$.ok > 0")[0]  # a boolean is not a number


@pytest.mark.parametrize(
    ("expr", "holds", "explanation"),
    [
        ("len($.items) > 0", True, "len($.items) is 2, > 0 holds"),
        ("len($.items) == 3", False, "len($.items) is 2, expected == 3"),
        ("len($.tags) >= 2", True, None),
        ("len($.message) == 17", True, None),
        ("len($.meta) == 1", True, None),
        ("len($.items[*]) == 2", True, "len($.items[*]) (matches) is 2, == 2 holds"),
        ("len($..id) == 2", True, None),
        ("len($.missing) > 0", False, "$.missing matched nothing, expected > 0"),
        ("len($.count) > 0", False, "$.count is a number 0, which has no length"),
    ],
)
def test_it_measures_lengths(expr: str, holds: bool, explanation: str | None) -> None:
    ok, why = check(expr)
    assert ok is holds, why
    if explanation:
        assert why == explanation


def test_it_counts_matches_for_a_path_that_is_not_singular() -> None:
    # One match that is an object: len of the singular path is the object's size, len of
    # the wildcard is the number of matches; the two must not be confused.
    document = {"items": [{"a": 1, "b": 2, "c": 3}]}
    assert check("len($.items[0]) == 3", document)[0]
    assert check("len($.items[*]) == 1", document)[0]


@pytest.mark.parametrize(
    ("expr", "holds", "explanation"),
    [
        ("exists($.status)", True, '$.status exists ("down")'),
        ("exists($.error)", True, "$.error exists (null)"),
        ("exists($.nope)", False, "$.nope matched nothing, expected it to exist"),
        ("not exists($.nope)", True, "$.nope does not exist"),
        ("not exists($.error)", False, "$.error is null, expected it not to exist"),
        ("NOT  EXISTS ( $.nope )", True, "$.nope does not exist"),
    ],
)
def test_it_checks_existence(expr: str, holds: bool, explanation: str) -> None:
    assert check(expr) == (holds, explanation)


@pytest.mark.parametrize(
    ("expr", "holds"),
    [
        ('$.tags contains "prod"', True),
        ('$.tags contains "us"', False),
        ('$.message contains "ready"', True),
        ('$.message contains "down"', False),
        ('$.meta contains "region"', True),  # an object's keys
        ("$.items[*].id contains 1", False),  # numbers contain nothing
        ("$.tags contains 1", False),
    ],
)
def test_it_checks_contains(expr: str, holds: bool) -> None:
    ok, explanation = check(expr)
    assert ok is holds, explanation


def test_it_explains_contains() -> None:
    assert check('$.tags contains "us"') == (
        False,
        '$.tags is ["prod", "eu"], expected it to contain "us"',
    )
    assert check('$.tags contains "eu"') == (True, '$.tags is ["prod", "eu"], contains "eu" holds')
    ok, why = check('$.count contains "x"')
    assert not ok and "contains needs a string, an array or an object" in why


def test_it_reads_documents_that_are_not_objects() -> None:
    assert check('$ == "ok"', "ok") == (True, '$ is "ok", == "ok" holds')
    assert check('$ contains "k"', "ok")[0]
    assert check("$ == 5", 5)[0]
    assert check("len($) == 3", [1, 2, 3])[0]
    assert not check("$.a == 1", [1])[0]
    assert check("not exists($.a)", None)[0]


def test_it_keeps_the_source_and_parts() -> None:
    assertion = parse('  $.status == "ok" ')
    assert isinstance(assertion, Assertion)
    assert assertion.source == '  $.status == "ok" '
    assert (assertion.kind, assertion.path, assertion.op, assertion.expected) == (
        "compare",
        "$.status",
        "==",
        "ok",
    )
    tight = parse("$.a==1")
    assert (tight.path, tight.op, tight.expected) == ("$.a", "==", 1)


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("", "the assertion is empty"),
        ("   ", "the assertion is empty"),
        ("foo", "missing an operator"),
        ("$.status", "missing an operator"),
        ("$.a ==", "missing the value to compare with"),
        ("$.a == ok", "the value 'ok' at column 8 is not valid JSON"),
        ("$.a =! 1", "unknown operator '=!' at column 5"),
        ("$.a == [1]", "not an array or object"),
        ("$.a == NaN", "NaN is not a JSON value"),
        ("$.a == 1e999", "too large"),
        ("$.a > true", "compares with a number or a string"),
        ("== 1", "missing the JSONPath before '=='"),
        ("status == 1", "must start with $"),
        ("$.a[ == 1", "the '[' at column 4 is never closed"),
        ('$["a == 1', "the '\"' at column 3 is never closed"),
        ("$.a[?@.b ==] == 1", "invalid JSONPath"),
        ("$..  == 1", "invalid JSONPath"),
        ("exists($.a", "is not closed"),
        ("exists($.a) or 1", "after the closing parenthesis of exists(...)"),
        ("exists()", "empty parentheses at column 7"),
        ('len($.a) > "x"', "len(...) is compared with a number"),
        ("len($.a) contains 1", "not contains"),
        ("$.a contains", "missing the value"),
    ],
)
def test_it_says_what_is_wrong_and_where(expr: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        parse(expr)
    assert message in str(error.value), str(error.value)


def test_it_reports_the_column_of_a_bad_path() -> None:
    with pytest.raises(ValueError) as error:
        parse("$.a[?@.b ==] == 1")
    assert "column" in str(error.value)


# --- properties -------------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "$",
        ".a",
        "[0]",
        "[*]",
        "..",
        "[?@.x > 1]",
        "['k']",
        '["q"]',
        "(",
        ")",
        "[",
        "]",
        "'",
        '"',
        " ",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "contains",
        "exists",
        "not",
        "len",
        "1",
        "-2.5e3",
        "true",
        "null",
        '"s"',
        "\\",
        "@",
        "?",
        ",",
        ":",
        "{",
        "}",
        "NaN",
    ]
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_it_raises_only_value_error_on_any_text(text: str) -> None:
    try:
        assertion = parse(text)
    except ValueError:
        return
    assert assertion.source == text


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_it_raises_only_value_error_on_near_misses(text: str) -> None:
    try:
        parse(text)
    except ValueError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "$.a == 1",
            "$.a != null",
            '$..b contains "x"',
            "len($.a) > 0",
            "len($..a) == 2",
            "exists($.a[0])",
            "not exists($.a.b)",
            '$.a[*] <= "m"',
            "$[?@.a > 1] == true",
        ]
    ),
    JSON,
)
def test_it_evaluates_any_document_without_raising(expr: str, document: object) -> None:
    ok, explanation = parse(expr).evaluate(document)
    assert isinstance(ok, bool) and explanation
