"""nbgrader configuration for ML Tradeoffs.

Run nbgrader from this folder (``cd grading``) or pass
``--NbGrader.config_file=grading/nbgrader_config``. The ``tradeoffs`` CLI does this for you.
Paths are absolute so the config works from any working directory.
"""
import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

c.CourseDirectory.course_id = "ml-tradeoffs"
# Student folders and the gradebook live in grading/ unless TRADEOFFS_GRADING_DIR points elsewhere
# (tests grade throw-away classes in a temporary folder this way).
STATE = os.environ.get("TRADEOFFS_GRADING_DIR", HERE)
c.CourseDirectory.root = STATE
# Lessons are authored in solutions/ (source) and released to notebooks/ (student version).
c.CourseDirectory.source_directory = os.path.join(ROOT, "solutions")
c.CourseDirectory.release_directory = os.path.join(ROOT, "notebooks")
# Per-student folders live under grading/ and are git-ignored.
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = os.environ.get(
    "TRADEOFFS_GRADEBOOK_URL", "sqlite:///" + os.path.join(STATE, "gradebook.db")
)
# Lessons read datasets through the tradeoffs package, so notebooks need no extra files.
# "[0-9][0-9]-*.py" is each lesson's text source (solutions/NN-slug/NN-slug.py) and "lesson.toml" its
# settings (device, data files, ledger metrics, figure targets): neither is ever released or graded.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "[0-9][0-9]-*.py",
                            "lesson.toml"]

# Every cell must finish within this many seconds when grading (an infinite loop fails that
# cell only). Lessons at `grade` scale run well under a minute in total.
from tradeoffs.instructor.sandbox import SandboxLimits  # noqa: E402  (every cap is defined there)

c.Execute.timeout = SandboxLimits.from_env().cell_timeout_s
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = True
# Every graded kernel starts inside a bubblewrap sandbox (tradeoffs/instructor/sandbox.py; threat
# model in grading/README.md): no view of solutions/, the gradebook or other students, no network.
# `tradeoffs grade --no-sandbox` (TRADEOFFS_SANDBOX=off) starts ordinary kernels instead.
c.Execute.kernel_manager_class = "tradeoffs.instructor.sandbox.SandboxedKernelManager"

# Release: strip solutions and hidden tests, keep the student version clean.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearOutput.enabled = True
c.ClearHiddenTests.enabled = True

# Feedback: show learners their visible tests and scores, never the source of hidden tests.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

from tradeoffs.instructor.feedback_filter import HideHiddenTests  # noqa: E402
from tradeoffs.instructor.feedback_html import SanitizeFeedback  # noqa: E402
from tradeoffs.instructor.output_limits import LimitOutputBytes  # noqa: E402

# ...and outputs cut by bytes (output_limits.py), no student HTML or script active (feedback_html.py).
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, LimitOutputBytes, SanitizeFeedback, CSSHTMLHeaderPreprocessor]

# Hidden tests are probes (tradeoffs/checks.py): decide them right after the notebook ran, in this
# trusted process, before nbgrader saves the scores (tradeoffs/instructor/observations.py).
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402

from tradeoffs.instructor.observations import DecideHiddenChecks  # noqa: E402

_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
c.Autograde.autograde_preprocessors = _steps[:_steps.index(Execute) + 1] + [DecideHiddenChecks] + \
    _steps[_steps.index(Execute) + 1:]
