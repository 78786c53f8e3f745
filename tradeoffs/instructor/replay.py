"""The lesson contract in minutes: one run of the perfect notebook, every mutant replayed from its change.

Grading every mutant with the full pipeline (``tradeoffs mutants --full``) re-executes the whole
notebook in a fresh sandboxed kernel per mutant, although most of each run is identical. Here, in one
ordinary kernel (the course's own code and mutants are trusted; no sandbox):

1. the *graded view* of the perfect submission (solutions filled in, test cells with their hidden
   tests restored, as nbgrader's autograde sees it) runs once, cell by cell; before each cell where
   some mutant makes its first change, :mod:`.kernel_state` snapshots the kernel's variables;
2. each mutant restores that snapshot and runs from its first changed cell to the end (or, with
   ``to_last_loses``, to the last test cell it must lose on), the cells before it keep the perfect
   run's outputs;
3. a final *canary* restores the earliest snapshot and reruns the perfect cells after every mutant
   has run: it must score full marks, or state leaked between replays (the contract then fails).

Scores come from the same functions autograde uses: :func:`.observations.decide` (hidden probes
against the perfect run's observations) and nbgrader's ``determine_grade``. ``tests/test_replay.py``
shows, on two lessons, that the verdicts equal the full pipeline's.
"""
from __future__ import annotations

import copy
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client.utils import run_sync
from nbgrader.utils import determine_grade

from ..lessons import release_notebook, resolve_lesson, source_notebook
from ..settings import active
from .mutants import Mutant, apply_mutant, load_mutants, perfect_submission
from .nbgrader_cli import nbgrader_env
from .observations import Observations, decide, is_test_cell, read_observations, repeated_labels


class ReplayError(RuntimeError):
    """The harness could not replay a lesson (the perfect run failed, or a snapshot could not be taken)."""


@dataclass
class Replayed:
    """One replayed submission: points per automatically graded test cell it ran (grade_id -> points)."""

    student: str
    mutant: Mutant | None
    points: dict[str, float]
    why: dict[str, str]  # grade_id -> the first error of a cell that lost points
    seconds: float


@dataclass
class LessonReplay:
    lesson: str
    max_points: dict[str, float]  # every automatically graded test cell -> its points
    results: list[Replayed]
    seconds: float
    reference: Observations  # what the perfect run's test cells observed


def _grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def graded_view(nb: nbformat.NotebookNode, lesson: str) -> nbformat.NotebookNode:
    """``nb`` as autograde executes it: every locked cell's source put back from the source notebook.

    nbgrader's ``OverwriteCells`` does the same from the gradebook, which holds the test cells with
    their hidden tests (the release has them stripped).
    """
    out = copy.deepcopy(nb)
    source = {_grade_id(c): c for c in nbformat.read(source_notebook(lesson), as_version=4).cells if _grade_id(c)}
    for cell in out.cells:
        gid = _grade_id(cell)
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if gid in source and meta.get("locked") and not meta.get("solution"):
            cell.source = source[gid].source
    return out


def score(nb: nbformat.NotebookNode, reference: Observations,
          cells: set[str] | None = None) -> tuple[dict[str, float], dict[str, str]]:
    """Points per test cell (only those in ``cells`` when given), decided as autograde decides them,
    and for each cell that lost points the first error it showed (to say why)."""
    judged = copy.deepcopy(nb)
    decide(judged, reference)
    points, why = {}, {}
    for cell in judged.cells:
        gid = _grade_id(cell)
        if is_test_cell(cell) and (cells is None or gid in cells):
            got, most = determine_grade(cell)
            points[gid] = float(got or 0)
            errors = [f"{o.get('ename')}: {o.get('evalue')}" if o.output_type == "error" else o.get("text", "")
                      for o in cell.outputs if o.output_type == "error" or o.get("name") == "stderr"]
            if points[gid] < most and errors:
                why[gid] = errors[0].strip()[:300]
    return points, why


class _Kernel:
    """One kernel executing cells of whichever notebook it is handed, with snapshots in between."""

    def __init__(self, nb: nbformat.NotebookNode, workdir: Path, runtime: Path, timeout: int):
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient

        runtime.mkdir(parents=True, exist_ok=True)  # local sockets (IPC), like graded kernels: no TCP port
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(runtime / "k"),
                                connection_file=str(runtime / "kernel.json"))
        self.client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3", allow_errors=True,
                                     interrupt_on_timeout=True, resources={"metadata": {"path": str(workdir)}},
                                     extra_arguments=["--HistoryManager.hist_file=:memory:"])

    def __enter__(self) -> "_Kernel":
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the kernel (the client does not own a kernel manager it was handed)."""
        if self.client.km is not None and self.client.km.has_kernel:
            run_sync(self.client.km.shutdown_kernel)(now=True)

    def run(self, nb: nbformat.NotebookNode, start: int, stop: int) -> None:
        """Execute ``nb.cells[start:stop]`` in order (outputs land in ``nb``)."""
        self.client.nb = nb
        for index in range(start, stop):
            cell = nb.cells[index]
            if cell.cell_type == "code":
                cell.outputs = []
                self.client.execute_cell(cell, index)

    def call(self, code: str) -> None:
        """Run harness code silently (not in the history, no outputs); raise if it fails."""
        reply = run_sync(self.client.kc.execute_interactive)(code, silent=True, store_history=False,
                                                              timeout=self.client.timeout)
        if reply["content"]["status"] != "ok":
            raise ReplayError(f"harness code failed in the kernel: {reply['content'].get('evalue')}\n{code}")


def _first_changed(nb: nbformat.NotebookNode, mutant: Mutant) -> tuple[int, nbformat.NotebookNode]:
    mutated = apply_mutant(nb, mutant)
    changed = [i for i, (a, b) in enumerate(zip(nb.cells, mutated.cells)) if a.source != b.source]
    if not changed:
        raise ReplayError(f"mutant {mutant.name!r} changes nothing in the notebook")
    return changed[0], mutated


def _last_needed(nb: nbformat.NotebookNode, mutant: Mutant, to_last_loses: bool) -> int:
    """One past the last cell a mutant must run: its last ``loses`` or ``keeps`` cell, or the end of the notebook."""
    if not to_last_loses or mutant.kind != "wrong":
        return len(nb.cells)
    ids = [_grade_id(c) for c in nb.cells]
    needed = [ids.index(g) for g in [*mutant.loses, *mutant.keeps] if g in ids]
    return max(needed) + 1 if needed else len(nb.cells)


def replay_lesson(lesson: str, mutants: list[Mutant] | None = None, to_last_loses: bool = True,
                  timeout: int | None = None, progress: bool = False) -> LessonReplay:
    """Score the perfect submission, every mutant (replayed) and the canary of ``lesson``.

    ``timeout``: seconds per cell (default: the active settings' cell time limit, as grading uses).
    """
    from tqdm.auto import tqdm

    lesson = resolve_lesson(lesson)
    started = time.monotonic()
    mutants = load_mutants(lesson) if mutants is None else mutants
    perfect = graded_view(perfect_submission(lesson), lesson)
    plans = sorted(((*_first_changed(perfect, m), m) for m in mutants), key=lambda p: p[0])
    checkpoints = sorted({start for start, _, _ in plans})
    max_points = {_grade_id(c): float(c.metadata["nbgrader"]["points"]) for c in perfect.cells if is_test_cell(c)}
    results: list[Replayed] = []

    with tempfile.TemporaryDirectory(prefix=f"replay-{lesson}-") as tmp:
        workdir = Path(tmp) / "work"  # the kernel's cwd and (work/tmp) TMPDIR: snapshots restore its files
        shutil.copytree(release_notebook(lesson).parent, workdir)
        (workdir / "tmp").mkdir()
        kernel = _Kernel(perfect, workdir, Path(tmp) / "ipc", timeout or active().limits.cell_timeout_s)
        env = nbgrader_env({**active().kernel_variables(), "NBGRADER_EXECUTION": "autograde", "PYTHONHASHSEED": "0",
                            "TMPDIR": str(workdir / "tmp")})
        with kernel.client.setup_kernel(env=env), kernel:
            t0, position = time.monotonic(), 0
            for start in checkpoints + [len(perfect.cells)]:
                kernel.run(perfect, position, start)
                if start < len(perfect.cells):
                    kernel.call(f"from tradeoffs.instructor.kernel_state import snapshot; snapshot('cell{start}', {str(workdir)!r})")
                position = start
            reference = read_observations(perfect)
            repeated = repeated_labels(reference)
            if repeated:
                raise ReplayError(f"{lesson}: probe labels observed more than once in one cell: {repeated}")
            results.append(Replayed("perfect", None, *score(perfect, reference), time.monotonic() - t0))

            bar = tqdm(plans, desc=f"replay {lesson}", unit="mutant", disable=not progress)
            for start, mutated, mutant in bar:
                t0 = time.monotonic()
                kernel.call(f"from tradeoffs.instructor.kernel_state import restore; restore('cell{start}')")
                for before, after in zip(perfect.cells[:start], mutated.cells[:start]):
                    after.outputs = copy.deepcopy(before.get("outputs", []))
                stop = _last_needed(mutated, mutant, to_last_loses)
                kernel.run(mutated, start, stop)
                ran = {_grade_id(c) for c in mutated.cells[:stop] if is_test_cell(c)}
                results.append(Replayed(f"mutant-{mutant.name}", mutant, *score(mutated, reference, ran),
                                        time.monotonic() - t0))

            if checkpoints:  # the canary: the perfect cells again, after every mutant has run
                t0, first = time.monotonic(), checkpoints[0]
                canary = copy.deepcopy(perfect)
                kernel.call(f"from tradeoffs.instructor.kernel_state import restore; restore('cell{first}')")
                kernel.run(canary, first, len(canary.cells))
                results.append(Replayed("canary", None, *score(canary, reference), time.monotonic() - t0))
    return LessonReplay(lesson, max_points, results, time.monotonic() - started, reference)
