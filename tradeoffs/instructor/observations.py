"""Hidden checks decided by the grader: a student's probe observations against the reference run's.

Hidden tests written with :mod:`tradeoffs.checks` emit observations instead of asserting. Here,
outside the sandbox:

1. :func:`reference_observations` runs the lesson's solution notebook once, trusted and unsandboxed
   (it is the instructor's own code), and keeps what every test cell observed, with the tolerance and
   message each probe declared (cached under ``grading/reference/``, keyed by the source's hash; the
   sandbox never sees that folder);
2. inside nbgrader's autograde, right after the notebook ran, :class:`DecideHiddenChecks` reads the
   observations, compares each with the reference's (rule and tolerance from the reference side only),
   and gives a test cell an error output (first, so nbgrader scores the cell zero) with the
   reference's message, never its value, when any is missing, repeated or different.

A cell passes only when nbgrader's own run of it raised nothing (its visible asserts) *and* every
observation matches: patching ``isclose``, always-true ``__eq__`` objects and hooks that swallow
``AssertionError`` can fake the first, never the second.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from ..checks import MIME
from ..lessons import source_notebook
from ..settings import active
from .nbgrader_cli import grading_dir

Observations = dict[str, dict[str, list[dict]]]  # grade_id -> label -> every observation with that label


class ReferenceRunError(RuntimeError):
    """The reference solution could not produce its observations; nothing can be graded fairly."""


def is_test_cell(cell: nbformat.NotebookNode) -> bool:
    """An autograded test cell: a graded code cell that is not a solution."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return cell.get("cell_type") == "code" and isinstance(meta, dict) and bool(meta.get("grade")) \
        and not meta.get("solution")


def _test_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if is_test_cell(cell)]


def repeated_labels(observed: Observations) -> list[str]:
    """``grade_id: label`` for every probe label a cell observed more than once (a reference must not)."""
    return [f"{gid}: {label}" for gid, labels in observed.items() for label, obs in labels.items() if len(obs) != 1]


def read_observations(nb: nbformat.NotebookNode) -> Observations:
    """Every observation each test cell emitted, grouped by label (a well-formed probe emits one each)."""
    found: Observations = {}
    for cell in _test_cells(nb):
        gid = cell.metadata["nbgrader"].get("grade_id")
        for output in cell.get("outputs", []):
            payload = (output.get("data") or {}).get(MIME) if output.get("output_type") == "display_data" else None
            if isinstance(payload, dict) and isinstance(payload.get("label"), str):
                found.setdefault(gid, {}).setdefault(payload["label"], []).append(payload)
    return found


def uses_probes(nb: nbformat.NotebookNode) -> bool:
    """True when some test cell of ``nb`` calls a probe (only then is a reference run needed)."""
    return any("observe" in cell.source for cell in _test_cells(nb))


def same(expected: Any, actual: Any, rel: float, abs_tol: float) -> bool:
    """Plain-JSON equality, numbers within ``rel``/``abs_tol`` (``bool`` is never a number here)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(expected, actual, rel_tol=rel, abs_tol=abs_tol)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(same(e, a, rel, abs_tol) for e, a in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(same(expected[k], actual[k], rel, abs_tol) for k in expected)
    return type(expected) is type(actual) and expected == actual


def _matches(reference: dict, observed: dict, expected: dict | None = None) -> bool:
    """Does ``observed`` pass? ``expected`` is what it must equal: the reference, or a same-run observation."""
    expected = reference if expected is None else expected
    if "raised" in expected:
        raised = observed.get("raised")
        return isinstance(raised, list) and expected["raised"][0] in raised
    if "value" not in expected or "value" not in observed:
        return False
    low, high = reference.get("at_least"), reference.get("at_most")
    if low is not None or high is not None:
        value = observed["value"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return (low is None or value >= low) and (high is None or value <= high)
    return same(expected["value"], observed["value"], float(reference.get("rel", 1e-9)),
                float(reference.get("abs", 1e-12)))


def failed_checks(reference: dict[str, list[dict]], observed: dict[str, list[dict]]) -> list[str]:
    """The reference's message for every check of one cell that did not pass (empty: all passed).

    A label observed zero times or more than once fails; so does a ``same_as`` check whose partner
    observation is missing or repeated. Rules and tolerances are read from the reference only.
    """
    failures = []
    for label, (ref,) in reference.items():
        if ref.get("checked") is False:
            continue  # a value another check compares with (its own count is checked through that one)
        got = observed.get(label, [])
        partner = ref.get("same_as")
        if partner is None:
            ok = len(got) == 1 and _matches(ref, got[0])
        else:
            other = observed.get(partner, [])
            ok = len(got) == 1 and len(other) == 1 and _matches(ref, got[0], expected=other[0])
        if not ok:
            failures.append(ref.get("why") or label)
    return failures


# -- the trusted reference run ---------------------------------------------------------------------

def _reference_path(lesson: str, source_text: str) -> Path:
    """The cache file for one version of the source, at the scale and device grading uses."""
    s = active()
    settings = f"{s.scale or ''}|{s.device}"
    digest = hashlib.sha256((settings + "\n" + source_text).encode()).hexdigest()[:16]
    return grading_dir() / "reference" / f"{lesson}-{digest}.json"


def reference_observations(lesson: str, timeout: int = 600) -> Observations:
    """What the solution's test cells observe (run once per source version; {} when no cell probes)."""
    path = source_notebook(lesson)
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    if not uses_probes(nb):
        return {}
    cache = _reference_path(lesson, text)
    if cache.exists():
        return json.loads(cache.read_text())
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    env = {**os.environ, **active().kernel_variables(),  # the grading scale, no ledger or figure writes
           "NBGRADER_EXECUTION": "autograde"}
    with tempfile.TemporaryDirectory(prefix=f"reference-{lesson}-") as tmp:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": tmp}})
        try:
            client.execute(env=env)  # passed on to the kernel manager: the grader's own environment is untouched
        except CellExecutionError as err:
            raise ReferenceRunError(f"the solution of {lesson} fails while computing the reference observations "
                                    f"(fix solutions/{lesson}/{lesson}.py): {str(err)[:500]}") from err
    observed = read_observations(nb)
    repeated = repeated_labels(observed)
    if repeated:
        raise ReferenceRunError(f"{lesson}: each probe label must be observed exactly once per cell; repeated: {repeated}")
    store_reference(lesson, observed)
    return observed


def store_reference(lesson: str, observed: Observations) -> Path:
    """Cache ``observed`` as the reference of the current source (what a trusted solution run observed)."""
    cache = _reference_path(lesson, source_notebook(lesson).read_text(encoding="utf-8"))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(observed, indent=1, sort_keys=True))
    return cache


# -- inside nbgrader's autograde, right after the notebook ran -------------------------------------

def decide(nb: nbformat.NotebookNode, reference: Observations) -> dict[str, list[str]]:
    """Mark every test cell whose observations fail with an error output; returns grade_id -> failures.

    The error goes first among the cell's outputs, so nbgrader's ``determine_grade`` (which stops at
    the first error, stderr or ``execute_result``) scores the cell zero whatever else it printed.
    """
    observed = read_observations(nb)
    failures: dict[str, list[str]] = {}
    for cell in _test_cells(nb):
        gid = cell.metadata["nbgrader"].get("grade_id")
        if gid not in reference:
            continue
        failed = failed_checks(reference[gid], observed.get(gid, {}))
        if failed:
            failures[gid] = failed
            lines = [f"Hidden check not passed: {why}" for why in failed]
            cell.outputs.insert(0, nbformat.v4.new_output("error", ename="HiddenCheckFailed",
                                                          evalue=lines[0], traceback=lines))
    return failures


class DecideHiddenChecks(NbGraderPreprocessor):
    """Autograde step between ``Execute`` and ``SaveAutoGrades``: hidden probes decided by the grader.

    Runs in nbgrader's (trusted) process, also under formgrader's Autograde button; the reference
    observations come from :func:`reference_observations` (computed on first use, then cached).
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        lesson = resources["nbgrader"]["assignment"]
        failures = decide(nb, reference_observations(lesson))
        for gid, failed in failures.items():
            self.log.info("%s: hidden checks not passed in %s: %s", resources["nbgrader"].get("student"), gid, failed)
        return nb, resources
