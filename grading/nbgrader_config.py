"""nbgrader configuration for ML Tradeoffs, for running ``nbgrader`` or formgrader by hand.

Run nbgrader from this folder (``cd grading``) or pass ``--NbGrader.config_file=grading/nbgrader_config``.
The ``tradeoffs`` CLI does not read this file: it builds the same config from its settings object
(``tradeoffs/instructor/course_config.py``) and hands it to nbgrader directly. Here the settings come
from the environment (``TRADEOFFS_*`` variables, listed in ``tradeoffs/settings.py``).
"""
from tradeoffs.instructor.course_config import course_config
from tradeoffs.settings import Settings

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
c.merge(course_config(Settings.from_env()))
