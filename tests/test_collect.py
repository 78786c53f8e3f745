"""The collector and reporter on inputs built to break them: each test fails without its guard.

Fast tests: no notebook is run (grading itself is replaced by a stand-in where a class is graded),
except the one ``slow`` test at the end, which grades three hostile notebooks for real.
"""
from __future__ import annotations

import copy
import html.parser
import io
import re
import struct
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from tradeoffs.instructor import autograde, collect, diagnose, lms_zip, normalise, output_limits
from tradeoffs.instructor.feedback_html import SanitizeFeedback, safe_markdown
from tradeoffs.instructor.mutants import perfect_submission
from tradeoffs.lessons import release_notebook

LESSON = "00-tradeoff-triangle"
NB = f"{LESSON}.ipynb"


@pytest.fixture(scope="module")
def good() -> nbformat.NotebookNode:
    return perfect_submission(LESSON)


@pytest.fixture(scope="module")
def release() -> nbformat.NotebookNode:
    return nbformat.read(release_notebook(LESSON), as_version=4)


def _index(nb, gid: str) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if isinstance(c.metadata.get("nbgrader"), dict) and c.metadata["nbgrader"].get("grade_id") == gid)


def _write(folder: Path, nb, name: str = NB) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def _by_id(subs) -> dict[str, collect.Submission]:
    return {s.student: s for s in subs}


def _said(sub: collect.Submission, phrase: str) -> bool:
    return any(phrase in p for p in sub.problems)


# 1. one bad notebook never stops the batch --------------------------------------------------------

@pytest.fixture
def fake_grading(grading_tmp, monkeypatch):
    """grade_class with nbgrader replaced: the worker's outcome and the gradebook are stand-ins."""
    monkeypatch.setenv("TRADEOFFS_SANDBOX", "off")
    monkeypatch.setattr(autograde, "generate", lambda lesson, out: out)
    monkeypatch.setattr(autograde, "grade_cells", lambda lesson: [("test_job_cost", 3.0, True)])
    monkeypatch.setattr(autograde, "graded_students", lambda lesson: [])
    monkeypatch.setattr(autograde, "write_summary", lambda *a: None)
    graded: set[str] = set()

    def scores(lesson, student):
        return {"test_job_cost": 3.0, "_auto_total": 3.0, "_max": 3.0, "_needs_manual": False} if student in graded else None

    def worker(lesson, student, settings):
        if student.startswith("boom"):
            raise RuntimeError("the grader fell over")
        graded.add(student)
        return {"autograde_ok": True, "feedback_ok": False}

    monkeypatch.setattr(autograde, "student_scores", scores)
    monkeypatch.setattr(autograde, "_run_worker", worker)
    return grading_tmp


def test_a_crash_for_one_student_is_reported_and_the_class_is_graded(tmp_path, fake_grading, good):
    klass = tmp_path / "class"
    _write(klass / "ok" / LESSON, good)
    _write(klass / "boom" / LESSON, good)
    bad = copy.deepcopy(good)
    bad.cells[_index(bad, "job_cost")].metadata["nbgrader"] = "not a dictionary"
    _write(klass / "stringmeta" / LESSON, bad)
    report = autograde.grade_class(LESSON, klass, progress=False)
    results = report.by_student()
    assert set(results) == {"ok", "boom", "stringmeta"}
    assert results["ok"].graded and results["stringmeta"].graded
    assert "unexpected error (RuntimeError: the grader fell over)" in " ".join(results["boom"].problems)
    sheet = report.grades_csv.read_text()
    assert len(sheet.splitlines()) == 4 and "the grader fell over" in sheet
    assert "**boom**" in report.problems_md.read_text()


def test_the_sheet_and_problems_page_are_written_when_every_student_fails(tmp_path, fake_grading, good):
    klass = tmp_path / "class"
    for name in ("boom1", "boom2"):
        _write(klass / name / LESSON, good)
    report = autograde.grade_class(LESSON, klass, progress=False)
    assert not any(r.graded for r in report.results)
    assert report.grades_csv.exists() and len(report.grades_csv.read_text().splitlines()) == 3
    assert report.problems_md.read_text().count("unexpected error") == 2


def test_a_failure_while_staging_is_reported_not_raised(tmp_path, fake_grading, good, monkeypatch):
    folder = tmp_path / "class" / "ana" / LESSON
    _write(folder, good)
    monkeypatch.setattr(autograde.normalise, "normalise_file", lambda *a: 1 / 0)
    report = autograde.grade_class(LESSON, tmp_path / "class", progress=False)
    assert "could not be prepared for grading (ZeroDivisionError" in report.by_student()["ana"].problems[-1]


# 2. malformed nbgrader metadata ------------------------------------------------------------------

@pytest.mark.parametrize("value, kind", [("oops", "a string"), ([], "a list"), (7, "a number"), (None, "null")])
def test_non_dictionary_metadata_is_removed_and_an_unchanged_test_is_restored(good, release, value, kind):
    nb = copy.deepcopy(good)
    i = _index(nb, "test_job_cost")
    nb.cells[i].metadata["nbgrader"] = value
    assert diagnose._graded(nb)  # once crashed with AttributeError on a string
    said = normalise.normalise_notebook(nb, release)
    assert said == [f"cell {i + 1} had malformed nbgrader metadata ({kind}, not a dictionary); its source is the "
                    "release's test_job_cost, so the release's metadata was put back and it was graded normally"]
    assert nb.cells[i].metadata["nbgrader"]["grade_id"] == "test_job_cost"
    MetadataValidator().validate_nb(nb)  # what nbgrader's CheckCellMetadata runs


def test_malformed_metadata_on_an_answer_cell_leaves_it_an_ordinary_cell(good, release):
    nb = copy.deepcopy(good)
    i = _index(nb, "job_cost")
    nb.cells[i].metadata["nbgrader"] = "oops"
    said = normalise.normalise_notebook(nb, release)
    assert said[0] == (f"cell {i + 1} had malformed nbgrader metadata (a string, not a dictionary): the metadata "
                       "was removed and the cell ran as an ordinary cell")
    assert said[1].startswith("graded cells deleted: job_cost (an answer cell: its tests still ran")
    assert "nbgrader" not in nb.cells[i].metadata
    MetadataValidator().validate_nb(nb)


def test_duplicate_grade_ids_keep_the_last_like_nbgrader(good, release):
    nb = copy.deepcopy(good)
    i = _index(nb, "test_job_cost")
    fake = copy.deepcopy(nb.cells[i])
    fake.source = "assert True"
    nb.cells.insert(i, fake)
    said = normalise.normalise_notebook(nb, release)
    assert said == [f"grade_id test_job_cost appears 2 times (cells {i + 1} and {i + 2}): the last one "
                    f"(cell {i + 2}) was graded, as nbgrader does; the others ran as ordinary cells"]
    assert "nbgrader" not in nb.cells[i].metadata
    assert nb.cells[i + 1].metadata["nbgrader"]["grade_id"] == "test_job_cost"
    MetadataValidator().validate_nb(nb)  # nbgrader's own DeduplicateIds leaves {}, which this rejects


def test_stripped_metadata_is_put_back_where_the_source_is_unchanged(good, release):
    nb = copy.deepcopy(good)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    said = normalise.normalise_notebook(nb, release)
    assert said[0].startswith("nbgrader metadata of graded cells stripped: test_job_cost, test_pareto_optimal, "
                              "test_cheapest_within, test_checkpoint_dominance, test_checkpoint_billing "
                              "(their source is unchanged")
    assert said[1].startswith("nbgrader metadata of graded cells stripped (the notebook has none left")
    assert "written_choice (a written answer worth 2 points" in said[1]
    assert set(diagnose._graded(nb)) == {"test_job_cost", "test_pareto_optimal", "test_cheapest_within",
                                         "test_checkpoint_dominance", "test_checkpoint_billing"}


def test_a_deleted_test_and_edited_or_unknown_metadata_are_explained(good, release):
    nb = copy.deepcopy(good)
    del nb.cells[_index(nb, "test_cheapest_within")]
    nb.cells[_index(nb, "test_job_cost")].metadata["nbgrader"]["points"] = 100
    extra = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"grade": True, "grade_id": "mine", "points": 5,
                                                                     "solution": False, "locked": False}})
    nb.cells.append(extra)
    said = normalise.normalise_notebook(nb, release)
    assert any("(test_job_cost) had its nbgrader metadata edited (points): the release's was used" in s for s in said)
    assert any("had grade_id 'mine', which the release does not have" in s for s in said)
    assert any(s.startswith("graded cells deleted: test_cheapest_within (a test worth 2 points: not run, scores zero)")
               for s in said)
    assert nb.cells[_index(nb, "test_job_cost")].metadata["nbgrader"]["points"] == 3


def test_normalise_file_leaves_a_clean_notebook_byte_for_byte(tmp_path, good):
    path = _write(tmp_path, good)
    before = path.read_bytes()
    assert normalise.normalise_file(path, release_notebook(LESSON)) == []
    assert path.read_bytes() == before


def test_saved_outputs_of_a_large_notebook_are_cleared_and_said(tmp_path, good, monkeypatch):
    nb = copy.deepcopy(good)
    cell = nb.cells[_index(nb, "job_cost")]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="spam\n" * 50_000)]
    path = _write(tmp_path, nb)
    monkeypatch.setattr(normalise, "SAVED_OUTPUT_BYTES", path.stat().st_size - 1)
    said = normalise.normalise_file(path, release_notebook(LESSON))
    assert any(re.search(r"saved with \d+ MB of outputs; they were cleared before grading", s) for s in said), said
    cleaned = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in cleaned.cells if c.cell_type == "code")
    assert cleaned.cells[_index(cleaned, "job_cost")].source == cell.source, "answers are kept"


# 3. symbolic links -------------------------------------------------------------------------------

def test_symlinks_are_never_followed_and_always_named(tmp_path, good):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    klass = tmp_path / "class"
    _write(klass / "honest" / LESSON, good)
    (klass / "linked_nb" / LESSON).mkdir(parents=True)
    (klass / "linked_nb" / LESSON / NB).symlink_to(klass / "honest" / LESSON / NB)
    (klass / "linked_lesson").mkdir()
    (klass / "linked_lesson" / LESSON).symlink_to(klass / "honest" / LESSON)
    folder = _write(klass / "linked_extra" / LESSON, good).parent
    (folder / "passwd").symlink_to("/etc/passwd")
    (klass / "linked_student").symlink_to(klass / "honest")
    (klass / "flat_link.ipynb").symlink_to(secret)
    found = collect.collect_class(klass, LESSON)
    subs = _by_id(found.submissions)
    assert set(subs) == {"honest", "linked_nb", "linked_lesson", "linked_extra", "flat_link"}
    for name in ("linked_nb", "linked_lesson", "flat_link"):
        assert not subs[name].gradable and _said(subs[name], "symbolic link"), name
    assert subs["linked_extra"].gradable
    assert _said(subs["linked_extra"], "symbolic links refused (never followed): passwd -> /etc/passwd")
    assert any("linked_student -> " in p for p in found.problems)
    dest = collect.stage(subs["linked_extra"], LESSON, tmp_path / "submitted")
    assert sorted(p.name for p in dest.iterdir()) == [NB]


def test_stage_refuses_a_notebook_that_became_a_link(tmp_path, good):
    path = _write(tmp_path / "s", good)
    sub = collect.Submission("s", path)
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere.ipynb")
    with pytest.raises(OSError):
        collect.stage(sub, LESSON, tmp_path / "submitted")


# 4. zip safety -----------------------------------------------------------------------------------

def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_members_over_the_caps_are_refused_before_unpacking(tmp_path, monkeypatch, good):
    text = nbformat.writes(good)
    monkeypatch.setattr(lms_zip, "MAX_NOTEBOOK_BYTES", len(text) * 2)
    monkeypatch.setattr(collect, "MAX_NOTEBOOK_BYTES", len(text) * 2)
    monkeypatch.setattr(lms_zip, "MAX_TOTAL_BYTES", int(len(text) * 2.5))
    huge = text.replace('"metadata": {', '"metadata": {"pad": "' + "x" * len(text) * 3 + '", ', 1)
    archive = _zip(tmp_path / "export.zip", {
        f"s001_2026-11-28-14-05-09_{NB}": text, f"s002_2026-11-28-14-05-09_{NB}": huge,
        f"s003_2026-11-28-14-05-09_{NB}": text, f"s004_2026-11-28-14-05-09_{NB}": text})
    with collect.collect_class(archive, LESSON) as found:
        subs = _by_id(found.submissions)
        assert subs["s001"].gradable and subs["s003"].gradable
        assert not subs["s002"].gradable and _said(subs["s002"], "uncompressed, over the")
        assert not subs["s004"].gradable and _said(subs["s004"], "over the 0 GB limit for one class")
        unpacked = Path(found.unpacked.name)
        assert sum(p.stat().st_size for p in unpacked.iterdir()) <= lms_zip.MAX_TOTAL_BYTES
    assert not unpacked.exists(), "the unpacked folder is removed when the collection is closed"


def test_a_member_larger_than_its_header_says_is_cut_off(tmp_path):
    archive = tmp_path / "lying.zip"
    payload = b"x" * 5000
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.ipynb", payload)
    raw = bytearray(archive.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size in both headers
        at = raw.find(sig)
        raw[at + offset:at + offset + 4] = struct.pack("<I", 100)
    archive.write_bytes(bytes(raw))
    members, _ = lms_zip.read_zip(archive, tmp_path)
    assert members[0].path is None and "could not be unpacked" in members[0].refused
    assert list(tmp_path.glob("*.ipynb")) == []


def test_unpacking_stops_at_the_cap_whatever_the_header_says(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("big.ipynb", b"x" * 5000)
    with zipfile.ZipFile(buf) as zf:
        with pytest.raises(lms_zip._TooLarge):
            lms_zip._extract(zf, zf.infolist()[0], tmp_path / "out", limit=1000)
    assert (tmp_path / "out").stat().st_size <= 1000


def test_unsafe_paths_and_link_members_are_refused_and_named(tmp_path, good):
    text = nbformat.writes(good)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"../../s001_2026-11-28-14-05-09_{NB}", text)
        zf.writestr(f"/abs_2026-11-28-14-05-09_{NB}", text)
        link = zipfile.ZipInfo(f"s002_2026-11-28-14-05-09_{NB}")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr(f"s003_2026-11-28-14-05-09_{NB}", text)
        zf.writestr("__MACOSX/._junk", "x")
    found = collect.collect_class(archive, LESSON)
    subs = _by_id(found.submissions)
    assert set(subs) == {"s002", "s003"}
    assert not subs["s002"].gradable and _said(subs["s002"], "stored as a symbolic link; refused")
    assert any("unsafe paths" in p and "../../s001" in p and "/abs_" in p for p in found.problems)
    assert any("hidden files in the zip were not graded: __MACOSX/._junk" in p for p in found.problems)
    assert not (tmp_path.parent / f"s001_2026-11-28-14-05-09_{NB}").exists()
    found.close()


# 5. Moodle and Canvas names ----------------------------------------------------------------------

def test_moodle_folders_become_distinct_students(tmp_path, good):
    text = nbformat.writes(good)
    archive = _zip(tmp_path / "moodle.zip", {
        f"Jane Doe_123456_assignsubmission_file_/{NB}": text,
        f"John Roe_654321_assignsubmission_file_/{NB}": text,
        "John Roe_654321_assignsubmission_file_/helper.py": "def f(): pass",
        "Ana Lima_111111_assignsubmission_onlinetext_/onlinetext.html": "<p>see attached</p>",
        "Bo Chen_222222_assignsubmission_file_my copy.ipynb": text,  # Moodle without per-student folders
    })
    with collect.collect_class(archive, LESSON) as found:
        subs = _by_id(found.submissions)
        assert set(subs) == {"123456", "654321", "111111", "222222"}
        assert subs["123456"].gradable and subs["654321"].gradable
        assert subs["123456"].notebook != subs["654321"].notebook
        assert _said(subs["654321"], "extra files ignored: helper.py")
        assert not subs["111111"].gradable and _said(subs["111111"], "no notebook found")
        assert subs["222222"].gradable and _said(subs["222222"], "renamed to 'my copy.ipynb'")


def test_canvas_names_with_any_letters(tmp_path, good):
    text = nbformat.writes(good)
    archive = _zip(tmp_path / "canvas.zip", {
        f"o'neil_1001_5001_{NB}": text, f"müller_1002_5002_{NB}": text,
        f"smithj2_LATE_1003_5003_{NB}": text, "smithj2_1003_5004_helper.py": "x = 1",
        f"doe-smith_late_1004_5005_{LESSON}-1.ipynb": text,
    })
    with collect.collect_class(archive, LESSON) as found:
        subs = _by_id(found.submissions)
        assert set(subs) == {"1001", "1002", "1003", "1004"}
        assert _said(subs["1003"], "late") and _said(subs["1003"], "extra files ignored: helper.py")
        assert _said(subs["1004"], "late") and _said(subs["1004"], "renamed")
        assert all(s.gradable for s in subs.values())


# 6. unique ids -----------------------------------------------------------------------------------

def test_renamed_ids_never_clash_with_any_other_id(tmp_path, good):
    for name in ("dup", "dup ", "dup-2", "dup!"):
        _write(tmp_path / "class" / name / LESSON, good)
    subs = collect.find_submissions(tmp_path / "class", LESSON)
    ids = [s.student for s in subs]
    assert len(ids) == len(set(ids)) == 4
    by_source = {s.source_name: s for s in subs}
    assert by_source["dup"].student == "dup" and by_source["dup-2"].student == "dup-2"
    renamed = by_source["dup "]
    assert renamed.student not in ("dup", "dup-2") and _said(renamed, "(from 'dup ') was graded as")


# 7. hidden entries -------------------------------------------------------------------------------

def test_hidden_entries_are_reported_not_graded(tmp_path, good):
    klass = tmp_path / "class"
    _write(klass / ".sneaky" / LESSON, good)
    (klass / ".DS_Store").write_text("x")
    folder = _write(klass / "ana" / LESSON, good).parent
    (folder / ".ipynb_checkpoints").mkdir()
    found = collect.collect_class(klass, LESSON)
    assert [s.student for s in found.submissions] == ["ana"]
    assert any(".DS_Store" in p and ".sneaky/" in p for p in found.problems)
    assert _said(found.submissions[0], "hidden files not graded: .ipynb_checkpoints/")


# 8. extra files ----------------------------------------------------------------------------------

def test_extra_files_are_named_and_never_staged(tmp_path, good):
    folder = _write(tmp_path / "class" / "ana" / LESSON, good).parent
    (folder / "helper.py").write_text("def answer(): return 42")
    (folder / "data").mkdir()
    _write(folder, good, "old attempt.ipynb")
    sub = collect.find_submissions(tmp_path / "class", LESSON)[0]
    assert _said(sub, "extra files ignored: data/, helper.py, old attempt.ipynb (not graded, and not available")
    dest = collect.stage(sub, LESSON, tmp_path / "submitted")
    assert sorted(p.name for p in dest.iterdir()) == [NB]


# 9. output capped by bytes -----------------------------------------------------------------------

def test_outputs_are_cut_by_bytes_and_errors_are_kept(good):
    nb = copy.deepcopy(good)
    i = _index(nb, "test_job_cost")
    one_line = "y" * 3_000_000  # a single line: nbgrader's line limit lets it through
    nb.cells[i].outputs = [nbformat.v4.new_output("stream", name="stdout", text=one_line),
                           nbformat.v4.new_output("error", ename="AssertionError", evalue="wrong", traceback=["tb"])]
    cut = output_limits.limit_outputs(nb)
    assert [c[0] for c in cut] == [i]
    kept = nb.cells[i].outputs
    assert sum(output_limits.output_bytes(o) for o in kept) < output_limits.CELL_BYTES + 5000
    assert [o.output_type for o in kept] == ["stream", "error", "display_data"]
    assert "this cell produced 2.9 MB" in kept[-1]["data"]["text/plain"]
    assert output_limits.limit_outputs(nb) == [], "cutting twice changes nothing"
    nbformat.validate(nb)


def test_the_notebook_total_is_capped_too(tmp_path, good):
    nb = copy.deepcopy(good)
    cells = [c for c in nb.cells if c.cell_type == "code"][:12]
    for cell in cells:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="z" * 400_000)]
    path = _write(tmp_path, nb)
    assert output_limits.cap_file(path) is None
    capped = nbformat.read(path, as_version=4)
    total = sum(output_limits.output_bytes(o) for c in capped.cells for o in c.get("outputs", []))
    assert total < output_limits.NOTEBOOK_BYTES + 12 * 1000
    said = diagnose.after_grading(path)
    assert any("printed 390.7 kB of output while grading" in p for p in said)


# 10. feedback HTML is sanitised --------------------------------------------------------------------

class _Scripts(html.parser.HTMLParser):
    """Every script body, event-handler attribute and javascript: URL in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.active: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.active.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.active.append(data)


PAYLOAD = "<script>alert(1)</script>"


def _hostile_notebook(good):
    nb = copy.deepcopy(good)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(
        f"# Answer\n\n{PAYLOAD}\n\n<img src=x onerror=alert(2)> [click](javascript:alert(3)) "
        "<iframe src='https://evil.example'></iframe> $\\href{javascript:alert(4)}{x}$"))
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/html": PAYLOAD + "<b onclick='alert(5)'>b</b>",
                                                                 "application/javascript": "alert(6)",
                                                                 "text/plain": "plain"}),
                    nbformat.v4.new_output("display_data", data={"text/markdown": f"{PAYLOAD} [m](javascript:alert(7))"})]
    return nb


def _feedback_html(nb) -> str:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    import nbgrader
    config = Config()
    config.HTMLExporter.template_name = "feedback"
    formgrader = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    config.HTMLExporter.extra_template_basedirs = [str(formgrader / "templates")]  # as GenerateFeedback sets them
    config.HTMLExporter.extra_template_paths = [str(formgrader / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # what nbgrader's GetGrades adds before the template runs
        if isinstance(cell.metadata.get("nbgrader"), dict):
            cell.metadata.nbgrader.setdefault("score", 0.0)
            cell.metadata.nbgrader.setdefault("points", 0.0)
    exporter = HTMLExporter(config=config)
    exporter.register_preprocessor(SanitizeFeedback)  # by class, as nbgrader registers it (enabled by its default)
    resources = {"nbgrader": {"notebook": LESSON, "score": 0, "max_score": 11, "late_penalty": 0}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def test_feedback_page_runs_nothing_the_student_wrote(good):
    page = _feedback_html(_hostile_notebook(good))
    parser = _Scripts()
    parser.feed(page)
    student = [a for a in parser.active if "alert(" in a or "evil.example" in a]
    assert student == [], student
    assert "<iframe" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, "the payload is shown as text"
    assert '<h1 id="Answer"' in page and "<b>b</b>" in page, "harmless markup still renders"


def test_feedback_without_the_sanitiser_would_run_the_payload(good):
    """The check above can fail: the same page built without SanitizeFeedback holds the scripts."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="classic").from_notebook_node(_hostile_notebook(good))
    parser = _Scripts()
    parser.feed(body)
    assert any("alert(" in a for a in parser.active)


def test_honest_markdown_is_left_exactly_as_it_was(release):
    markdown = [c.source for c in release.cells if c.cell_type == "markdown"]
    assert markdown and all(safe_markdown(s) == s for s in markdown)


# 11. nothing left behind ---------------------------------------------------------------------------

def test_grading_a_zip_leaves_nothing_outside_grading(tmp_path, fake_grading, good, monkeypatch):
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    archive = _zip(tmp_path / "export.zip", {f"s001_2026-11-28-14-05-09_{NB}": nbformat.writes(good),
                                             f"s002_2026-11-28-14-05-09_{NB}": "not json"})
    report = autograde.grade_class(LESSON, archive, progress=False)
    assert {r.student for r in report.results} == {"s001", "s002"}
    assert list((tmp_path / "tmp").iterdir()) == []
    assert list((fake_grading / "work").iterdir()) == []


# the real pipeline, once ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.full  # whole classes graded in the sandbox: `make test-extra` (CI runs it after `make test`)
def test_hostile_inputs_graded_for_real(tmp_path, grading_tmp, monkeypatch, good):
    """Malformed metadata, a duplicate test, a helper module and a script payload, through nbgrader."""
    from tradeoffs.instructor.sandbox import SandboxUnavailable, check_available

    try:
        check_available()
    except SandboxUnavailable:
        monkeypatch.setenv("TRADEOFFS_SANDBOX", "off")
    klass = tmp_path / "class"
    nb = copy.deepcopy(good)
    nb.cells[_index(nb, "test_job_cost")].metadata["nbgrader"] = "oops"
    i = _index(nb, "test_pareto_optimal")
    fake = copy.deepcopy(nb.cells[i])
    fake.source = "assert True"
    nb.cells.insert(i, fake)
    _write(klass / "meta" / LESSON, nb)
    nb = copy.deepcopy(_hostile_notebook(good))
    nb.cells[_index(nb, "checkpoint_dominance")].source += (
        "\nfrom IPython.display import HTML, display\ndisplay(HTML('<script>alert(8)</script>'))"
        "\nprint('q' * 3_000_000)")
    _write(klass / "payload" / LESSON, nb)
    nb = copy.deepcopy(good)  # a correct job_cost, but in a helper module that is never staged
    answer = nb.cells[_index(nb, "job_cost")].source
    nb.cells[_index(nb, "job_cost")].source = "from helper import job_cost"
    folder = _write(klass / "helper" / LESSON, nb).parent
    (folder / "helper.py").write_text(answer)
    report = autograde.grade_class(LESSON, klass, progress=False)
    results = report.by_student()
    assert results["meta"].scores["_auto_total"] == pytest.approx(11.0), results["meta"].problems
    assert results["payload"].scores["_auto_total"] == pytest.approx(11.0), results["payload"].problems
    assert results["helper"].scores["test_job_cost"] == 0, "helper.py must not be importable while grading"
    assert any("printed 2.9 MB of output" in p for p in results["payload"].problems)
    page = (grading_tmp / "feedback" / "payload" / LESSON / f"{LESSON}.html").read_text()
    parser = _Scripts()
    parser.feed(page)
    assert [a for a in parser.active if "alert(" in a] == []
    assert len(page) < 3 * output_limits.NOTEBOOK_BYTES
    autograded = grading_tmp / "autograded" / "payload" / LESSON / f"{LESSON}.ipynb"
    assert autograded.stat().st_size < 2 * output_limits.NOTEBOOK_BYTES
    assert not (grading_tmp / "submitted" / "helper" / LESSON / "helper.py").exists()
