# %% [markdown]
# # Lesson 00 — The tradeoff triangle
#
# Every machine-learning project spends three things and gets one back:
#
# | you want | you pay with |
# | --- | --- |
# | **performance** (accuracy, recall, RMSE...) | **training time** (hours until the model exists) and **cost** (dollars for the machines) |
#
# Better models usually cost more to train, and faster training usually costs more per hour.
# There is no setting that wins on all three at once: the *No Free Lunch* theorem says that no
# learning algorithm is best on every problem, and in practice no *configuration* is best on every
# axis. What you *can* do is refuse options that are worse on every axis than some other option.
# The options that survive form the **Pareto frontier**, and choosing among them is a business
# decision, not a technical one.
#
# In this lesson you will
#
# 1. measure the training time of a few real models on real data (up to 5,000 handwritten digits),
# 2. turn seconds into dollars with a cloud price table, and write the billing rule yourself,
# 3. find the Pareto-optimal options and plot the frontier,
# 4. reason about which option to pick.
#
# Every number below is measured on *your* machine when you run the notebook, so your figures
# will differ a little from your classmates'. The sentences that describe the results are
# written by the notebook from your run's numbers, so they say what *your* run showed. The
# exercises are checked on what you computed, not on someone else's timings.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import time

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.metrics import accuracy_score

import tradeoffs
from tradeoffs.data import load_mnist
from tradeoffs.meter import measure
from tradeoffs.prices import price_table, hourly_rate
from tradeoffs.plots import plot_frontier
from tradeoffs.figures import record_figure
from tradeoffs.claims import claim

cfg = tradeoffs.setup("00", scale=scale, device=device)

# %% [markdown]
# ## 1. Real models, real seconds
#
# We train four classifiers of very different size on MNIST digits and time each `fit` with the
# course's cost meter, `tradeoffs.meter.measure`. It records wall-clock time (what the cloud bills),
# CPU time (what your cores did) and peak memory, and writes one row to the course's results
# ledger so that the capstone can compare every model you train in this course.
#
# The digits are cut three ways: the models learn on the **training** images, *we* compare and
# choose models on the **validation** images (the `accuracy` column below), and the **test**
# images are used once, at the end, to report how the chosen model does on images that played no
# part in any decision (`test_accuracy`). Lesson 02 explains why the choice must not look at the test
# set. k-NN does almost no work in `fit` (it stores the images) and all of it when it predicts, so
# the table also times each model's predictions on the validation images.

# %%
X, y = load_mnist()
n = cfg.pick(ci=1200, grade=2500, laptop=5000)
X_fit, X_test, y_fit, y_test = train_test_split(X[:n], y[:n], test_size=0.2, random_state=cfg.seed, stratify=y[:n])
X_train, X_val, y_train, y_val = train_test_split(X_fit, y_fit, test_size=0.25, random_state=cfg.seed, stratify=y_fit)
print(f"{len(X_train)} training, {len(X_val)} validation and {len(X_test)} test images, {X.shape[1]} pixels each")

models = {
    "k-NN (k=3)": KNeighborsClassifier(n_neighbors=3),
    "logistic regression": LogisticRegression(max_iter=cfg.pick(ci=60, laptop=200)),
    "random forest, 20 trees": RandomForestClassifier(n_estimators=20, random_state=cfg.seed, n_jobs=1),
    "random forest, 200 trees": RandomForestClassifier(n_estimators=200, random_state=cfg.seed, n_jobs=1),
}

rows = []
for name, model in models.items():
    with measure(name, lesson="00") as run:
        model.fit(X_train, y_train)
    started = time.perf_counter()
    val_predictions = model.predict(X_val)
    predict_seconds = time.perf_counter() - started
    test_accuracy = accuracy_score(y_test, model.predict(X_test))
    run.log(metric="accuracy", value=test_accuracy)
    rows.append({"model": name, "accuracy": accuracy_score(y_val, val_predictions), "test_accuracy": test_accuracy,
                 "train_seconds": run.wall_s, "predict_seconds": predict_seconds,
                 "cpu_seconds": run.cpu_s, "peak_mem_mb": run.peak_mem_mb})
    print(run)

results = pd.DataFrame(rows)
results

# %%
fastest = results.loc[results["train_seconds"].idxmin()]
slowest = results.loc[results["train_seconds"].idxmax()]
time_ratio = slowest["train_seconds"] / fastest["train_seconds"]
gain_pts = 100 * (slowest["accuracy"] - fastest["accuracy"])
claim("00.slowest_many_times_slower_not_better",
      time_ratio >= 10 and slowest["accuracy"] < 1.1 * fastest["accuracy"],
      holds_text=f"On this run the slowest model to train ({slowest['model']}, {slowest['train_seconds']:.2f} s) took "
                 f"{time_ratio:.0f}x as long as the fastest ({fastest['model']}, {fastest['train_seconds']:.3f} s), "
                 f"for {gain_pts:+.1f} validation accuracy points: many times the seconds, nowhere near many times "
                 "the accuracy.",
      fails_text=f"On this run the slowest model ({slowest['model']}) took {time_ratio:.1f}x as long as the fastest "
                 f"({fastest['model']}) for {gain_pts:+.1f} validation accuracy points. Usually the gap in seconds is "
                 "ten times or more and the gap in accuracy a few points; a busy machine (another job stealing "
                 "the cores during the fastest fit) can shrink the measured time ratio.")
knn = results.set_index("model").loc["k-NN (k=3)"]
claim("00.knn_pays_at_prediction", knn["predict_seconds"] > knn["train_seconds"],
      holds_text=f"k-NN's `fit` took {knn['train_seconds']:.3f} s and predicting the {len(X_val)} validation images "
                 f"took {knn['predict_seconds']:.2f} s ({knn['predict_seconds'] / knn['train_seconds']:.0f}x): it "
                 "only stores the training images, and pays for them with a distance to every one of them at every "
                 "prediction. Its training time flatters it; serving it is what costs.",
      fails_text=f"On this run k-NN's `fit` ({knn['train_seconds']:.3f} s) took longer than its predictions on the "
                 f"{len(X_val)} validation images ({knn['predict_seconds']:.3f} s). That is unusual: k-NN only "
                 "stores the images in `fit`; a pause of the machine during that short fit can inflate it.")

# %% [markdown]
# Look at the spread. Training time ranges over orders of magnitude, accuracy over a few points:
# is the slowest model many times better? Keep that question in mind. And remember that a training
# time is only part of a model's cost: k-NN moves its work from training to prediction.
#
# ## 2. From seconds to dollars
#
# Cloud machines are rented by the hour. The course ships a small, dated price table; your
# instructor may edit it for your provider.

# %%
prices = price_table()
prices[["provider", "vcpus", "gpus", "gpu_model", "usd_per_hour", "as_of"]]


# %% [markdown]
# **Training cost = hourly rate x hours of wall-clock time x number of machines.**
#
# One detail matters for short jobs: providers bill *per second* but with a **minimum billed
# duration** for every machine you start (60 seconds on the big clouds). A 5-second job on
# a machine billed with a one-minute minimum costs as much as a 60-second job.
#
# ### Exercise 1 (3 points): the billing rule
#
# Write `job_cost(seconds, usd_per_hour, n_instances=1, min_billed_seconds=60)` that returns the
# dollar cost of a job that ran for `seconds` of wall-clock time on `n_instances` machines at
# `usd_per_hour` each. Each machine is billed for at least `min_billed_seconds`.
# A job on zero machines costs nothing. Raise a `ValueError` for negative seconds, rates or
# instance counts: a cost model that silently accepts nonsense will produce nonsense budgets.

# %% nbgrader={"grade": false, "grade_id": "job_cost", "locked": false, "schema_version": 3, "solution": true}
def job_cost(seconds, usd_per_hour, n_instances=1, min_billed_seconds=60):
    """Dollar cost of a job: every instance is billed max(seconds, minimum) at the hourly rate."""
    ### BEGIN SOLUTION
    if seconds < 0 or usd_per_hour < 0 or n_instances < 0 or min_billed_seconds < 0:
        raise ValueError("seconds, usd_per_hour, n_instances and min_billed_seconds must be >= 0")
    if n_instances == 0:
        return 0.0
    billed_seconds = max(seconds, min_billed_seconds)
    return n_instances * usd_per_hour * billed_seconds / 3600.0
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_job_cost", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
from math import isclose
from tradeoffs.checks import explained
with explained("job_cost", "a dollar amount"):
    assert isclose(job_cost(3600, 2.0), 2.0), \
        f"One hour at $2.00/h should cost $2.00, got {job_cost(3600, 2.0)!r}: the rate is per HOUR, and seconds must be converted."
    assert isclose(job_cost(7200, 1.5, n_instances=4), 12.0), \
        f"Two hours on 4 machines at $1.50/h each is $12.00, got {job_cost(7200, 1.5, n_instances=4)!r}: every machine is billed."
    assert isclose(job_cost(30, 3.6), 0.06), \
        f"A 30-second job is billed as 60 seconds (the minimum): 3.6 $/h x 60 s = $0.06, got {job_cost(30, 3.6)!r}."
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call
observe_call("no minimum", lambda: job_cost(30, 3.6, min_billed_seconds=0),
             why="With no minimum, a 30-second job is billed 30 seconds.")
observe_call("minimum per machine", lambda: job_cost(59.5, 7.2, n_instances=2),
             why="Each of the 2 machines is billed its own 60-second minimum.")
observe_call("per second past the minimum", lambda: job_cost(90, 36.0, n_instances=3, min_billed_seconds=60),
             why="Past the minimum, billing is per second.")
observe_call("zero machines", lambda: job_cost(500, 2.0, n_instances=0), why="A job on zero machines costs nothing.")
observe_call("zero seconds", lambda: job_cost(0, 2.0),
             why="Zero seconds is valid (only negative inputs raise): the machine is still billed its minimum.")
for bad in [dict(seconds=-1, usd_per_hour=1.0), dict(seconds=10, usd_per_hour=-1.0),
            dict(seconds=10, usd_per_hour=1.0, n_instances=-2)]:
    observe_call(f"rejects {sorted(bad.items())}", lambda: job_cost(**bad),
                 why=f"job_cost({bad}) should raise ValueError: negative inputs are mistakes, not costs.")
### END HIDDEN TESTS

# %% [markdown]
# Now price every model we trained, on a small CPU instance and on a single-GPU instance.
# (The GPU column assumes the same run time, which is not true; we measure GPU speed-ups in
# later lessons. It shows how much the *rate* alone changes the bill.)

# %%
cpu_rate = hourly_rate("aws-m7i.large")
gpu_rate = hourly_rate("aws-g5.xlarge")
results["cost_usd"] = [job_cost(s, cpu_rate, min_billed_seconds=0) for s in results["train_seconds"]]
results["cost_usd_min_billing"] = [job_cost(s, cpu_rate) for s in results["train_seconds"]]
results["cost_usd_gpu_rate"] = [job_cost(s, gpu_rate, min_billed_seconds=0) for s in results["train_seconds"]]
cost_spread = results["cost_usd"].max() / results["cost_usd"].min()
record_figure("00.cost_spread", cost_spread)
results.round(6)

# %%
longest = results["train_seconds"].max()
claim("00.minimum_billing_equalises", results["cost_usd_min_billing"].nunique() == 1,
      holds_text=f"Every job on this run was shorter than the 60-second minimum (the longest took {longest:.1f} s), "
                 f"so with minimum billing they all cost the same, ${results['cost_usd_min_billing'].iloc[0]:.4f}, "
                 f"although their per-second costs differ {cost_spread:.0f}-fold.",
      fails_text=f"On this run the longest job took {longest:.1f} s, past the 60-second minimum, so minimum billing "
                 "did not make every job cost the same: the machine was slow or the experiment large enough for "
                 "the model to matter again.")


# %% [markdown]
# When every job is shorter than the minimum billed duration, they all cost exactly the same: for
# small experiments the billing rule, not the model, decides the bill. That is why people batch
# many small experiments onto one machine.
#
# ## 3. The Pareto frontier
#
# Option **A dominates** option **B** when A is at least as good as B on every objective and
# strictly better on at least one. An option that no other option dominates is
# **Pareto-optimal**; together they form the frontier. Every dominated option can be dropped
# without regret, whatever your priorities are.
#
# ### Exercise 2 (4 points): find the Pareto-optimal options
#
# Write `pareto_optimal(df, maximize, minimize)` that returns a boolean `pd.Series` (same index as
# `df`) that is `True` for every Pareto-optimal row. `maximize` and `minimize` are lists of column
# names (either may be empty), so the function must work for any number of objectives. Two
# identical rows do not dominate each other.

# %% nbgrader={"grade": false, "grade_id": "pareto_optimal", "locked": false, "schema_version": 3, "solution": true}
def pareto_optimal(df, maximize, minimize):
    """True for the rows of df that no other row dominates."""
    ### BEGIN SOLUTION
    # Turn every objective into "bigger is better".
    scores = pd.concat([df[c] for c in maximize] + [-df[c] for c in minimize], axis=1).to_numpy(dtype=float)
    optimal = []
    for i in range(len(scores)):
        at_least_as_good = (scores >= scores[i]).all(axis=1)
        strictly_better = (scores > scores[i]).any(axis=1)
        optimal.append(not (at_least_as_good & strictly_better).any())
    return pd.Series(optimal, index=df.index)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_pareto_optimal", "locked": true, "points": 4.0, "schema_version": 3, "solution": false}
toy = pd.DataFrame({"option": ["A", "B", "C", "D"], "accuracy": [0.90, 0.95, 0.93, 0.80],
                    "cost": [1.0, 10.0, 12.0, 0.5]}, index=[10, 11, 12, 13])
from tradeoffs.checks import explained
with explained("pareto_optimal", "a boolean Series"):
    got = pareto_optimal(toy, maximize=["accuracy"], minimize=["cost"])
assert isinstance(got, pd.Series), f"Return a pandas Series of booleans, got {type(got).__name__}."
assert list(got.index) == list(toy.index), "Keep the DataFrame's index so the result lines up with the rows."
assert list(got.astype(bool)) == [True, True, False, True], (
    f"Expected A, B and D on the frontier and C dominated (B is cheaper AND more accurate than C); got {list(got)}.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
twins = pd.DataFrame({"acc": [0.9, 0.9, 0.8], "cost": [1.0, 1.0, 1.0]})
observe_call("twins", lambda: list(pareto_optimal(twins, ["acc"], ["cost"]).astype(bool)),
             why="Identical options do not dominate each other; a row that is only equal on every objective is not beaten.")
tie = pd.DataFrame({"acc": [0.9, 0.9], "cost": [1.0, 2.0]})
observe_call("tie", lambda: list(pareto_optimal(tie, ["acc"], ["cost"]).astype(bool)),
             why="Equal accuracy but higher cost is dominated (at least as good everywhere, strictly better somewhere).")
three = pd.DataFrame({"acc": [0.90, 0.90, 0.85, 0.92], "cost": [2.0, 2.0, 1.0, 3.0],
                      "latency": [5.0, 9.0, 9.0, 9.5]})
observe_call("three objectives", lambda: list(pareto_optimal(three, ["acc"], ["cost", "latency"]).astype(bool)),
             why="With three objectives every column counts: option 1 loses to option 0 on latency alone.")
only_min = pd.DataFrame({"cost": [3.0, 1.0, 2.0]})
observe_call("only minimise", lambda: list(pareto_optimal(only_min, [], ["cost"]).astype(bool)),
             why="With one objective to minimise, only the cheapest option is Pareto-optimal.")
### END HIDDEN TESTS

# %% [markdown]
# Apply it to the models you measured: validation accuracy up, training time down.

# %%
results["pareto"] = pareto_optimal(results, maximize=["accuracy"], minimize=["train_seconds"])
record_figure("00.frontier_size", results["pareto"].sum())
ax = plot_frontier(results, x="train_seconds", y="accuracy", label="model", on_front=results["pareto"],
                   logx=True, title="Validation accuracy vs training time (measured on this machine)")
plt.show()
front = results.loc[results["pareto"], "model"].tolist()
claim("00.frontier_is_a_tradeoff", len(front) >= 2,
      holds_text=f"{len(front)} of the {len(results)} models are on this run's frontier ({', '.join(front)}): "
                 "none of them is both the fastest to train and the most accurate, so picking one is a tradeoff.",
      fails_text=f"On this run a single model ({front[0]}) was both the fastest to train and the most accurate, so "
                 "the frontier has one point and there is nothing to trade. It happens when the cheapest model is "
                 "also the best on a small validation set; with more data the more expensive models usually pull "
                 "ahead.", hedged=True)
results[["model", "accuracy", "train_seconds", "cost_usd", "pareto"]]


# %% [markdown]
# ### Exercise 3 (2 points): a number from your own run
#
# A product manager asks for "the cheapest model that is within one accuracy point of the best
# one". Write `cheapest_within(table, tolerance_pts=1.0)` that returns the `model` name of the
# row with the lowest `cost_usd` among the rows whose `accuracy` is at most `tolerance_pts`
# accuracy **points** below the best row (one point is 0.01 of accuracy). Then apply it to
# **your measured `results` table** (its `accuracy` is the validation accuracy: the choice is made
# on validation, and the chosen model's test accuracy is reported after it).

# %% nbgrader={"grade": false, "grade_id": "cheapest_within", "locked": false, "schema_version": 3, "solution": true}
def cheapest_within(table, tolerance_pts=1.0):
    """Name of the cheapest model whose accuracy is within tolerance_pts points of the best."""
    ### BEGIN SOLUTION
    close_enough = table[table["accuracy"] >= table["accuracy"].max() - tolerance_pts / 100 - 1e-12]
    return close_enough.sort_values("cost_usd").iloc[0]["model"]
    ### END SOLUTION

cheapest_within_1pt = cheapest_within(results)
print(f"cheapest model within 1 point of the best (validation): {cheapest_within_1pt}")
_chosen = results.set_index("model").loc[cheapest_within_1pt]
print(f"its test accuracy: {_chosen['test_accuracy']:.3f} (best test accuracy of the four: "
      f"{results['test_accuracy'].max():.3f})")

# %% nbgrader={"grade": true, "grade_id": "test_cheapest_within", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
menu = pd.DataFrame({"model": ["small", "medium", "large"], "accuracy": [0.900, 0.935, 0.940],
                     "cost_usd": [0.10, 0.50, 2.00]})
from tradeoffs.checks import explained
with explained("cheapest_within", "a model name"):
    assert cheapest_within(menu) == "medium", (
        f"'medium' is 0.5 points below the best and 4x cheaper than 'large'; got {cheapest_within(menu)!r}.")
    assert cheapest_within(menu, tolerance_pts=5) == "small", \
        "With a 5-point tolerance 'small' (4 points below the best) qualifies: use the tolerance_pts argument, not 1 point."
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
observe_call("zero tolerance", lambda: cheapest_within(menu, tolerance_pts=0),
             why="With zero tolerance only the best model qualifies.")
shuffled = pd.DataFrame({"model": ["b", "a", "c", "d"], "accuracy": [0.80, 0.97, 0.965, 0.70],
                         "cost_usd": [0.01, 9.0, 3.0, 0.001]})
observe_call("points not fractions", lambda: cheapest_within(shuffled, 1.0),
             why="Tolerance is in accuracy points: 1 point = 0.01.")
observe_call("everyone qualifies", lambda: cheapest_within(shuffled, 30),
             why="A 30-point tolerance lets every model in; the cheapest wins.")
mixed = pd.DataFrame({"model": ["cpu", "gpu", "big"], "accuracy": [0.950, 0.952, 0.955],
                      "train_seconds": [400.0, 40.0, 900.0], "cost_usd": [0.02, 0.05, 0.04]})
observe_call("cost, not seconds", lambda: cheapest_within(mixed),
             why="Rank by cost_usd: on machines with different rates the fastest model is not the cheapest.")
# Your own measured table differs from the reference run's: compare with what this run's table gives.
_best = results["accuracy"].max()
_ok = results[results["accuracy"] >= _best - 0.01 - 1e-12]
observe("cheapest on this run's table", _ok.sort_values("cost_usd").iloc[0]["model"], checked=False)
observe("applied to your results", cheapest_within_1pt, same_as="cheapest on this run's table",
        why="cheapest_within_1pt should be cheapest_within applied to your measured results table.")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Checkpoint
#
# ### Exercise 4 (1 point): dominance
#
# A team measured three models: **A** scores 0.90 and costs \$1 per training run; **B** scores
# 0.93 and costs \$10; **C** scores 0.92 and costs \$15. Which statement is true?
#
# - **(a)** Keep C: it is more accurate than A, so it is on the frontier.
# - **(b)** Drop A: it is the least accurate, so B dominates it.
# - **(c)** Keep only B: a frontier holds exactly one best model.
# - **(d)** Drop C: B is both more accurate and cheaper than C.
#
# Set `checkpoint_dominance` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_dominance", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_dominance = "d"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_dominance", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_dominance, str) and checkpoint_dominance.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_dominance.strip().lower(),
             why="Check each option against the definition: who is at least as good on both accuracy and cost?")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5 (1 point): apply the billing rule
#
# A hyperparameter trial runs for **45 seconds** on **4 machines** at **\$1.80 per hour** each, and
# the provider bills every machine for at least **60 seconds**. What does the trial cost?
#
# - **(a)** \$0.12
# - **(b)** \$0.09
# - **(c)** \$0.03
# - **(d)** \$7.20
#
# Set `checkpoint_billing` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_billing", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_billing = "a"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_billing", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_billing, str) and checkpoint_billing.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_billing.strip().lower(),
             why="Each machine is billed max(seconds, minimum) at the hourly rate: machines x rate x billed seconds / 3600.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (2 points, graded by your instructor): make the call
#
# Your team retrains its digit classifier every night on a machine like the `aws-m7i.large` in the
# price table. Which model would you deploy, and why? Base the argument on what holds from run to
# run, not on one run's exact figures: which models sit on the frontier, the *order of magnitude*
# of the training-time (and dollar) differences and of the accuracy differences, and what k-NN
# costs at prediction time. Name what you give up, and say what would make you change your mind
# (for example: ten times more data, or a hard deadline).

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_choice", "locked": false, "points": 2.0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Model answer (rubric: 1 point for a choice on the frontier justified with what holds across runs:
# training times spread over orders of magnitude (milliseconds to seconds), accuracies over a few
# points, every bill a fraction of a cent, k-NN cheap to fit but slow to predict; 1 point for
# naming the cost of the choice and a condition that would change it).
#
# Example, with reference values from a laptop-scale run on a 2-core VM (5,000 images): "The
# 200-tree forest is the most accurate (about 0.94) and takes seconds to train; logistic regression
# is both slower to train and less accurate than the 20-tree forest, so it is off the frontier; k-NN,
# which trains in milliseconds and is about a point less accurate, pays at every prediction instead.
# Nightly retraining makes every option cost a fraction of a cent, so I would deploy the forest: a
# few points are worth more than seconds. With 100x more data the forest's training time
# grows much faster, and if the job had to finish in a fixed window I would revisit the 20-tree
# forest, an order of magnitude faster to train for a few points less."
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# - Cost is **rate x time x machines**, with billing rules (minimums) that dominate short jobs.
# - The **Pareto frontier** removes every option that is worse on all axes; what remains is a
#   real tradeoff that only the business need can settle.
# - Every later lesson measures one corner of the triangle and adds its models to the course
#   ledger (`results/ledger.csv`), so the capstone can draw the whole course's frontier.

# %% [markdown]
# ## In the cloud
#
# | here | managed counterpart | what it adds | what it costs |
# | --- | --- | --- | --- |
# | `measure()` and the price table | **AWS Pricing Calculator**, **Google Cloud Pricing Calculator**, **Azure Pricing Calculator** | list prices for every instance, region and commitment (on-demand, spot, savings plans) | free |
# | the ledger (one row per run, with its cost) | **AWS Cost Explorer**, **Cloud Billing reports**, **Azure Cost Management** | the real bill, grouped by service, tag or project, updated about daily | the consoles are free; Cost Explorer's API is billed per request |
#
# Cloud training jobs (SageMaker, Vertex AI, Azure ML) bill the instance **per second** while the job
# runs, so the cost model of this lesson (seconds x hourly rate) is the one on the invoice; storage,
# data transfer and idle notebooks are billed on top. Tag every job (`project`, `experiment`) from day
# one: the cost reports can only group by tags that were there when the money was spent.
