# %% [markdown]
# # Lesson 03 — Tuning and regularization: score vs compute
#
# A model's hyperparameters (regularization strength, loss, learning-rate schedule...) can move
# its score by many points, so everybody tunes. But tuning multiplies the training bill: a grid of
# 100 settings evaluated with 3-fold cross-validation is **300 training runs**. The question of
# this lesson is not "how do I find the best hyperparameters?" but
#
# > **how much score does each extra unit of tuning compute buy, and which search method buys it cheapest?**
#
# You will
#
# 1. run four search methods on the *same* model and search space: **grid search**, **random
#    search**, **successive halving** (scikit-learn) and **Bayesian optimisation with trial
#    pruning** (Optuna's TPE sampler + median pruner, the open-source counterpart of the managed
#    tuning services that cloud providers sell), and measure best score, number of fits, CPU and
#    wall seconds and dollars for each;
# 2. see how **regularization** (L1 vs L2) trades training fit for validation score, and how L1 also
#    buys a *sparse*, cheaper model;
# 3. measure a claim practitioners repeat a lot: **a good feature beats a bigger model**.
#
# As in every lesson, the numbers are measured on your machine when you run the notebook; the
# exercises are checked on what *you* computed.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import math
import warnings

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import optuna
from scipy.stats import loguniform
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm
from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (makes the Halving* classes importable)
from sklearn.model_selection import (GridSearchCV, RandomizedSearchCV, HalvingGridSearchCV, StratifiedKFold,
                                     KFold, train_test_split, cross_val_score, validation_curve)
from sklearn.linear_model import SGDClassifier, Ridge, Lasso
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import OneHotEncoder, StandardScaler, PolynomialFeatures, FunctionTransformer
from sklearn.feature_selection import VarianceThreshold
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.metrics import r2_score
from sklearn.exceptions import ConvergenceWarning

import tradeoffs
from tradeoffs.data import load_digits, load_bikeshare
from tradeoffs.meter import measure
from tradeoffs.plots import plot_frontier
from tradeoffs.figures import record_figure

cfg = tradeoffs.setup("03", scale=scale, device=device)
threadpool_limits(1)  # one BLAS thread: every fit here runs alone, so CPU seconds count work, not idle spinning threads
warnings.filterwarnings("ignore", category=ConvergenceWarning)
optuna.logging.set_verbosity(optuna.logging.WARNING)  # one line per trial is noise; we show a progress bar

# %% [markdown]
# ## 1. One model, one search space, four ways to search it
#
# **The task.** Classify scikit-learn's 8x8 handwritten digits (1,797 real images, 10 classes) with
# a linear model trained by stochastic gradient descent, `SGDClassifier`. It is fast, which lets
# us afford a full grid search as the reference, and it has hyperparameters that matter:
#
# | hyperparameter | values searched | what it does |
# | --- | --- | --- |
# | `alpha` | 1e-6 ... 1e-1 (log scale) | regularization strength (and, with the default schedule, the step size) |
# | `loss` | hinge, log_loss, modified_huber | linear SVM, logistic regression, or a smoothed hinge |
# | `penalty` | l2, l1, elasticnet | which regularizer |
# | `average` | False, True | averaged SGD: return the mean of the iterates, which smooths out noisy steps |
#
# **The compute knob.** `max_iter` is the number of *epochs* (passes over the training data); with
# `tol=None` SGD runs exactly that many, and the training time grows in proportion. A full training
# run is `FULL_EPOCHS` epochs. Successive halving and pruning exploit this knob: they look at many
# configurations after a few cheap epochs and spend full runs only on the promising ones.
#
# **The yardstick.** Every method scores a configuration the same way: mean accuracy over the
# same 3 cross-validation folds of the training set, at the full number of epochs. A held-out test
# set (25% of the images) is kept aside to check the winners at the end.
#
# **The unit of compute.** We count compute in **fit-equivalents**: one fit-equivalent is one
# training run on one fold at the full number of epochs. A fit on one fold for 3 of 27 epochs is
# 1/9 of a fit-equivalent. Unlike seconds, this count is exactly reproducible on any machine,
# so we use it for the comparison. We also measure CPU and wall seconds and the dollar
# cost of the wall time; you will see why the two measures do not agree perfectly.

# %%
X_digits, y_digits = load_digits()
n_images = cfg.pick(ci=600, grade=1200, laptop=len(X_digits))
X_all, y_all = X_digits[:n_images], y_digits[:n_images]
X_train, X_test, y_train, y_test = train_test_split(X_all, y_all, test_size=0.25, random_state=cfg.seed,
                                                    stratify=y_all)
FULL_EPOCHS = cfg.pick(ci=9, grade=9, laptop=27)      # a full training run; a power of 3 for clean halving rungs
N_FOLDS = 3
cv = StratifiedKFold(N_FOLDS, shuffle=True, random_state=cfg.seed)

base_model = SGDClassifier(max_iter=FULL_EPOCHS, tol=None, random_state=cfg.seed)

param_grid = {
    "alpha": cfg.pick(ci=[1e-5, 1e-3, 1e-1], grade=[1e-6, 1e-4, 1e-2, 1e-1],
                      laptop=[1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]),
    "loss": cfg.pick(ci=["hinge", "log_loss"], grade=["hinge", "log_loss", "modified_huber"]),
    "penalty": cfg.pick(ci=["l2"], grade=["l2", "elasticnet"], laptop=["l2", "l1", "elasticnet"]),
    "average": [False, True],
}
# The same space as distributions, for random search (scipy) and Optuna (suggest_* calls below).
param_distributions = {
    "alpha": loguniform(min(param_grid["alpha"]), max(param_grid["alpha"])),
    "loss": param_grid["loss"], "penalty": param_grid["penalty"], "average": param_grid["average"],
}
n_configs = math.prod(len(v) for v in param_grid.values())
print(f"{len(X_train)} training images, {len(X_test)} test images; grid of {n_configs} configurations, "
      f"{N_FOLDS} folds, {FULL_EPOCHS} epochs per full run")

# %% [markdown]
# ### 1.1 Grid search: the expensive reference
#
# Grid search tries every combination at full budget: `n_configs x N_FOLDS` fits. It is simple,
# embarrassingly parallel and exhaustive *on the grid*, but its cost multiplies with every
# hyperparameter you add (the curse of dimensionality), and half of its fits are typically spent
# on settings that were obviously bad after a few epochs.
#
# We record each method's results in a dictionary `runs` and log each to the course ledger.

# %%
runs = {}


def record_run(method, search_params, n_fits, fit_equivalents, run, reported_score):
    """Keep one search's results: the config it picked, its cost, and what it reported."""
    runs[method] = {"method": method, "params": search_params, "n_fits": int(n_fits),
                    "fit_equivalents": float(fit_equivalents), "wall_s": run.wall_s, "cpu_s": run.cpu_s,
                    "cost_usd": run.cost_usd, "reported_score": float(reported_score)}
    run.log(metric="cv_accuracy", value=float(reported_score), n_fits=int(n_fits),
            fit_equivalents=float(fit_equivalents))
    print(f"{method:20s} {n_fits:5d} fits = {fit_equivalents:6.1f} fit-equivalents, "
          f"{run.cpu_s:6.2f} s CPU, best CV accuracy {reported_score:.4f}")


with measure("grid search (SGD, digits)", lesson="03") as run:
    grid_search = GridSearchCV(base_model, param_grid, cv=cv, n_jobs=1, refit=False).fit(X_train, y_train)
grid_fits = len(grid_search.cv_results_["params"]) * N_FOLDS
record_run("grid search", grid_search.best_params_, grid_fits, grid_fits, run, grid_search.best_score_)

# %% [markdown]
# Look at the spread of scores across the grid: how many configurations are close to the best?
# If many are, a search that samples a fraction of them has a good chance of finding one. (The
# worst scores come from a strong L1 penalty, `alpha=0.1` with `penalty="l1"`, which sets every
# weight to zero: the model no longer looks at the image at all.)

# %%
grid_table = pd.DataFrame(grid_search.cv_results_)[["params", "mean_test_score"]]
grid_table = grid_table.sort_values("mean_test_score", ascending=False).reset_index(drop=True)
best = grid_table["mean_test_score"].iloc[0]
print(f"best {best:.4f}, median {grid_table['mean_test_score'].median():.4f}, worst "
      f"{grid_table['mean_test_score'].iloc[-1]:.4f}; {(grid_table['mean_test_score'] >= best - 0.005).sum()} of "
      f"{len(grid_table)} configurations are within 0.5 points of the best")
grid_table.head(8)


# %% [markdown]
# ### 1.2 Random search under a fixed fit budget
#
# Random search (Bergstra & Bengio, 2012) samples configurations from distributions instead of a
# grid. With the same number of trials it covers each *important* hyperparameter with more
# distinct values than a grid does, and its cost is whatever budget you give it, not a product of
# grid sizes. Its budget is set with `n_iter`, the number of configurations; each configuration
# costs one fit per cross-validation fold.
#
# ### Exercise 1 (3 points): configure a search under a fixed fit budget
#
# Write `random_search_under_budget(estimator, param_distributions, fit_budget, cv, seed=0)` that
# returns an **unfitted** `RandomizedSearchCV` that uses **as many configurations as the budget
# allows without ever exceeding `fit_budget` fits** (the final refit on the whole training set is
# not counted: every method pays it once). Pass `cv` through unchanged, set
# `random_state=seed` so the search is repeatable, `n_jobs=1`, and `refit=False`.
#
# - `cv` is either an integer number of folds or a splitter object; a splitter tells its
#   number of folds with `cv.get_n_splits()`.
# - If the budget cannot pay for even one configuration, raise a `ValueError`: a search that
#   silently runs zero trials wastes a day of waiting.

# %% nbgrader={"grade": false, "grade_id": "random_search_under_budget", "locked": false, "schema_version": 3, "solution": true}
def random_search_under_budget(estimator, param_distributions, fit_budget, cv, seed=0):
    """An unfitted RandomizedSearchCV that runs as many configurations as fit_budget fits allow."""
    ### BEGIN SOLUTION
    n_splits = cv if isinstance(cv, int) else cv.get_n_splits()
    n_iter = int(fit_budget) // int(n_splits)
    if n_iter < 1:
        raise ValueError(f"A budget of {fit_budget} fits cannot pay for one configuration on {n_splits} folds.")
    return RandomizedSearchCV(estimator, param_distributions, n_iter=n_iter, cv=cv, random_state=seed,
                              n_jobs=1, refit=False)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_random_search_under_budget", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
_space = {"alpha": loguniform(1e-5, 1e-1), "average": [False, True]}
from tradeoffs.checks import explained
with explained("random_search_under_budget", "an unfitted RandomizedSearchCV"):
    _s = random_search_under_budget(SGDClassifier(max_iter=3, tol=None), _space, fit_budget=30, cv=3)
assert isinstance(_s, RandomizedSearchCV), f"Return a RandomizedSearchCV object, got {type(_s).__name__}."
assert _s.n_iter == 10, (f"30 fits with 3 folds pay for 10 configurations (each one is fitted once per fold); "
                         f"got n_iter={_s.n_iter}.")
assert _s.cv == 3 and _s.random_state == 0, "Pass cv through unchanged and seed the search with random_state=seed."
with explained("random_search_under_budget", "an unfitted RandomizedSearchCV"):
    _s5 = random_search_under_budget(SGDClassifier(max_iter=3, tol=None), _space, fit_budget=31, cv=5)
assert _s5.n_iter == 6, (f"31 fits with 5 folds pay for 6 configurations (30 fits); a 7th would need 35 and "
                         f"exceed the budget. Got n_iter={_s5.n_iter}.")
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call
_k = StratifiedKFold(4, shuffle=True, random_state=1)
_s4 = random_search_under_budget(SGDClassifier(max_iter=2, tol=None, random_state=0), _space, fit_budget=22,
                                 cv=_k, seed=7)
observe_call("n_iter with a 4-fold splitter", lambda: _s4.n_iter,
             why="A splitter object with 4 folds and 22 fits pays for 5 configurations.")
observe_call("splitter passed unchanged", lambda: _s4.cv is _k,
             why="The cv splitter should be passed to the search unchanged.")
observe_call("seed", lambda: _s4.random_state, why="The seed argument should become the search's random_state.")
observe_call("returned unfitted", lambda: hasattr(_s4, "cv_results_"),
             why="Return the search unfitted: the caller decides when to spend the budget.")
_Xh, _yh = load_digits()
_s4.fit(_Xh[:400], _yh[:400])
observe_call("fits used", lambda: len(_s4.cv_results_["params"]) * 4, at_most=22,
             why="After fitting, the search must not have used more fits than the budget.")
observe_call("refit", lambda: _s4.refit, why="Set refit=False: the final refit is outside the tuning budget.")
for _bad_budget, _bad_cv in [(2, 3), (0, 5)]:
    observe_call(f"rejects a budget of {_bad_budget} fits with {_bad_cv} folds",
                 lambda: random_search_under_budget(SGDClassifier(), _space, fit_budget=_bad_budget, cv=_bad_cv),
                 why=f"A budget of {_bad_budget} fits with {_bad_cv} folds cannot pay for one "
                     "configuration: raise ValueError.")
### END HIDDEN TESTS

# %% [markdown]
# Give random search **a quarter of grid search's compute** and run it.

# %%
budget_fits = grid_fits // 4
random_search = random_search_under_budget(base_model, param_distributions, fit_budget=budget_fits, cv=cv,
                                           seed=cfg.seed)
with measure("random search (SGD, digits)", lesson="03") as run:
    random_search.fit(X_train, y_train)
random_fits = len(random_search.cv_results_["params"]) * N_FOLDS
record_run("random search", random_search.best_params_, random_fits, random_fits, run, random_search.best_score_)

# %% [markdown]
# ### 1.3 Successive halving
#
# Successive halving (Jamieson & Talwalkar, 2016; the core of Hyperband) starts *every*
# configuration with a small budget, keeps the best third (`factor=3`), triples their budget, and
# repeats until the survivors get the full budget. Here the budget is the number of epochs
# (`resource="max_iter"`): all configurations get 1 epoch, a third get 3, a ninth get 9, and the
# last few get the full run. scikit-learn's `HalvingGridSearchCV` does it on our grid
# (`HalvingRandomSearchCV` does the same on sampled configurations; both are still marked
# experimental, hence the `enable_halving_search_cv` import).
#
# Each fit on one fold at `r` epochs costs `r / FULL_EPOCHS` fit-equivalents.

# %%
with measure("successive halving (SGD, digits)", lesson="03") as run:
    halving_search = HalvingGridSearchCV(base_model, param_grid, cv=cv, resource="max_iter", min_resources=1,
                                         max_resources=FULL_EPOCHS, factor=3, random_state=cfg.seed,
                                         n_jobs=1, refit=False).fit(X_train, y_train)
halving_results = pd.DataFrame(halving_search.cv_results_)
halving_fits = len(halving_results) * N_FOLDS
halving_fit_eq = float((halving_results["n_resources"] * N_FOLDS / FULL_EPOCHS).sum())
print("candidates per rung:", halving_search.n_candidates_, "epochs per rung:", halving_search.n_resources_)
halving_params = {k: v for k, v in halving_search.best_params_.items() if k != "max_iter"}
record_run("successive halving", halving_params, halving_fits, halving_fit_eq, run, halving_search.best_score_)

# %% [markdown]
# ### 1.4 Bayesian optimisation with pruning (Optuna)
#
# Random search and halving choose configurations blindly. **Bayesian optimisation** learns from
# the trials so far: Optuna's default *Tree-structured Parzen Estimator* (`TPESampler`) models
# which regions of the space produced good and bad scores and samples where good ones are likely.
# **Pruning** stops a trial early: every trial reports its score at intermediate budgets (here after
# 1, 3, 9... epochs), and the `MedianPruner` stops it if it is worse than the median of earlier
# trials at the same point. Managed tuning services (Vertex AI Vizier, SageMaker automatic model
# tuning, Azure ML sweeps) sell the same two ideas, Bayesian search plus early stopping, as a service.
#
# We give Optuna the same budget as random search, in fit-equivalents, and stop the study when
# it is spent (a callback). At each rung the trial retrains from scratch with `max_iter=r`, which
# makes a finished trial's final score *identical* to the one grid search would give the same
# configuration (same folds, same seed): the comparison is fair. A progress bar counts the budget.
#
# **Storage and scaling out.** This study lives in memory. Passing
# `storage="sqlite:///tuning.db"` (plus a `study_name` and `load_if_exists=True`) keeps it in a file
# that survives a crash. Pointing many machines at one *shared relational database*, e.g.
# `optuna.create_study(storage="postgresql://user:password@host/db", study_name="digits-sgd", load_if_exists=True)`
# or an explicit `optuna.storages.RDBStorage(url)`, turns the same code into a distributed search:
# every worker runs `study.optimize(...)` and they share one history of trials and one pruner.

# %%
rungs = [r for r in (1, 3, 9, 27, 81) if r <= FULL_EPOCHS]
folds = list(cv.split(X_train, y_train))


def objective(trial):
    params = {"alpha": trial.suggest_float("alpha", min(param_grid["alpha"]), max(param_grid["alpha"]), log=True),
              "loss": trial.suggest_categorical("loss", param_grid["loss"]),
              "penalty": trial.suggest_categorical("penalty", param_grid["penalty"]),
              "average": trial.suggest_categorical("average", param_grid["average"])}
    spent = 0.0
    for epochs in rungs:
        model = SGDClassifier(max_iter=epochs, tol=None, random_state=cfg.seed, **params)
        score = cross_val_score(model, X_train, y_train, cv=folds).mean()
        spent += N_FOLDS * epochs / FULL_EPOCHS
        trial.set_user_attr("fits", trial.user_attrs.get("fits", 0) + N_FOLDS)
        trial.set_user_attr("fit_equivalents", spent)
        trial.report(score, step=epochs)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return score


def spent_budget(study):
    return sum(t.user_attrs.get("fit_equivalents", 0.0) for t in study.trials)


study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=cfg.seed),
                            pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0))
with tqdm(total=budget_fits, desc="Optuna TPE + pruning (fit-equivalents)") as bar:
    def stop_when_spent(study, trial):
        bar.update(trial.user_attrs.get("fit_equivalents", 0.0))
        if spent_budget(study) >= budget_fits:
            study.stop()

    with measure("optuna TPE + median pruning (SGD, digits)", lesson="03") as run:
        study.optimize(objective, n_trials=10_000, callbacks=[stop_when_spent])
trials = study.trials_dataframe(attrs=("number", "value", "state", "user_attrs"))
n_pruned = int((trials["state"] == "PRUNED").sum())
print(f"{len(trials)} trials, {n_pruned} pruned early")
record_run("optuna TPE + pruning", study.best_params, sum(t.user_attrs["fits"] for t in study.trials),
           spent_budget(study), run, study.best_value)

# %% [markdown]
# ### 1.5 Score against compute
#
# Every method reported the cross-validated accuracy of its best configuration, measured the same
# way (3 folds, full epochs). We also refit each winner on the whole training set and score it on
# the held-out test set, which none of the searches saw.

# %%
for row in runs.values():
    final = SGDClassifier(max_iter=FULL_EPOCHS, tol=None, random_state=cfg.seed, **row["params"])
    row["test_accuracy"] = final.fit(X_train, y_train).score(X_test, y_test)
table = pd.DataFrame(runs.values()).set_index("method")
table["best_score"] = table["reported_score"]
table["compute_vs_grid"] = table["fit_equivalents"] / table.loc["grid search", "fit_equivalents"]
table["cpu_vs_grid"] = table["cpu_s"] / table.loc["grid search", "cpu_s"]
table[["best_score", "test_accuracy", "n_fits", "fit_equivalents", "compute_vs_grid", "cpu_s", "cpu_vs_grid",
       "wall_s", "cost_usd"]].round(4)

# %%
plot_df = table.reset_index()
plot_df["best CV accuracy (%)"] = 100 * plot_df["best_score"]
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
plot_frontier(plot_df, x="fit_equivalents", y="best CV accuracy (%)", label="method", ax=axes[0], logx=True,
              title="Score vs compute (fit-equivalents, reproducible)")
plot_frontier(plot_df, x="cost_usd", y="best CV accuracy (%)", label="method", ax=axes[1], logx=True,
              title="Score vs measured cost ($, on aws-m7i.large)")
plt.tight_layout()
plt.show()

# %% [markdown]
# **Reading the plot.** Grid search sits far to the right: it paid for every configuration at full
# budget. Random search got a quarter of that compute; because many configurations are nearly as
# good as the best (see the grid table above), it often lands close to grid search's score, but
# whether it does depends on which configurations it happened to draw. Successive halving drops most
# configurations after one or three epochs; it pays off when the ranking after a few epochs predicts
# the ranking after all of them. Optuna spends its budget on more *distinct* configurations than
# random search, concentrated where the earlier trials scored well. What did *your* run show?

# %%
from tradeoffs.claims import claim

_grid, _halving, _random = table.loc["grid search"], table.loc["successive halving"], table.loc["random search"]
_halving_gap = 100 * (_grid["best_score"] - _halving["best_score"])
_random_gap = 100 * (_grid["best_score"] - _random["best_score"])
claim("03.halving_far_cheaper_than_grid", _halving["compute_vs_grid"] <= 0.5,
      holds_text=f"Successive halving used **{_halving['compute_vs_grid']:.2f}** of grid search's fit-equivalents: "
                 f"most configurations never got past the first rungs.",
      fails_text=f"Successive halving used {_halving['compute_vs_grid']:.2f} of grid search's fit-equivalents, "
                 "more than half: with this few epochs there are too few rungs to drop configurations early.")
claim("03.halving_within_half_point", _halving_gap <= 0.5, hedged=True,
      holds_text=f"Its best configuration scored {_halving_gap:+.2f} points against grid search's best: the "
                 "early ranking predicted the final one well enough.",
      fails_text=f"But its best configuration scored {_halving_gap:.2f} points below grid search's best: some "
                 "configuration that started slowly was dropped early (a *late bloomer*).")
claim("03.random_within_half_point", _random_gap <= 0.5, hedged=True,
      holds_text=f"Random search, with {_random['compute_vs_grid']:.2f} of the compute, landed {_random_gap:+.2f} "
                 "points from grid search's best.",
      fails_text=f"Random search, with {_random['compute_vs_grid']:.2f} of the compute, landed {_random_gap:.2f} "
                 "points below grid search's best: this time none of its draws was among the very best "
                 "configurations (rerun with another seed and it may well be).")

# %% [markdown]
# **Why the dollar plot can disagree.** A one-epoch SGD fit on 900 images takes a few
# milliseconds, so the fixed overhead of each fit (cloning the model, validating the inputs,
# scoring the fold, Optuna's own bookkeeping) is a visible share of the CPU seconds. Halving runs
# many tiny fits, so it should save less in seconds than in fit-equivalents. When a single fit takes
# minutes (a gradient-boosted model on millions of rows, a neural network), the overhead vanishes
# and seconds follow fit-equivalents. That is why this lesson's headline uses fit-equivalents.

# %%
claim("03.halving_saves_less_cpu_than_compute", _halving["cpu_vs_grid"] > _halving["compute_vs_grid"],
      holds_text=f"On your run halving used {_halving['cpu_vs_grid']:.2f} of grid search's CPU seconds but only "
                 f"{_halving['compute_vs_grid']:.2f} of its fit-equivalents: the per-fit overhead at work.",
      fails_text=f"On your run halving used {_halving['cpu_vs_grid']:.2f} of grid search's CPU seconds and "
                 f"{_halving['compute_vs_grid']:.2f} of its fit-equivalents: the per-fit overhead did not show "
                 "(a busy machine slows long fits more than short ones).")
#
# ### Exercise 2 (3 points): speedup and score gap
#
# Write `speedup_and_gap(reference, candidate, compute="fit_equivalents")`. `reference` and
# `candidate` are one search's results each (a row of `table`, or a dict) with a `"best_score"`
# (accuracy as a fraction) and a compute column named by `compute`. Return a tuple
# `(speedup, gap_pts)`:
#
# - `speedup` = the reference's compute divided by the candidate's (how many times cheaper the
#   candidate is; 4.0 means a quarter of the compute);
# - `gap_pts` = how many **points** (1 point = 0.01 accuracy) the candidate's best score is *below*
#   the reference's (negative when the candidate found a better score).
#
# Then apply it to your table: grid search as the reference, successive halving and Optuna as
# candidates.

# %% nbgrader={"grade": false, "grade_id": "speedup_and_gap", "locked": false, "schema_version": 3, "solution": true}
def speedup_and_gap(reference, candidate, compute="fit_equivalents"):
    """(how many times less compute the candidate used, how many points its best score is below the reference)."""
    ### BEGIN SOLUTION
    speedup = float(reference[compute]) / float(candidate[compute])
    gap_pts = 100.0 * (float(reference["best_score"]) - float(candidate["best_score"]))
    return speedup, gap_pts
    ### END SOLUTION


halving_speedup, halving_gap_pts = speedup_and_gap(table.loc["grid search"], table.loc["successive halving"])
optuna_speedup, optuna_gap_pts = speedup_and_gap(table.loc["grid search"], table.loc["optuna TPE + pruning"])
print(f"successive halving: {halving_speedup:.1f}x less compute, {halving_gap_pts:+.2f} points below grid search")
print(f"Optuna TPE + pruning: {optuna_speedup:.1f}x less compute, {optuna_gap_pts:+.2f} points below grid search")

# %% nbgrader={"grade": true, "grade_id": "test_speedup_and_gap", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
from math import isclose
_ref = {"best_score": 0.950, "fit_equivalents": 300.0, "cpu_s": 12.0}
_cand = {"best_score": 0.946, "fit_equivalents": 60.0, "cpu_s": 8.0}
from tradeoffs.checks import explained
with explained("speedup_and_gap", "a (speedup, gap_pts) tuple"):
    _sp, _gap = speedup_and_gap(_ref, _cand)
assert isclose(_sp, 5.0), f"300 vs 60 fit-equivalents is a 5x speedup (reference / candidate); got {_sp!r}."
assert isclose(_gap, 0.4, abs_tol=1e-9), (f"0.950 vs 0.946 is a gap of 0.4 points (1 point = 0.01 accuracy); "
                                          f"got {_gap!r}.")
with explained("speedup_and_gap", "a (speedup, gap_pts) tuple"):
    assert isclose(speedup_and_gap(_ref, _cand, compute="cpu_s")[0], 1.5), \
        "With compute='cpu_s' the speedup uses the CPU seconds named by the compute argument: 12 / 8 = 1.5."
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
_better = {"best_score": 0.953, "fit_equivalents": 100.0, "cpu_s": 24.0}


def _speedup_gap_pair(*args, **kwargs):
    _sp, _gap = speedup_and_gap(*args, **kwargs)
    return float(_sp), float(_gap)


observe_call("speedup below 1", lambda: _speedup_gap_pair(_ref, _better, compute="cpu_s")[0],
             why="A candidate that used more CPU seconds has a speedup below 1.")
observe_call("negative gap", lambda: _speedup_gap_pair(_ref, _better, compute="cpu_s")[1], abs=1e-9,
             why="A candidate with a better score has a negative gap.")
# The table holds this run's searches (Optuna's pruning, the best scores): compare with this run's table.
_row_ref, _row_h = table.loc["grid search"], table.loc["successive halving"]
observe("grid / halving fit-equivalents in this run", _row_ref["fit_equivalents"] / _row_h["fit_equivalents"],
        checked=False)
observe_call("halving_speedup", lambda: float(halving_speedup), rel=1e-9,
             same_as="grid / halving fit-equivalents in this run",
             why="halving_speedup should come from your table: grid search as the reference, "
                 "successive halving as the candidate.")
observe("grid - halving best score in points in this run", 100 * (_row_ref["best_score"] - _row_h["best_score"]),
        checked=False)
observe_call("halving_gap_pts", lambda: float(halving_gap_pts), abs=1e-9,
             same_as="grid - halving best score in points in this run",
             why="halving_gap_pts should come from your table's best_score column, in points.")
_row_o = table.loc["optuna TPE + pruning"]
observe("grid / Optuna fit-equivalents in this run", _row_ref["fit_equivalents"] / _row_o["fit_equivalents"],
        checked=False)
observe_call("optuna_speedup", lambda: float(optuna_speedup), rel=1e-9,
             same_as="grid / Optuna fit-equivalents in this run",
             why="optuna_speedup should come from your table (grid search vs Optuna).")
### END HIDDEN TESTS

# %% [markdown]
# ### The headline figure
#
# Which is the **cheapest method whose best score is within 0.5 points of grid search's best**,
# and what fraction of grid search's compute (in fit-equivalents) did it need? (Reference values,
# not your run: at `laptop` scale on a 2-core VM, seed 0, successive halving needed about 0.15 of
# grid search's compute at 0.15 points below it; at `grade` scale the grid has only 9 epochs, three
# halving rungs, and halving needs about 0.35, more than random search's fixed 0.25.)

# %%
close_enough = table[(100 * (table.loc["grid search", "best_score"] - table["best_score"])) <= 0.5 + 1e-9]
winner = close_enough["fit_equivalents"].idxmin()
compute_ratio = table.loc[winner, "fit_equivalents"] / table.loc["grid search", "fit_equivalents"]
gap_pts = 100 * (table.loc["grid search", "best_score"] - table.loc[winner, "best_score"])
print(f"cheapest method within 0.5 points of grid search: {winner} ({compute_ratio:.2f} of grid search's "
      f"compute, {gap_pts:+.2f} points)")
claim("03.halving_cheapest_within_half_point", winner == "successive halving", hedged=True,
      holds_text="Successive halving was the cheapest search within half a point of grid search.",
      fails_text=f"{winner.capitalize()} was the cheapest search within half a point of grid search, not "
                 "successive halving: halving's savings grow with the number of rungs (epochs 1, 3, 9, 27...), "
                 f"and with {FULL_EPOCHS} epochs it cannot drop configurations early enough"
                 + (", or its winner was more than half a point below." if _halving_gap > 0.5 else "."))
record_figure("03.search_compute_ratio", compute_ratio)
record_figure("03.search_score_gap_pts", gap_pts)

# %% [markdown]
# Two cautions before you fire your grid search:
#
# - **Winner's curse.** Grid search took the maximum over many noisy CV scores, so its "best" is
#   a little optimistic; compare the `test_accuracy` column, where the methods usually differ by
#   less than the gaps in CV score.
# - **Early rankings can lie.** Halving and pruning assume that what looks bad after 1 epoch stays
#   bad. Strong regularization or small learning rates often *start* slowly and win late; a
#   search that cuts them at epoch 1 never sees it. Check the survivors' ranking at the full budget
#   against a few randomly chosen full runs when the stakes are high.
#
# ## 2. Regularization: fitting the training set vs fitting the world
#
# Regularization is the other half of tuning: it adds a penalty on the size of the weights so
# that the model cannot memorise a small training set.
#
# - **L2 (ridge)** penalises the sum of squared weights: it shrinks all of them smoothly.
# - **L1 (lasso)** penalises the sum of absolute weights: it drives many of them to *exactly zero*,
#   which selects features and gives a smaller model that is cheaper to store and to serve.
#
# To see overfitting we need a model with many features and few rows. We predict hourly bike
# rentals (Capital Bikeshare, 8,645 hours) from the hour, working day, weather, season, temperature,
# humidity and wind, one-hot encoded, with **every pairwise interaction** (about 600 features), and
# train on only a few hundred hours.

# %%
bikes = load_bikeshare()
bike_cat, bike_num = ["hr", "workingday", "weathersit", "season"], ["temp", "hum", "windspeed"]
bikes_train, bikes_test = train_test_split(bikes, test_size=0.3, random_state=cfg.seed)
n_small = 400
small = bikes_train.iloc[:n_small]


def interaction_features():
    """One-hot categories + scaled numbers, all pairwise products, constant columns dropped."""
    encode = ColumnTransformer([("cat", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), bike_cat),
                                ("num", StandardScaler(), bike_num)])
    return make_pipeline(encode, PolynomialFeatures(2, interaction_only=True, include_bias=False),
                         VarianceThreshold(0.0))


n_features = interaction_features().fit_transform(small[bike_cat + bike_num]).shape[1]
print(f"{n_small} training hours, {n_features} features: more features than rows")

alphas = np.logspace(-2, 2, cfg.pick(ci=5, grade=9, laptop=17))
curve_cv = KFold(cfg.pick(ci=3, grade=5), shuffle=True, random_state=cfg.seed)
curves = {}
for name, model in tqdm([("L2 (ridge)", Ridge(solver="svd")), ("L1 (lasso)", Lasso(max_iter=5000, tol=1e-3))],
                        desc="validation curves"):
    pipe = make_pipeline(interaction_features(), model)
    with measure(f"validation curve {name} (bikeshare, {n_small} rows)", lesson="03") as run:
        train_scores, val_scores = validation_curve(pipe, small[bike_cat + bike_num], small["bikers"],
                                                    param_name=f"{pipe.steps[-1][0]}__alpha", param_range=alphas,
                                                    cv=curve_cv)
    run.log(metric="best_val_r2", value=float(val_scores.mean(axis=1).max()))
    curves[name] = (train_scores, val_scores)

fig, ax = plt.subplots(figsize=(7, 4.2))
for (name, (tr, va)), color in zip(curves.items(), ["tab:blue", "tab:orange"]):
    ax.plot(alphas, tr.mean(axis=1), "--", color=color, label=f"{name} train")
    ax.errorbar(alphas, va.mean(axis=1), yerr=va.std(axis=1, ddof=1) / np.sqrt(va.shape[1]), color=color,
                label=f"{name} validation", capsize=2)
ax.set_xscale("log")
ax.set_ylim(-0.05, 1.02)
ax.set_xlabel("alpha (regularization strength)")
ax.set_ylabel("R²")
ax.set_title(f"Validation curves, {n_small} training hours, {n_features} features")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
plt.show()


# %% [markdown]
# Read the curves from left to right. With almost no regularization both models fit the training
# hours nearly perfectly (dashed lines near R² = 1) but score much lower on the held-out folds:
# that gap is **overfitting**. As alpha grows the training score falls and the validation score
# rises, until the penalty is so strong that the model can no longer fit anything (both curves
# fall together: **underfitting**). The best validation score sits in between. The two penalties
# use different scales of alpha (the lasso's objective divides the squared error by the number of
# rows), so compare the *shapes*, not the positions.
#
# ### Exercise 3 (2 points): pick the regularization strength from a validation curve
#
# The highest mean validation score is one choice, but it is measured on small folds and is
# noisy. A common, more conservative rule is the **one-standard-error rule**: take the *strongest*
# regularization (largest alpha) whose mean validation score is within one standard error of the
# best mean score. It gives a simpler model (for L1: fewer non-zero weights) that is statistically
# indistinguishable from the best.
#
# Write `strongest_within_one_se(alphas, val_scores)`: `val_scores` has one row per alpha and one
# column per fold (as returned by `validation_curve`). Find the alpha with the best mean score; its
# standard error is `std(its fold scores, ddof=1) / sqrt(number of folds)`. Return (as a float) the
# largest alpha whose mean score is at least `best mean - standard error`. Do not assume the
# alphas are sorted. Then apply it to your lasso curve.

# %% nbgrader={"grade": false, "grade_id": "strongest_within_one_se", "locked": false, "schema_version": 3, "solution": true}
def strongest_within_one_se(alphas, val_scores):
    """Largest alpha whose mean validation score is within one standard error of the best mean."""
    ### BEGIN SOLUTION
    alphas = np.asarray(alphas, dtype=float)
    val_scores = np.asarray(val_scores, dtype=float)
    means = val_scores.mean(axis=1)
    best = int(np.argmax(means))
    se = val_scores[best].std(ddof=1) / np.sqrt(val_scores.shape[1])
    return float(alphas[means >= means[best] - se].max())
    ### END SOLUTION


lasso_alpha = strongest_within_one_se(alphas, curves["L1 (lasso)"][1])
print(f"one-standard-error lasso alpha: {lasso_alpha:.4g} "
      f"(best mean score at alpha = {alphas[curves['L1 (lasso)'][1].mean(axis=1).argmax()]:.4g})")

# %% nbgrader={"grade": true, "grade_id": "test_strongest_within_one_se", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
_alphas = [0.01, 0.1, 1.0, 10.0]
_scores = np.array([[0.60, 0.62, 0.64], [0.70, 0.74, 0.72], [0.69, 0.73, 0.71], [0.50, 0.52, 0.54]])
from tradeoffs.checks import explained
with explained("strongest_within_one_se", "an alpha (a float)"):
    _got = strongest_within_one_se(_alphas, _scores)
assert isinstance(_got, float), f"Return the alpha as a float, got {type(_got).__name__}."
assert isclose(_got, 1.0), (f"The best mean is 0.72 at alpha=0.1 with standard error 0.02/sqrt(3) = 0.0115; "
                            f"alpha=1.0 scores 0.71 on average, within one standard error, and is stronger. "
                            f"Expected 1.0, got {_got!r}.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
_sh = [10.0, 1.0, 0.1, 0.01]
_sc = np.array([[0.50, 0.52, 0.54], [0.69, 0.73, 0.71], [0.70, 0.74, 0.72], [0.60, 0.62, 0.64]])
observe_call("unsorted alphas", lambda: float(strongest_within_one_se(_sh, _sc)),
             why="The alphas need not be sorted: use them, not positions.")
_c1 = np.array([[0.80, 0.84, 0.82], [0.80, 0.81, 0.805], [0.70, 0.70, 0.70]])
observe_call("standard error, not std", lambda: float(strongest_within_one_se([1.0, 2.0, 3.0], _c1)),
             why="The standard error is the std of the best alpha's fold scores divided by sqrt(number of folds), "
                 "not the std itself.")
_c2 = np.array([[0.80, 0.84, 0.82], [0.80, 0.82, 0.81], [0.70, 0.70, 0.70]])
observe_call("sample std", lambda: float(strongest_within_one_se([1.0, 2.0, 3.0], _c2)),
             why="Use the sample standard deviation (ddof=1) of the best alpha's fold scores.")
# Exact binary fractions: the middle alpha's mean is exactly one standard error below the best mean.
_c3 = np.array([[0.765625, 0.765625, 0.765625, 0.703125], [0.734375] * 4, [0.5] * 4])
observe_call("exactly one standard error below", lambda: float(strongest_within_one_se([1.0, 5.0, 0.5], _c3)),
             why="'At least best mean - standard error' includes an alpha exactly one standard error below the best.")
# The lasso curve is measured in this run: compare with the rule applied to this run's curve.
_lv = curves["L1 (lasso)"][1]
_m = _lv.mean(axis=1)
_b = int(np.argmax(_m))
_expected = float(np.asarray(alphas)[_m >= _m[_b] - _lv[_b].std(ddof=1) / np.sqrt(_lv.shape[1])].max())
observe("one-SE alpha of this run's lasso curve", _expected, checked=False)
observe_call("lasso_alpha", lambda: float(lasso_alpha), same_as="one-SE alpha of this run's lasso curve",
             why="lasso_alpha should be your function applied to your lasso validation curve.")
### END HIDDEN TESTS

# %% [markdown]
# What does the one-standard-error choice buy? Fit the lasso at the best-mean alpha and at the
# one-standard-error alpha, and compare held-out R² and how many of the weights are non-zero.
# Then look at the other cure for overfitting: **more data**. The same unregularized-ish ridge
# (alpha = 1e-3) on all training hours instead of 400.

# %%
X_cols = bike_cat + bike_num
rows = []
lasso_best_alpha = float(alphas[curves["L1 (lasso)"][1].mean(axis=1).argmax()])
candidates = [("lasso, best mean alpha", Lasso(alpha=lasso_best_alpha, max_iter=5000, tol=1e-3), small),
              ("lasso, one-SE alpha", Lasso(alpha=lasso_alpha, max_iter=5000, tol=1e-3), small),
              ("ridge alpha=1e-3, 400 rows", Ridge(alpha=1e-3, solver="svd"), small),
              (f"ridge alpha=1e-3, {len(bikes_train)} rows", Ridge(alpha=1e-3, solver="svd"), bikes_train)]
for name, model, data in candidates:
    pipe = make_pipeline(interaction_features(), model)
    with measure(f"{name} (bikeshare)", lesson="03") as run:
        pipe.fit(data[X_cols], data["bikers"])
    test_r2 = r2_score(bikes_test["bikers"], pipe.predict(bikes_test[X_cols]))
    coef = pipe[-1].coef_
    run.log(metric="test_r2", value=test_r2, size_bytes=int(np.count_nonzero(coef)) * 8)
    rows.append({"model": name, "train_rows": len(data), "train_r2": pipe.score(data[X_cols], data["bikers"]),
                 "test_r2": test_r2, "nonzero_weights": int(np.count_nonzero(coef)), "weights": coef.size})
reg_table = pd.DataFrame(rows)
reg_table.round(3)

# %% [markdown]
# When the one-standard-error rule picks a stronger alpha than the best mean, the lasso should keep
# fewer non-zero weights for nearly the same held-out score: a smaller model to store, explain and
# serve. The last two rows compare the gap between training and test R² of the same weakly
# regularized model on 400 rows and on all of them. Regularization is what you do when you *cannot*
# get more data.

# %%
_by = reg_table.set_index("model")
_best, _one_se = _by.loc["lasso, best mean alpha"], _by.loc["lasso, one-SE alpha"]
if lasso_alpha > lasso_best_alpha:
    claim("03.one_se_keeps_fewer_weights", _one_se["nonzero_weights"] <= _best["nonzero_weights"],
          holds_text=f"The one-standard-error rule chose alpha {lasso_alpha:.3g} instead of {lasso_best_alpha:.3g}: "
                     f"{int(_one_se['nonzero_weights'])} non-zero weights instead of {int(_best['nonzero_weights'])}, "
                     f"held-out R² {_one_se['test_r2']:.3f} vs {_best['test_r2']:.3f}.",
          fails_text=f"The one-standard-error rule chose alpha {lasso_alpha:.3g} instead of {lasso_best_alpha:.3g}, "
                     f"yet kept {int(_one_se['nonzero_weights'])} non-zero weights (vs {int(_best['nonzero_weights'])}): "
                     "the lasso's count of non-zero weights need not fall at every step of alpha.")
else:
    print(f"On your run the one-standard-error rule kept the best-mean alpha ({lasso_alpha:.3g}): the next "
          "stronger alpha was just outside one standard error, so both lasso rows are the same model.")
_rows_small = _by.loc["ridge alpha=1e-3, 400 rows"]
_rows_all = _by.loc[f"ridge alpha=1e-3, {len(bikes_train)} rows"]
_gap_small, _gap_all = _rows_small["train_r2"] - _rows_small["test_r2"], _rows_all["train_r2"] - _rows_all["test_r2"]
claim("03.more_rows_shrink_the_overfitting_gap", _gap_all < _gap_small,
      holds_text=f"More data shrank the train-test gap of the same ridge from {_gap_small:.2f} (400 rows) to "
                 f"{_gap_all:.2f} ({len(bikes_train)} rows).",
      fails_text=f"The train-test gap of the same ridge was {_gap_small:.2f} on 400 rows and {_gap_all:.2f} on "
                 f"{len(bikes_train)}: more rows did not reduce overfitting here.")
#
# ## 3. A good feature beats a bigger model
#
# When a linear model underfits, the reflex is to reach for a bigger model. Often the cheaper fix is
# to give the small model the right *representation*. Bike rentals depend on the hour of the day in a
# very non-linear way (two commuter peaks on working days, an afternoon bump at weekends): a linear
# model that sees `hr` as a number from 0 to 23 can only draw a straight line through that.
#
# We compare, on all training hours:
#
# - ridge on the **raw** features (hour as a number);
# - two **bigger models** on the same raw features: ridge on all degree-2 polynomial features, and a
#   neural network (MLP with 64 hidden units);
# - the **small** ridge with better hour features: a *cyclical* encoding (sin and cos of the hour,
#   two harmonics), a *one-hot* hour (24 indicators), and one-hot hour **x** working day (48
#   indicators: the commuter peaks only exist on working days).

# %%
fe_num = ["temp", "atemp", "hum", "windspeed", "workingday", "holiday", "weekday", "season"]
fe_cat = ["mnth", "weathersit"]


def encoder(hour):
    """Encode the hour as `hour` says; scale the numbers and one-hot the other categories."""
    parts = [("num", StandardScaler(), fe_num), ("cat", OneHotEncoder(handle_unknown="ignore"), fe_cat)]
    if hour == "raw":
        parts.append(("hr", StandardScaler(), ["hr"]))
    elif hour == "cyclical":
        cyc = FunctionTransformer(lambda h: np.c_[np.sin(2 * np.pi * h / 24), np.cos(2 * np.pi * h / 24),
                                                  np.sin(4 * np.pi * h / 24), np.cos(4 * np.pi * h / 24)])
        parts.append(("hr", cyc, ["hr"]))
    elif hour == "one-hot":
        parts.append(("hr", OneHotEncoder(handle_unknown="ignore"), ["hr"]))
    elif hour == "one-hot x workingday":
        hour_day = FunctionTransformer(lambda d: (d["hr"].astype(str) + "_" + d["workingday"].astype(str)).to_frame())
        parts.append(("hr", make_pipeline(hour_day, OneHotEncoder(handle_unknown="ignore")), ["hr", "workingday"]))
    return ColumnTransformer(parts)


fe_models = {
    "ridge, raw hour": make_pipeline(encoder("raw"), Ridge(1.0)),
    "BIGGER: ridge, degree-2 polynomial of raw": make_pipeline(encoder("raw"), PolynomialFeatures(2), Ridge(1.0)),
    "BIGGER: MLP (64 hidden), raw hour": make_pipeline(encoder("raw"), MLPRegressor(
        hidden_layer_sizes=(64,), max_iter=cfg.pick(ci=30, grade=60, laptop=300), early_stopping=True,
        random_state=cfg.seed)),
    "ridge, cyclical hour": make_pipeline(encoder("cyclical"), Ridge(1.0)),
    "ridge, one-hot hour": make_pipeline(encoder("one-hot"), Ridge(1.0)),
    "ridge, one-hot hour x workingday": make_pipeline(encoder("one-hot x workingday"), Ridge(1.0)),
}
fe_train = bikes_train.iloc[:cfg.pick(ci=2000, grade=len(bikes_train))]
rows = []
for name, pipe in tqdm(fe_models.items(), desc="feature engineering vs bigger models"):
    with measure(f"{name} (bikeshare)", lesson="03") as run:
        pipe.fit(fe_train, fe_train["bikers"])
    test_r2 = r2_score(bikes_test["bikers"], pipe.predict(bikes_test))
    run.log(metric="test_r2", value=test_r2)
    rows.append({"model": name, "test_r2": test_r2, "cpu_s": run.cpu_s, "wall_s": run.wall_s})
fe_table = pd.DataFrame(rows)
ax = plot_frontier(fe_table, x="cpu_s", y="test_r2", label="model", logx=True,
                   title="Held-out R² vs training CPU seconds (bikeshare)")
plt.show()
fe_table.round(3)

# %%
_fe = fe_table.set_index("model")
_small, _raw = _fe.loc["ridge, one-hot hour x workingday"], _fe.loc["ridge, raw hour"]
_bigger = _fe[_fe.index.str.startswith("BIGGER")]
claim("03.feature_beats_bigger_models", _small["test_r2"] > _bigger["test_r2"].max(),
      holds_text=f"The small ridge with one-hot hour x working day reached R² **{_small['test_r2']:.2f}**, above "
                 f"both bigger models on raw features (best {_bigger['test_r2'].max():.2f}; raw ridge "
                 f"{_raw['test_r2']:.2f}).",
      fails_text=f"A bigger model ({_bigger['test_r2'].idxmax()}) reached R² {_bigger['test_r2'].max():.2f}, above "
                 f"the small ridge with the better feature ({_small['test_r2']:.2f}).")
claim("03.feature_cheaper_than_mlp", _small["cpu_s"] < _fe.loc["BIGGER: MLP (64 hidden), raw hour", "cpu_s"],
      holds_text=f"And it trained in {_small['cpu_s']:.3f} CPU seconds against the MLP's "
                 f"{_fe.loc['BIGGER: MLP (64 hidden), raw hour', 'cpu_s']:.2f}.",
      fails_text=f"But it trained in {_small['cpu_s']:.3f} CPU seconds, no faster than the MLP "
                 f"({_fe.loc['BIGGER: MLP (64 hidden), raw hour', 'cpu_s']:.2f}).")

# %% [markdown]
# Why the feature wins: one-hot hours let a *linear* model give every hour its own level, and
# crossing them with the working day separates the two commuter peaks from the weekend's afternoon
# bump. The cyclical sin/cos encoding helps a little, but two smooth harmonics cannot draw two sharp
# peaks. The feature encoded what we *know* about the problem; the bigger models had to discover it
# from data, at a price. (A gradient-boosted tree model would also find the hour effects on its own:
# trees split `hr` into ranges. The point is not that big models are bad, but that a feature is
# often the cheaper fix.)
#
# ## 4. Checkpoint
#
# ### Exercise 4 (1 point): why pruning and halving are safe here, and when they are not
#
# Successive halving and median pruning reached nearly grid search's score at a fraction of its
# compute. Which statement explains it?
#
# - **(a)** They run every configuration to the full budget, so they never miss the best one.
# - **(b)** They bet that early ranks predict final ranks; late bloomers can get cut.
# - **(c)** They save compute by using fewer cross-validation folds than grid search does.
# - **(d)** They only work for SGD models, whose first few epochs cost next to nothing at all.
#
# Set `checkpoint_pruning` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_pruning", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_pruning = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_pruning", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_pruning, str) and checkpoint_pruning.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_pruning.strip().lower(),
             why="Look at the halving rungs above: how many configurations ever reached the full number of epochs, "
                 "and on what basis were the others dropped?")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5 (1 point): speedup and gap of a new search
#
# On another dataset, grid search spent **240** fit-equivalents and reached a best CV accuracy of
# **0.912**; successive halving spent **30** fit-equivalents and reached **0.909**. What are the
# halving run's `(speedup, gap_pts)` as defined in Exercise 2?
#
# - **(a)** (0.125, 0.3)
# - **(b)** (8.0, 0.003)
# - **(c)** (8.0, 0.3)
# - **(d)** (8.0, -0.3)
#
# Set `checkpoint_speedup` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_speedup", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_speedup = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_speedup", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_speedup, str) and checkpoint_speedup.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_speedup.strip().lower(),
             why="Speedup is the reference's compute over the candidate's; the gap is in points (x100), positive when the candidate is below.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (2 points, graded by your instructor): plan a tuning budget
#
# Your team will tune a gradient-boosted model whose single training run (one fold, full number of
# trees) costs about \$2 on a cloud instance, and the tuning budget is \$200. Using what section 1
# showed about the methods (their compute as a fraction of grid search's, and how close each came to
# its score), which search method would you use, how would you set its budget (how many
# configurations or fit-equivalents, at which smallest budget per trial), and what would you check
# before trusting its winner? Base the plan on fractions and rankings, which hold from run to run
# (the grader's re-run of your notebook prints slightly different digits). If you would run trials
# on several machines at once, say what that needs.

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_tuning_plan", "locked": false, "points": 2.0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Model answer (rubric: 1 point for a method chosen and budgeted consistently with section 1's
# fractions of grid compute and score gaps (any digits within the run-to-run spread are fine; the
# order of methods by compute is what must match); 1 point for a concrete check of the winner, such
# as re-running the top few at full budget / on a held-out set, or the early-ranking caveat).
#
# Example: "$200 buys about 100 fit-equivalents, a third of a 108-configuration grid with 3 folds
# (324). Successive halving needed about 0.15 of the grid's compute and Optuna about a quarter, both
# within a few tenths of a point of the grid's best, and all methods were within a point on the
# test set. I would use Optuna with TPE and a median
# pruner (or Hyperband), give it 100 fit-equivalents with the first rung at 1/27 of the trees, and
# stop on budget. Before trusting it, I would re-run the top three configurations at full budget with
# a different seed and on the held-out set, and check that no configuration was pruned only because
# it started slowly. To run trials in parallel on several machines I would put the study in a shared
# PostgreSQL database (RDBStorage) so that all workers share the history and the pruner."
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# - Grid search's cost is the **product** of its grid sizes and the folds. Random search buys most
#   of its score for the budget you choose; **successive halving** and **pruning** spend full runs
#   only on configurations that looked good early, and Bayesian optimisation picks where to look
#   next from what it has seen.
# - Count tuning compute in **fit-equivalents** to compare methods; seconds add per-fit overhead
#   that matters only for tiny fits. Beware the winner's curse and rankings that change late.
# - **L2** shrinks every weight, **L1** zeroes many; pick the strength from a validation curve, and
#   the one-standard-error rule buys a simpler model for free. More data is the other cure.
# - Before buying a bigger model, try a better **feature**: it is often both more accurate and
#   orders of magnitude cheaper.

# %% [markdown]
# ## In the cloud
#
# | here | managed counterpart | what it adds | what it costs |
# | --- | --- | --- | --- |
# | grid and random search (scikit-learn), Optuna TPE + median pruning | **SageMaker automatic model tuning** (random, Bayesian, Hyperband strategies, early stopping of trials), **Vertex AI Vizier** / hyperparameter tuning jobs, **Azure ML sweep jobs** | runs trials as parallel training jobs, keeps their history, warm-starts from earlier tuning jobs | you pay for every trial's training compute; a trial costs what a training job of that length costs |
# | the fit-equivalent budget and the stop-when-spent callback | the tuning job's maximum number of training jobs and of parallel jobs | a hard cap on how many trials are launched | |
#
# Parallel trials finish sooner but learn less from each other: a Bayesian search with 20 trials at
# once is closer to random search than one with 2 at once. The budget you set (trials x cost of one
# training job) is the bill.
