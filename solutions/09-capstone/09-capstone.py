# %% [markdown]
# # Lesson 09 — Capstone: the fraud-detection dilemma
#
# A payments team must choose between two models to catch bad transactions:
#
# * **Option A**, a **deep neural network**: several wide layers, trained for many epochs. It is what
#   the conference talks recommend, and it takes real machine time to train.
# * **Option B**, a **gradient-boosted tree baseline** (`HistGradientBoostingClassifier`): a few
#   seconds on a CPU, no GPU, a handful of settings.
#
# The data changes every day (new merchants, new fraud patterns), so whatever we choose is
# **retrained again and again**. The question is not "which model is better?" but "which model
# makes the business lose less money, training bills included?"
#
# We work on real data with the same shape as fraud: the Lending Club loans shipped with the course
# (9,857 loans, **5.2% went bad**). A bad loan plays the part of a fraudulent transaction: rare,
# expensive to miss, and annoying to flag wrongly. Everything in this lesson is measured on your
# machine, and it brings together the course's tools: the cost meter (lesson 00), the right metric
# for rare positives (lesson 02), tuning the baseline first (lesson 03), and budgets.
#
# You will
#
# 1. train both options and measure recall at a fixed false-alarm rate, training time and cost per run,
# 2. implement a **budget guard** that stops a training run before it overspends, and use it on a real run,
# 3. tune the baseline before committing to the expensive model, choosing on a **validation** split and
#    reporting on the **test** split (lesson 02's rule),
# 4. turn those numbers into expected daily losses and find the break-even fraud loss,
# 5. draw the course-wide Pareto frontier from the results ledger, and write a recommendation.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import math
import time

import torch  # before tradeoffs.setup, so that torch is seeded too
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from tqdm.auto import tqdm
from threadpoolctl import threadpool_limits
from sklearn.model_selection import train_test_split
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

import tradeoffs
from tradeoffs.claims import claim
from tradeoffs.intervals import bootstrap_interval
from tradeoffs.data import load_lending_club
from tradeoffs.meter import measure
from tradeoffs.prices import hourly_rate
import tradeoffs.ledger
from tradeoffs.ledger import read_ledger
from tradeoffs.plots import plot_frontier, frontier_2d

cfg = tradeoffs.setup("09", scale=scale, device=device)
torch.set_num_threads(1)  # one core per option: a fair comparison, and stable timings on a shared machine

# %% [markdown]
# ## 1. The data: rare positives
#
# Each loan has 22 features (amount, term, interest rate, grade, income, credit history...). We
# one-hot encode the categories, log-transform the money columns and cut the loans into three
# *stratified* parts (the same share of bad loans in each), as lesson 02 taught:
#
# - **training** (about half): every model learns here;
# - **validation** (a quarter of the rest after the test split, 17.5% of the loans): *we* choose here,
#   e.g. which tuned baseline to keep;
# - **test** (30%): we report here, once, on the options we chose. A choice made by looking at test
#   scores would make the reported score optimistic.
#
# Everything is standardised with statistics from the training split only.

# %%
loans = load_lending_club()
n_rows = cfg.pick(ci=3000, grade=6000, laptop=len(loans))
loans = loans.sample(n=n_rows, random_state=cfg.seed) if n_rows < len(loans) else loans
y_all = loans["bad"].to_numpy()
features = pd.get_dummies(loans.drop(columns=["bad"]), dtype=float)
for col in ["funded_amnt", "annual_inc", "total_bal_il", "total_il_high_credit_limit", "delinq_amnt"]:
    features[col] = np.log1p(features[col])
X_rest, X_test, y_rest, y_test = train_test_split(features.to_numpy(np.float32), y_all, test_size=0.3,
                                                  random_state=cfg.seed, stratify=y_all)
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25,
                                                  random_state=cfg.seed, stratify=y_rest)
mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
X_train, X_val, X_test = (X_train - mean) / std, (X_val - mean) / std, (X_test - mean) / std
print(f"{len(X_train)} training, {len(X_val)} validation and {len(X_test)} test loans, {X_train.shape[1]} features; "
      f"{y_train.mean():.1%} bad in training, {y_val.sum()} bad loans in validation, {y_test.sum()} in test")

# %% [markdown]
# ### Which number to compare?
#
# **Accuracy is useless here**: a model that approves every loan is right about 95% of the time
# and catches nothing. A fraud team instead fixes how many **false alarms** it can afford to
# review (here 5% of the good transactions) and asks how many bad ones the model catches at that
# level: **recall at a 5% false-alarm rate**. The helper below sets the threshold so that exactly 5%
# of the good cases of a split are flagged, then measures recall. Every model is scored on both
# splits: its validation recall is for choosing, its test recall (and ROC-AUC, lesson 02) for reporting.

# %%
FALSE_ALARM_RATE = 0.05


def recall_at_false_alarm_rate(y_true, scores, rate=FALSE_ALARM_RATE):
    """Share of positives caught when the threshold flags `rate` of the negatives."""
    threshold = np.quantile(scores[y_true == 0], 1 - rate)
    return float((scores[y_true == 1] > threshold).mean())


def evaluate(name, test_scores, val_scores, run):
    """Test-split figures (for reporting) plus the validation recall (for choosing)."""
    return {"option": name, "accuracy": float(((test_scores > 0.5) == y_test).mean()),
            "recall_at_5pct": recall_at_false_alarm_rate(y_test, test_scores),
            "roc_auc": roc_auc_score(y_test, test_scores),
            "val_recall_at_5pct": recall_at_false_alarm_rate(y_val, val_scores),
            "train_seconds": run.wall_s, "cpu_seconds": run.cpu_s}


# %% [markdown]
# ## 2. Budgets: a guard that stops a run before it overspends
#
# Cloud providers let you set a **budget alarm**: an e-mail (or an automatic shutdown) when the spend
# passes a limit. The alarm fires *after* the money is spent. A training loop can do better: after
# every epoch it knows how long one epoch takes, so it can **project** the cost of finishing and stop
# as soon as the projection passes the limit, before the money is spent.
#
# ### Exercise 1 (4 points): implement the budget guard
#
# Write a class `BudgetGuard(limit_usd, usd_per_hour)` with a method
# `should_stop(elapsed_s, epochs_done, epochs_total)` that is called after each epoch with the
# wall-clock seconds spent so far. It must:
#
# * project the cost of the **whole** run: the cost so far plus the remaining epochs at the average
#   seconds per epoch observed so far (`elapsed_s / epochs_done` seconds each), priced at `usd_per_hour`;
# * store that projection in the attribute `projected_usd` (before any call it is `0.0`);
# * return `True` when the projected cost **exceeds** `limit_usd` (strictly greater), else `False`;
# * with `epochs_done == 0` there is no per-epoch speed yet: project just the money already spent;
# * raise `ValueError` in the constructor for a negative limit or rate.

# %% nbgrader={"grade": false, "grade_id": "budget_guard", "locked": false, "schema_version": 3, "solution": true}
class BudgetGuard:
    """Stops a training run when the projected cost of finishing it would pass a limit."""

    def __init__(self, limit_usd, usd_per_hour):
        ### BEGIN SOLUTION
        if limit_usd < 0 or usd_per_hour < 0:
            raise ValueError("limit_usd and usd_per_hour must be >= 0")
        self.limit_usd = float(limit_usd)
        self.usd_per_hour = float(usd_per_hour)
        self.projected_usd = 0.0
        ### END SOLUTION

    def should_stop(self, elapsed_s, epochs_done, epochs_total):
        """True when the projected cost of the whole run exceeds the limit."""
        ### BEGIN SOLUTION
        if epochs_done > 0:
            projected_s = elapsed_s / epochs_done * max(epochs_total, epochs_done)
        else:
            projected_s = elapsed_s
        self.projected_usd = projected_s * self.usd_per_hour / 3600.0
        return self.projected_usd > self.limit_usd
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_budget_guard", "locked": true, "points": 4.0, "schema_version": 3, "solution": false}
from tradeoffs.checks import explained
with explained("BudgetGuard", "True or False from should_stop, and a projected cost"):
    guard = BudgetGuard(limit_usd=1.0, usd_per_hour=36.0)          # $0.01 per second
    assert guard.projected_usd == 0.0, "Before the first epoch nothing is projected: projected_usd starts at 0.0."
    assert not guard.should_stop(elapsed_s=10, epochs_done=1, epochs_total=5), \
        "10 s per epoch x 5 epochs = 50 s = $0.50 at $36/h ($36 per 3600 s): under the $1 limit, keep training."
    assert math.isclose(guard.projected_usd, 0.5), \
        f"Projected cost of the whole run should be 5 epochs x 10 s x $0.01/s = $0.50, got {guard.projected_usd!r}."
    assert bool(guard.should_stop(elapsed_s=30, epochs_done=1, epochs_total=5)) is True, \
        "30 s per epoch x 5 epochs = 150 s = $1.50: over the $1 limit, stop now rather than after spending it."
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call
g = BudgetGuard(limit_usd=2.0, usd_per_hour=3600.0)               # $1 per second
_why = "A projection exactly at the limit does not exceed it: keep going."
observe_call("at the limit: stop?", lambda: bool(g.should_stop(0.5, 1, 4)), why=_why)
observe_call("at the limit: projected_usd", lambda: float(g.projected_usd), why=_why)
_why = "The projection uses the average seconds per epoch so far times ALL epochs (spent + remaining)."
observe_call("over the limit: stop?", lambda: bool(g.should_stop(0.6, 1, 4)), why=_why)
observe_call("over the limit: projected_usd", lambda: float(g.projected_usd), why=_why)
g2 = BudgetGuard(limit_usd=0.05, usd_per_hour=1.8)               # $0.0005 per second
_why = "60 s for 3 of 6 epochs projects 120 s for the whole run: $0.06 is over a $0.05 limit."
observe_call("3 of 6 epochs: stop?", lambda: bool(g2.should_stop(60, 3, 6)), why=_why)
observe_call("3 of 6 epochs: projected_usd", lambda: float(g2.projected_usd), why=_why)
g3 = BudgetGuard(limit_usd=0.01, usd_per_hour=36.0)
_why = "With no epoch finished, the money already spent counts: $0.02 spent is already over a $0.01 limit."
observe_call("no epoch, overspent: stop?", lambda: bool(g3.should_stop(2.0, 0, 10)), why=_why)
observe_call("no epoch, overspent: projected_usd", lambda: float(g3.projected_usd), why=_why)
g4 = BudgetGuard(limit_usd=0.01, usd_per_hour=36.0)
_why = "With no epoch finished, project only the money already spent."
observe_call("no epoch, under budget: stop?", lambda: bool(g4.should_stop(0.5, 0, 10)), why=_why)
observe_call("no epoch, under budget: projected_usd", lambda: float(g4.projected_usd), why=_why)
g5 = BudgetGuard(limit_usd=100.0, usd_per_hour=1.0)
_why = "At the last epoch the projection is exactly the money spent."
observe_call("last epoch: stop?", lambda: bool(g5.should_stop(3600 * 10, 10, 10)), why=_why)
observe_call("last epoch: projected_usd", lambda: float(g5.projected_usd), why=_why)
observe_call("accepts a zero limit and rate", lambda: float(BudgetGuard(0.0, 0.0).projected_usd),
             why="Only NEGATIVE limits or rates are invalid: a zero limit (or a free machine) is accepted.")
for bad in [(-1.0, 1.0), (1.0, -0.5)]:
    observe_call(f"rejects BudgetGuard{bad}", lambda: BudgetGuard(*bad),
                 why=f"BudgetGuard{bad} should raise ValueError: a negative limit or rate is a mistake.")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Option A: the deep network
#
# A multilayer perceptron with three hidden layers of 256 units, dropout, and a loss that weighs the
# rare bad loans up (`pos_weight`), trained with AdamW in mini-batches. The training loop accepts a
# budget guard that it calls after every epoch; this reference run has none (we use your guard in
# section 7). We price runs on the course's default CPU machine, an `aws-m7i.large`, and train on one
# CPU core.

# %%
INSTANCE = "aws-m7i.large"
usd_per_hour = hourly_rate(INSTANCE)
epochs_a = cfg.pick(ci=3, grade=8, laptop=25, full=60)


def make_mlp(width=256, depth=3, dropout=0.2):
    layers, d = [], X_train.shape[1]
    for _ in range(depth):
        layers += [torch.nn.Linear(d, width), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
        d = width
    return torch.nn.Sequential(*layers, torch.nn.Linear(d, 1))


def train_mlp(epochs, guard=None, seed=0, desc="option A", X=None, y=None, progress=True):
    """Train the MLP; stop early when the guard says so. Returns (net, epochs run, stopped?, seconds per epoch)."""
    torch.manual_seed(seed)
    net = make_mlp().to(cfg.device)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
    X, y = (X_train, y_train) if X is None else (X, y)
    xs = torch.tensor(X, device=cfg.device)
    ys = torch.tensor(y, dtype=torch.float32, device=cfg.device)
    pos_weight = torch.tensor((1 - y.mean()) / y.mean(), device=cfg.device)
    start, done, epoch_seconds = time.perf_counter(), 0, []
    for _ in tqdm(range(epochs), desc=desc, disable=not progress):
        epoch_start = time.perf_counter()
        net.train()
        for batch in torch.randperm(len(xs), device=cfg.device).split(128):
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(xs[batch]).squeeze(1), ys[batch],
                                                                        pos_weight=pos_weight)
            loss.backward()
            opt.step()
        done += 1
        epoch_seconds.append(time.perf_counter() - epoch_start)
        if guard is not None and guard.should_stop(time.perf_counter() - start, done, epochs):
            return net, done, True, epoch_seconds
    return net, done, False, epoch_seconds


def mlp_scores(net, X):
    net.eval()
    with torch.no_grad():
        return torch.sigmoid(net(torch.tensor(X, device=cfg.device)).squeeze(1)).cpu().numpy()


with measure("09 option A: MLP 3x256", lesson="09", instance=INSTANCE) as run_a:
    net_a, epochs_run_a, _, epoch_seconds_a = train_mlp(epochs_a)
row_a = evaluate("A: deep MLP", mlp_scores(net_a, X_test), mlp_scores(net_a, X_val), run_a)
run_a.log(metric="recall_at_5pct_fpr", value=row_a["recall_at_5pct"], notes=f"epochs={epochs_run_a}")
print(run_a, f"| {epochs_run_a} epochs")


# %% [markdown]
# ## 4. Option B: the tree baseline
#
# `HistGradientBoostingClassifier` with its default settings (100 boosting rounds). We limit it to
# one thread so that the comparison is fair on a shared 2-core machine (and its timing is stable).

# %%
def train_hgb(X=None, y=None, **params):
    model = HistGradientBoostingClassifier(random_state=cfg.seed, **params)
    with threadpool_limits(1):
        model.fit(X_train if X is None else X, y_train if y is None else y)
    return model


with measure("09 option B: gradient boosting", lesson="09", instance=INSTANCE) as run_b:
    b_max_iter = cfg.pick(ci=40, grade=100)
    hgb = train_hgb(max_iter=b_max_iter)
row_b = evaluate("B: gradient boosting", hgb.predict_proba(X_test)[:, 1], hgb.predict_proba(X_val)[:, 1], run_b)
run_b.log(metric="recall_at_5pct_fpr", value=row_b["recall_at_5pct"])
print(run_b)

results = pd.DataFrame([row_a, row_b]).set_index("option")
results["cost_per_run_usd"] = results["train_seconds"] * usd_per_hour / 3600
results.round(5)

# %% [markdown]
# Read the table carefully: three questions, answered from your run's numbers below.
#
# 1. **Does accuracy tell the options apart?** Compare B's accuracy with that of a model that
#    approves every loan. A's weighted loss makes it flag more loans at the default 0.5 threshold,
#    which costs accuracy and says nothing about the business's operating point.
# 2. **Which option catches more bad loans at 5% false alarms, and at what training cost?** Wall-clock
#    times on a busy machine swing, so the cost ratio is rough; the order of magnitude is what counts.
# 3. **How sure are we of the recall gap?** Recall is a share of a small number of bad loans: its
#    standard error is about sqrt(r x (1 - r) / n) for n bad loans in the test split. That formula
#    ignores that both options are scored on the *same* loans and that each threshold is itself
#    estimated, so we also draw a **paired bootstrap** (`tradeoffs.intervals.bootstrap_interval`, on
#    `scipy.stats.bootstrap`): resample the test loans with replacement, recompute both thresholds and
#    both recalls, and read the gap's 95% interval.

# %%
approve_all = 1 - y_test.mean()
gap_pts = 100 * (row_a["recall_at_5pct"] - row_b["recall_at_5pct"])
recall_se_pts = 100 * math.sqrt(max(row_b["recall_at_5pct"] * (1 - row_b["recall_at_5pct"]), 1e-12) / y_test.sum())
train_ratio = results.loc["A: deep MLP", "train_seconds"] / results.loc["B: gradient boosting", "train_seconds"]


def recall_gap_pts(y, scores_a, scores_b):
    """A's recall minus B's at 5% false alarms, in points, on one (resampled) split."""
    if y.min() == y.max():  # a resample without a bad (or a good) loan has no recall to compare
        return 0.0
    return 100 * (recall_at_false_alarm_rate(y, scores_a) - recall_at_false_alarm_rate(y, scores_b))


gap_ci = bootstrap_interval(recall_gap_pts, y_test, mlp_scores(net_a, X_test), hgb.predict_proba(X_test)[:, 1],
                            n_resamples=cfg.pick(ci=200, grade=500, laptop=1000), seed=cfg.seed)
claim("09.accuracy_near_approve_all", abs(row_b["accuracy"] - approve_all) < 0.02,
      holds_text=f"Accuracy hardly tells the options apart: B scores {row_b['accuracy']:.3f} and approving every "
                 f"loan scores {approve_all:.3f}; A scores {row_a['accuracy']:.3f}.",
      fails_text=f"B's accuracy ({row_b['accuracy']:.3f}) is more than 2 points from the {approve_all:.3f} of "
                 f"approving every loan on this run; A scores {row_a['accuracy']:.3f}. Even so, accuracy weighs a "
                 "missed bad loan like a wrongly flagged good one, which is not what the business pays for.")
claim("09.a_costlier_to_train", train_ratio > 1,
      holds_text=f"At 5% false alarms A's recall is {row_a['recall_at_5pct']:.3f} and B's "
                 f"{row_b['recall_at_5pct']:.3f} (a gap of {gap_pts:+.1f} points), and A took {train_ratio:.1f}x "
                 "B's training time.",
      fails_text=f"At 5% false alarms A's recall is {row_a['recall_at_5pct']:.3f} and B's "
                 f"{row_b['recall_at_5pct']:.3f} (a gap of {gap_pts:+.1f} points); on this run A trained in "
                 f"{train_ratio:.2f}x B's time, because at this scale A runs few epochs on few loans while B's "
                 "fixed costs dominate; at laptop scale A takes far longer than B.", hedged=True)
claim("09.recall_gap_within_noise", gap_ci.low <= 0 <= gap_ci.high,
      holds_text=f"The test split holds {y_test.sum()} bad loans, so one recall figure has a standard error of "
                 f"about {recall_se_pts:.1f} points, and the paired bootstrap puts the gap A - B between "
                 f"{gap_ci.low:+.1f} and {gap_ci.high:+.1f} points (95%): the {gap_pts:+.1f}-point gap "
                 f"(about {abs(gap_pts) / 100 * y_test.sum():.0f} of {y_test.sum()} loans) could be zero: too few "
                 "to call a winner.",
      fails_text=f"The test split holds {y_test.sum()} bad loans, so one recall figure has a standard error of "
                 f"about {recall_se_pts:.1f} points, and the paired bootstrap puts the gap A - B between "
                 f"{gap_ci.low:+.1f} and {gap_ci.high:+.1f} points (95%), an interval without zero: a real "
                 "difference at this operating point on this run.", hedged=True)

# %% [markdown]
# ## 5. Tune the baseline before you buy the expensive model
#
# Lesson 03's rule: before paying for a bigger model, spend a little on the cheap one. A small grid
# over the learning rate, tree size and L2 regularisation costs a few baseline runs.
#
# Lesson 02's rule decides how we pick the winner: **choose on validation, report on test**. Each
# candidate trains on the training split; we keep the one with the best **validation** recall at 5%
# false alarms (`best_b`), and only then look at its **test** recall, the number we compare with
# option A. Picking the candidate with the best test recall would reward the luckiest candidate on
# those very loans and overstate the tuned baseline.

# %%
grid = cfg.pick(ci=[dict(learning_rate=0.05, max_leaf_nodes=15)],
                grade=[dict(learning_rate=0.05, max_leaf_nodes=15), dict(learning_rate=0.03, max_leaf_nodes=7, l2_regularization=1.0)],
                laptop=[dict(learning_rate=0.05, max_leaf_nodes=15), dict(learning_rate=0.03, max_leaf_nodes=7, l2_regularization=1.0),
                        dict(learning_rate=0.05, max_leaf_nodes=7, min_samples_leaf=50), dict(learning_rate=0.1, max_depth=3, l2_regularization=1.0)])
tuned_rows = []
for params in tqdm(grid, desc="tuning B"):
    params = dict(max_iter=cfg.pick(ci=40, grade=150, laptop=200), **params)
    with measure("09 option B tuned", lesson="09", instance=INSTANCE) as run:
        model = train_hgb(**params)
    row = evaluate(f"B tuned {params}", model.predict_proba(X_test)[:, 1], model.predict_proba(X_val)[:, 1], run)
    run.log(metric="recall_at_5pct_fpr", value=row["recall_at_5pct"], notes=str(params))
    tuned_rows.append(row)
tuned = pd.DataFrame(tuned_rows).set_index("option")
tuned["cost_per_run_usd"] = tuned["train_seconds"] * usd_per_hour / 3600
tuning_cost_usd = tuned["cost_per_run_usd"].sum()
best_b = tuned["val_recall_at_5pct"].idxmax()        # chosen on validation ...
print(f"tuning cost ${tuning_cost_usd:.6f} in total for {len(tuned)} run(s); chosen on validation: {best_b} "
      f"(validation recall {tuned.loc[best_b, 'val_recall_at_5pct']:.3f})")
print(f"test recall at 5% false alarms (reported once): tuned B {tuned.loc[best_b, 'recall_at_5pct']:.3f}, "
      f"A {row_a['recall_at_5pct']:.3f}, default B {row_b['recall_at_5pct']:.3f}")   # ... reported on test
tuned[["val_recall_at_5pct", "recall_at_5pct", "roc_auc", "train_seconds", "cost_per_run_usd"]].round(5)

# %%
tuned_test = tuned.loc[best_b, "recall_at_5pct"]
a_led_default = row_a["recall_at_5pct"] > row_b["recall_at_5pct"]
claim("09.tuned_b_matches_a", tuned_test >= row_a["recall_at_5pct"],
      holds_text=f"On your run the tuned baseline chosen on validation caught {tuned_test:.3f} of the bad test loans "
                 f"at 5% false alarms, at least as many as the deep network ({row_a['recall_at_5pct']:.3f}), for "
                 f"${tuning_cost_usd:.6f} of tuning in total: "
                 + ("the lead A had over the default baseline did not survive a few cheap runs of the cheap one."
                    if a_led_default else "A was not ahead of even the default baseline on this run."),
      fails_text=f"On your run the deep network kept its lead: {row_a['recall_at_5pct']:.3f} recall on test against "
                 f"{tuned_test:.3f} for the tuned baseline chosen on validation (after ${tuning_cost_usd:.6f} of "
                 "tuning). With a grid this small and a validation split with few bad loans, the validation "
                 "choice is noisy; compare the gap with the standard error above before paying for A.", hedged=True)


# %% [markdown]
# On tabular data a few tuning runs of a gradient-boosting baseline often close the gap to a deep
# network (not always, and not on every split, as your run may show), which is why you tune the
# baseline **before** committing to the expensive model. Note what the comparison above did *not* do:
# it never used a test score to choose.
#
# ## 6. The business view: expected losses per day
#
# Say the business sees `frauds_per_day` frauds and `legit_per_day` good transactions a day. With
# a model of recall *r* at false-alarm rate *f*:
#
# * every missed fraud loses `loss_per_fraud` dollars: **frauds x (1 - r) x loss**;
# * every false alarm costs an analyst's review, `cost_per_alarm`: **legit x f x cost**;
# * the model is retrained `retrains_per_day` times at `train_usd` per run: **retrains x train_usd**.
#
# ### Exercise 2 (3 points): expected daily cost
#
# Write `expected_daily_cost(recall, false_alarm_rate, train_usd, retrains_per_day, frauds_per_day,
# legit_per_day, loss_per_fraud, cost_per_alarm)` returning the sum of the three terms (dollars per day).

# %% nbgrader={"grade": false, "grade_id": "expected_daily_cost", "locked": false, "schema_version": 3, "solution": true}
def expected_daily_cost(recall, false_alarm_rate, train_usd, retrains_per_day, frauds_per_day,
                        legit_per_day, loss_per_fraud, cost_per_alarm):
    """Missed-fraud losses + false-alarm reviews + training bills, per day."""
    ### BEGIN SOLUTION
    missed = frauds_per_day * (1 - recall) * loss_per_fraud
    alarms = legit_per_day * false_alarm_rate * cost_per_alarm
    training = retrains_per_day * train_usd
    return missed + alarms + training
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_expected_daily_cost", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
from tradeoffs.checks import explained
with explained("expected_daily_cost", "dollars per day"):
    cost = expected_daily_cost(recall=0.6, false_alarm_rate=0.05, train_usd=2.0, retrains_per_day=4,
                               frauds_per_day=10, legit_per_day=1000, loss_per_fraud=100, cost_per_alarm=1.0)
assert math.isclose(cost, 400 + 50 + 8), (
    f"10 frauds x 40% missed x $100 = $400, 1000 good x 5% x $1 = $50 of reviews, 4 retrains x $2 = $8: "
    f"expected $458, got {cost!r}.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("perfect model", lambda: float(expected_daily_cost(1.0, 0.0, 0.0, 0, 50, 10**6, 500, 3.0)),
             why="A perfect model with no false alarms and no retraining costs nothing.")
observe_call("recall 0", lambda: float(expected_daily_cost(0.0, 0.0, 5.0, 0, 3, 100, 200, 1.0)),
             why="Recall 0 misses every fraud.")
observe_call("every term", lambda: float(expected_daily_cost(0.5, 0.1, 0.25, 24, 2, 200, 1000, 2.5)),
             why="Every term counts: missed frauds, reviews of false alarms, and each retrain.")
### END HIDDEN TESTS

# %% [markdown]
# Now with our measured options: A, the default B and every tuned candidate (the one we keep is
# `best_b`, chosen on validation). The test recall is what each option is reported with. The loss
# figures below are assumptions a fraud team would supply; change them and rerun to see the decision move.

# %%
business = dict(frauds_per_day=40, legit_per_day=20_000, loss_per_fraud=250.0, cost_per_alarm=2.0)
retrains_per_day = 24        # the data drifts: retrain every hour
options = pd.concat([results, tuned])
options["daily_training_usd"] = retrains_per_day * options["cost_per_run_usd"]
options["expected_daily_cost"] = [
    expected_daily_cost(r.recall_at_5pct, FALSE_ALARM_RATE, r.cost_per_run_usd, retrains_per_day, **business)
    for r in options.itertuples()]
daily_budget = 1.0
options["retrains_per_day_for_$1"] = np.floor(daily_budget / options["cost_per_run_usd"])
options[["val_recall_at_5pct", "recall_at_5pct", "cost_per_run_usd", "daily_training_usd", "expected_daily_cost",
         "retrains_per_day_for_$1"]].round(4)

# %%
trees = options.drop(index="A: deep MLP")
missed_share = (business["frauds_per_day"] * (1 - options["recall_at_5pct"]) * business["loss_per_fraud"]
                / options["expected_daily_cost"])
print(f"For ${daily_budget:.0f} a day your run can retrain A {options.loc['A: deep MLP', 'retrains_per_day_for_$1']:,.0f} "
      f"times and the tree models {trees['retrains_per_day_for_$1'].min():,.0f} to "
      f"{trees['retrains_per_day_for_$1'].max():,.0f} times.")
print(f"Expected daily cost: ${options['expected_daily_cost'].min():,.0f} to ${options['expected_daily_cost'].max():,.0f}, "
      f"of which missed frauds are {missed_share.min():.1%} to {missed_share.max():.1%}; the training bill is at most "
      f"${options['daily_training_usd'].max():.4f} a day.")


# %% [markdown]
# The last column answers the cadence question: for the same dollar a day, how often can each option
# be retrained? If the data drifts every hour, an option that a dollar retrains hundreds of times a
# day can follow it; if it drifts every minute (as card fraud can), only an option that a dollar
# retrains thousands of times can keep up for the same money. Note also the scale of the numbers
# printed above: almost all of the expected daily cost is missed frauds, and training bills of
# fractions of a cent a day cannot decide this choice; **one point of recall** is worth
# 40 x 0.01 x \$250 = \$100 a day with these business figures.
#
# ### Exercise 3 (3 points): the break-even fraud loss
#
# Option A wins when the frauds it catches *in addition* to B are worth more than its extra daily
# costs. Write `break_even_loss(a, b, frauds_per_day, legit_per_day, cost_per_alarm)` where `a` and
# `b` are dicts with keys `recall`, `false_alarm_rate` and `daily_training_usd`. Return the loss per
# fraud (dollars) at which both options have the **same** expected daily cost. If A catches no more
# frauds than B (`recall` not higher), return `math.inf` (A never wins on losses); if A is better
# *and* not more expensive, return `0.0`.
#
# Then write `break_even_vs_tuned(options, business)`. `options` is a table like ours: one row per
# option, indexed by name, with the columns `recall_at_5pct` (test), `val_recall_at_5pct`
# (validation) and `daily_training_usd`; option A is the row `"A: deep MLP"` and the tuned baselines
# are the rows whose name starts with `"B tuned"`. Choose the tuned baseline with the highest
# **validation** recall *in the table you are given* (not the global `best_b`: the function must work
# on any such table), and return `break_even_loss` of A against it, with each option turned into a
# dict by the given `as_option` (test recall, `FALSE_ALARM_RATE`, daily training bill) and the
# `frauds_per_day`, `legit_per_day` and `cost_per_alarm` of `business`. The code under your
# functions applies it to our options: `break_even = break_even_vs_tuned(options, business)`.

# %% nbgrader={"grade": false, "grade_id": "break_even_loss", "locked": false, "schema_version": 3, "solution": true}
def as_option(row):
    """One row of an options table as the dict break_even_loss takes (test recall, false alarms, daily bill)."""
    return {"recall": row["recall_at_5pct"], "false_alarm_rate": FALSE_ALARM_RATE,
            "daily_training_usd": row["daily_training_usd"]}


def break_even_loss(a, b, frauds_per_day, legit_per_day, cost_per_alarm):
    """Loss per fraud at which options a and b cost the same per day."""
    ### BEGIN SOLUTION
    extra_recall = a["recall"] - b["recall"]
    extra_cost = (a["daily_training_usd"] - b["daily_training_usd"]
                  + legit_per_day * cost_per_alarm * (a["false_alarm_rate"] - b["false_alarm_rate"]))
    if extra_recall <= 0:
        return math.inf
    if extra_cost <= 0:
        return 0.0
    return extra_cost / (frauds_per_day * extra_recall)
    ### END SOLUTION


def break_even_vs_tuned(options, business):
    """break_even_loss of option A against the tuned baseline with the best validation recall."""
    ### BEGIN SOLUTION
    tuned_rows = options[options.index.str.startswith("B tuned")]
    chosen = tuned_rows["val_recall_at_5pct"].idxmax()
    return break_even_loss(as_option(options.loc["A: deep MLP"]), as_option(options.loc[chosen]),
                           business["frauds_per_day"], business["legit_per_day"], business["cost_per_alarm"])
    ### END SOLUTION


break_even = break_even_vs_tuned(options, business)
print(f"option A pays for itself when a missed fraud costs more than ${break_even:,.4f}")

# %% nbgrader={"grade": true, "grade_id": "test_break_even_loss", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
A = {"recall": 0.70, "false_alarm_rate": 0.05, "daily_training_usd": 30.0}
B = {"recall": 0.60, "false_alarm_rate": 0.05, "daily_training_usd": 10.0}
from tradeoffs.checks import explained
with explained("break_even_loss", "a loss per fraud in dollars"):
    got = break_even_loss(A, B, frauds_per_day=20, legit_per_day=10_000, cost_per_alarm=1.0)
assert math.isclose(got, 10.0), (
    f"A costs $20/day more and catches 0.10 x 20 = 2 more frauds a day: it breaks even at $10 per fraud, got {got!r}.")
# The daily costs written out here (not with your expected_daily_cost, so that a slip there is not charged twice).
_ca = 20 * (1 - 0.70) * got + 10_000 * 0.05 * 1.0 + 30.0
_cb = 20 * (1 - 0.60) * got + 10_000 * 0.05 * 1.0 + 10.0
assert math.isclose(_ca, _cb), (
    f"At the break-even loss both options must have the same expected daily cost; at ${got!r} per fraud A costs "
    f"${_ca:.2f} and B ${_cb:.2f} a day.")
_visible = pd.DataFrame({"recall_at_5pct": [0.70, 0.60, 0.65], "val_recall_at_5pct": [0.70, 0.60, 0.64],
                         "daily_training_usd": [30.0, 10.0, 10.0]},
                        index=["A: deep MLP", "B: gradient boosting", "B tuned {'max_leaf_nodes': 7}"])
with explained("break_even_vs_tuned", "a loss per fraud in dollars"):
    _vs = break_even_vs_tuned(_visible, dict(frauds_per_day=20, legit_per_day=10_000, loss_per_fraud=100.0,
                                             cost_per_alarm=1.0))
assert math.isclose(_vs, 20.0), (
    f"Against the only tuned baseline (recall 0.65, $10/day) A costs $20/day more and catches 0.05 x 20 = 1 more "
    f"fraud a day: $20 per fraud, got {_vs!r}. Compare A with the TUNED baseline, not the default one.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
observe_call("A catches fewer", lambda: float(break_even_loss(B, A, 20, 10_000, 1.0)),
             why="If A catches fewer frauds it never wins: return math.inf.")
observe_call("equal recall", lambda: float(break_even_loss({**A, "recall": 0.60}, B, 20, 10_000, 1.0)),
             why="Equal recall: A never wins on losses.")
cheap_a = {**A, "daily_training_usd": 5.0}
observe_call("better and cheaper", lambda: float(break_even_loss(cheap_a, B, 20, 10_000, 1.0)),
             why="Better and cheaper: A wins at any loss (0.0).")
noisy_a = {**A, "false_alarm_rate": 0.06}
observe_call("extra false alarms", lambda: float(break_even_loss(noisy_a, B, 20, 10_000, 1.0)),
             why="Extra false alarms are part of A's extra cost: 1% more of 10,000 reviews at $1 each.")
observe_call("fewer frauds a day", lambda: float(break_even_loss(A, B, 5, 10_000, 1.0)),
             why="Fewer frauds a day: each must be worth more.")
# A constructed table (written out here, not built with your other functions) on which the tuned baseline
# chosen on validation (x), the one with the best TEST recall (y) and the default baseline give three
# different break-even losses: $10, $22 and $15.625 per fraud.
_opts = pd.DataFrame({"recall_at_5pct": [0.70, 0.62, 0.60, 0.65], "val_recall_at_5pct": [0.68, 0.50, 0.66, 0.58],
                      "daily_training_usd": [30.0, 5.0, 10.0, 8.0]},
                     index=["A: deep MLP", "B: gradient boosting", "B tuned x", "B tuned y"])
_biz = dict(frauds_per_day=20, legit_per_day=10_000, loss_per_fraud=100.0, cost_per_alarm=1.0)
observe_call("against the tuned B chosen on validation", lambda: float(break_even_vs_tuned(_opts, _biz)),
             why="Compare A with the tuned baseline that has the best VALIDATION recall (choose on validation, "
                 "report on test), not the one with the best test recall and not the default baseline.")
observe_call("rows in another order", lambda: float(break_even_vs_tuned(_opts.iloc[::-1], _biz)),
             why="Find the options by name (the index), not by their position in the table.")
observe_call("the business figures passed in", lambda: float(break_even_vs_tuned(_opts, {**_biz, "frauds_per_day": 40})),
             why="Use the frauds_per_day (and the other figures) of the business dict passed in.")
_args = [business[k] for k in ("frauds_per_day", "legit_per_day", "cost_per_alarm")]
_exp = break_even_loss(as_option(options.loc["A: deep MLP"]), as_option(options.loc[best_b]), *_args)
# Your measured options differ from the reference run's: compare with what this run's options give.
observe("break_even_loss on this run's options", float(_exp), checked=False)
observe_call("break_even", lambda: float(break_even), same_as="break_even_loss on this run's options", rel=0.0, abs=0.0,
             why="break_even should be break_even_loss of option A against the tuned B chosen on validation "
                 "(best_b), with the business figures.")
### END HIDDEN TESTS

# %%
claim("09.break_even_infinite", math.isinf(break_even),
      holds_text="With your measurements `break_even` is **infinite**: the tuned baseline chosen on validation "
                 "catches at least as many bad test loans as the deep network, so no fraud loss makes A worth "
                 "its extra cost.",
      fails_text=(f"With your measurements `break_even` is **${break_even:,.4f}** per fraud: A caught more bad test "
                  f"loans than the tuned baseline, so compare this with the business's real loss per fraud "
                  f"(${business['loss_per_fraud']:,.0f} here): above it, A's extra recall pays for its extra "
                  "training; below it, it does not." if break_even > 0 else
                  "With your measurements `break_even` is **0**: A caught more bad test loans than the tuned "
                  "baseline and costs no more per day, so it wins at any loss per fraud.")
                 + " Check the recall gap against the standard error of section 4 before trusting it.",
      hedged=True)

# %% [markdown]
# With more data or a GPU-priced A the extra cost grows and the break-even moves up.
#
# ## 7. The budget guard on a real run
#
# Now the guard earns its keep. Suppose option A had to be trained on the 8-GPU `aws-p4d.24xlarge`
# (its hourly price comes from the course's price table) and finance gave us **a quarter** of what a
# full run of A would cost there. We size that budget from this run's own measurement: the **fastest**
# epoch of option A's run in section 3 (`epoch_seconds_a`), times the number of epochs, so the estimate
# of a full run is if anything low, and a warm-up or a busy moment during section 3 cannot inflate it.
# Then we retrain A with that limit: the guard measures the first epochs, projects the bill, and
# stops the run long before the money is gone, instead of an alarm e-mail arriving afterwards.
#
# A full run costs at least `epochs_a` times the fastest epoch, and the limit is a quarter of that:
# the guard's projection after the first epoch stays under the limit only if that epoch runs more than
# four times faster than the fastest epoch already measured for the same network on the same data,
# which a rerun on the same machine does not do.

# %%
p4d_rate = hourly_rate("aws-p4d.24xlarge")
fastest_epoch_s = min(epoch_seconds_a)
full_run_cost_p4d = epochs_a * fastest_epoch_s * p4d_rate / 3600
guard = BudgetGuard(limit_usd=0.25 * full_run_cost_p4d, usd_per_hour=p4d_rate)
with measure("09 option A under a budget guard", lesson="09", instance="aws-p4d.24xlarge") as run_guarded:
    _, epochs_guarded, stopped, epoch_seconds_guarded = train_mlp(epochs_a, guard=guard, desc="option A, guarded")
stopped_early = bool(stopped) and epochs_guarded < epochs_a
spent_share = sum(epoch_seconds_guarded) / (epochs_a * fastest_epoch_s)
print(f"full run of A on the p4d: at least ${full_run_cost_p4d:.5f} ({epochs_a} epochs x {fastest_epoch_s:.3f} s, "
      f"its fastest epoch); limit ${guard.limit_usd:.5f}")
print(f"guarded run: {'stopped' if stopped else 'finished'} after {epochs_guarded}/{epochs_a} epochs "
      f"({', '.join(f'{t:.3f}' for t in epoch_seconds_guarded)} s); last projection ${guard.projected_usd:.5f}; "
      f"metered spend ${run_guarded.cost_usd:.5f}")
claim("09.guard_stops_early", stopped_early,
      holds_text=f"Your guard stopped the run after **{epochs_guarded} of {epochs_a} epochs**, as soon as the "
                 f"projection (${guard.projected_usd:.5f}) passed the ${guard.limit_usd:.5f} limit, having "
                 f"trained for about {spent_share:.0%} of the full run's estimated time instead of hitting "
                 "the limit partway through with nothing to show for it.",
      fails_text=f"Your guard did not stop the run early ({'stopped' if stopped else 'finished'} after "
                 f"{epochs_guarded} of {epochs_a} epochs, last projection ${guard.projected_usd:.5f} against a "
                 f"${guard.limit_usd:.5f} limit): its epochs ran more than four times faster than the fastest "
                 "epoch of section 3, or your should_stop does not project the whole run. Check Exercise 1.")

# %% [markdown]
# In a real cloud job the same check would also save a checkpoint and release the machine.
#
# ## 8. The course-wide Pareto frontier
#
# Every lesson wrote its runs to the results ledger (`results/ledger.csv`). Here we read it back and
# draw, for the most common metric (accuracy) plus this lesson's recall, the options that no other
# option beats on both quality and cost. While autograding the ledger is switched off, and then the
# plot falls back to this lesson's own rows (and says so).

# %%
ledger = read_ledger()
ledger = ledger[pd.to_numeric(ledger["value"], errors="coerce").notna() & pd.to_numeric(ledger["cost_usd"], errors="coerce").notna()]
ledger_on = tradeoffs.ledger.ledger_path() is not None
if ledger_on and len(ledger) and (pd.to_numeric(ledger["lesson"], errors="coerce") != 9).any():
    source = "the course ledger"
    ledger = ledger[ledger["metric"].isin(["accuracy", "recall_at_5pct_fpr"])].copy()
else:
    source = "this lesson's own runs only (the ledger is switched off, e.g. while autograding, or holds no other lesson's rows)"
    own = pd.concat([results, tuned])
    ledger = pd.DataFrame({"lesson": "09", "name": own.index, "metric": "recall_at_5pct_fpr",
                           "value": own["recall_at_5pct"].to_numpy(), "cost_usd": own["cost_per_run_usd"].to_numpy()})
ledger["value"] = ledger["value"].astype(float)
ledger["cost_usd"] = ledger["cost_usd"].astype(float).clip(lower=1e-9)
ledger["label"] = (ledger["lesson"].astype(str).str.zfill(2) + " "
                   + ledger["name"].astype(str).str.replace(r"^\d\d ", "", regex=True).str.slice(0, 28))
print(f"frontier drawn from {source}: {len(ledger)} rows")
fig, axes = plt.subplots(1, ledger["metric"].nunique(), figsize=(7 * ledger["metric"].nunique(), 4.5), squeeze=False)
for ax, (metric, part) in zip(axes[0], ledger.groupby("metric")):
    part = part.reset_index(drop=True)
    front = frontier_2d(part["cost_usd"], part["value"])
    plot_frontier(part, x="cost_usd", y="value", label="label" if len(part) <= 25 else None, on_front=front,
                  ax=ax, logx=True, title=f"{metric}: quality vs training cost ({source.split(' (')[0]})")
    ax.set_ylabel(metric)
plt.show()

# %% [markdown]
# ## 9. Costs that decide: projecting training to production
#
# Every training bill so far was a fraction of a cent, because we trained on a few thousand loans.
# The payments team's real workload is larger: **10 million transactions, retrained nightly (30 runs
# a month)**. We cannot time that here, but we can measure how fit time grows with the data and
# extrapolate: time each option's fit at several training-set sizes (a warm-up fit first, then the
# median of 3 fits), fit `seconds = a x size^b` on log-log axes (`tradeoffs.projection.fit_scaling`),
# and price the projected run on the price table's machines (`tradeoffs.projection.project`). The
# exponent's 90% confidence interval gives the range of each projection.
#
# The cost basis is **CPU seconds on one core** (both options are limited to one thread), which a busy
# shared machine disturbs less than wall-clock time. Assumptions, stated: each run keeps this lesson's
# settings (A: the same epochs; B: the same boosting rounds); an `aws-m7i.large` runs the fit as fast
# as the core we measured on; a 16-vCPU `aws-c7i.4xlarge` runs it 8 times faster (perfect scaling over
# 8 cores, which lesson 06 showed is optimistic). An exponent measured on a few thousand rows is
# uncertain, and fixed per-fit costs (B's per-tree overhead) make it look smaller than it will be at
# millions of rows: read the range, and for B also the linear estimate printed beside it.

# %%
from tradeoffs.projection import fit_scaling, project

WORKLOAD_ROWS, RUNS_PER_MONTH, C7I_SPEEDUP = 10_000_000, 30, 8.0
scaling_sizes = [n for n in cfg.pick(ci=[200, 400, 800, 1500], grade=[300, 600, 1200, 2400],
                                     laptop=[500, 1000, 2000, 4000]) if n <= len(X_train)]
scaling_order = np.random.default_rng(cfg.seed).permutation(len(X_train))
scaling_fits = {
    "A: deep MLP": lambda idx: train_mlp(epochs_a, X=X_train[idx], y=y_train[idx], seed=cfg.seed, progress=False),
    "B: gradient boosting": lambda idx: train_hgb(X=X_train[idx], y=y_train[idx], max_iter=b_max_iter),
}
timing_rows = []
for name, fit in scaling_fits.items():
    fit(scaling_order[:scaling_sizes[0]])              # warm-up: the first fit pays one-off costs
    for n in scaling_sizes:
        cpu = []
        for _ in range(3):
            start = time.process_time()
            fit(scaling_order[:n])
            cpu.append(time.process_time() - start)
        timing_rows.append({"option": name, "rows": n, "cpu_seconds": max(float(np.median(cpu)), 1e-4)})
timings = pd.DataFrame(timing_rows)
scaling = {name: fit_scaling(part["rows"], part["cpu_seconds"]) for name, part in timings.groupby("option")}

projection_rows = []
for name, fit in scaling.items():
    for instance, speedup in [("aws-m7i.large", 1.0), ("aws-c7i.4xlarge", C7I_SPEEDUP)]:
        proj = project(fit, WORKLOAD_ROWS, instance, speedup=speedup, runs_per_month=RUNS_PER_MONTH)
        projection_rows.append({"option": name, "instance": instance, "exponent": fit.exponent,
                                "exponent_low": fit.exponent_low, "exponent_high": fit.exponent_high,
                                "hours_per_run": proj.hours[0], "hours_low": proj.hours[1], "hours_high": proj.hours[2],
                                "usd_per_month": proj.usd_per_month[0], "usd_month_low": proj.usd_per_month[1],
                                "usd_month_high": proj.usd_per_month[2]})
projections = pd.DataFrame(projection_rows)
for r in projections.itertuples():
    print(f"{r.option} on {r.instance}: exponent {r.exponent:.2f} (90%: {r.exponent_low:.2f} to {r.exponent_high:.2f}); "
          f"{r.hours_per_run:.2f} h per run ({r.hours_low:.2f} to {r.hours_high:.2f}), "
          f"${r.usd_per_month:,.2f} a month (${r.usd_month_low:,.2f} to ${r.usd_month_high:,.2f})")
_b = scaling["B: gradient boosting"]
_b_linear_h = _b.largest_seconds * WORKLOAD_ROWS / _b.largest_size / 3600
print(f"If B's time grew linearly from {_b.largest_size:,.0f} rows instead: {_b_linear_h:.2f} h per run on one core, "
      f"${_b_linear_h * hourly_rate('aws-m7i.large') * RUNS_PER_MONTH:,.2f} a month on the m7i.")
projections.round(4)

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
grid_rows = np.logspace(np.log10(min(scaling_sizes)), np.log10(WORKLOAD_ROWS), 50)
for (name, part), color in zip(timings.groupby("option"), ["C0", "C1"]):
    fit = scaling[name]
    ax.scatter(part["rows"], part["cpu_seconds"], color=color, label=f"{name} (measured)")
    ax.plot(grid_rows, fit.coefficient * grid_rows ** fit.exponent, color=color, linestyle="--",
            label=f"fit: exponent {fit.exponent:.2f}")
    low, high = zip(*[fit.seconds_at(n)[1:] for n in grid_rows])
    ax.fill_between(grid_rows, low, high, color=color, alpha=0.15)
ax.axvline(WORKLOAD_ROWS, color="0.5", linestyle=":", label="10 million transactions")
ax.set_xscale("log"); ax.set_yscale("log"); ax.grid(alpha=0.3); ax.legend(fontsize=8)
ax.set_xlabel("training rows"); ax.set_ylabel("CPU seconds per fit (one core)")
ax.set_title("Fit time against data size, extrapolated to production")
plt.show()

# %%
_by = projections.set_index(["option", "instance"])
_a_m7i = _by.loc[("A: deep MLP", "aws-m7i.large")]
_b_m7i = _by.loc[("B: gradient boosting", "aws-m7i.large")]
point_per_month = business["frauds_per_day"] * 0.01 * business["loss_per_fraud"] * 30
business_per_month = 30 * options.loc[best_b, "expected_daily_cost"]
_a_fit = scaling["A: deep MLP"]
_rows_for_point = (WORKLOAD_ROWS * (point_per_month / _a_m7i["usd_per_month"]) ** (1 / _a_fit.exponent)
                   if _a_fit.exponent > 0 else math.inf)
print(f"At 10 million transactions nightly, training A costs about ${_a_m7i['usd_per_month']:,.0f} a month on the m7i "
      f"(${_a_m7i['usd_month_low']:,.0f} to ${_a_m7i['usd_month_high']:,.0f}) and B about ${_b_m7i['usd_per_month']:,.2f}; "
      f"one point of recall is worth ${point_per_month:,.0f} a month and the business's expected cost with the tuned "
      f"baseline is ${business_per_month:,.0f} a month. "
      + (f"A's training bill is already {_a_m7i['usd_per_month'] / point_per_month:.1f}x a point of recall: at this "
         "workload, A must catch at least that many more points of recall to pay for its training."
         if _a_m7i["usd_per_month"] >= point_per_month else
         f"A's training bill is {_a_m7i['usd_per_month'] / point_per_month:.1%} of a point of recall, so recall still "
         f"decides; training cost starts to matter when it reaches a point of recall, at about "
         f"{_rows_for_point / 1e6:,.0f} million transactions per nightly run (from the fitted exponent)."))
claim("09.projected_a_costlier_than_b", _a_m7i["usd_per_month"] > _b_m7i["usd_per_month"],
      holds_text=f"Projected to production, A's training costs **{_a_m7i['usd_per_month'] / _b_m7i['usd_per_month']:,.0f}x** "
                 "B's per month: A's time grows about in proportion to the data (and to its epochs), while B's "
                 f"measured exponent ({_b.exponent:.2f}) is lower. B's extrapolation is the uncertain part: grown "
                 f"linearly from {_b.largest_size:,.0f} rows it would cost "
                 f"${_b_linear_h * hourly_rate('aws-m7i.large') * RUNS_PER_MONTH:,.2f} a month, "
                 + ("still less than A's." if _b_linear_h * hourly_rate('aws-m7i.large') * RUNS_PER_MONTH
                    < _a_m7i["usd_per_month"] else "as much as A's or more, so time B on more rows before relying on it."),
      fails_text=f"Projected to production, A's training cost only {_a_m7i['usd_per_month'] / _b_m7i['usd_per_month']:.2f}x "
                 "B's: at this scale A ran few epochs, and timings on a busy machine are noisy; rerun at laptop scale.")

# %% [markdown]
# ## 10. Checkpoint
#
# ### Exercise 4 (1 point): reading the results
#
# In a reference run (laptop scale, seed 0, on our shared 2-core machine) the default tree baseline
# scored 0.946 accuracy on the test loans, while the deep network, trained with a loss that weighs bad
# loans up, scored 0.907. Which statement is true?
#
# - **(a)** The tree baseline is better, because its accuracy on these loans is higher.
# - **(b)** Approving every loan also scores about 0.95, so accuracy says little here.
# - **(c)** The deep network must be better, because it has far more parameters.
# - **(d)** The cheaper option should always win, whatever a missed bad loan costs.
#
# Set `checkpoint_metric` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_metric", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_metric = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_metric", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_metric, str) and checkpoint_metric.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_metric.strip().lower(),
             why="What accuracy does a model that approves every loan get here? Reread section 1.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5 (1 point): a break-even loss by hand
#
# Another fraud team compares two models with the same false-alarm rate. Model X has recall 0.80,
# model Y has recall 0.75, and X's retraining costs \$30 a day more than Y's. The business sees 200
# frauds a day. Above which loss per missed fraud is X worth its extra cost?
#
# - **(a)** \$0.15
# - **(b)** \$600
# - **(c)** \$3.00
# - **(d)** \$1.50
#
# Set `checkpoint_break_even` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_break_even", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_break_even = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_break_even", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_break_even, str) and checkpoint_break_even.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_break_even.strip().lower(),
             why="Divide the extra daily cost by the extra frauds caught per day: 0.05 more recall on 200 frauds.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (1 point): \$500 and 12 hours, or \$20 and 15 minutes?
#
# A fraud team can retrain a deep model at \$500 and 12 hours per run, or a boosted-tree model at
# \$20 and 15 minutes per run. On validation, at the same false-alarm rate, the deep model's recall is
# 0.86 and the boosted model's 0.84. The business sees 50 frauds a day, each missed fraud loses \$40
# on average, and the model is retrained once a week. Which is the better buy?
#
# - **(a)** The deep model: one more fraud caught a day saves \$14,600 a year.
# - **(b)** The deep model: \$500 a run is small next to a year of fraud losses.
# - **(c)** The boosted model: a 12-hour run cannot be retrained every week.
# - **(d)** The boosted model: the deep one's extra \$480 a week saves \$280.
#
# Set `checkpoint_dilemma` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_dilemma", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_dilemma = "d"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_dilemma", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_dilemma, str) and checkpoint_dilemma.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_dilemma.strip().lower(),
             why="Put both sides on the same period: 0.02 more recall on 50 frauds a day at $40 each, "
                 "against the extra training cost of one run a week.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7 (4 points, graded by your instructor): your recommendation
#
# Write the recommendation you would send to the head of the payments team (8-12 sentences). Your
# instructor re-runs the notebook, and a single run's figures move, so argue from what holds from run
# to run: which option catches more bad loans at 5% false alarms and whether the gap is larger than
# its standard error, how the options' training costs compare (a ratio, an order of magnitude), the
# break-even loss (finite or not), and the projected monthly bill at 10 million transactions against
# the value of a point of recall. Say which option you would deploy, how often you would retrain it,
# what budget limit you would set on the guard, and what measurement would make you change your mind.

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_recommendation", "locked": false, "points": 4.0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Rubric (4 points):
# 1 point: a clear choice (A, B or tuned B) with a retraining cadence.
# 1 point: backed by at least three figures as rankings, ratios or orders of magnitude that the grader's
#   re-run reproduces (recall gap vs its standard error, training cost ratio, break-even loss, projected bill).
# 1 point: the business link: missed-fraud losses vs training bills, the break-even loss compared with the real loss per fraud.
# 1 point: a concrete budget guard limit and a condition that would change the decision (e.g. more data, a measured recall gap that tuning did not close, a much higher loss per fraud).
#
# Example (its numbers are reference values from one laptop-scale run, seed 0, on our shared 2-core
# machine; a learner quotes their own): "Deploy the tuned gradient-boosting model (B), chosen on the
# validation split. On the test split, at 5% false alarms, it catches 0.17 of the bad loans against 0.09
# for the deep network (ROC-AUC 0.74 vs 0.67; the standard error of one recall figure is about 3 points
# with 155 bad test loans, so the gap is real), while a run takes about 7 s instead of 59 s on an
# m7i.large ($0.0002 vs $0.0016 per run). With hourly retraining A would cost about $0.04 a day
# against half a cent for B; the money is small, but A only pays for itself if it catches more frauds,
# and my break-even is infinite because it does not. Retrain B every hour (24 runs cost about half a
# cent), cap any A experiment with a budget guard at $0.50 per run, and revisit if a larger dataset
# (10x the loans) or new features give A a recall lead of more than two standard errors at 5% false
# alarms that survives tuning B."
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# - Compare options on the number the business pays for (recall at a fixed false-alarm rate), not on
#   accuracy, and price every training run.
# - Choose on **validation** (which tuned baseline to keep), report on **test**, once.
# - **Tune the cheap baseline first**: a few cheap runs often close the gap to the expensive model.
# - Turn the metrics into **expected daily losses**; the **break-even fraud loss** tells you when the
#   expensive model pays for itself, and retraining cadence multiplies every training bill.
# - A **budget guard** projects the cost of finishing and stops a run before it overspends.
# - The course's ledger draws one Pareto frontier across every lesson: most of the options you trained
#   are dominated, and the survivors are a business decision.

# %% [markdown]
# ## In the cloud
#
# | here | managed counterpart | what it adds | what it costs |
# | --- | --- | --- | --- |
# | the budget guard that stops a run | **AWS Budgets** (alerts, and budget *actions* that can stop instances), **Google Cloud budgets and alerts**, **Azure Cost Management budgets** | alerts on actual and forecast spend across the whole account | AWS: budgets and alerts free; action-enabled budgets free for the first 62 budget-days a month, then $0.10 per budget-day (price list of 2020-10, unchanged in 2026-11) |
# | the ledger report grouped by lesson and run | **AWS Cost Explorer** grouped by cost-allocation tag, **Cloud Billing reports** by label | the real bill per project, team or experiment | consoles free; Cost Explorer API per request |
# | per-model explanations and the interpretability cost | **SageMaker Clarify**, **Vertex Explainable AI** | attribution reports for any model, stored with the model version | processing compute per report |
# | the model card of the decision | **SageMaker Model Registry** / **Model Cards**, **Vertex AI Model Registry** | versioned models with their metrics and approval status | storage |
#
# A cloud budget alert arrives hours after the money is spent (billing data lags); a guard inside the
# job, like the one in this lesson, stops the spending itself. Use both.
