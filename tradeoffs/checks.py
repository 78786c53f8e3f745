"""Probes for hidden tests: emit what the learner's code returned; the grader decides outside the kernel.

A hidden test written with asserts runs inside the student's interpreter, so student code can patch
``math.isclose``, return an object whose ``__eq__`` is always true, or install an IPython hook that
swallows the ``AssertionError``; and the expected values sit in the student's kernel. A probe does
neither: it calls the learner's code and emits a plain JSON *observation* as a display output with
its own MIME type. The grader (``tradeoffs.instructor.observations``), outside the sandbox, compares
each observation with the one the reference solution emitted in a trusted run, using the tolerance
the reference declared, and sets the cell's score in the gradebook. Nothing here knows an answer::

    observe_call("billed per machine", lambda: job_cost(59.5, 7.2, n_instances=2),
                 why="Each of the 2 machines is billed its own 60-second minimum.")

Outside grading (Validate, a learner's own run) a probe shows nothing and checks nothing.
"""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from typing import Any, Callable, Iterator

MIME = "application/vnd.tradeoffs.observation+json"
MAX_OBSERVATION_BYTES = 64 * 1024


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data (numbers, strings, lists, dicts); anything else as its type name.

    An object of any other type (say, one whose ``__eq__`` is always true) becomes
    ``{"object": "ClassName"}`` and matches nothing: to match, a probe must produce the right value.
    """
    import numpy as np
    import pandas as pd

    if depth > 20:
        return {"object": "nested too deeply"}
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else {"float": repr(number)}
    if isinstance(value, str):
        return str(value)
    if isinstance(value, pd.DataFrame):
        return {"frame": {"columns": plain(list(value.columns), depth + 1), "index": plain(list(value.index), depth + 1),
                          "data": plain(value.to_numpy().tolist(), depth + 1)}}
    if isinstance(value, pd.Series):
        return {"series": {"index": plain(list(value.index), depth + 1), "values": plain(value.tolist(), depth + 1)}}
    if isinstance(value, np.ndarray):
        return plain(value.tolist(), depth + 1)
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    return {"object": type(value).__name__}


def _emit(payload: dict) -> None:
    from IPython.display import display

    text = json.dumps(payload, allow_nan=False)
    if len(text) > MAX_OBSERVATION_BYTES:
        payload = {k: v for k, v in payload.items() if k not in ("value", "raised")}
        payload["too_large"] = len(text)
    display({MIME: payload, "text/plain": ""}, raw=True)  # shows nothing; feedback pages drop it


def observe(label: str, value: Any, *, rel: float = 1e-9, abs: float = 1e-12, why: str = "",
            same_as: str | None = None, at_least: float | None = None, at_most: float | None = None,
            checked: bool = True) -> None:
    """Emit one observation; the grader decides whether it passes, by the reference run's rule:

    * by default, equal to the reference solution's value of the same label (floats within
      ``rel``/``abs``, lists and dicts element by element, exceptions by class);
    * ``same_as="other label"``: equal to this run's own observation ``other label`` (for answers
      that depend on the learner's measured run, e.g. a rule applied to their own results table);
    * ``at_least``/``at_most``: a number within these bounds (for measured values that vary by run);
    * ``checked=False``: not a check itself, only a value another check refers to.
    Every rule, tolerance and ``why`` (the message shown when the check fails) is read from the
    reference run only: what a student's kernel sends along with its value is ignored.
    """
    try:
        observed: dict[str, Any] = {"value": plain(value)}
    except Exception as exc:  # a hostile or broken object: what it is, never a crash of the test cell
        observed = {"unreadable": type(exc).__name__}
    _emit({"label": str(label), **observed, "rel": rel, "abs": abs, "why": why, "same_as": same_as,
           "at_least": at_least, "at_most": at_most, "checked": checked})


def observe_call(label: str, thunk: Callable[[], Any], **rule: Any) -> None:
    """Call ``thunk`` and observe what it returned, or which exception it raised (with its base classes).

    ``rule`` takes the keywords of :func:`observe`.
    """
    try:
        value = thunk()
    except Exception as exc:
        raised = [c.__name__ for c in type(exc).__mro__ if c is not object]
        _emit({"label": str(label), "raised": raised, **{"why": "", "rel": 1e-9, "abs": 1e-12, **rule}})
        return
    observe(label, value, **rule)


@contextmanager
def explained(what: str, expected: str = "a value") -> Iterator[None]:
    """For visible tests: any exception from the learner's code becomes the course's message.

    ``with explained("job_cost"): assert ...`` turns a ``TypeError`` deep in the learner's function into
    "job_cost raised TypeError: ... on inputs this test says are valid", chained to the original
    traceback, instead of a bare traceback that looks like a broken test. Assertion failures pass through.
    """
    try:
        yield
    except AssertionError:
        raise
    except Exception as exc:
        raise AssertionError(f"{what} raised {type(exc).__name__}: {exc} -- on inputs this test says are valid, "
                             f"it should return {expected}. The traceback above shows the line where it failed "
                             f"in your code.") from exc
