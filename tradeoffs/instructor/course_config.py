"""nbgrader's configuration for the course, built from one :class:`~tradeoffs.settings.Settings` object.

The grader hands this ``traitlets`` config straight to ``NbGraderAPI`` (each grading process gets the
settings as an argument, not through environment variables); ``grading/nbgrader_config.py`` merges the
same config for anyone running ``nbgrader`` or formgrader by hand.
"""
from __future__ import annotations

from traitlets.config import Config

from ..settings import Settings

# "[0-9][0-9]-*.py" is each lesson's text source (solutions/NN-slug/NN-slug.py) and "lesson.toml" its
# settings (device, data files, ledger metrics, figure targets): neither is ever released or graded.
IGNORED = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "[0-9][0-9]-*.py", "lesson.toml"]


def course_config(settings: Settings) -> Config:
    """The whole nbgrader config: folders, gradebook, time limit, sandbox, release and feedback steps."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, GetGrades

    from .feedback_filter import HideHiddenTests
    from .feedback_html import SanitizeFeedback
    from .observations import DecideHiddenChecks
    from .output_limits import LimitOutputBytes

    c = Config()
    c.CourseDirectory.course_id = "ml-tradeoffs"
    # Student folders and the gradebook live in grading/ unless the settings put them elsewhere
    # (tests and the bench grade throw-away classes in a temporary folder).
    c.CourseDirectory.root = str(settings.grading_dir)
    # Lessons are authored in solutions/ (source) and released to notebooks/ (student version).
    c.CourseDirectory.source_directory = str(settings.root / "solutions")
    c.CourseDirectory.release_directory = str(settings.root / "notebooks")
    c.CourseDirectory.submitted_directory = "submitted"
    c.CourseDirectory.autograded_directory = "autograded"
    c.CourseDirectory.feedback_directory = "feedback"
    c.CourseDirectory.db_url = settings.gradebook_url
    # Lessons read datasets through the tradeoffs package, so notebooks need no extra files.
    c.CourseDirectory.ignore = list(IGNORED)

    # Every cell must finish within the cell time limit when grading (an infinite loop fails that
    # cell only). Lessons at `grade` scale run well under a minute in total.
    c.Execute.timeout = settings.limits.cell_timeout_s
    c.Execute.interrupt_on_timeout = True
    c.Execute.raise_on_iopub_timeout = True
    # Every graded kernel starts inside a bubblewrap sandbox (sandbox.py; threat model in grading/README.md):
    # no view of solutions/, the gradebook or other students, no network; `--no-sandbox` turns it off.
    c.Execute.kernel_manager_class = "tradeoffs.instructor.sandbox.SandboxedKernelManager"
    c.SandboxedKernelManager.sandboxed = settings.sandbox
    c.SandboxedKernelManager.limits = settings.limits
    c.SandboxedKernelManager.course_variables = settings.kernel_variables()

    # Release: strip solutions and hidden tests, keep the student version clean.
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.ClearOutput.enabled = True
    c.ClearHiddenTests.enabled = True

    # Feedback: visible tests and scores, never the source of hidden tests; outputs cut by bytes
    # (output_limits.py); no student HTML or script active (feedback_html.py).
    c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, LimitOutputBytes, SanitizeFeedback,
                                        CSSHTMLHeaderPreprocessor]

    # Hidden tests are probes (tradeoffs/checks.py): decide them right after the notebook ran, in this
    # trusted process, before nbgrader saves the scores (observations.py).
    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    after = steps.index(Execute) + 1
    c.Autograde.autograde_preprocessors = steps[:after] + [DecideHiddenChecks] + steps[after:]
    return c
