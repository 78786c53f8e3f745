# %% [markdown]
# # Lesson 04 — Early stopping: diminishing returns
#
# "Train for 100 epochs" is one of the most common lines in a training script, and one of the
# most expensive. The first epochs of training buy a lot of accuracy; the later ones buy very
# little, and past some point they make the model *worse* on data it has not seen. Every one of
# those epochs is billed all the same.
#
# **Early stopping** watches a validation metric after every epoch and stops when it has not
# improved for `patience` epochs, then restores the weights of the best epoch. It is the
# cheapest regulariser there is: it *removes* compute instead of adding it.
#
# In this lesson you will
#
# 1. train a network on real MNIST digits for a fixed, generous number of epochs and watch
#    the returns diminish,
# 2. implement early stopping with patience, `min_delta` and best-weight restore, and measure the
#    epochs, seconds and dollars it saves and the accuracy it gives up,
# 3. tell a converged run from an overfit or underfit one, and see what weight decay and dropout
#    change.
#
# The numbers are measured on your machine; the sentences that describe them are written by the
# notebook from your run, and the exercises are checked on your own run.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import copy
import math
import os

import torch  # imported before tradeoffs.setup so that setup seeds it
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from torch import nn
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

import tradeoffs
from tradeoffs.data import load_mnist
from tradeoffs.meter import measure
from tradeoffs.prices import hourly_rate
from tradeoffs.figures import record_figure
from tradeoffs.claims import claim
from tradeoffs.torchtrain import make_mlp, fit, evaluate, as_tensors, count_parameters

cfg = tradeoffs.setup("04", scale=scale, device=device)
# A network this small gains nothing from more threads: one thread per process is the most
# efficient setting (and leaves the other cores free). Bigger models want more threads.
torch.set_num_threads(1)

# %% [markdown]
# ## 1. A fixed, generous training budget
#
# We split the digits into a training set (the network learns from it), a **validation** set
# (we watch it to decide when to stop) and a **test** set (touched only to report the final
# accuracy, so that the stopping decision cannot flatter it).
#
# The model is a small multi-layer perceptron: 784 pixels -> a hidden layer of ReLU units -> 10
# classes, trained with Adam on large mini-batches. The loop (`tradeoffs.torchtrain.fit`) records
# the training and validation loss and accuracy after every epoch, and how many seconds each
# epoch took.

# %%
X, y = load_mnist()
n_train = cfg.pick(ci=1000, grade=2500, laptop=2500)
X_train, X_rest, y_train, y_rest = train_test_split(X, y, train_size=n_train, random_state=cfg.seed, stratify=y)
X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.6, random_state=cfg.seed,
                                                stratify=y_rest)
X_train_t, y_train_t = as_tensors(X_train, y_train, cfg.device)
X_val_t, y_val_t = as_tensors(X_val, y_val, cfg.device)
X_test_t, y_test_t = as_tensors(X_test, y_test, cfg.device)
print(f"train {len(X_train)}, validation {len(X_val)}, test {len(X_test)} images")

HIDDEN = cfg.pick(ci=(64,), laptop=(256,))
EPOCHS = cfg.pick(ci=15, grade=40, laptop=100, full=200)
BATCH = cfg.pick(ci=100, laptop=500)
LR = 1e-3
RATE = hourly_rate("aws-m7i.large")


def new_model(dropout=0.0):
    """The same architecture and the same initial weights every time (seeded)."""
    return make_mlp(784, hidden=HIDDEN, n_classes=10, dropout=dropout, seed=cfg.seed)


print(f"MLP {784}-{'-'.join(map(str, HIDDEN))}-10: {count_parameters(new_model()):,} parameters; "
      f"fixed budget {EPOCHS} epochs, batch {BATCH}")
# Warm-up: the first fit in a kernel pays one-off costs (memory allocation, kernels loaded), which
# would be billed to whichever run comes first. One short, untimed fit makes the timed runs comparable.
_ = fit(new_model(), X_train_t[:4 * BATCH], y_train_t[:4 * BATCH], X_val_t, y_val_t, epochs=2, batch_size=BATCH,
        lr=LR, seed=cfg.seed, device=cfg.device, progress=False)

# %%
fixed_model = new_model()
with measure(f"MLP {EPOCHS} epochs fixed", lesson="04") as fixed_run:
    fixed_history = fit(fixed_model, X_train_t, y_train_t, X_val_t, y_val_t, epochs=EPOCHS, batch_size=BATCH,
                        lr=LR, seed=cfg.seed, device=cfg.device, desc="fixed budget")
fixed_test_loss, fixed_test_acc = evaluate(fixed_model, X_test_t, y_test_t)
fixed_run.log(metric="accuracy", value=fixed_test_acc, epochs=len(fixed_history))
print(fixed_run)
print(f"test accuracy after {len(fixed_history)} epochs: {fixed_test_acc:.4f}")
fixed_history.iloc[np.unique(np.linspace(0, len(fixed_history) - 1, 8).astype(int))].round(4)

# %% [markdown]
# Plot the curves. The left panel is the classic picture: training loss keeps falling, while
# validation loss falls, flattens and then **turns up**: the network starts memorising the
# training images. The dashed line marks the epoch with the lowest validation loss. The right
# panel shows what each epoch *buys*: validation accuracy against the seconds (and dollars) spent.

# %%
best_idx = int(fixed_history["val_loss"].idxmin())
best_epoch_fixed = int(fixed_history.loc[best_idx, "epoch"])
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
ax = axes[0]
ax.plot(fixed_history["epoch"], fixed_history["train_loss"], label="train loss")
ax.plot(fixed_history["epoch"], fixed_history["val_loss"], label="validation loss")
ax.axvline(best_epoch_fixed, color="k", ls="--", alpha=0.6, label=f"best validation loss (epoch {best_epoch_fixed})")
ax.set_yscale("log"); ax.set_xlabel("epoch"); ax.set_ylabel("cross-entropy"); ax.grid(alpha=0.3); ax.legend()
ax.set_title("Loss: validation stops improving")
ax = axes[1]
dollars = fixed_history["elapsed_seconds"] * RATE / 3600
ax.plot(fixed_history["elapsed_seconds"], fixed_history["val_acc"], color="tab:green")
ax.axvline(fixed_history.loc[best_idx, "elapsed_seconds"], color="k", ls="--", alpha=0.6)
ax.set_xlabel("training seconds (cumulative)"); ax.set_ylabel("validation accuracy"); ax.grid(alpha=0.3)
ax.set_title(f"Diminishing returns (whole run: ${dollars.iloc[-1]:.6f} on aws-m7i.large)")
plt.tight_layout(); plt.show()

half = len(fixed_history) // 2
first_half_gain = fixed_history["val_acc"].iloc[half - 1] - fixed_history["val_acc"].iloc[0]
second_half_gain = fixed_history["val_acc"].iloc[-1] - fixed_history["val_acc"].iloc[half - 1]
print(f"validation accuracy gained in the first {half} epochs: {100 * first_half_gain:+.2f} points; "
      f"in the last {len(fixed_history) - half}: {100 * second_half_gain:+.2f} points")
print(f"lowest validation loss at epoch {best_epoch_fixed} of {len(fixed_history)}")

# %%
first_half_s = fixed_history["epoch_seconds"].iloc[:half].sum()
second_half_s = fixed_history["epoch_seconds"].iloc[half:].sum()
val_rise = fixed_history["val_loss"].iloc[-1] / fixed_history["val_loss"].min() - 1
claim("04.validation_loss_turns_up", best_epoch_fixed < len(fixed_history) and val_rise >= 0.05,
      holds_text=f"On this run the validation loss was lowest at epoch {best_epoch_fixed} of {len(fixed_history)} and "
                 f"ended {val_rise:.0%} above that minimum: it turned up while the training loss kept falling.",
      fails_text=f"On this run the validation loss ended only {val_rise:.0%} above its minimum (epoch "
                 f"{best_epoch_fixed} of {len(fixed_history)}): the budget was too short for the network to start "
                 "memorising.")
claim("04.second_half_buys_little", second_half_gain < first_half_gain / 4,
      holds_text=f"The first {half} epochs bought {100 * first_half_gain:+.2f} validation accuracy points for "
                 f"{first_half_s:.1f} s of training; the last {len(fixed_history) - half} bought "
                 f"{100 * second_half_gain:+.2f} points for {second_half_s:.1f} s.",
      fails_text=f"On this run the second half of the budget bought {100 * second_half_gain:+.2f} points against "
                 f"{100 * first_half_gain:+.2f} for the first: the network was still learning, the budget is short "
                 "for this model.")
best_acc_epoch = int(fixed_history.loc[fixed_history["val_acc"].idxmax(), "epoch"])
claim("04.loss_turns_up_before_accuracy_peaks", best_epoch_fixed < best_acc_epoch,
      holds_text=f"Note that the lowest validation loss (epoch {best_epoch_fixed}) came before the highest validation "
                 f"accuracy (epoch {best_acc_epoch}): section 2 comes back to this.",
      fails_text=f"On this run the highest validation accuracy (epoch {best_acc_epoch}) came no later than the lowest "
                 f"validation loss (epoch {best_epoch_fixed}); usually the loss turns up first, but the accuracy moves "
                 "in steps of one image and can peak early by chance.", hedged=True)


# %% [markdown]
# Every epoch is billed the same, whether it buys ten points or a hundredth of one. That is
# **diminishing returns**, and it is where the money goes.
#
# ## 2. Early stopping
#
# The rule: after every epoch, compare the validation loss with the **best value seen so far**.
# If it improved by more than `min_delta`, remember this epoch and *copy* its weights. If it has
# not improved for `patience` epochs in a row, stop, and put the best weights back.
#
# Two details matter. `min_delta` ignores improvements too small to be real (validation loss
# wobbles from epoch to epoch), and the weights must be **copied**: `model.state_dict()` returns
# tensors that share memory with the live parameters, so keeping a reference to it keeps
# nothing, because the optimiser overwrites those tensors in place at the next step.
#
# ### Exercise 1 (4 points): an `EarlyStopping` helper
#
# Implement `EarlyStopping(patience=5, min_delta=0.0)` with
#
# - `step(val_loss, model) -> bool`, called once after every epoch. An epoch is an
#   **improvement** when `val_loss < best_loss - min_delta`. On an improvement, update
#   `best_loss`, set `best_epoch` to the number of this call (the first call is epoch 1) and save a
#   copy of the model's weights; otherwise count one more epoch without improvement (improvements
#   reset the count). Return `True` when `patience` epochs in a row have passed without
#   improvement (training should stop now), else `False`.
# - `restore_best(model)`: load the saved best weights into `model`.
# - attributes `best_loss` (starts at `math.inf`) and `best_epoch` (starts at 0).

# %% nbgrader={"grade": false, "grade_id": "early_stopping", "locked": false, "schema_version": 3, "solution": true}
class EarlyStopping:
    """Stop when the validation loss has not improved by more than min_delta for `patience` epochs."""

    def __init__(self, patience=5, min_delta=0.0):
        ### BEGIN SOLUTION
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_state = None
        self.epoch = 0
        self.bad_epochs = 0
        ### END SOLUTION

    def step(self, val_loss, model):
        """Record one epoch's validation loss; return True when training should stop."""
        ### BEGIN SOLUTION
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = float(val_loss)
            self.best_epoch = self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience
        ### END SOLUTION

    def restore_best(self, model):
        """Load the best weights seen so far into model."""
        ### BEGIN SOLUTION
        if self.best_state is not None:
            model.load_state_dict(self.best_state)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_early_stopping", "locked": true, "points": 4.0, "schema_version": 3, "solution": false}
def _stops_after(losses, patience, min_delta=0.0):
    """Feed a fixed loss sequence; return the number of step() calls until it says stop (None = never)."""
    stopper, model = EarlyStopping(patience=patience, min_delta=min_delta), nn.Linear(1, 1, bias=False)
    for epoch, loss in enumerate(losses, start=1):
        if stopper.step(loss, model):
            return epoch, stopper
    return None, stopper

from tradeoffs.checks import explained
with explained("EarlyStopping.step", "True or False"):
    got, es = _stops_after([1.0, 0.8, 0.9, 0.95, 0.99, 0.7], patience=3)
assert got == 5, (f"Losses 1.0, 0.8, 0.9, 0.95, 0.99 with patience 3: the best is epoch 2 and epochs 3, 4, 5 do "
                  f"not improve, so step() must return True at epoch 5, got {got}. One epoch late is one epoch billed.")
assert es.best_epoch == 2 and abs(es.best_loss - 0.8) < 1e-12, \
    f"best_epoch should be 2 and best_loss 0.8 (epochs count from 1), got {es.best_epoch} and {es.best_loss}."
with explained("EarlyStopping.step", "True or False"):
    got, es = _stops_after([1.0, 0.995, 0.992, 0.985, 0.98], patience=2, min_delta=0.01)
assert got == 3, (f"With min_delta=0.01, dropping from 1.0 to 0.995 or 0.992 is not an improvement "
                  f"(it must beat 1.0 - 0.01 strictly), so patience 2 runs out at epoch 3; got {got}.")
_lin = nn.Linear(1, 1, bias=False)
_es = EarlyStopping(patience=2)
for _epoch, _loss in enumerate([0.9, 0.5, 0.7, 0.6], start=1):
    with torch.no_grad():
        _lin.weight.fill_(float(_epoch))   # the "training step" changes the weights in place
    if _es.step(_loss, _lin):
        break
_es.restore_best(_lin)
assert float(_lin.weight.detach()) == 2.0, (
    f"After restore_best the weight should be the one saved at the best epoch (2.0), got {float(_lin.weight.detach())}. "
    "Save a COPY of the weights: state_dict() shares memory with the live parameters.")
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call


def _stop_and_best(losses, patience, min_delta=0.0, with_loss=False):
    """[epoch at which step() said stop (None = never), best_epoch(, best_loss)] for a fixed loss sequence."""
    got, es = _stops_after(losses, patience, min_delta)
    return [got, es.best_epoch] + ([float(es.best_loss)] if with_loss else [])


observe_call("improves on last, not on best", lambda: _stop_and_best([1.0, 0.5, 0.6, 0.55, 0.52, 0.51], patience=3),
             why="A loss that improves on the previous epoch but not on the best one is not an improvement.")
observe_call("keeps improving", lambda: _stop_and_best([3.0, 2.0, 1.0, 0.5, 0.25], patience=1),
             why="A loss that keeps improving must never trigger a stop.")
observe_call("equal loss", lambda: _stop_and_best([1.0, 1.0, 1.0], patience=2),
             why="An equal loss is not an improvement (it must be strictly lower).")
observe_call("below min_delta",
             lambda: _stop_and_best([1.0, 0.9, 0.87, 0.86, 0.855, 0.6], patience=3, min_delta=0.05, with_loss=True),
             rel=0.0, abs=1e-12,
             why="Small improvements below min_delta must not reset patience nor move the best epoch.")
observe_call("patience resets", lambda: _stop_and_best([0.5, 0.4, 0.45, 0.3, 0.35, 0.36], patience=2),
             why="Patience counts consecutive epochs without improvement; improvements reset it.")
_lin2 = nn.Linear(2, 1)
_es2 = EarlyStopping(patience=3)
for _epoch, _loss in enumerate([0.9, 0.8, 0.3, 0.4, 0.5, 0.6], start=1):
    _lin2.weight.data.fill_(float(_epoch)); _lin2.bias.data.fill_(-float(_epoch))
    if _es2.step(_loss, _lin2):
        break
_es2.restore_best(_lin2)
observe_call("every parameter restored",
             lambda: [_lin2.weight.detach().flatten().tolist(), float(_lin2.bias.detach())], rel=0.0, abs=0.0,
             why="restore_best must bring back every parameter as it was at the best epoch.")
_lin2.weight.data.fill_(42.0)
_es2.restore_best(_lin2)
observe_call("restored twice", lambda: _lin2.weight.detach().flatten().tolist(), rel=0.0, abs=0.0,
             why="Restoring twice must still give the best weights (the saved copy must not alias the model).")
### END HIDDEN TESTS

# %% [markdown]
# Now train the **same** network again (same initial weights, same mini-batch order) with your
# early stopping plugged into the loop. `fit` calls `on_epoch_end` after every epoch and stops
# when it returns `True`.

# %%
PATIENCE = cfg.pick(ci=3, laptop=10)
stopper = EarlyStopping(patience=PATIENCE, min_delta=0.0)
es_model = new_model()
with measure(f"MLP early stopping (patience {PATIENCE})", lesson="04") as es_run:
    es_history = fit(es_model, X_train_t, y_train_t, X_val_t, y_val_t, epochs=EPOCHS, batch_size=BATCH, lr=LR,
                     seed=cfg.seed, device=cfg.device, desc="early stopping",
                     on_epoch_end=lambda epoch, row, model: stopper.step(row["val_loss"], model))
stopper.restore_best(es_model)
es_test_loss, es_test_acc = evaluate(es_model, X_test_t, y_test_t)
es_run.log(metric="accuracy", value=es_test_acc, epochs=len(es_history), best_epoch=stopper.best_epoch)
print(es_run)
print(f"stopped after {len(es_history)} of {EPOCHS} epochs; restored the weights of epoch {stopper.best_epoch}")
print(f"test accuracy: fixed run {fixed_test_acc:.4f}, early-stopped {es_test_acc:.4f}")

# %% [markdown]
# ### What did we save, and what did we give up?
#
# The early-stopped run billed `len(es_history)` epochs instead of `EPOCHS`. Two numbers sum it up:
#
# - the **fraction of epochs saved** = (fixed epochs - early-stopped epochs) / fixed epochs;
# - the **accuracy given up**, in points = 100 x (test accuracy of the fixed run's **final**
#   weights - test accuracy of the early-stopped run's **restored best** weights). It compares what
#   you would ship in each case; a negative value means early stopping was also *more* accurate.
#
# The accuracies are on the held-out test set, which neither run used to make a decision.
#

# %%
single_run = {"epochs_saved_fraction": 1 - len(es_history) / len(fixed_history),
              "accuracy_drop_pts": 100 * (fixed_test_acc - es_test_acc)}
print(f"this run: {100 * single_run['epochs_saved_fraction']:.0f}% of the epochs saved, "
      f"{single_run['accuracy_drop_pts']:+.2f} accuracy points given up "
      f"({round(single_run['accuracy_drop_pts'] / 100 * len(y_test))} of {len(y_test)} test images)")
print(f"wall-clock: fixed {fixed_run.wall_s:.1f} s (${fixed_run.cost_usd:.6f}), "
      f"early stopping {es_run.wall_s:.1f} s (${es_run.cost_usd:.6f})")
print(f"CPU time: fixed {fixed_run.cpu_s:.1f} s, early stopping {es_run.cpu_s:.1f} s")

# %% [markdown]
# Seconds are compared in **CPU time**: the network uses one thread, so CPU seconds count the work
# done, while wall-clock seconds on a shared machine also count the time other programs held the core.

# %%
claim("04.early_stopping_stops_early",
      len(es_history) < len(fixed_history) and es_run.cpu_s < fixed_run.cpu_s,
      holds_text=f"Early stopping trained {len(es_history)} of the {len(fixed_history)} epochs "
                 f"({single_run['epochs_saved_fraction']:.0%} saved) and used {es_run.cpu_s:.1f} CPU seconds against "
                 f"{fixed_run.cpu_s:.1f}. It still paid for the {len(es_history) - stopper.best_epoch} epochs after "
                 f"the best one (epoch {stopper.best_epoch}): patience is billed.",
      fails_text=f"On this run early stopping trained {len(es_history)} of {len(fixed_history)} epochs "
                 f"({es_run.cpu_s:.1f} against {fixed_run.cpu_s:.1f} CPU seconds): the validation loss kept "
                 f"improving at least every {PATIENCE} epochs, so the stopper never fired.")

# %% [markdown]
# ### One run is an anecdote: repeat it, and choose what to monitor
#
# Two things should make you suspicious of the numbers above.
#
# 1. **Noise.** The test set has only `len(y_test)` images, so one image is worth 100 / `len(y_test)`
#    points; a difference of a few images can come and go with the random seed. A figure you put in
#    front of your team should be a *mean over seeds*, with its spread.
# 2. **What the stopper watches.** Cross-entropy punishes *confident* mistakes. Once the network
#    starts memorising the training set it becomes over-confident on the validation images it still
#    gets wrong, so the validation **loss** turns up, while it keeps getting a few *more* images right,
#    so the validation **accuracy** can still be climbing (look back at where the fixed run had its
#    lowest loss and its highest accuracy). Stopping on the loss stops early; the
#    question is what that costs in the metric you are actually judged on.
#
# Your `EarlyStopping` only assumes "lower is better", so it can watch the validation **error**
# (1 - validation accuracy) as well as the loss. Below, every seed gets one fixed-budget run and a
# panel of stoppers *watches* it: one per rule (loss or error) and patience. An early-stopped run
# with the same seed is exactly the first epochs of the fixed run, so when a stopper says stop we
# copy the model, restore that stopper's best weights into the copy and test them, while the fixed
# run carries on to the end of its budget. One run per seed measures every stopper at once.
#

# %%
SEEDS = [cfg.seed + k for k in range(cfg.pick(ci=2, laptop=5, full=10))]
PATIENCES = sorted({cfg.pick(ci=2, laptop=5), PATIENCE, cfg.pick(ci=5, laptop=20)})
RULES = {"validation loss": lambda row: row["val_loss"], "validation error": lambda row: 1 - row["val_acc"]}


def watched_run(seed):
    """One fixed-budget run watched by an EarlyStopping per (rule, patience): where each stops, what it ships."""
    model = make_mlp(784, hidden=HIDDEN, n_classes=10, seed=seed)
    stoppers = {(rule, patience): EarlyStopping(patience=patience) for rule in RULES for patience in PATIENCES}
    shipped = {}

    def test_best(key, stopper, stop_epoch, live_model):
        probe = copy.deepcopy(live_model)   # the fixed run keeps training the live model
        stopper.restore_best(probe)
        shipped[key] = {"stop_epoch": stop_epoch, "best_epoch": stopper.best_epoch,
                        "test_acc": evaluate(probe, X_test_t, y_test_t)[1]}

    def watch(epoch, row, live_model):
        for (rule, patience), stopper in stoppers.items():
            if (rule, patience) not in shipped and stopper.step(RULES[rule](row), live_model):
                test_best((rule, patience), stopper, epoch, live_model)
        return False                        # never stop the fixed run itself

    history = fit(model, X_train_t, y_train_t, X_val_t, y_val_t, epochs=EPOCHS, batch_size=BATCH, lr=LR,
                  seed=seed, device=cfg.device, on_epoch_end=watch, progress=False)
    for key, stopper in stoppers.items():   # a stopper that never fired trained the whole budget
        if key not in shipped:
            test_best(key, stopper, len(history), model)
    final_acc = evaluate(model, X_test_t, y_test_t)[1]
    return [{"seed": seed, "rule": rule, "patience": patience, **s,
             "epochs_saved_fraction": 1 - s["stop_epoch"] / len(history),
             "accuracy_drop_pts": 100 * (final_acc - s["test_acc"])} for (rule, patience), s in shipped.items()]


with measure(f"early stopping panel, {len(SEEDS)} seeds x {EPOCHS} epochs", lesson="04") as seeds_run:
    study = pd.DataFrame([row for seed in tqdm(SEEDS, desc="seeds") for row in watched_run(seed)])
per_rule = (study.groupby(["rule", "patience"])[["stop_epoch", "epochs_saved_fraction", "accuracy_drop_pts"]]
            .agg(["mean", "std"]))
seeds_run.log(metric="accuracy_drop_pts", value=per_rule.loc[("validation error", PATIENCE), ("accuracy_drop_pts", "mean")],
              seeds=len(SEEDS))

fig, ax = plt.subplots(figsize=(7.5, 4.5))
for (rule, group), color in zip(study.groupby("rule"), ["tab:red", "tab:blue"]):
    means = group.groupby("patience")[["epochs_saved_fraction", "accuracy_drop_pts"]].agg(["mean", "std"])
    ax.errorbar(100 * means[("epochs_saved_fraction", "mean")], means[("accuracy_drop_pts", "mean")],
                yerr=means[("accuracy_drop_pts", "std")], color=color, marker="o", capsize=3,
                label=f"watch {rule} (mean +/- sd over {len(SEEDS)} seeds)")
    for patience, r in means.iterrows():
        ax.annotate(f"patience {patience}", (100 * r[("epochs_saved_fraction", "mean")], r[("accuracy_drop_pts", "mean")]),
                    textcoords="offset points", xytext=(6, 6), fontsize=8, color=color)
ax.axhline(0, color="0.5", lw=1)
ax.set_xlabel("epochs saved (% of the fixed budget)"); ax.set_ylabel("test accuracy given up (points)")
ax.set_title("Early stopping: what you save vs what you give up")
ax.grid(alpha=0.3); ax.legend(fontsize=8)
plt.show()
per_rule.round(3)

# %%
_saved = per_rule[("epochs_saved_fraction", "mean")]
_drop = per_rule[("accuracy_drop_pts", "mean")]
_stop = per_rule[("stop_epoch", "mean")]
claim("04.shorter_patience_saves_more",
      all(_saved.loc[rule].is_monotonic_decreasing for rule in RULES),
      holds_text="For both rules, a shorter patience saved more epochs: " + "; ".join(
          f"watching the {rule}, " + ", ".join(f"patience {p}: {100 * _saved.loc[(rule, p)]:.0f}%" for p in PATIENCES)
          for rule in RULES) + ".",
      fails_text="On this run a shorter patience did not always save more epochs, which cannot happen with a correct "
                 "EarlyStopping (a stopper with less patience fires at the same epoch or earlier): check yours.")
claim("04.shorter_patience_gives_up_more",
      all(_drop.loc[rule].is_monotonic_decreasing for rule in RULES),
      holds_text=f"Over these {len(SEEDS)} seeds, a shorter patience also gave up at least as much accuracy, for "
                 "both rules.",
      fails_text=f"Over these {len(SEEDS)} seeds a shorter patience did not always give up more accuracy: the "
                 "differences between patiences are a few test images, as small as the error bars.", hedged=True)
_e, _l = ("validation error", PATIENCE), ("validation loss", PATIENCE)
claim("04.error_rule_stops_later", _stop.loc[_e] > _stop.loc[_l],
      holds_text=f"At patience {PATIENCE}, watching the validation error stopped later (epoch {_stop.loc[_e]:.1f} on "
                 f"average) than watching the loss (epoch {_stop.loc[_l]:.1f}), so it saved less: "
                 f"{100 * _saved.loc[_e]:.0f}% of the epochs against {100 * _saved.loc[_l]:.0f}%.",
      fails_text=f"At patience {PATIENCE}, watching the validation error stopped at epoch {_stop.loc[_e]:.1f} on "
                 f"average, not later than the loss (epoch {_stop.loc[_l]:.1f}): the error moves in steps of one "
                 "validation image and can stall for `patience` epochs early in a run.", hedged=True)
claim("04.error_rule_gives_up_less", _drop.loc[_e] <= _drop.loc[_l],
      holds_text=f"And it gave up less accuracy: {_drop.loc[_e]:+.2f} points on average against {_drop.loc[_l]:+.2f} "
                 "for the loss rule. It stops on the metric the model is judged on.",
      fails_text=f"But on this run it did not give up less accuracy ({_drop.loc[_e]:+.2f} points against "
                 f"{_drop.loc[_l]:+.2f} for the loss rule): over few seeds, a difference of a few test images "
                 "either way is noise.", hedged=True)

# %% [markdown]
# Read the plot from right to left. By construction a shorter patience stops at the same epoch or
# earlier, so it saves at least as many epochs; it usually gives up more accuracy, and the spread
# (the error bars) shows how much a single run can mislead. Watching the validation **error**
# instead of the loss usually stops later and ships a model that gives up less accuracy: it stops
# on the metric it is judged on. The course benchmark reports that rule at the lesson's patience
# (`PATIENCE`):
#
# - `04.epochs_saved_fraction`: mean fraction of epochs saved;
# - `04.accuracy_drop_pts`: mean test accuracy given up (points);
#
# and, for comparison, the same two means for the validation-loss rule at the same patience.
#

# %%
by_error, by_loss = per_rule.loc[("validation error", PATIENCE)], per_rule.loc[("validation loss", PATIENCE)]
record_figure("04.epochs_saved_fraction", by_error[("epochs_saved_fraction", "mean")])
record_figure("04.accuracy_drop_pts", by_error[("accuracy_drop_pts", "mean")])
record_figure("04.epochs_saved_fraction_loss_rule", by_loss[("epochs_saved_fraction", "mean")])
record_figure("04.accuracy_drop_pts_loss_rule", by_loss[("accuracy_drop_pts", "mean")])
for (rule, patience), r in per_rule.iterrows():
    print(f"{rule:>16}, patience {patience:2d}: {100 * r[('epochs_saved_fraction', 'mean')]:3.0f}% of epochs saved, "
          f"{r[('accuracy_drop_pts', 'mean')]:+.2f} +/- {r[('accuracy_drop_pts', 'std')]:.2f} points given up")


# %% [markdown]
# ### Exercise 2 (3 points): the savings from a logged run
#
# Your monitoring keeps the per-epoch log of every training job. Write
# `savings_from_log(log, stopped_epoch, usd_per_hour)` where `log` is the per-epoch history of a
# **fixed-budget** run (columns `epoch`, counted from 1, and `epoch_seconds`) and `stopped_epoch`
# is the last epoch an early-stopped run trained. Return a dict with
#
# - `"epochs_saved"`: epochs of the fixed run that early stopping would not have trained,
# - `"fraction_saved"`: those epochs as a fraction of the fixed run's epochs,
# - `"seconds_saved"`: the training seconds the fixed run spent on those epochs (use the log),
# - `"usd_saved"`: those seconds billed at `usd_per_hour`.
#
# Stopping at epoch 55 of 100 saves 45 epochs. Then apply it to your two runs: `my_savings` for
# `fixed_history` with the epoch where your early-stopped run stopped, at `RATE`.

# %% nbgrader={"grade": false, "grade_id": "savings_from_log", "locked": false, "schema_version": 3, "solution": true}
def savings_from_log(log, stopped_epoch, usd_per_hour):
    """Epochs, fraction, seconds and dollars a fixed-budget run would have saved by stopping at stopped_epoch."""
    ### BEGIN SOLUTION
    skipped = log[log["epoch"] > stopped_epoch]
    seconds = float(skipped["epoch_seconds"].sum())
    return {"epochs_saved": int(len(skipped)), "fraction_saved": len(skipped) / len(log),
            "seconds_saved": seconds, "usd_saved": seconds * usd_per_hour / 3600}
    ### END SOLUTION

my_savings = savings_from_log(fixed_history, len(es_history), RATE)
my_savings

# %% nbgrader={"grade": true, "grade_id": "test_savings_from_log", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
_log = pd.DataFrame({"epoch": np.arange(1, 101), "epoch_seconds": np.full(100, 36.0)})
from tradeoffs.checks import explained
with explained("savings_from_log", "a dict"):
    _s = savings_from_log(_log, 55, 10.0)
assert set(_s) >= {"epochs_saved", "fraction_saved", "seconds_saved", "usd_saved"}, \
    f"Return a dict with epochs_saved, fraction_saved, seconds_saved and usd_saved; got keys {sorted(_s)}."
assert _s["epochs_saved"] == 45, f"Stopping at epoch 55 of 100 saves 45 epochs (56..100), got {_s['epochs_saved']}."
assert abs(_s["fraction_saved"] - 0.45) < 1e-9, \
    f"45 of the fixed run's 100 epochs is 0.45, got {_s['fraction_saved']}: divide by the FIXED run's length."
assert abs(_s["seconds_saved"] - 1620) < 1e-6 and abs(_s["usd_saved"] - 4.5) < 1e-9, \
    f"45 epochs x 36 s = 1620 s = 0.45 h, x $10/h = $4.50; got {_s['seconds_saved']} s and ${_s['usd_saved']}."
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
_log2 = pd.DataFrame({"epoch": [1, 2, 3, 4, 5, 6], "epoch_seconds": [10.0, 1.0, 2.0, 3.0, 4.0, 5.0]})
_s2 = savings_from_log(_log2, 2, 3600.0)
observe_call("uneven log: epochs, seconds, dollars",
             lambda: [_s2["epochs_saved"], _s2["seconds_saved"], _s2["usd_saved"]], rel=0.0, abs=1e-9,
             why="Use the log's own seconds for the epochs after the stop (they are not all equal).")
observe_call("uneven log: fraction", lambda: _s2["fraction_saved"], rel=0.0, abs=1e-9,
             why="fraction_saved is relative to the fixed run's number of epochs.")
_s3 = savings_from_log(_log2, 6, 1.0)
observe_call("stop at the last epoch", lambda: [_s3["epochs_saved"], _s3["seconds_saved"]], rel=0.0, abs=0.0,
             why="Stopping at the last epoch saves nothing.")
# Your own runs differ from the reference run's: compare with what this run's histories give.
_ref = fixed_history[fixed_history["epoch"] > len(es_history)]
_why_mine = "my_savings should be savings_from_log applied to fixed_history and your early-stopped run's last epoch."
observe("epochs saved on this run", len(_ref), checked=False)
observe_call("my_savings epochs_saved", lambda: my_savings["epochs_saved"], same_as="epochs saved on this run",
             rel=0.0, abs=0.0, why=_why_mine)
observe("seconds saved on this run", float(_ref["epoch_seconds"].sum()), checked=False)
observe_call("my_savings seconds_saved", lambda: my_savings["seconds_saved"], same_as="seconds saved on this run",
             rel=0.0, abs=1e-6, why=_why_mine)
observe("dollars saved on this run", float(_ref["epoch_seconds"].sum() * RATE / 3600), checked=False)
observe_call("my_savings usd_saved", lambda: my_savings["usd_saved"], same_as="dollars saved on this run",
             rel=0.0, abs=1e-12, why="my_savings should use RATE as the hourly price.")
### END HIDDEN TESTS

# %%
claim("04.savings_are_a_fraction_of_a_cent", my_savings["usd_saved"] < 0.01,
      holds_text=f"On this run the savings come to ${my_savings['usd_saved']:.6f}: a fraction of a cent.",
      fails_text=f"On this run the savings come to ${my_savings['usd_saved']:.4f}, a cent or more: a slow machine "
                 "or a large scale.")

# %% [markdown]
# On one small run the dollars are negligible; but a team that runs this job a few hundred times a
# month on GPUs saves the same *fraction* of a much larger bill. Patience is an insurance premium
# against stopping on a noisy dip, and it is billed: the stopper trains `patience` epochs past the
# best one before it can know that it was the best.
#
# ## 3. Converged, overfit or underfit?
#
# "The loss stopped going down" can mean three different things:
#
# - **converged**: training loss has flattened and validation loss has flattened near it: more
#   epochs would not help, and the model is about as good as this recipe allows;
# - **overfit**: training loss keeps falling (often towards zero) while validation loss has turned
#   up: the run has *converged on the training set* but is memorising it;
# - **underfit**: both losses are still high, or still falling when the budget ran out: the model
#   is too small, the learning rate too low, or the run too short.
#
# Look back at the fixed run's curves to see which one it is. Weight decay (which pulls weights
# towards zero) and dropout (which drops random hidden units during training) are the usual
# remedies (the training loss of a dropout run is measured with dropout on, so it reads a little
# higher). Train the same network with both, for the same fixed budget.

# %%
reg_model = new_model(dropout=0.5)
with measure(f"MLP {EPOCHS} epochs, dropout 0.5 + weight decay 0.1", lesson="04") as reg_run:
    reg_history = fit(reg_model, X_train_t, y_train_t, X_val_t, y_val_t, epochs=EPOCHS, batch_size=BATCH, lr=LR,
                      weight_decay=0.1, seed=cfg.seed, device=cfg.device, desc="regularised")
reg_test_loss, reg_test_acc = evaluate(reg_model, X_test_t, y_test_t)
reg_run.log(metric="accuracy", value=reg_test_acc, epochs=len(reg_history))

fig, ax = plt.subplots(figsize=(7, 4.2))
for hist, name, color in [(fixed_history, "no regularisation", "tab:blue"), (reg_history, "dropout + weight decay", "tab:orange")]:
    ax.plot(hist["epoch"], hist["train_loss"], color=color, ls=":", label=f"{name}: train")
    ax.plot(hist["epoch"], hist["val_loss"], color=color, label=f"{name}: validation")
ax.set_yscale("log"); ax.set_xlabel("epoch"); ax.set_ylabel("cross-entropy"); ax.grid(alpha=0.3); ax.legend()
ax.set_title("Same budget, with and without regularisation")
plt.show()

compare = pd.DataFrame([
    {"run": "fixed, no regularisation", "epochs": len(fixed_history), "final train loss": fixed_history["train_loss"].iloc[-1],
     "final val loss": fixed_history["val_loss"].iloc[-1], "best val loss": fixed_history["val_loss"].min(),
     "test accuracy": fixed_test_acc, "seconds": fixed_run.wall_s},
    {"run": "early stopping", "epochs": len(es_history), "final train loss": es_history["train_loss"].iloc[-1],
     "final val loss": es_history["val_loss"].iloc[-1], "best val loss": es_history["val_loss"].min(),
     "test accuracy": es_test_acc, "seconds": es_run.wall_s},
    {"run": "fixed, dropout + weight decay", "epochs": len(reg_history), "final train loss": reg_history["train_loss"].iloc[-1],
     "final val loss": reg_history["val_loss"].iloc[-1], "best val loss": reg_history["val_loss"].min(),
     "test accuracy": reg_test_acc, "seconds": reg_run.wall_s},
])
compare["val - train gap"] = compare["final val loss"] - compare["final train loss"]
reg_best_epoch = int(reg_history.loc[reg_history["val_loss"].idxmin(), "epoch"])
print(f"lowest validation loss: epoch {best_epoch_fixed} without regularisation, epoch {reg_best_epoch} with it")
_fixed_row, _reg_row = compare.iloc[0], compare.iloc[2]
claim("04.fixed_run_memorises",
      _fixed_row["final train loss"] < _fixed_row["final val loss"] / 3 and val_rise >= 0.05,
      holds_text=f"The fixed run converged on the training set *and* overfits: its final training loss is "
                 f"{_fixed_row['final train loss']:.4f}, its validation loss {_fixed_row['final val loss']:.3f}, "
                 f"{val_rise:.0%} above its own minimum.",
      fails_text=f"The fixed run's final training loss ({_fixed_row['final train loss']:.4f}) is not far below its "
                 f"validation loss ({_fixed_row['final val loss']:.3f}): on this run it had not yet memorised the "
                 "training set.")
reg_rise = _reg_row["final val loss"] / _reg_row["best val loss"] - 1
claim("04.regularisation_shrinks_the_gap",
      _reg_row["val - train gap"] < _fixed_row["val - train gap"] and reg_rise < val_rise,
      holds_text=f"With dropout (0.5) and weight decay (0.1) the gap between validation and training loss shrinks "
                 f"from {_fixed_row['val - train gap']:.3f} to {_reg_row['val - train gap']:.3f}, and the "
                 f"validation loss ends {reg_rise:.0%} above its minimum instead of {val_rise:.0%}: the run overfits "
                 "less.",
      fails_text=f"On this run regularisation did not shrink both the gap ({_fixed_row['val - train gap']:.3f} -> "
                 f"{_reg_row['val - train gap']:.3f}) and the rise of the validation loss ({val_rise:.0%} -> "
                 f"{reg_rise:.0%}): at this budget the regularised run is still far from its own minimum.")
claim("04.regularised_run_overfits_later", reg_best_epoch >= best_epoch_fixed,
      holds_text=f"Its validation loss reaches its lowest point later (epoch {reg_best_epoch} against "
                 f"{best_epoch_fixed}).",
      fails_text=f"Its lowest validation loss came at epoch {reg_best_epoch}, not later than without "
                 f"regularisation (epoch {best_epoch_fixed}): the regularised curve is flat near its minimum, so "
                 "noise decides the exact epoch.", hedged=True)
compare.round(4)

# %% [markdown]
# Without regularisation the training loss races towards zero and the gap between validation and
# training loss grows: memorisation. Dropout and weight decay slow the fall of the training loss and
# keep the network from memorising. Regularisation changes *what the curve looks like*; early
# stopping changes *how much of it you pay for*. They combine: on a regularised run, early stopping
# tends to stop later but to give up less, because there is less to give up.
#
# ### Exercise 3 (2 points): diagnose from the curves
#
# Three logged runs (A, B, C) are plotted below. Set `diagnosis` to a dict mapping each run to
# `"overfit"`, `"underfit"` or `"converged"`.

# %%
_epochs = np.arange(1, 41)
curves = {
    "A": pd.DataFrame({"epoch": _epochs, "train_loss": 2.3 * np.exp(-_epochs / 6) + 0.05,
                       "val_loss": 2.3 * np.exp(-_epochs / 6) + 0.12}),
    "B": pd.DataFrame({"epoch": _epochs, "train_loss": 2.3 * np.exp(-_epochs / 5) + 0.002,
                       "val_loss": 2.3 * np.exp(-_epochs / 5) + 0.25 + 0.02 * np.maximum(_epochs - 10, 0)}),
    "C": pd.DataFrame({"epoch": _epochs, "train_loss": 2.3 - 0.015 * _epochs,
                       "val_loss": 2.32 - 0.0145 * _epochs}),
}
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
for ax, (name, hist) in zip(axes, curves.items()):
    ax.plot(hist["epoch"], hist["train_loss"], label="train")
    ax.plot(hist["epoch"], hist["val_loss"], label="validation")
    ax.set_title(f"run {name}"); ax.set_xlabel("epoch"); ax.grid(alpha=0.3)
axes[0].set_ylabel("loss"); axes[0].legend()
plt.tight_layout(); plt.show()

# %% nbgrader={"grade": false, "grade_id": "diagnosis", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
diagnosis = {"A": "converged", "B": "overfit", "C": "underfit"}
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_diagnosis", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
assert isinstance(diagnosis, dict) and set(diagnosis) == {"A", "B", "C"}, \
    'diagnosis must be a dict with keys "A", "B" and "C".'
assert all(str(v).strip().lower() in {"overfit", "underfit", "converged"} for v in diagnosis.values()), \
    'Each value must be "overfit", "underfit" or "converged".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
_d = {k: str(v).strip().lower() for k, v in diagnosis.items()}
observe_call("run B", lambda: _d["B"],
             why="Look for the run whose validation loss turns up while its training loss keeps falling.")
observe_call("run C", lambda: _d["C"],
             why="Look for the run whose losses are both still high and still falling at the end.")
observe_call("run A", lambda: _d["A"],
             why="Look for the run whose losses have both flattened, close to each other.")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Checkpoint
#
# ### Exercise 4 (1 point): which weights do you ship?
#
# A run with `patience=10` stops after epoch 46; its lowest validation loss was at epoch 36.
# Which weights should you evaluate on the test set and deploy?
#
# - **(a)** The weights after epoch 46: they have seen the most training.
# - **(b)** The weights after epoch 46: restoring a checkpoint biases the test.
# - **(c)** Retrain for 36 epochs on train + validation and ship it unchecked.
# - **(d)** The weights saved at epoch 36, restored from the best checkpoint.
#
# Set `checkpoint_weights` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_weights", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_weights = "d"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_weights", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_weights, str) and checkpoint_weights.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_weights.strip().lower(),
             why="Think about what the last `patience` epochs did to the validation loss.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5 (1 point): when does it stop?
#
# A run uses `EarlyStopping(patience=3, min_delta=0.01)` and logs these validation losses, epoch 1
# first: **0.90, 0.80, 0.795, 0.792, 0.791, 0.70, 0.69**. After which epoch does `step()` first
# return `True`, and which epoch's weights does `restore_best` load?
#
# - **(a)** stops after epoch 5; restores epoch 2
# - **(b)** never stops in 7 epochs; restores 7
# - **(c)** stops after epoch 5; restores epoch 5
# - **(d)** stops after epoch 4; restores epoch 2
#
# Set `checkpoint_stop_epoch` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_stop_epoch", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_stop_epoch = "a"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_stop_epoch", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_stop_epoch, str) and checkpoint_stop_epoch.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_stop_epoch.strip().lower(),
             why="An improvement must beat the BEST loss by more than min_delta; count epochs without one from the best.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (1 point): what does stopping save on the bill?
#
# A team retrains a model every night on a GPU instance billed per second at \$3.20 an hour; one
# epoch takes 6 minutes. Without early stopping the job runs all 100 epochs. With
# `EarlyStopping(patience=10)` its validation loss is lowest after epoch 45 and the job stops after
# epoch 55. What does early stopping save over 30 nights?
#
# - **(a)** \$96: the 10 patience epochs are what is saved
# - **(b)** \$528: the 55 epochs after the best one
# - **(c)** \$432: the 45 epochs never run
# - **(d)** \$14.40: the epochs saved on one night
#
# Set `checkpoint_bill` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_bill", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_bill = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_bill", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_bill, str) and checkpoint_bill.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_bill.strip().lower(),
             why="The job is billed until it stops (epoch 55), not until the best epoch: count the epochs it never ran, "
                 "then hours x rate x nights.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7 (2 points, graded by your instructor): choose the patience
#
# Your team retrains this model nightly on a GPU instance. Argue for a patience value from what holds
# from run to run (a single run's figures move when the notebook is re-run): how the fraction of
# epochs saved and the accuracy given up move with patience and with the rule watched, in the
# panel's means over seeds, and their order of magnitude. What does a larger patience buy, what does
# it cost, and when would you switch early stopping off?

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_patience", "locked": false, "points": 2.0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Model answer (rubric: 1 point for the direction of the tradeoff from the panel (shorter patience
# saves more epochs and usually gives up more accuracy; the error rule saves less and gives up less
# than the loss rule) with orders of magnitude (tens of percent of the epochs, tenths of a point), and
# for explaining that larger patience costs `patience` extra epochs per run but protects against
# stopping on a noisy dip; 1 point for a sensible condition to switch it off or change it).
#
# Example, with reference values from a laptop-scale run on a 2-core VM (5 seeds x 100 epochs):
# "Watching the validation error at patience 10 saved about 40% of the epochs for less than a tenth of
# a point of test accuracy; patience 5 saved about 60% but gave up about half a point, with a spread
# as large as the mean. Patience 10 costs 10 epochs after the best one, a quarter of the stopped run;
# with a noisier validation set (fewer images) I would raise it, because stopping at a random dip loses
# more accuracy than 10 epochs cost. I would switch it off when the schedule is tuned to a fixed length
# (e.g. a cosine learning rate that must reach its end) or when there is no held-out data to monitor."
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# - Training returns diminish: most of the accuracy arrives early, while every epoch costs the same.
# - Early stopping = watch validation loss, keep a **copy** of the best weights, stop after
#   `patience` epochs without an improvement larger than `min_delta`, restore the best.
# - Savings are measured against the fixed budget (epochs, seconds, dollars); what you give up
#   is measured on a test set that played no part in the decision, as a mean over seeds: one run's
#   difference of a few test images is noise.
# - What you monitor is a choice: the validation loss turns up before the validation accuracy stops
#   improving, so stopping on the loss saves more and gives up more; patience moves you along the
#   same saved-vs-given-up curve.
# - Overfit, underfit and converged look different on the train/validation curves; weight decay
#   and dropout reshape the curve, early stopping decides how much of it you pay for.

# %% [markdown]
# ## In the cloud
#
# | here | managed counterpart | what it adds | what it costs |
# | --- | --- | --- | --- |
# | patience-based early stopping on a validation curve | built into Keras, PyTorch Lightning, XGBoost and LightGBM; **SageMaker automatic model tuning**'s early stopping of trials; **SageMaker Debugger** rules such as `loss_not_decreasing` and `overfit` that can stop a job | stops the *job* (and its bill) when the curve flattens, not only the training loop | Debugger's built-in rules add no charge beyond the job (note: AWS closed Debugger to new customers; existing ones keep it) |
#
# Early stopping is money twice in the cloud: the epochs you do not run, and the instance hours you do
# not pay for while a stalled job would keep running until its time limit.
