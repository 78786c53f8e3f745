# %% [markdown]
# # Lesson 02 — Metrics: what "performance" means
#
# "The model is 95% accurate" is not a result; it is half a sentence. Accurate at what, on which
# examples, at which threshold, and what does a mistake cost? Every tradeoff in this course
# compares *performance* against time and money, so we first have to agree on what performance
# is. The answer depends on the problem:
#
# - a **classifier** makes two kinds of mistakes (false alarms and misses) that rarely cost the
#   same; its scores must be turned into decisions with a **threshold**, and that threshold is a
#   business decision;
# - a **regressor** makes errors of every size, and the metric decides whether one huge error is
#   worse than many small ones.
#
# In this lesson you will
#
# 1. take a loan-default classifier apart with the confusion matrix, precision, recall and F1,
# 2. draw ROC and precision-recall curves, and see why ROC-AUC flatters imbalanced problems,
# 3. put dollars on each kind of mistake and **choose the threshold** that minimises the bill,
#    honestly (on a validation split, reported on the test split),
# 4. measure a bike-demand regressor with MSE, RMSE, MAE and R², and see why RMSE punishes big
#    errors,
# 5. implement F1 and RMSE from their formulas, and pick the right metric for a problem.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
from math import isclose

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LogisticRegression, LinearRegression
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import (accuracy_score, average_precision_score, confusion_matrix, f1_score,
                             mean_absolute_error, mean_squared_error, precision_recall_curve,
                             precision_score, r2_score, recall_score, roc_auc_score, roc_curve)

import tradeoffs
from tradeoffs.data import load_bikeshare, load_lending_club
from tradeoffs.meter import measure
from tradeoffs.figures import record_figure
from tradeoffs.claims import claim

cfg = tradeoffs.setup("02", scale=scale, device=device)

# %% [markdown]
# ## 1. Three splits, not two
#
# We reuse the Lending Club loans of lesson 01 (about 5% bad loans). This time we cut the data
# **three** ways, all stratified:
#
# - **train** (50%): the models learn their weights here,
# - **validation** (25%): *we* learn here: which threshold to use, which model to keep,
# - **test** (25%): touched once, at the end, to report what the chosen system will do on new loans.
#
# Any decision made by looking at the test set (a threshold, a model, a feature) makes the test
# score optimistic, because the decision was fitted to those very examples. The validation split
# exists so that the test split can stay honest.

# %%
loans = load_lending_club()
y = loans["bad"].to_numpy()
X = pd.get_dummies(loans.drop(columns=["bad"]), dtype=float)
X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.25, random_state=cfg.seed, stratify=y)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=1 / 3, random_state=cfg.seed,
                                                  stratify=y_rest)
for name, part in [("train", y_train), ("validation", y_val), ("test", y_test)]:
    print(f"{name:>10}: {len(part):5d} loans, {part.sum():4d} bad ({part.mean():.1%})")

# %% [markdown]
# Two classifiers: a logistic regression and a random forest, plus the majority-class baseline.
# Each is timed and logged to the course ledger.

# %%
n_trees = cfg.pick(ci=20, grade=60, laptop=200)
classifiers = {
    "majority class": DummyClassifier(strategy="most_frequent"),
    "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=500)),
    f"random forest ({n_trees} trees)": RandomForestClassifier(n_estimators=n_trees, min_samples_leaf=5,
                                                               random_state=cfg.seed, n_jobs=1),
}
val_scores_by_model, test_scores_by_model = {}, {}
for name, model in classifiers.items():
    with measure(name, lesson="02") as run:
        model.fit(X_train, y_train)
    val_scores_by_model[name] = model.predict_proba(X_val)[:, 1]
    test_scores_by_model[name] = model.predict_proba(X_test)[:, 1]
    run.log(metric="pr_auc", value=average_precision_score(y_test, test_scores_by_model[name]))
    print(run)

val_scores = val_scores_by_model["logistic regression"]
test_scores = test_scores_by_model["logistic regression"]


# %% [markdown]
# ## 2. The confusion matrix and its ratios
#
# A classifier outputs a **score** (here a predicted probability of default). A **threshold**
# turns it into a decision: flag the loan when `score >= threshold`. Against the truth, every
# decision lands in one of four cells:
#
# | | predicted good (0) | predicted bad (1) |
# | --- | --- | --- |
# | **actually good (0)** | true negative (TN) | false positive (FP): a false alarm |
# | **actually bad (1)** | false negative (FN): a miss | true positive (TP) |
#
# From these four counts:
#
# - **precision** $= \frac{TP}{TP + FP}$: of the loans we flagged, how many were bad?
# - **recall** $= \frac{TP}{TP + FN}$: of the bad loans, how many did we flag?
# - **F1** $= \frac{2 \cdot \text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}
#   = \frac{2\,TP}{2\,TP + FP + FN}$: their harmonic mean, high only when *both* are high.
# - **accuracy** $= \frac{TP + TN}{TP + TN + FP + FN}$, dominated by TN when negatives are 95%.
#
# Here is the logistic regression at the default threshold of 0.5 and at 0.1:

# %%
def summarize(y_true, scores, threshold):
    pred = (scores >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y_true, pred, labels=[0, 1]).ravel()
    return {"threshold": threshold, "TN": tn, "FP": fp, "FN": fn, "TP": tp,
            "accuracy": accuracy_score(y_true, pred),
            "precision": precision_score(y_true, pred, zero_division=0),
            "recall": recall_score(y_true, pred, zero_division=0),
            "F1": f1_score(y_true, pred, zero_division=0)}

at_thresholds = pd.DataFrame([summarize(y_val, val_scores, t) for t in (0.5, 0.1)]).set_index("threshold")
at_half, at_tenth = at_thresholds.loc[0.5], at_thresholds.loc[0.1]
claim("02.accuracy_and_f1_move_apart",
      at_half["recall"] < 0.1 and at_tenth["accuracy"] < at_half["accuracy"] and at_tenth["F1"] > at_half["F1"],
      holds_text=f"At 0.5 the model flags almost nothing ({int(at_half['TP'] + at_half['FP'])} of {len(y_val)} loans): accuracy "
                 f"{at_half['accuracy']:.3f}, recall {at_half['recall']:.3f}, F1 {at_half['F1']:.3f}. At 0.1 it "
                 f"catches {at_tenth['recall']:.0%} of the bad loans at the price of {int(at_tenth['FP'])} false alarms, "
                 f"and accuracy *drops* to {at_tenth['accuracy']:.3f} while F1 rises to {at_tenth['F1']:.3f}.",
      fails_text=f"On this run accuracy went from {at_half['accuracy']:.3f} to {at_tenth['accuracy']:.3f} and F1 from "
                 f"{at_half['F1']:.3f} to {at_tenth['F1']:.3f} between thresholds 0.5 and 0.1 (recall at 0.5: "
                 f"{at_half['recall']:.3f}); usually accuracy falls and F1 rises, and a validation split with few "
                 "bad loans can blur it.")
at_thresholds.round(3)


# %% [markdown]
# Lowering the threshold trades accuracy for recall: accuracy and F1 can move in opposite
# directions, and only one of them describes what the risk team cares about.
#
# ### Exercise 1 (3 points): F1 from its formula
#
# Write `f1_np(y_true, y_pred)` with NumPy only: the F1 score of the positive class (label 1)
# from 0/1 labels and 0/1 predictions (lists or arrays). Count TP, FP and FN, compute precision
# and recall, and combine them. When there is no true positive (TP = 0) return `0.0`, as
# scikit-learn does with `zero_division=0`. Your function must agree with
# `sklearn.metrics.f1_score`.

# %% nbgrader={"grade": false, "grade_id": "f1_np", "locked": false, "schema_version": 3, "solution": true}
def f1_np(y_true, y_pred):
    """F1 score of the positive class (label 1), computed from the confusion counts."""
    ### BEGIN SOLUTION
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fp = np.sum((y_pred == 1) & (y_true == 0))
    fn = np.sum((y_pred == 0) & (y_true == 1))
    if tp == 0:
        return 0.0
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    return float(2 * precision * recall / (precision + recall))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_f1_np", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
from math import isclose
_t = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
_p = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]
from tradeoffs.checks import explained
with explained("f1_np", "a float"):
    _f1 = f1_np(_t, _p)
assert isinstance(_f1, float), f"Return a Python float, got {type(_f1).__name__}."
assert isclose(_f1, 0.75), (
    f"TP=3, FP=1, FN=1: precision = recall = 0.75, so F1 = 0.75; got {_f1!r}. "
    "(Accuracy here would be 0.8: F1 ignores the true negatives on purpose.)")
with explained("f1_np", "a float"):
    assert isclose(f1_np(np.array(_t), np.array(_p)), f1_score(_t, _p)), "NumPy arrays and lists should give the same F1."
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe, observe_call
_t2 = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
_p2 = [1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
observe_call("FP and FN differ", lambda: float(f1_np(_t2, _p2)),
             why="When FP and FN differ, precision and recall differ: each has its own denominator (check both).")
observe_call("harmonic mean", lambda: float(f1_np(_p2, _t2)), why="F1 is the HARMONIC mean of precision and recall.")
observe_call("no true positive", lambda: float(f1_np([1, 0, 1], [0, 0, 0])),
             why="With no true positives F1 is 0.0 (zero_division=0), not an error and not NaN.")
observe_call("no positive at all", lambda: float(f1_np([0, 0], [0, 0])),
             why="With no true positives F1 is 0.0 (zero_division=0), not an error and not NaN.")
observe_call("flags everything", lambda: float(f1_np([0, 1, 1, 0, 1], [1, 1, 1, 1, 1])),
             why="A model that flags everything has recall 1 and precision equal to the positive rate.")
_rng = np.random.default_rng(7)
for _i in range(20):
    _a = _rng.integers(0, 2, 50)
    _b = np.where(_rng.random(50) < 0.7, _a, 1 - _a)
    observe_call(f"random labels {_i}", lambda: float(f1_np(_a, _b)),
                 why="f1_np should agree with sklearn's f1_score on random labels.")
# The loan predictions come from a model trained in this run: compare with sklearn on this run's predictions.
_pred = (test_scores >= 0.1).astype(int)
observe("sklearn F1 on this run's loan predictions", f1_score(y_test, _pred), checked=False)
observe_call("F1 on the loan predictions", lambda: float(f1_np(y_test, _pred)),
             same_as="sklearn F1 on this run's loan predictions",
             why="f1_np should agree with sklearn's f1_score on the loan predictions.")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Curves: every threshold at once
#
# A single threshold gives one confusion matrix. Sweeping the threshold from 1 down to 0 traces
# two curves that describe the *scores* themselves:
#
# - the **ROC curve**: true-positive rate (recall) against false-positive rate
#   $\frac{FP}{FP + TN}$. Its area, **ROC-AUC**, is the probability that a random bad loan gets a
#   higher score than a random good one. Chance is 0.5.
# - the **precision-recall (PR) curve**: precision against recall. Its area, **PR-AUC** (average
#   precision), starts at the positive rate: a random model has precision 5% at every recall.
#
# On imbalanced data the two tell different stories. The false-positive rate divides by the huge
# number of good loans, so thousands of false alarms barely move the ROC curve; precision divides
# by what you flagged, so it feels every one of them.

# %%
fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(12, 4.8))
curve_rows = []
for name in classifiers:
    s = test_scores_by_model[name]
    fpr, tpr, _ = roc_curve(y_test, s)
    prec, rec, _ = precision_recall_curve(y_test, s)
    auc, ap = roc_auc_score(y_test, s), average_precision_score(y_test, s)
    curve_rows.append({"model": name, "roc_auc": auc, "pr_auc": ap})
    ax_roc.plot(fpr, tpr, label=f"{name} (ROC-AUC {auc:.2f})")
    ax_pr.step(rec, prec, where="post", label=f"{name} (PR-AUC {ap:.2f})")
ax_roc.plot([0, 1], [0, 1], ls=":", color="grey")
ax_roc.set(xlabel="false-positive rate", ylabel="true-positive rate (recall)", title="ROC curve (test split)")
ax_pr.axhline(y_test.mean(), ls=":", color="grey", label=f"positive rate {y_test.mean():.1%}")
ax_pr.set(xlabel="recall", ylabel="precision", title="Precision-recall curve (test split)", ylim=(0, 1))
for ax in (ax_roc, ax_pr):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
plt.tight_layout()
plt.show()
curves = pd.DataFrame(curve_rows)
_real_curves = curves[curves["model"] != "majority class"]
claim("02.roc_auc_flatters_pr_auc",
      _real_curves["roc_auc"].min() >= 0.7 and _real_curves["pr_auc"].max() <= 0.3
      and _real_curves["pr_auc"].min() > y_test.mean(),
      holds_text=f"On this run the real models' ROC-AUC is {_real_curves['roc_auc'].min():.2f} to "
                 f"{_real_curves['roc_auc'].max():.2f}, which sounds respectable, and their PR-AUC "
                 f"{_real_curves['pr_auc'].min():.2f} to {_real_curves['pr_auc'].max():.2f}, which sounds poor "
                 f"(chance: {y_test.mean():.2f}). Both are true: the models rank bad loans above good ones most "
                 "of the time, yet most of the loans they flag are good ones.",
      fails_text=f"On this run ROC-AUC ranged {_real_curves['roc_auc'].min():.2f}-{_real_curves['roc_auc'].max():.2f} "
                 f"and PR-AUC {_real_curves['pr_auc'].min():.2f}-{_real_curves['pr_auc'].max():.2f} (chance "
                 f"{y_test.mean():.2f}): with about a hundred bad loans in the test split, a few of them ranked "
                 "differently move these areas.")
curves.round(3)

# %% [markdown]
# The two areas answer different questions. If your team reviews flagged loans by hand, PR-AUC is
# the one that predicts their workload.
#
# ## 4. Mistakes cost money: the cost matrix
#
# Say a missed bad loan (FN) costs the lender **\$2,000** on average (the unrecovered principal
# net of interest), and a false alarm (FP) costs **\$150** (a good customer declined or sent to a
# manual review). Correct decisions cost nothing. The total cost of a threshold is
#
# $$\text{cost}(t) = 2000 \cdot FN(t) + 150 \cdot FP(t)$$
#
# With a missed default 13 times more expensive than a false alarm, the best threshold is far
# below 0.5. (For perfectly calibrated probabilities, flagging pays off when
# $p \cdot 2000 > (1 - p) \cdot 150$, that is $p > 150 / 2150 \approx 0.07$.)

# %%
COST_FN, COST_FP = 2000.0, 150.0

def total_cost(y_true, scores, threshold, cost_fn=COST_FN, cost_fp=COST_FP):
    """Dollar cost of flagging every example whose score is >= threshold."""
    y_true = np.asarray(y_true)
    flagged = np.asarray(scores) >= threshold
    fn = np.sum(~flagged & (y_true == 1))
    fp = np.sum(flagged & (y_true == 0))
    return float(cost_fn * fn + cost_fp * fp)

grid = np.linspace(0, 0.5, 101)
val_costs = [total_cost(y_val, val_scores, t) for t in grid]
plt.figure(figsize=(7, 4))
plt.plot(grid, np.array(val_costs) / len(y_val), label="validation")
plt.axhline(total_cost(y_val, val_scores, np.inf) / len(y_val), ls="--", color="grey", label="flag nothing")
plt.xlabel("threshold")
plt.ylabel("cost per loan (USD)")
plt.title("Expected cost per loan vs threshold (logistic regression)")
plt.grid(alpha=0.3)
plt.legend()
plt.show()
print(f"cost per loan at threshold 0.5: ${total_cost(y_val, val_scores, 0.5) / len(y_val):.2f} (validation)")


# %% [markdown]
# ### Exercise 2 (3 points): choose the threshold that minimises expected cost
#
# Write `choose_threshold(y_val, scores_val, cost_fn, cost_fp)` that returns the threshold `t`
# minimising `cost_fn * FN + cost_fp * FP` on the data it is given, with the rule
# "flag when `score >= t`". Only the observed scores matter: it is enough to try each distinct
# score as a threshold, plus one threshold above every score ("flag nothing", e.g. `np.inf`).
# You may use `total_cost` above.
#
# The function receives **validation** labels and scores only. A threshold picked on the test
# split would make the test cost a lie: it would be the best cost *in hindsight*, not what the
# lender will pay on the next loans.

# %% nbgrader={"grade": false, "grade_id": "choose_threshold", "locked": false, "schema_version": 3, "solution": true}
def choose_threshold(y_val, scores_val, cost_fn, cost_fp):
    """Threshold (flag when score >= t) with the lowest total cost on the given data."""
    ### BEGIN SOLUTION
    candidates = np.append(np.unique(scores_val), np.inf)
    costs = [total_cost(y_val, scores_val, t, cost_fn, cost_fp) for t in candidates]
    return float(candidates[int(np.argmin(costs))])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_choose_threshold", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
_yv = np.array([0, 0, 1, 0, 0, 1, 0, 1, 0, 1])
_sv = np.array([0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95])
_best_cost = min(total_cost(_yv, _sv, t, 10.0, 1.0) for t in np.append(_sv, np.inf))
from tradeoffs.checks import explained
with explained("choose_threshold", "a threshold (a float)"):
    _t = choose_threshold(_yv, _sv, cost_fn=10.0, cost_fp=1.0)
assert isclose(total_cost(_yv, _sv, _t, 10.0, 1.0), _best_cost), (
    f"With a miss 10x as costly as a false alarm, the cheapest rule here costs {_best_cost}; your threshold "
    f"{_t!r} costs {total_cost(_yv, _sv, _t, 10.0, 1.0)}. Try every observed score as a threshold.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("expensive false alarms",
             lambda: total_cost(_yv, _sv, choose_threshold(_yv, _sv, cost_fn=1.0, cost_fp=10.0), 1.0, 10.0),
             why="When false alarms are the expensive mistake, the best threshold moves up: the cost arguments matter.")
observe_call("flag nothing",
             lambda: total_cost([0, 1, 0, 0], [0.9, 0.2, 0.8, 0.7],
                                choose_threshold(np.array([0, 1, 0, 0]), np.array([0.9, 0.2, 0.8, 0.7]),
                                                 cost_fn=1.0, cost_fp=5.0), 1.0, 5.0),
             why="Sometimes the cheapest decision is to flag nothing: allow a threshold above every score.")
observe_call("tied score is flagged",
             lambda: total_cost([1, 0, 1, 0, 0, 0], [0.3, 0.3, 0.6, 0.1, 0.2, 0.9],
                                choose_threshold([1, 0, 1, 0, 0, 0], [0.3, 0.3, 0.6, 0.1, 0.2, 0.9], 4.0, 1.0),
                                4.0, 1.0),
             why="Flag when score >= threshold: a tied score at the threshold is flagged.")
_other_y, _other_s = np.array([1, 0, 0, 1, 0, 0, 0, 1]), np.array([0.9, 0.1, 0.6, 0.3, 0.2, 0.8, 0.4, 0.7])
observe_call("uses its arguments",
             lambda: total_cost(_other_y, _other_s, choose_threshold(_other_y, _other_s, 3.0, 1.0), 3.0, 1.0),
             why="choose_threshold must choose from the labels and scores it is given, and nothing else.")
### END HIDDEN TESTS

# %% [markdown]
# Now apply it the honest way: choose on validation, then report once on test. Set
# `best_threshold` (chosen on the validation split, logistic-regression scores `val_scores`) and
# `test_cost_per_loan` (the cost per loan of that threshold on the test split, `test_scores`).

# %% nbgrader={"grade": false, "grade_id": "threshold_report", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
best_threshold = choose_threshold(y_val, val_scores, COST_FN, COST_FP)
test_cost_per_loan = total_cost(y_test, test_scores, best_threshold) / len(y_test)
### END SOLUTION
default_cost_per_loan = total_cost(y_test, test_scores, 0.5) / len(y_test)
print(f"threshold chosen on validation: {best_threshold:.3f}")
print(f"test cost per loan: ${test_cost_per_loan:.2f} (threshold 0.5: ${default_cost_per_loan:.2f})")
claim("02.best_threshold_far_below_half", best_threshold < 0.25,
      holds_text=f"The cost-minimising threshold on this run's validation split is {best_threshold:.3f}, far below 0.5, "
                 "as the cost asymmetry predicts.",
      fails_text=f"On this run the validation split chose {best_threshold:.3f}: with few bad loans in it, the "
                 "cost curve is flat and noisy near its minimum.")

# %% nbgrader={"grade": true, "grade_id": "test_threshold_report", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
assert 0 <= best_threshold <= 1, f"A threshold on probabilities lies in [0, 1]; got {best_threshold!r}."
assert 0 < test_cost_per_loan < 1000, (
    f"The cost per loan should be a few dozen dollars (total test cost / number of test loans); "
    f"got {test_cost_per_loan!r}.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
# The scores come from a model trained in this run: compare with this run's costs.
_val_min = min(total_cost(y_val, val_scores, t) for t in np.append(np.unique(val_scores), np.inf))
observe("lowest validation cost in this run", _val_min, checked=False)
observe_call("validation cost of best_threshold", lambda: total_cost(y_val, val_scores, best_threshold),
             same_as="lowest validation cost in this run",
             why="best_threshold should be the cost-minimising threshold on the VALIDATION split (y_val, val_scores).")
observe_call("test cost per loan of best_threshold in this run",
             lambda: total_cost(y_test, test_scores, best_threshold) / len(y_test), checked=False)
observe_call("test_cost_per_loan", lambda: float(test_cost_per_loan),
             same_as="test cost per loan of best_threshold in this run",
             why="test_cost_per_loan is the test-split cost of best_threshold divided by the number of test loans.")
### END HIDDEN TESTS

# %% [markdown]
# Compare with the tempting shortcut of choosing the threshold on the test split itself:

# %%
hindsight_threshold = choose_threshold(y_test, test_scores, COST_FN, COST_FP)
hindsight_cost = total_cost(y_test, test_scores, hindsight_threshold) / len(y_test)
saving = 1 - test_cost_per_loan / default_cost_per_loan
print(f"threshold chosen on test (hindsight): {hindsight_threshold:.3f}, cost per loan ${hindsight_cost:.2f}")
print(f"honest saving over threshold 0.5: {saving:.1%}")
record_figure("02.threshold_cost_saving", saving)
# The same honest procedure for the forest: what does changing the MODEL change?
_forest = f"random forest ({n_trees} trees)"
forest_threshold = choose_threshold(y_val, val_scores_by_model[_forest], COST_FN, COST_FP)
forest_cost = total_cost(y_test, test_scores_by_model[_forest], forest_threshold) / len(y_test)
print(f"random forest, threshold chosen on validation ({forest_threshold:.3f}): ${forest_cost:.2f} per loan on test")
claim("02.hindsight_looks_cheaper", hindsight_cost <= test_cost_per_loan,
      holds_text=f"The hindsight threshold costs ${hindsight_cost:.2f} per test loan, against ${test_cost_per_loan:.2f} "
                 "for the threshold chosen on validation: it always looks cheaper on the test split, because it was "
                 "fitted to it.",
      fails_text=f"The hindsight threshold cost ${hindsight_cost:.2f} against ${test_cost_per_loan:.2f}: that cannot "
                 "happen with a correct choose_threshold (the hindsight choice is the cheapest on test by "
                 "construction); check your function.")
claim("02.honest_threshold_beats_default", saving >= 0.1,
      holds_text=f"The honest, validation-chosen threshold still saves {saving:.0%} of the cost of threshold 0.5 "
                 f"(${test_cost_per_loan:.2f} against ${default_cost_per_loan:.2f} per test loan).",
      fails_text=f"On this run the validation-chosen threshold saved only {saving:.0%} over threshold 0.5 on the test "
                 "split: the validation split's few bad loans placed the threshold poorly.")
claim("02.threshold_matters_more_than_model",
      default_cost_per_loan - test_cost_per_loan > abs(test_cost_per_loan - forest_cost),
      holds_text=f"Moving the threshold saved ${default_cost_per_loan - test_cost_per_loan:.2f} per loan; swapping the "
                 f"logistic regression for the forest (each with its validation-chosen threshold) changes the cost by "
                 f"${abs(test_cost_per_loan - forest_cost):.2f}: the threshold, not the model, is where most of the "
                 "money is on this problem.",
      fails_text=f"On this run swapping the model changed the cost per loan by ${abs(test_cost_per_loan - forest_cost):.2f}, "
                 f"more than moving the threshold saved (${default_cost_per_loan - test_cost_per_loan:.2f}): the "
                 "two models differ more than usual on this split.", hedged=True)
pd.DataFrame([summarize(y_test, test_scores, t) | {"cost_per_loan": total_cost(y_test, test_scores, t) / len(y_test)}
              for t in (0.5, best_threshold, hindsight_threshold)],
             index=["default 0.5", "chosen on validation", "chosen on test (cheating)"]).round(3)

# %% [markdown]
# The hindsight threshold is the cheapest threshold *for these test loans*, by construction: the gap
# between it and the validation-chosen one is exactly the optimism you would have reported. The
# honest number is the one from the validation-chosen threshold.
#
# ## 5. Regression: how wrong, on average?
#
# Now a different kind of target: the number of bikes rented in one hour in Washington, D.C.
# (Capital Bikeshare, 8,645 hours). Note that the data has two columns, `casual` and
# `registered`, that **add up to the target**: keeping them would be the leak of lesson 01, so we
# drop them. The hour of day is one-hot encoded so that a linear model can give each hour its own
# level.
#
# For errors $e_i = y_i - \hat y_i$ over $n$ examples:
#
# - **MSE** $= \frac1n \sum e_i^2$ (in bikes², hard to read),
# - **RMSE** $= \sqrt{\text{MSE}}$ (in bikes),
# - **MAE** $= \frac1n \sum |e_i|$ (in bikes),
# - **R²** $= 1 - \frac{\sum e_i^2}{\sum (y_i - \bar y)^2}$: the share of the variance explained,
#   0 for the predict-the-mean baseline, 1 for perfect.

# %%
bikes = load_bikeshare()
yb = bikes["bikers"].to_numpy(dtype=float)
Xb = pd.get_dummies(bikes.drop(columns=["bikers", "casual", "registered"]).astype({"hr": str}), dtype=float)
Xb_rest, Xb_test, yb_rest, yb_test = train_test_split(Xb, yb, test_size=0.25, random_state=cfg.seed)
Xb_train, Xb_val, yb_train, yb_val = train_test_split(Xb_rest, yb_rest, test_size=0.2, random_state=cfg.seed)

regressors = {
    "mean (baseline)": DummyRegressor(strategy="mean"),
    "linear regression": LinearRegression(),
    f"random forest ({cfg.pick(ci=10, grade=30, laptop=100)} trees)": RandomForestRegressor(
        n_estimators=cfg.pick(ci=10, grade=30, laptop=100), min_samples_leaf=3, random_state=cfg.seed, n_jobs=1),
}
reg_rows, reg_predictions, val_rmse = [], {}, {}
for name, model in regressors.items():
    with measure(name, lesson="02") as run:
        model.fit(Xb_train, yb_train)
    val_rmse[name] = float(np.sqrt(mean_squared_error(yb_val, model.predict(Xb_val))))
    pred = model.predict(Xb_test)
    reg_predictions[name] = pred
    mse = mean_squared_error(yb_test, pred)
    run.log(metric="rmse", value=float(np.sqrt(mse)))
    reg_rows.append({"model": name, "MSE": mse, "RMSE": np.sqrt(mse), "MAE": mean_absolute_error(yb_test, pred),
                     "R2": r2_score(yb_test, pred), "train_seconds": run.wall_s})
    print(run)
regression = pd.DataFrame(reg_rows)
regression.round(3)

# %% [markdown]
# ### Why RMSE punishes large errors
#
# Squaring makes a 100-bike error count as much as a hundred 10-bike errors. Two forecasts with
# the *same* MAE can have very different RMSE:

# %%
truth = np.full(10, 100.0)
steady = truth + np.array([10, -10, 10, -10, 10, -10, 10, -10, 10, -10])   # ten misses of 10
spiky = truth + np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 100])                  # one miss of 100
for label, forecast in [("ten misses of 10 bikes", steady), ("one miss of 100 bikes", spiky)]:
    print(f"{label:>24}: MAE {mean_absolute_error(truth, forecast):5.1f}, "
          f"RMSE {np.sqrt(mean_squared_error(truth, forecast)):5.1f}")

# %% [markdown]
# Same MAE (10 bikes), but RMSE is 10 for the steady forecast and about 32 for the spiky one. The
# ratio RMSE / MAE is at least 1 and grows with the weight of the largest errors. The plot shows
# where the errors of the regressor with the lowest **validation** RMSE are.

# %%
best_reg = min(val_rmse, key=val_rmse.get)
errors = yb_test - reg_predictions[best_reg]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
ax1.scatter(yb_test, reg_predictions[best_reg], s=4, alpha=0.4)
ax1.plot([0, yb_test.max()], [0, yb_test.max()], color="grey", ls=":")
ax1.set(xlabel="actual bikers", ylabel="predicted bikers", title=f"{best_reg}: predicted vs actual")
ax2.hist(np.abs(errors), bins=50, color="tab:orange")
ax2.set(xlabel="|error| (bikes)", ylabel="hours", title="Most errors are small; a few are large", yscale="log")
for ax in (ax1, ax2):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()
rmse_over_mae = float(np.sqrt(np.mean(errors ** 2)) / np.mean(np.abs(errors)))
_ = record_figure("02.rmse_over_mae", rmse_over_mae)
claim("02.rmse_well_above_mae", rmse_over_mae >= 1.25,
      holds_text=f"For the {best_reg} the test RMSE is {rmse_over_mae:.2f}x its MAE, well above 1: the errors are "
                 "concentrated in a few hours (rush hours, busy summer evenings) where demand is high and hard to "
                 "predict.",
      fails_text=f"For the {best_reg} the test RMSE is only {rmse_over_mae:.2f}x its MAE: its errors are more even "
                 "in size than usual on this split.")


# %% [markdown]
# ### Exercise 3 (2 points): RMSE from its formula
#
# Write `rmse_np(y_true, y_pred)` with NumPy only: the root of the mean of the squared errors.
# It must accept lists or arrays and agree with `np.sqrt(sklearn.metrics.mean_squared_error(...))`.

# %% nbgrader={"grade": false, "grade_id": "rmse_np", "locked": false, "schema_version": 3, "solution": true}
def rmse_np(y_true, y_pred):
    """Root mean squared error."""
    ### BEGIN SOLUTION
    errors = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    return float(np.sqrt(np.mean(errors ** 2)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rmse_np", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
from tradeoffs.checks import explained
with explained("rmse_np", "a float"):
    _r = rmse_np([10, 10, 10, 10], [13, 7, 14, 6])
assert isinstance(_r, float), f"Return a Python float, got {type(_r).__name__}."
assert isclose(_r, 12.5 ** 0.5), (
    f"Errors 3, -3, 4, -4: squares 9, 9, 16, 16, mean 12.5 (the MSE), root 3.536 (the RMSE); got {_r!r}.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
observe_call("constant bias", lambda: float(rmse_np([0.0, 0.0, 0.0, 0.0], [3.0, 3.0, 3.0, 3.0])),
             why="A forecast that is always 3 too high has an RMSE of 3: a constant bias counts as error.")
observe_call("perfect forecast", lambda: float(rmse_np([1, 2, 3], [1, 2, 3])), why="A perfect forecast has an RMSE of 0.")
observe_call("mean, not sum", lambda: float(rmse_np(np.zeros(10), np.r_[np.zeros(9), 10.0])),
             why="RMSE averages the squared errors over every example (not the sum), then takes the root.")
# The bike predictions come from models trained in this run: compare with sklearn on this run's predictions.
for _name, _pred in reg_predictions.items():
    observe(f"sklearn RMSE of {_name} in this run", np.sqrt(mean_squared_error(yb_test, _pred)), checked=False)
    observe_call(f"RMSE of {_name}", lambda: float(rmse_np(yb_test, _pred)), rel=1e-9,
                 same_as=f"sklearn RMSE of {_name} in this run",
                 why="rmse_np should agree with the root of sklearn's mean_squared_error on the bike predictions.")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Choosing the metric is part of the problem
#
# ### Exercise 4 (2 points): the right metric for the job
#
# **Problem A.** A bike-share operator sends trucks to refill stations. Running 60 bikes short at
# rush hour leaves a crowd stranded and makes the news; being 5 bikes short twelve times a day goes
# unnoticed. Which metric should rank the demand forecasters?
#
# - **(a)** MAE  **(b)** RMSE  **(c)** R²  **(d)** accuracy
#
# **Problem B.** A card issuer sees 100,000 transactions a day, 0.1% of them fraudulent. Its
# investigators can check **50 alerts a day**, no more. Which number best compares candidate
# fraud models?
#
# - **(a)** accuracy  **(b)** ROC-AUC  **(c)** precision among the 50 highest-scored transactions
#   (precision at k = 50)  **(d)** recall at threshold 0.5
#
# Set `metric_bikes` and `metric_fraud` to one letter each.

# %% nbgrader={"grade": false, "grade_id": "metric_choice", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
metric_bikes = "b"
metric_fraud = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_metric_choice", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
for _answer in (metric_bikes, metric_fraud):
    assert isinstance(_answer, str) and _answer.strip().lower() in {"a", "b", "c", "d"}, \
        'Answer each question with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("problem A", lambda: metric_bikes.strip().lower(),
             why="Problem A: which metric makes one large shortfall weigh more than many small ones?")
observe_call("problem B", lambda: metric_fraud.strip().lower(),
             why="Problem B: the team sees a fixed number of alerts; which metric describes exactly those?")
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Checkpoint
#
# ### Exercise 5 (1 point): imbalanced classes
#
# In a dataset, 95% of the examples are negative. Why is accuracy a misleading score there?
#
# - **(a)** An always-"negative" model already scores 95%.
# - **(b)** Accuracy cannot be computed on imbalanced classes.
# - **(c)** Accuracy is always lower than F1 on imbalanced data.
# - **(d)** Accuracy needs a threshold, and thresholds are arbitrary.
#
# Set `checkpoint_imbalance` to one letter.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_imbalance", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_imbalance = "a"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_imbalance", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_imbalance, str) and checkpoint_imbalance.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_imbalance.strip().lower(),
             why="Think about what the majority-class baseline of lesson 01 scores on such data.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (1 point): pick the threshold from counts
#
# On another lender's validation split, four thresholds give these counts:
#
# | threshold | missed bad loans (FN) | false alarms (FP) |
# | --- | --- | --- |
# | 0.05 | 4 | 1,600 |
# | 0.10 | 10 | 900 |
# | 0.20 | 25 | 400 |
# | 0.30 | 60 | 120 |
#
# A miss costs **\$2,000** and a false alarm **\$150**. Which threshold should the lender use?
#
# - **(a)** 0.05
# - **(b)** 0.10
# - **(c)** 0.30
# - **(d)** 0.20
#
# Set `checkpoint_cost_threshold` to one letter.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_cost_threshold", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_cost_threshold = "d"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_cost_threshold", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_cost_threshold, str) and checkpoint_cost_threshold.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_cost_threshold.strip().lower(),
             why="Price each row, 2000 x FN + 150 x FP, and take the cheapest: not the fewest misses, not the fewest mistakes.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7 (2 points, graded by your instructor): explain the threshold
#
# Your manager asks why the deployed model flags loans with a predicted default probability far
# below "the normal 0.5", and why the cost you report is higher than the
# "hindsight" figure a colleague computed. Answer in 4-6 sentences with what holds from run to run
# (re-running the notebook moves the exact figures): where the threshold comes from and its order
# of magnitude, roughly what it saves over 0.5, and why the hindsight figure is always lower.

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_threshold", "locked": false, "points": 2.0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Model answer (rubric: 1 point for explaining the threshold from the cost asymmetry (break-even
# near 150 / 2150, so a threshold of the order of 0.1, far below 0.5, saving of the order of a fifth
# of the cost at 0.5); 1 point for explaining that the hindsight figure was tuned on the test split
# and is optimistic by construction, while the validation-chosen threshold gives an honest
# estimate of future cost).
#
# Example, with reference values from a laptop-scale run on a 2-core VM: "A missed default costs us
# about $2,000 and a false alarm $150, so flagging a loan pays off as soon as its default
# probability is above roughly 7%, not 50%. Chosen on the validation split, the cost-minimising
# threshold was about 0.07 and cost about $82 per loan on the test split, against about $105 at
# 0.5, a saving of about a fifth. The colleague's lower 'hindsight' figure
# picked the threshold on the test loans themselves: it is the best cost in hindsight for those
# exact loans, and we cannot reproduce it on next month's loans. Our figure comes from a threshold
# fixed before looking at the test split, so it is what we should expect to pay."
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# - A classifier's **score** is not a decision: the **threshold** turns it into one, and the right
#   threshold comes from what each mistake costs, not from 0.5.
# - **Precision, recall, F1** describe one threshold; **ROC-AUC** and **PR-AUC** describe the scores.
#   On imbalanced data ROC-AUC flatters, PR-AUC and precision at k tell you the workload.
# - Decide on **validation**, report on **test**, once. Anything tuned on test is hindsight.
# - For regression, **RMSE** weights big errors heavily, **MAE** treats all errors alike, **R²**
#   compares with the predict-the-mean baseline. Pick the one whose penalty matches the cost of
#   being wrong.

# %% [markdown]
# ## In the cloud
#
# | here | managed counterpart | what it adds | what it costs |
# | --- | --- | --- | --- |
# | metrics on a held-out set, the cost-weighted threshold | **SageMaker Model Monitor** / **Clarify** model-quality jobs, **Vertex AI model evaluation** | the same metrics computed on a schedule against production traffic and ground truth, with alerts when they drift | billed as the monitoring (processing) compute and the stored captures |
#
# The metric you choose here is the one a managed tuning job will optimise and a monitor will alert
# on: pick it for the decision it serves (the cost of a false alarm vs a miss), not for the default
# the service shows first.
