"""nbgrader settings for the learner's Validate button in `make lab` (JUPYTER_CONFIG_DIR=jupyter/learner).

Validate runs the whole notebook in a fresh kernel. Without this file nbgrader's own per-cell limit
(30 s) applies, and a lesson cell that is slow on a learner's laptop makes Validate crash with a
traceback instead of reporting test results. Use the same limit as grading
(grading/nbgrader_config.py) so that what passes Validate is graded under the same rule.
"""
import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.Execute.timeout = int(os.environ.get("TRADEOFFS_CELL_TIMEOUT", 120))
c.Execute.interrupt_on_timeout = True
