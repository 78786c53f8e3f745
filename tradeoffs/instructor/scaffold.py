"""``tradeoffs new-lesson NN-slug``: a new lesson folder that already keeps the lesson contract.

It writes three files and builds the two notebooks:

* ``solutions/NN-slug/NN-slug.py``: a short chapter (intro, the ``parameters`` cell, the setup cell,
  one measured run logged to the ledger, one exercise with its solution, a test cell with a visible
  assert and hidden probes, a figure for ``make bench``), to be rewritten into the real lesson;
* ``solutions/NN-slug/lesson.toml``: its device, data files, ledger metrics and figure targets;
* ``grading/mutants/NN-slug.toml``: the mistake families of each test cell (``[applies]``), a wrong mutant of
  each (find/replace edits) and one correct alternative;

then ``tradeoffs release NN`` (the source notebook ``NN-slug.ipynb`` and ``notebooks/NN-slug/``). It
refuses a name that is not ``NN-slug``, a lesson that exists and a number another lesson has taken.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..lesson_config import FILE_NAME, parse
from ..lessons import LESSON_DIR, release_dir, solutions_dir, text_source
from .mutants import mutants_file
from .sources import notebook_from_text, text_from_notebook


class ScaffoldError(ValueError):
    """The lesson cannot be created; the message says why and what to do instead."""


@dataclass
class Scaffolded:
    lesson: str
    written: list[Path]
    released: list[Path]


TEXT_SOURCE = '''# %% [markdown]
# # Lesson {number} — {title}
#
# *Scaffolded by `tradeoffs new-lesson`: rewrite this chapter into the lesson's own, keeping its shape
# (docs/authoring.md). Its measurement, exercise, tests and mutants already keep the lesson contract.*
#
# Every lesson measures one tradeoff and asks the learner to reason with their own numbers. This one
# starts with the simplest: what it costs to *serve* a model. In this lesson you will
#
# 1. train a small classifier on real data (handwritten 8x8 digits) and time its predictions,
# 2. turn the measured seconds into dollars per million predictions, with a rule you write yourself.
#
# Every number below is measured on *your* machine when you run the notebook, so your figures will
# differ a little from your classmates'. The exercise is checked on what your function computes.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

import tradeoffs
from tradeoffs.data import load_digits
from tradeoffs.meter import measure
from tradeoffs.prices import hourly_rate
from tradeoffs.figures import record_figure

cfg = tradeoffs.setup("{number}", scale=scale, device=device)

# %% [markdown]
# ## 1. A model, and the seconds it takes to answer
#
# We train logistic regression on the digits and time its predictions on the test images with the
# course's cost meter, `tradeoffs.meter.measure`, which also writes one row per measured run to the
# course's results ledger.

# %%
X, y = load_digits()
n = cfg.pick(ci=600, grade=1200, laptop=len(y))
X_train, X_test, y_train, y_test = train_test_split(X[:n], y[:n], test_size=0.3, random_state=cfg.seed,
                                                    stratify=y[:n])
model = LogisticRegression(max_iter=cfg.pick(ci=100, laptop=500))
with measure("logistic regression (digits)", lesson="{number}") as fit_run:
    model.fit(X_train, y_train)
repeats = cfg.pick(ci=20, grade=50, laptop=200)
with measure("predict the test images", lesson="{number}") as predict_run:
    for _ in range(repeats):
        predictions = model.predict(X_test)
accuracy = float(np.mean(predictions == y_test))
fit_run.log(metric="accuracy", value=accuracy)
n_predictions = repeats * len(X_test)
print(f"test accuracy {{accuracy:.3f}}; {{n_predictions}} predictions in {{predict_run.wall_s:.3f}} s")


# %% [markdown]
# ## 2. From seconds to dollars
#
# A model in production answers on a machine rented by the hour, so its speed has a price.
#
# ### Exercise 1 (2 points): cost per million predictions
#
# Write `cost_per_million(seconds, n_predictions, usd_per_hour)` that returns the dollar cost of
# serving one million predictions on one machine rented at `usd_per_hour`, when `n_predictions`
# predictions took `seconds` of wall-clock time. Raise a `ValueError` when `n_predictions` is not
# positive, or when `seconds` or `usd_per_hour` is negative: a cost model that silently accepts
# nonsense produces nonsense budgets.

# %% nbgrader={{"grade": false, "grade_id": "cost_per_million", "locked": false, "schema_version": 3, "solution": true}}
def cost_per_million(seconds, n_predictions, usd_per_hour):
    """Dollars for one million predictions at the measured speed and the machine's hourly rate."""
    ### BEGIN SOLUTION
    if n_predictions <= 0 or seconds < 0 or usd_per_hour < 0:
        raise ValueError("n_predictions must be positive; seconds and usd_per_hour must be >= 0")
    seconds_per_million = seconds / n_predictions * 1_000_000
    return usd_per_hour * seconds_per_million / 3600.0
    ### END SOLUTION


# %% nbgrader={{"grade": true, "grade_id": "test_cost_per_million", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}}
from math import isclose
assert isclose(cost_per_million(3.6, 1000, 1.0), 1.0), (
    "1,000 predictions in 3.6 s is 3,600 s (one hour) per million predictions, so $1.00 at $1/h; "
    f"got {{cost_per_million(3.6, 1000, 1.0)!r}}: the rate is per HOUR, and seconds must be converted.")
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call
observe_call("per hour", lambda: cost_per_million(1.8, 500, 7.2),
             why="3,600 s per million predictions at $7.20 per hour is $7.20.")
observe_call("instant answers", lambda: cost_per_million(0, 10, 3.0),
             why="Predictions that take no time cost nothing.")
for bad in [dict(seconds=1.0, n_predictions=0, usd_per_hour=1.0),
            dict(seconds=-1.0, n_predictions=10, usd_per_hour=1.0),
            dict(seconds=1.0, n_predictions=10, usd_per_hour=-1.0)]:
    observe_call(f"rejects {{sorted(bad.items())}}", lambda: cost_per_million(**bad),
                 why=f"cost_per_million({{bad}}) should raise ValueError: the rule refuses it.")
### END HIDDEN TESTS

# %% [markdown]
# Apply it to your own measurement: what would a million predictions of this model cost on the
# `aws-m7i.large` instance of the price table?

# %%
usd_per_million = cost_per_million(predict_run.wall_s, n_predictions, hourly_rate("aws-m7i.large"))
record_figure("{number}.usd_per_million_predictions", usd_per_million)
print(f"${{usd_per_million:.4f}} per million predictions at {{n_predictions / predict_run.wall_s:,.0f}} predictions/s")

# %% [markdown]
# ## Checkpoints
#
# ### Exercise 2 (1 point): a bill from a measurement
#
# A model answers 2,000 predictions in 9 seconds on one machine rented at \\$0.80 per hour. What do
# one million predictions cost?
#
# - **(a)** \\$0.20
# - **(b)** \\$0.50
# - **(c)** \\$1.00
# - **(d)** \\$3.60
#
# Set `checkpoint_bill` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={{"grade": false, "grade_id": "checkpoint_bill", "locked": false, "schema_version": 3, "solution": true}}
### BEGIN SOLUTION
checkpoint_bill = "c"
### END SOLUTION

# %% nbgrader={{"grade": true, "grade_id": "test_checkpoint_bill", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}}
assert isinstance(checkpoint_bill, str) and checkpoint_bill.strip().lower() in {{"a", "b", "c", "d"}}, \\
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_bill.strip().lower(),
             why="Seconds per million predictions, converted to hours, times the hourly rate.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3 (1 point): faster, on a dearer machine
#
# Model B answers twice as fast as model A, but only on a machine whose hourly rate is three times
# A's. Per million predictions, B costs:
#
# - **(a)** one and a half times as much as A
# - **(b)** the same as A: speed pays for the rate
# - **(c)** two thirds of what A costs
# - **(d)** six times as much as A costs
#
# Set `checkpoint_dearer` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={{"grade": false, "grade_id": "checkpoint_dearer", "locked": false, "schema_version": 3, "solution": true}}
### BEGIN SOLUTION
checkpoint_dearer = "a"
### END SOLUTION

# %% nbgrader={{"grade": true, "grade_id": "test_checkpoint_dearer", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}}
assert isinstance(checkpoint_dearer, str) and checkpoint_dearer.strip().lower() in {{"a", "b", "c", "d"}}, \\
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_dearer.strip().lower(),
             why="Cost is seconds times rate: half the seconds at three times the rate.")
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# - Serving cost is **seconds per prediction x predictions x hourly rate**, so a faster model is a
#   cheaper one to run, and the price of speed can be measured.
# - Your measurement and its cost are in the course ledger, beside every other run of the course.
'''

LESSON_TOML = '''# What is specific to lesson {number}, beside its text source (format: tradeoffs/lesson_config.py).

# device: scikit-learn only; the `device` parameter is accepted and unused
device = "cpu"
# files under data/ it reads: price table (measure, hourly_rate); the digits come from scikit-learn
data = ["prices.csv"]

[ledger]  # metric names this lesson logs (run.log(metric=...))
quality = ["accuracy"]  # higher is better: on the report's frontier
other = []

[figures]  # record_figure keys: ["<=" | ">=" | "<" | ">", bound], or "reported" (no target)
"{number}.usd_per_million_predictions" = "reported"
'''

MUTANTS_TOML = """# Plausible wrong answers for lesson {number} (see README.md in this folder).

# The mistake families that apply to each test cell; each needs a wrong mutant of that family.
[applies]
test_cost_per_million = ["boundary", "units"]
test_checkpoint_bill = ["checkpoint"]
test_checkpoint_dearer = ["checkpoint"]

[[mutant]]
name = "accepts_zero_predictions"
why = "checks n_predictions < 0 instead of <= 0: zero predictions divide by zero instead of raising ValueError"
kind = "wrong"
family = "boundary"
loses = ["test_cost_per_million"]
[[mutant.edit]]
cell = "cost_per_million"
find = 'if n_predictions <= 0 or'
replace = 'if n_predictions < 0 or'

[[mutant]]
name = "rate_per_minute"
why = "reads the hourly rate as per minute: divides the seconds by 60"
kind = "wrong"
family = "units"
loses = ["test_cost_per_million"]
[[mutant.edit]]
cell = "cost_per_million"
find = '/ 3600.0'
replace = '/ 60.0'

[[mutant]]
name = "bill_forgets_the_million"
why = "picks $0.50, half the right bill: a slip while converting seconds per million predictions to hours"
kind = "wrong"
family = "checkpoint"
loses = ["test_checkpoint_bill"]
[[mutant.edit]]
cell = "checkpoint_bill"
find = '"c"'
replace = '"b"'

[[mutant]]
name = "speed_pays_for_the_rate"
why = "thinks twice the speed makes up for three times the rate"
kind = "wrong"
family = "checkpoint"
loses = ["test_checkpoint_dearer"]
[[mutant.edit]]
cell = "checkpoint_dearer"
find = '"a"'
replace = '"b"'

[[mutant]]
name = "hours_first"
why = "a correct alternative: converts the measured seconds to hours first and validates one input at a time"
kind = "alternative"
loses = []
[mutant.cells]
cost_per_million = '''
def cost_per_million(seconds, n_predictions, usd_per_hour):
    if not n_predictions > 0:
        raise ValueError("no predictions were timed")
    for value in (seconds, usd_per_hour):
        if value < 0:
            raise ValueError(f"{{value}} is negative")
    hours = seconds / 3600
    return usd_per_hour * hours * (1e6 / n_predictions)
'''
"""


def title_from_slug(slug: str) -> str:
    """``"scaffold-check"`` -> ``"Scaffold check"``."""
    words = slug.split("-")
    return " ".join([words[0].capitalize(), *words[1:]])


def check_name(name: str) -> str:
    """The lesson name if it is a new ``NN-slug`` with a free number; :class:`ScaffoldError` otherwise."""
    if not LESSON_DIR.match(name) or name.endswith("-") or "--" in name:
        raise ScaffoldError(f"{name!r} is not a lesson name: write two digits, a hyphen and a lowercase slug "
                            "(letters, digits, single hyphens), e.g. 10-data-drift")
    folders = [solutions_dir() / name, release_dir() / name]
    existing = [str(p) for p in folders if p.exists()] + ([str(mutants_file(name))] if mutants_file(name).exists()
                                                            else [])
    if existing:
        raise ScaffoldError(f"lesson {name} already exists ({', '.join(existing)}); edit "
                            f"{text_source(name)} instead, or choose another name")
    number = name[:2]
    taken = sorted({p.name for root in (solutions_dir(), release_dir()) if root.exists()
                    for p in root.iterdir() if p.is_dir() and p.name.startswith(f"{number}-")})
    if taken:
        raise ScaffoldError(f"lesson number {number} is taken by {', '.join(taken)}: lessons are found by their "
                            "number (`tradeoffs release NN`), so choose a free one")
    return name


def render(name: str, title: str | None = None) -> dict[str, str]:
    """The three files of a new lesson, by their path relative to the repository: text, settings, mutants."""
    number, slug = name[:2], name[3:]
    title = title or title_from_slug(slug)
    text = TEXT_SOURCE.format(number=number, title=title)
    # Written as jupytext writes it back, so the text source round-trips (tests/test_sources.py).
    text = text_from_notebook(notebook_from_text(text, where=f"the scaffold of {name}"))
    settings = LESSON_TOML.format(number=number)
    parse(settings, name)  # the template must stay a valid lesson.toml
    return {f"solutions/{name}/{name}.py": text, f"solutions/{name}/{FILE_NAME}": settings,
            f"grading/mutants/{name}.toml": MUTANTS_TOML.format(number=number)}


def new_lesson(name: str, title: str | None = None, build: bool = True) -> Scaffolded:
    """Create lesson ``name`` (``NN-slug``): its files, then (``build``) its source notebook and release.

    If the build fails, everything it wrote is removed again, so the command can simply be rerun.
    """
    from ..paths import repo_root
    from .release import release

    name = check_name(str(name).strip().rstrip("/"))
    files = {repo_root() / rel: text for rel, text in render(name, title).items()}
    folder = solutions_dir() / name
    written: list[Path] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        released = release([name]) if build else []
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(release_dir() / name, ignore_errors=True)
        raise
    return Scaffolded(lesson=name, written=written, released=released)
