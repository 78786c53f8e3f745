# %% [markdown]
# # Lesson 01 — Baselines: start simple
#
# Before you train anything clever, train something stupid.
#
# A **baseline** is the cheapest model that could possibly work: predict the most frequent class,
# guess at random with the right class proportions, fit a straight line. Baselines cost
# milliseconds, and they answer three questions that no fancy model can answer on its own:
#
# 1. **Is my model any good?** A score means nothing until you know what a model that learned
#    nothing would get on the same data.
# 2. **Is the extra cost worth it?** The step from baseline to linear model to forest multiplies
#    training time; the baseline tells you how much performance each step buys.
# 3. **Is my data what I think it is?** When a model beats its baseline by an impossible margin,
#    the data is lying (a feature leaks the answer, or the split is wrong). You want to find out
#    on day one, not after a week of tuning.
#
# We use real loans from Lending Club: 9,857 loans, of which about **5% went bad**. Predicting
# bad loans is an *imbalanced* problem, and imbalanced problems are where baselines matter most.
#
# In this lesson you will
#
# 1. train two dummy baselines, a logistic regression and a random forest, measuring each one's
#    score and training cost,
# 2. see the **accuracy paradox**: a model that learned nothing scores 95% accuracy,
# 3. compute the **lift** of a model over its baseline,
# 4. pick a model for a stated business need from the measurements,
# 5. catch a **leaking feature** that a "helpful" colleague added to the data.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import pickle

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import accuracy_score, recall_score, roc_auc_score

import tradeoffs
from tradeoffs.data import load_lending_club
from tradeoffs.meter import measure
from tradeoffs.plots import plot_frontier
from tradeoffs.figures import record_figure
from tradeoffs.claims import claim
from tradeoffs.intervals import bootstrap_interval

cfg = tradeoffs.setup("01", scale=scale, device=device)

# %% [markdown]
# ## 1. The data
#
# Each row is one loan at the time it was granted: amount, term, interest rate, the borrower's
# income, credit history and so on. The target `bad` is 1 when the loan was not repaid.
# Categorical columns (term, grade, state...) are one-hot encoded so every model can read them.
# We hold out a quarter of the loans as a **test set** and a fifth of the rest as a **validation
# set**, stratified so that every part keeps the same 5% of bad loans. The models learn on the
# training loans; when we *choose* a model we compare them on the validation loans, and the test
# loans report what the models do on loans that played no part in any choice (lesson 02 explains
# why).

# %%
loans = load_lending_club()
y = loans["bad"].to_numpy()
X = pd.get_dummies(loans.drop(columns=["bad"]), dtype=float)
X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.25, random_state=cfg.seed, stratify=y)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.2, random_state=cfg.seed,
                                                  stratify=y_rest)
print(f"{len(X_train)} training, {len(X_val)} validation and {len(X_test)} test loans, "
      f"{X.shape[1]} features after one-hot encoding")
print(f"bad loans: {y_train.mean():.1%} of the training set, {y_test.mean():.1%} of the test set")
loans.head()

# %% [markdown]
# ## 2. Four models, from free to expensive
#
# - **majority class** (`DummyClassifier(strategy="most_frequent")`): always predicts "good loan".
# - **stratified** (`strategy="stratified"`): guesses "bad" at random 5% of the time, ignoring the features.
# - **logistic regression**: one weight per feature, after standardising the features.
# - **random forest**: hundreds of deep trees voting.
#
# Each `fit` runs inside `tradeoffs.meter.measure`, which times it, prices it on a small cloud
# instance (`aws-m7i.large`) and writes a row in the course ledger. We score each model three ways:
#
# - **accuracy**: the fraction of loans classified correctly (threshold 0.5),
# - **recall** of bad loans: the fraction of the bad loans that the model flags,
# - **ROC-AUC**: the probability that the model ranks a random bad loan above a random good one
#   (0.5 = no better than chance, 1.0 = perfect ranking). It looks at the model's *scores*, not
#   at one threshold. Lesson 02 takes all these metrics apart.
#
# The scores are on the test loans; `val_roc_auc` is the same ROC-AUC on the validation loans, the
# one to choose with. We also record the model's **size** (bytes when pickled): what it costs to
# ship and serve.

# %%
n_trees = cfg.pick(ci=30, grade=80, laptop=300)
models = {
    "majority class": DummyClassifier(strategy="most_frequent"),
    "stratified": DummyClassifier(strategy="stratified", random_state=cfg.seed),
    "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=500)),
    f"random forest ({n_trees} trees)": RandomForestClassifier(n_estimators=n_trees, min_samples_leaf=5,
                                                               random_state=cfg.seed, n_jobs=1),
}

for model in models.values():  # warm-up, untimed: a kernel's first fit of a kind pays one-off costs
    clone(model).fit(X_train[:500], y_train[:500])

rows, test_scores = [], {}
for name, model in models.items():
    with measure(name, lesson="01") as run:
        model.fit(X_train, y_train)
    scores = model.predict_proba(X_test)[:, 1]
    predictions = model.predict(X_test)
    test_scores[name] = scores
    auc = roc_auc_score(y_test, scores)
    size = len(pickle.dumps(model))
    run.log(metric="roc_auc", value=auc, size_bytes=size)
    rows.append({"model": name, "accuracy": accuracy_score(y_test, predictions),
                 "recall_bad": recall_score(y_test, predictions, zero_division=0), "roc_auc": auc,
                 "val_roc_auc": roc_auc_score(y_val, model.predict_proba(X_val)[:, 1]),
                 "train_seconds": run.wall_s, "cost_usd": run.cost_usd, "size_bytes": size})
    print(run)

results = pd.DataFrame(rows)
by_model = results.set_index("model")
forest_name = f"random forest ({n_trees} trees)"
results.round(4)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
plot_frontier(results, x="train_seconds", y="roc_auc", label="model", logx=True, ax=axes[0],
              title="Ranking quality vs training time")
axes[0].axhline(0.5, color="grey", ls=":", lw=1)
axes[1].barh(results["model"], results["accuracy"], color="tab:blue", label="accuracy")
axes[1].barh(results["model"], results["recall_bad"], color="tab:red", height=0.4, label="recall of bad loans")
axes[1].axvline(1 - y_test.mean(), color="grey", ls="--", lw=1, label="share of good loans")
axes[1].set_xlim(0, 1)
axes[1].set_title("Accuracy hides everything")
axes[1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 3. The accuracy paradox
#
# Read the accuracy column again. The majority-class model **never flags a single bad loan**: it
# is right every time a loan is good, and about 95% of loans are good, so its accuracy is the share
# of good loans and its recall of bad loans is 0. The stratified guesser makes random false alarms
# and catches bad loans only by luck.

# %%
majority, stratified = by_model.loc["majority class"], by_model.loc["stratified"]
claim("01.majority_accurate_and_useless", majority["accuracy"] >= 0.9 and majority["recall_bad"] == 0,
      holds_text=f"On this run the majority-class model is {majority['accuracy']:.1%} accurate with a recall of "
                 f"{majority['recall_bad']:.0%}: high accuracy, no bad loan found.",
      fails_text=f"On this run the majority-class model scored {majority['accuracy']:.1%} accuracy and "
                 f"{majority['recall_bad']:.0%} recall: the split does not have the usual 95% of good loans.")
claim("01.stratified_less_accurate_just_as_useless",
      stratified["accuracy"] < majority["accuracy"] and abs(stratified["roc_auc"] - 0.5) < 0.06,
      holds_text=f"The stratified guesser is *less* accurate ({stratified['accuracy']:.1%}) because of its random "
                 f"false alarms, yet just as useless: its ROC-AUC is {stratified['roc_auc']:.3f}, chance.",
      fails_text=f"On this run the stratified guesser scored {stratified['accuracy']:.1%} accuracy and ROC-AUC "
                 f"{stratified['roc_auc']:.3f}: its random guesses happened to land unusually well (or badly) on "
                 "this test split; on average it is less accurate than the majority class and at chance.")

# %% [markdown]
# At the default threshold of 0.5, the logistic regression and the forest usually do no better: a
# 5% event rarely gets a predicted probability above 50%, so they also predict "good" almost always
# and land on about the same accuracy. Judged by accuracy, months of data science would have bought
# nothing.

# %%
real = by_model.loc[["logistic regression", forest_name]]
gap_pts = 100 * (real["accuracy"] - majority["accuracy"]).abs().max()
claim("01.real_models_no_better_on_accuracy", gap_pts <= 1.0,
      holds_text=f"On this run both real models are within {gap_pts:.2f} accuracy points of the majority class "
                 f"(logistic regression {real['accuracy'].iloc[0]:.1%}, forest {real['accuracy'].iloc[1]:.1%}, "
                 f"majority {majority['accuracy']:.1%}).",
      fails_text=f"On this run one real model moved accuracy by {gap_pts:.2f} points away from the majority class: "
                 "it predicts 'bad' above the 0.5 threshold more often than usual on this split.")


def auc_interval(scores, n_resamples=cfg.pick(ci=100, grade=300, laptop=1000)):
    """95% bootstrap interval of the test ROC-AUC: resample the test loans with replacement."""
    def auc(y, s):
        return roc_auc_score(y, s) if 0 < y.sum() < len(y) else 0.5  # a resample needs both classes
    return bootstrap_interval(auc, y_test, scores, n_resamples=n_resamples, seed=cfg.seed)


_lr_ci, _rf_ci = auc_interval(test_scores["logistic regression"]), auc_interval(test_scores[forest_name])
claim("01.real_models_rank_better_than_chance",
      real["roc_auc"].min() >= 0.7 and abs(majority["roc_auc"] - 0.5) < 1e-9,
      holds_text=f"ROC-AUC tells a different story: the majority class sits at {majority['roc_auc']:.2f} (chance), "
                 f"while the logistic regression ({real['roc_auc'].iloc[0]:.3f}, 95% bootstrap interval "
                 f"{_lr_ci.low:.2f}-{_lr_ci.high:.2f}) and the forest ({real['roc_auc'].iloc[1]:.3f}, "
                 f"{_rf_ci.low:.2f}-{_rf_ci.high:.2f}) rank a bad loan above a good one about three times out of "
                 f"four. The intervals are wide because the test split holds only {int(np.sum(y_test))} bad loans.",
      fails_text=f"On this run a real model ranked loans worse than usual (ROC-AUC {real['roc_auc'].min():.3f}, "
                 "below 0.7): the test split is small (about a hundred bad loans), so a few unlucky loans move it.")


# %% [markdown]
# The real models **did** learn something; the accuracy at threshold 0.5 just cannot see it. That
# is the accuracy paradox: on imbalanced data, high accuracy is cheap, and a model can gain
# accuracy while becoming less useful.
#
# Without the majority-class row in the table, "95% accuracy" would have sounded like success.
# **Always put the baseline in the same table as the model.**
#
# ### Exercise 1 (2 points): build and score a baseline by hand
#
# Write `majority_baseline(y_train, y_test)` that "trains" the majority-class baseline on
# `y_train` (it learns the most frequent label there; on a tie, label 0) and scores it on
# `y_test`. Return a dict with two floats:
#
# - `"accuracy"`: the fraction of `y_test` that the constant prediction gets right,
# - `"recall"`: the fraction of the positive examples (label 1) of `y_test` that it predicts as
#   positive (0.0 when `y_test` has no positives).
#
# Labels are 0/1 and may come as lists or NumPy arrays. Use NumPy; no scikit-learn needed.

# %% nbgrader={"grade": false, "grade_id": "majority_baseline", "locked": false, "schema_version": 3, "solution": true}
def majority_baseline(y_train, y_test):
    """Accuracy and recall on y_test of the constant model that predicts y_train's most frequent label."""
    ### BEGIN SOLUTION
    y_train = np.asarray(y_train).astype(int)
    y_test = np.asarray(y_test).astype(int)
    label = 1 if (y_train == 1).sum() > (y_train == 0).sum() else 0
    accuracy = float((y_test == label).mean())
    n_pos = (y_test == 1).sum()
    recall = float(label == 1) if n_pos > 0 else 0.0
    return {"accuracy": accuracy, "recall": recall}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_majority_baseline", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
from math import isclose
from tradeoffs.checks import explained
with explained("majority_baseline", "a dict with 'accuracy' and 'recall'"):
    _got = majority_baseline([0, 0, 0, 1], [0, 0, 1, 0, 0])
assert isinstance(_got, dict) and {"accuracy", "recall"} <= set(_got), \
    f"Return a dict with the keys 'accuracy' and 'recall'; got {_got!r}."
assert isclose(_got["accuracy"], 0.8), \
    f"Always predicting 0 on [0, 0, 1, 0, 0] is right 4 times out of 5 (0.8); got {_got['accuracy']!r}."
assert isclose(_got["recall"], 0.0), \
    f"A model that always predicts 0 finds none of the positives: its recall is 0.0; got {_got['recall']!r}."
with explained("majority_baseline", "a dict with 'accuracy' and 'recall'"):
    _paper = majority_baseline(y_train, y_test)
assert isclose(_paper["accuracy"], results.loc[results["model"] == "majority class", "accuracy"].iloc[0]), \
    "On the loans, your baseline should match scikit-learn's DummyClassifier(strategy='most_frequent')."
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call


def _accuracy_and_recall(y_tr, y_te):
    _r = majority_baseline(y_tr, y_te)
    return {"accuracy": float(_r["accuracy"]), "recall": float(_r["recall"])}


observe_call("majority label 1", lambda: _accuracy_and_recall(np.array([1, 1, 0, 1, 0]), np.array([1, 0, 0, 0])),
             why="When 1 is the majority label in training, the baseline always predicts 1: it finds every positive.")
observe_call("label from training only", lambda: _accuracy_and_recall([0, 0, 0, 1, 1], [1, 1, 1, 0]),
             why="The baseline learns its label from the TRAINING labels only, never from the test labels.")
observe_call("tie and no positives", lambda: _accuracy_and_recall([1, 1, 0, 0], [0, 0, 0]),
             why="On a tie the baseline predicts 0; with no positives in the test labels recall is 0.0.")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Lift: how much better than the baseline?
#
# The risk team cannot investigate every loan. Suppose they review the **10% of loans that a
# model scores as riskiest**. With no model (the stratified baseline, random picks) about 5% of
# the reviewed loans would be bad, the base rate. With a model, hopefully more.
#
# The **lift** at 10% is the share of bad loans among the top 10% by score, divided by the share
# of bad loans overall:
#
# $$\text{lift@10\%} = \frac{\text{bad-loan rate among the top } k \text{ scores}}{\text{bad-loan rate in the whole set}},
# \qquad k = \lceil 0.1 \, n \rceil$$
#
# A lift of 1 means "no better than picking at random" (the baseline); a lift of 3 means each
# reviewed loan is three times as likely to be bad as a random one, so the team finds three
# times as many bad loans for the same hours of review.
#
# ### Exercise 2 (3 points): compute the lift of a model over its baseline
#
# Write `lift_at(y_true, scores, fraction=0.1)` that returns the lift defined above: sort by
# score, highest first, take the top `k = ceil(fraction * n)` examples, and divide their positive
# rate by the positive rate of all `n` examples. Then compute `lift_logreg` and `lift_forest`,
# the lift@10% of the logistic regression and of the random forest on the test set, from their
# scores in `test_scores`.

# %% nbgrader={"grade": false, "grade_id": "lift_at", "locked": false, "schema_version": 3, "solution": true}
def lift_at(y_true, scores, fraction=0.1):
    """Positive rate among the top ceil(fraction * n) scores, divided by the overall positive rate."""
    ### BEGIN SOLUTION
    y_true = np.asarray(y_true, dtype=float)
    scores = np.asarray(scores, dtype=float)
    k = int(np.ceil(fraction * len(y_true)))
    top = np.argsort(-scores, kind="stable")[:k]
    return float(y_true[top].mean() / y_true.mean())
    ### END SOLUTION

### BEGIN SOLUTION
lift_logreg = lift_at(y_test, test_scores["logistic regression"])
lift_forest = lift_at(y_test, test_scores[f"random forest ({n_trees} trees)"])
### END SOLUTION
print(f"lift@10%: logistic regression {lift_logreg:.2f}, random forest {lift_forest:.2f}")

# %% nbgrader={"grade": true, "grade_id": "test_lift_at", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
_y = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
_s = np.array([0.9, 0.8, 0.1, 0.2, 0.3, 0.05, 0.15, 0.25, 0.35, 0.4])
from tradeoffs.checks import explained
with explained("lift_at", "a number"):
    assert isclose(lift_at(_y, _s, fraction=0.1), 5.0), (
        f"The top 10% is the single highest score (0.9), a positive: rate 1.0 over a base rate of 0.2 is a lift of 5; "
        f"got {lift_at(_y, _s, fraction=0.1)!r}.")
    assert isclose(lift_at(_y, _s, fraction=0.2), 2.5), \
        "The top 20% (scores 0.9 and 0.8) holds one positive out of two: 0.5 / 0.2 = 2.5 (use the fraction argument)."
assert isinstance(lift_logreg, float) and isinstance(lift_forest, float), \
    "lift_logreg and lift_forest should be floats computed with lift_at on the test scores."
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
observe_call("top half", lambda: float(lift_at(_y, _s, fraction=0.5)),
             why="Rounding the top fraction wrongly or sorting ascending changes the lift.")
observe_call("everything reviewed", lambda: float(lift_at(_y, _s, fraction=1.0)),
             why="Reviewing everything gives a lift of exactly 1.")
observe_call("top score is a negative", lambda: float(lift_at([0, 1, 0, 0], [0.1, 0.2, 0.9, 0.3], fraction=0.25)),
             why="The highest score is a negative here, so the lift of the top 25% is 0.")
observe_call("k rounds up", lambda: float(lift_at([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], np.linspace(1, 0, 11),
                                                  fraction=0.12)),
             why="k = ceil(fraction * n) rounds UP: 12% of 11 examples (1.32) means the top 2 examples.")
# The test scores come from models trained in this run: compare with what lift_at gives on this run's scores.
observe_call("lift_at on this run's logistic regression scores",
             lambda: float(lift_at(y_test, test_scores["logistic regression"])), checked=False)
observe_call("lift_logreg", lambda: float(lift_logreg), same_as="lift_at on this run's logistic regression scores",
             why="lift_logreg should be the lift@10% of the logistic regression's test scores.")
observe_call("lift_at on this run's random forest scores",
             lambda: float(lift_at(y_test, test_scores[f"random forest ({n_trees} trees)"])), checked=False)
observe_call("lift_forest", lambda: float(lift_forest), same_as="lift_at on this run's random forest scores",
             why="lift_forest should be the lift@10% of the random forest's test scores.")
### END HIDDEN TESTS

# %% [markdown]
# Put the lifts next to the costs. The baselines have no real lift: the stratified guesser picks
# at random, so its lift is 1 on average (give or take noise, with only a dozen or so bad loans in
# a random slice of 250), and for the majority-class model every score is tied, so its "top 10%"
# is an arbitrary slice.

# %%
results["lift_at_10pct"] = [lift_at(y_test, test_scores[m]) for m in results["model"]]
record_figure("01.logreg_lift_at_10pct", lift_logreg)
record_figure("01.majority_accuracy", results.loc[0, "accuracy"])
logreg = by_model.loc["logistic regression"]
forest = by_model.loc[forest_name]
claim("01.real_models_at_least_double_the_rate", min(lift_logreg, lift_forest) >= 2,
      holds_text=f"Both real models at least double the bad-loan rate in the reviewed slice: lift@10% "
                 f"{lift_logreg:.2f} for the logistic regression, {lift_forest:.2f} for the forest.",
      fails_text=f"On this run a real model's lift@10% fell below 2 (logistic regression {lift_logreg:.2f}, forest "
                 f"{lift_forest:.2f}): the top 10% of the test loans holds only a few dozen bad loans, so a handful "
                 "of them more or less moves the lift by tenths.")
size_ratio = forest["size_bytes"] / logreg["size_bytes"]
claim("01.forest_bigger_slower_not_proportionally_better",
      size_ratio >= 10 and forest["train_seconds"] > logreg["train_seconds"] and lift_forest < 1.5 * lift_logreg,
      holds_text=f"The forest is {size_ratio:.0f}x bigger than the logistic regression and "
                 f"{forest['train_seconds'] / logreg['train_seconds']:.1f}x slower to train, for a lift of "
                 f"{lift_forest:.2f} against {lift_logreg:.2f}: nothing like {size_ratio:.0f}x the value.",
      fails_text=f"On this run the forest was {size_ratio:.0f}x bigger and took {forest['train_seconds']:.2f} s "
                 f"against {logreg['train_seconds']:.2f} s for the logistic regression, with a lift of "
                 f"{lift_forest:.2f} against {lift_logreg:.2f}: a timing disturbed by other work on the machine, or "
                 "an unusually lucky forest on a small test split.")
results[["model", "accuracy", "recall_bad", "roc_auc", "val_roc_auc", "lift_at_10pct", "train_seconds", "cost_usd",
         "size_bytes"]].round(4)

# %%
claim("01.training_cost_negligible", results["cost_usd"].max() < 0.01,
      holds_text=f"The most expensive training run here cost ${results['cost_usd'].max():.6f}: at this size, "
                 "training cost decides nothing.",
      fails_text=f"On this run the most expensive training cost ${results['cost_usd'].max():.4f}, a cent or more: "
                 "a larger scale or a slow machine.")

# %% [markdown]
# ### Exercise 3 (2 points): the model a business need calls for
#
# The scoring service runs inside the loan-application form, on a small serving box with a hard
# limit of **1 MB (1,000,000 bytes) per model**. Training cost is not the issue (see the
# `cost_usd` column). The team wants **the best ranking of risky loans among the models that fit
# the size limit**, judged by the ROC-AUC on the **validation** loans (`val_roc_auc`): a choice is
# made on validation, never on the test loans it will be reported on.
#
# Using **your measured table**, which model should they ship?
#
# - **(a)** majority class
# - **(b)** stratified
# - **(c)** logistic regression
# - **(d)** random forest
#
# Set `business_choice` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "business_choice", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
business_choice = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_business_choice", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
assert isinstance(business_choice, str) and business_choice.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
_letters = dict(zip("abcd", results["model"]))
_fits = results[results["size_bytes"] <= 1_000_000]
_best = _fits.sort_values("val_roc_auc").iloc[-1]["model"]
# Sizes and scores are this run's measurements: compare with the model this run's table calls for.
observe("best model under 1 MB in this run's table", _best, checked=False)
observe_call("model chosen", lambda: _letters[business_choice.strip().lower()],
             same_as="best model under 1 MB in this run's table",
             why="Filter the table on size_bytes first, then compare validation ROC-AUC among the models that are left.")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. A baseline catches a leak
#
# A colleague hands you an updated extract of the loan data with three extra columns from
# another system: `num_bc_accts` (number of bank-card accounts), `mo_sin_old_rev` (months since
# the oldest revolving account) and `last_pymnt_days_late` (days late on the last payment).
# "More features, better model," they say. Let's retrain the forest on it.
#
# (The cell below builds the new columns. Look at how, after you have done Exercise 4.)

# %%
rng = np.random.default_rng(cfg.seed)
n = len(loans)
late_if_bad = rng.integers(31, 121, n)
late_if_good = np.where(rng.random(n) < 0.04, rng.integers(1, 61, n), 0)
extract = X.assign(num_bc_accts=rng.poisson(5, n),
                   mo_sin_old_rev=rng.integers(12, 400, n),
                   last_pymnt_days_late=np.where(y == 1, late_if_bad, late_if_good))
Xe_train, Xe_test = extract.loc[X_train.index], extract.loc[X_test.index]

leaky_forest = RandomForestClassifier(n_estimators=cfg.pick(ci=30, grade=60, laptop=100), min_samples_leaf=5,
                                      random_state=cfg.seed, n_jobs=1)
with measure("random forest on the new extract", lesson="01") as run:
    leaky_forest.fit(Xe_train, y_train)
leaky_auc = roc_auc_score(y_test, leaky_forest.predict_proba(Xe_test)[:, 1])
run.log(metric="roc_auc", value=leaky_auc)
print(f"ROC-AUC before: {results['roc_auc'].iloc[-1]:.3f}; with the new extract: {leaky_auc:.3f}")
importances = pd.Series(leaky_forest.feature_importances_, index=extract.columns).sort_values(ascending=False)
honest_auc = real["roc_auc"].max()
claim("01.leak_jumps_to_near_perfect", leaky_auc >= 0.95 and leaky_auc - honest_auc >= 0.15,
      holds_text=f"From {forest['roc_auc']:.3f} to {leaky_auc:.3f} with three columns? The best honest model moved "
                 f"ROC-AUC from 0.5 to {honest_auc:.3f}, and the whole lending industry works hard for every "
                 "hundredth above that.",
      fails_text=f"On this run the new extract took the forest's ROC-AUC from {forest['roc_auc']:.3f} to only "
                 f"{leaky_auc:.3f}: a forest this small did not exploit the leaking column fully; the importances "
                 "below still point at it.")
top_share = importances.iloc[0] / importances.sum()
claim("01.one_column_does_the_work", top_share >= 0.3 and importances.iloc[0] >= 3 * importances.iloc[1],
      holds_text=f"One column carries {top_share:.0%} of the forest's importance, more than three times the next one.",
      fails_text=f"On this run the most important column carries {top_share:.0%} of the importance, not far ahead "
                 "of the next one: with few trees, importances are noisy.")
importances.head(8)

# %% [markdown]
# A jump to near-perfect is not a breakthrough; it is a **symptom**. The usual causes:
#
# - **target leakage**: a feature that is only known *after* the outcome (or is computed from it)
#   sneaks into the inputs. At prediction time, when the loan is granted, it will not exist.
# - **a wrong split**: the same customer (or duplicated rows) in train and test, rows shuffled
#   across time when the model will predict the future, preprocessing fitted on the whole data.
#
# Feature importances point at the culprit.
#
# ### Exercise 4 (2 points): find the leak
#
# Which of the three new columns leaks the target? Look at the importances above and think about
# **when** each value becomes known. Set `leaky_column` to its name (a string).

# %% nbgrader={"grade": false, "grade_id": "leaky_column", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
leaky_column = "last_pymnt_days_late"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_leaky_column", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
assert isinstance(leaky_column, str) and leaky_column in extract.columns, \
    f"leaky_column should be the name of a column of the new extract, e.g. one of {list(extract.columns[-3:])}."
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("leaky column", lambda: leaky_column,
             why="The leaking column is both the most important feature and a value only known after the loan has run.")
### END HIDDEN TESTS

# %% [markdown]
# Now read the cell that built the extract: `last_pymnt_days_late` is computed **from `y`**, the
# outcome itself. Bad loans are 31-120 days late by construction. In a real system it would be
# the same story with a different mechanism: days late on the last payment is recorded months
# after the decision the model is supposed to support. Drop the column and the extract holds
# nothing the honest models did not already have (the other two new columns are random numbers).
#
# The point of the lesson: it took one cheap baseline and one glance at a table to see that
# something was wrong. Without the baseline row there is no "suspicious" score, only a great one.
#
# ## 6. Checkpoint
#
# ### Exercise 5 (1 point): the accuracy paradox
#
# A vendor tells you their fraud model is "96% accurate" on your transactions, where 4% are
# fraud. What can you conclude?
#
# - **(a)** The model is excellent: it is right 96 times out of 100.
# - **(b)** The model is overfitting: no real model is that accurate.
# - **(c)** Nothing yet: never flagging fraud also scores 96%.
# - **(d)** The model is useless: 96% is exactly the base rate.
#
# Set `checkpoint_paradox` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_paradox", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_paradox = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_paradox", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_paradox, str) and checkpoint_paradox.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_paradox.strip().lower(),
             why="Compare the claim with what the majority-class baseline scores on the same data.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (1 point): lift on a new portfolio
#
# Another lender scores its **4,000** loans, of which **200** went bad. The risk team reviews the
# **top 10%** by score (400 loans) and finds **50** bad loans among them. What is the lift@10%?
#
# - **(a)** 0.125
# - **(b)** 2.5
# - **(c)** 0.25
# - **(d)** 0.4
#
# Set `checkpoint_lift` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_lift", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_lift = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_lift", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_lift, str) and checkpoint_lift.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_lift.strip().lower(),
             why="Lift is the bad-loan rate among the reviewed loans divided by the bad-loan rate overall, not either rate alone.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7 (2 points, graded by your instructor): the first week
#
# You join a team that has spent a month tuning a gradient-boosting model for this loan data and
# reports "95.3% accuracy". Write a short note (4-6 sentences) to the team: what would you add to
# their report, which facts from this lesson support it (what holds from run to run: the
# baseline's accuracy against the share of good loans, which models rank better than chance, by
# roughly how much, at what size), and what would you check in the data before any further tuning?

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_first_week", "locked": false, "points": 2.0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Model answer (rubric: 1 point for comparing with the majority baseline (its accuracy is the
# share of good loans, about 95%, with 0 recall and ROC-AUC 0.5) and asking for a threshold-free or
# recall-based metric; 1 point for a concrete data check: leakage via suspicious
# importances/scores, or the split (duplicates, time order, stratification)).
#
# Example, with reference values from a laptop-scale run on a 2-core VM: "Our majority-class
# baseline, which never flags a bad loan, already scores about 95% accuracy, so 95.3% is barely
# above doing nothing. Please report ROC-AUC and lift@10% next to the baseline: a plain logistic
# regression reaches ROC-AUC about 0.76 and a lift near 3 in under a second and a few KB, so the
# boosted model must beat that to justify its cost. Before
# more tuning I would check for leaking features (any column known only after the loan, or a
# single feature with most of the importance) and that the test split is stratified and has no
# loans or borrowers shared with the training set."
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# - A **baseline** costs nothing and gives every other number its meaning. Put it in the same
#   table as your model, always.
# - On imbalanced data **accuracy is a trap**: the majority class gets 95% by learning nothing.
#   Ranking metrics (ROC-AUC) and **lift** show what a model actually adds.
# - Each step up in model complexity costs training time, memory and serving size; the baseline
#   tells you how much performance the step buys, and a business constraint (here, 1 MB) can
#   make the simpler model the right one.
# - A score that jumps far above its baseline is a **data bug until proven otherwise**: leakage or
#   a wrong split. Cheap models find these bugs on day one.

# %% [markdown]
# ## In the cloud
#
# | here | managed counterpart | what it adds | what it costs |
# | --- | --- | --- | --- |
# | majority class, logistic regression, random forest as baselines | **SageMaker Autopilot**, **Vertex AI AutoML (tabular)**, **Azure Automated ML** | tries many models and preprocessing pipelines for you and ranks them on a leaderboard | billed as the training (and processing) compute it runs; an AutoML search is many jobs, not one |
# | feature importances, size and interpretability of each model | **SageMaker Clarify**, **Vertex Explainable AI** | SHAP-style attributions and reports for any model, bias metrics | billed as the processing compute of each report |
#
# AutoML is the grid search of lesson 03 sold as a service: it does not remove the need for the
# baseline you built here; it tells you how much a bigger search buys over it, at the price of its
# compute.
