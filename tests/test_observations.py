"""Hidden probes: observations emitted in the kernel, decided by the grader against the reference run."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeoffs import checks
from tradeoffs.instructor.observations import failed_checks, read_observations, same


def _emitted(monkeypatch) -> list[dict]:
    seen: list[dict] = []
    monkeypatch.setattr(checks, "_emit", seen.append)
    return seen


def test_plain_keeps_numbers_strings_and_frames_and_nothing_else():
    assert checks.plain(np.float32(0.5)) == 0.5 and checks.plain(np.int64(3)) == 3
    assert checks.plain([np.bool_(True), False]) == [True, False]
    assert checks.plain(pd.Series([1.0, 2.0], index=["a", "b"])) == {"series": {"index": ["a", "b"], "values": [1.0, 2.0]}}
    assert checks.plain(float("nan")) == {"float": "nan"}

    class AlwaysEqual:
        def __eq__(self, other):
            return True
    assert checks.plain(AlwaysEqual()) == {"object": "AlwaysEqual"}


def test_observe_call_records_values_and_exception_classes(monkeypatch):
    seen = _emitted(monkeypatch)
    checks.observe_call("ok", lambda: 0.25, why="w")
    checks.observe_call("bad", lambda: int("x"))
    assert seen[0]["value"] == 0.25 and seen[0]["why"] == "w"
    assert seen[1]["raised"][:2] == ["ValueError", "Exception"] and "value" not in seen[1]


def test_same_compares_with_the_tolerance_and_never_treats_bools_as_numbers():
    assert same(0.24, 0.24 + 1e-12, 1e-9, 0.0)
    assert not same(0.24, 0.2401, 1e-9, 0.0)
    assert not same(1, True, 1e-9, 1e-12) and not same([True], [1], 1e-9, 1e-12)
    assert same({"a": [1.0, "x"]}, {"a": [1, "x"]}, 1e-9, 0.0)
    assert not same({"object": "AlwaysEqual"}, 0.24, 1e-9, 0.0)


def _ref(label, **kw):
    return {label: [{"label": label, "rel": 1e-9, "abs": 1e-12, "why": f"{label} is wrong", **kw}]}


@pytest.mark.parametrize("observed, passes", [
    ([{"value": 0.24}], True),
    ([{"value": 0.25}], False),                      # wrong value
    ([], False),                                     # probe removed or never reached
    ([{"value": 0.24}, {"value": 0.24}], False),     # a second, forged observation with the same label
    ([{"value": {"object": "AlwaysEqual"}}], False),
    ([{"raised": ["ValueError", "Exception"]}], False),
])
def test_a_value_check(observed, passes):
    assert (failed_checks(_ref("cost", value=0.24), {"cost": observed}) == []) is passes


def test_an_exception_check_accepts_subclasses_only():
    reference = _ref("rejects", raised=["ValueError", "Exception", "BaseException"])
    assert failed_checks(reference, {"rejects": [{"raised": ["UnicodeError", "ValueError", "Exception"]}]}) == []
    assert failed_checks(reference, {"rejects": [{"raised": ["TypeError", "Exception"]}]}) == ["rejects is wrong"]
    assert failed_checks(reference, {"rejects": [{"value": 0.0}]}) == ["rejects is wrong"]


def test_tolerance_and_rule_come_from_the_reference_only():
    reference = _ref("cost", value=0.24)
    assert failed_checks(reference, {"cost": [{"value": 0.3, "rel": 1.0, "abs": 1.0}]}) == ["cost is wrong"]


def test_same_as_compares_two_observations_of_this_run():
    reference = {**_ref("mine", value="forest", same_as="theirs"), **_ref("theirs", value="forest", checked=False)}
    assert failed_checks(reference, {"mine": [{"value": "logreg"}], "theirs": [{"value": "logreg"}]}) == []
    assert failed_checks(reference, {"mine": [{"value": "forest"}], "theirs": [{"value": "logreg"}]}) == ["mine is wrong"]
    assert failed_checks(reference, {"mine": [{"value": "logreg"}]}) == ["mine is wrong"]


def test_observations_are_read_from_test_cells_only():
    import nbformat

    def output(label, value):
        return nbformat.v4.new_output("display_data", data={checks.MIME: {"label": label, "value": value}})
    answer = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"grade_id": "x", "solution": True, "grade": False}})
    test = nbformat.v4.new_code_cell("probe", metadata={"nbgrader": {"grade_id": "test_x", "grade": True, "solution": False}})
    answer.outputs = [output("cost", 0.24)]  # emitted by the student's own cell: not counted
    test.outputs = [output("cost", 0.25)]
    found = read_observations(nbformat.v4.new_notebook(cells=[answer, test]))
    assert found == {"test_x": {"cost": [{"label": "cost", "value": 0.25}]}}


def test_bounds_come_from_the_reference_and_need_a_number():
    reference = _ref("accuracy", value=0.93, at_least=0.9)
    assert failed_checks(reference, {"accuracy": [{"value": 0.91}]}) == []
    assert failed_checks(reference, {"accuracy": [{"value": 0.89, "at_least": 0.0}]}) == ["accuracy is wrong"]
    assert failed_checks(reference, {"accuracy": [{"value": True}]}) == ["accuracy is wrong"]
    assert failed_checks(_ref("ratio", value=2.0, at_least=1.5, at_most=3.0), {"ratio": [{"value": 3.5}]}) == ["ratio is wrong"]


def test_observe_call_keeps_the_rule_when_the_call_raises(monkeypatch):
    seen = _emitted(monkeypatch)
    checks.observe_call("x", lambda: 1 / 0, why="no division by zero", at_least=0.0)
    assert seen[0]["raised"][0] == "ZeroDivisionError" and seen[0]["why"] == "no division by zero"


def test_decide_puts_the_failure_first_so_nbgrader_scores_the_cell_zero():
    import nbformat
    from nbgrader.utils import determine_grade

    from tradeoffs.instructor.observations import decide

    meta = {"nbgrader": {"grade_id": "test_x", "grade": True, "solution": False, "points": 2.0}}
    test = nbformat.v4.new_code_cell("probe", metadata=meta)
    test.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2.0"}, execution_count=1),
                    nbformat.v4.new_output("display_data", data={checks.MIME: {"label": "cost", "value": 0.25}})]
    nb = nbformat.v4.new_notebook(cells=[test])
    assert determine_grade(test) == (2.0, 2.0), "without the decision the cell would keep its points"
    assert decide(nb, {"test_x": _ref("cost", value=0.24)}) == {"test_x": ["cost is wrong"]}
    assert determine_grade(test) == (0, 2.0)
    assert test.outputs[0].traceback == ["Hidden check not passed: cost is wrong"]
    assert "0.24" not in str(test.outputs), "the expected value never reaches the feedback"
    assert decide(nb, {"other": _ref("cost", value=0.25)}) == {}, "cells without reference checks are left alone"


def test_explained_turns_any_error_into_the_course_message_and_keeps_asserts():
    from tradeoffs.checks import explained

    with pytest.raises(AssertionError, match=r"job_cost raised TypeError: bad operand .* should return a number"):
        with explained("job_cost", "a number"):
            raise TypeError("bad operand")
    with pytest.raises(AssertionError, match="^the course's own message$"):
        with explained("job_cost"):
            raise AssertionError("the course's own message")
    with explained("job_cost"):
        pass
