# %% [markdown]
# # Lesson 07 — Compression: pruning, quantization, distillation
#
# A trained model is paid for twice: once to train it, and then **every time it answers a request**.
# At serving time three numbers matter:
#
# | you want | measured as |
# | --- | --- |
# | **small** (cheap to store, ship to phones, fit in cache) | bytes of the saved checkpoint |
# | **fast** (latency per request, requests per second per core) | milliseconds per call, batch 1 and batch 256 |
# | **accurate** | test accuracy |
#
# Compression trades a little of the third for a lot of the first two. There are three families,
# and they fail in different ways:
#
# 1. **Pruning** sets weights to zero (unstructured) or removes whole neurons (structured).
# 2. **Quantization** stores and computes with 8-bit integers instead of 32-bit floats.
# 3. **Distillation** trains a much smaller *student* to imitate a big *teacher*.
#
# The famous reference point is DistilBERT (Sanh et al., 2019): **40% smaller, 60% faster, and
# 97% of BERT's performance** on the GLUE benchmark. In this lesson you measure the same kind of
# claim yourself, on a wide MLP trained on 5,000 real MNIST digits, on your own CPU.
#
# What you will see (and must not take on faith): zeros alone do not make a dense model faster;
# int8 is about 4x smaller but only faster where the right kernels exist and the batch is big
# enough; a student is only as good as what the teacher adds beyond the labels.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import copy
import hashlib
import warnings

import torch  # imported before tradeoffs.setup so that setup seeds it
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import prune

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from IPython.display import display
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

import tradeoffs
from tradeoffs.claims import claim
from tradeoffs.data import load_mnist
from tradeoffs.meter import measure
from tradeoffs.plots import plot_frontier
from tradeoffs.figures import record_figure
from tradeoffs.paths import cache_dir
from tradeoffs.modelsize import (serialized_size, compressed_size, count_parameters, latency,
                                 import_torchao_quietly)

torchao = import_torchao_quietly()  # silences torchao's import-time notes about optional CUDA extensions
from torchao.quantization import quantize_, Int8DynamicActivationInt8WeightConfig, Int8WeightOnlyConfig

cfg = tradeoffs.setup("07", scale=scale, device=device)
THREADS = 1
torch.set_num_threads(THREADS)  # one CPU thread for training and timing: fair comparisons, steady on shared machines

# %% [markdown]
# ## 1. The baseline: a wide MLP, and how to measure it
#
# We split the 5,000 digits 70/10/20 (stratified): a training set, a **validation** set (to choose
# between variants in Exercise 5) and a **test** set (to report accuracy), then train a wide
# two-hidden-layer MLP. At the default `laptop` scale it has about 5.8 million parameters: big enough that its matrix
# multiplications dominate the run time, which is when compression can show real latency wins.
# The trained weights are cached under `tradeoffs.paths.cache_dir()`, so a second run of the
# notebook loads them instead of training again.
#
# All compression below happens on the CPU (the int8 kernels we use are CPU kernels); training
# uses `cfg.device`, which is the CPU unless you have a GPU.

# %%
X_all, y_all = load_mnist()
n_images = cfg.pick(ci=1500, grade=3000, laptop=5000)
X_tr, X_te, y_tr, y_te = train_test_split(X_all[:n_images], y_all[:n_images], test_size=0.2,
                                          random_state=cfg.seed, stratify=y_all[:n_images])
X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.125, random_state=cfg.seed, stratify=y_tr)
X_train, y_train = torch.tensor(X_tr), torch.tensor(y_tr)
X_val, y_val = torch.tensor(X_va), torch.tensor(y_va)
X_test, y_test = torch.tensor(X_te), torch.tensor(y_te)

hidden = cfg.pick(ci=256, grade=512, laptop=2048)
teacher_widths = [784, hidden, hidden, 10]
teacher_epochs = cfg.pick(ci=1, grade=8, laptop=10, full=12)
BATCH = 128
print(f"{len(X_train)} training, {len(X_val)} validation and {len(X_test)} test images; "
      f"baseline widths {teacher_widths}")


def make_mlp(widths):
    """Linear layers of the given widths with ReLU between them (none after the last)."""
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train(model, X, y, steps, lr=1e-3, loss_fn=None, teacher_logits=None, keep_zeros=False, seed=0, desc="training"):
    """Adam on shuffled mini-batches for `steps` steps; returns the model on the CPU in eval mode.

    loss_fn(student_logits, teacher_logits, labels) replaces cross-entropy when given (distillation).
    keep_zeros=True keeps every weight that is exactly zero at zero (fine-tuning a pruned model).
    """
    dev = cfg.device
    model = model.to(dev).train()
    X, y = X.to(dev), y.to(dev)
    teacher_logits = teacher_logits.to(dev) if teacher_logits is not None else None
    masks = {n: (p != 0) for n, p in model.named_parameters()} if keep_zeros else {}
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    order, pos = torch.randperm(len(X), generator=gen), 0
    for _ in tqdm(range(steps), desc=desc, leave=False, disable=steps < 50):
        if pos + BATCH > len(X):
            order, pos = torch.randperm(len(X), generator=gen), 0
        idx = order[pos:pos + BATCH].to(dev)
        pos += BATCH
        logits = model(X[idx])
        if loss_fn is None:
            loss = F.cross_entropy(logits, y[idx])
        else:
            loss = loss_fn(logits, teacher_logits[idx], y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if masks:
            with torch.no_grad():
                for n, p in model.named_parameters():
                    p.mul_(masks[n])
    return model.cpu().eval()


@torch.inference_mode()
def accuracy(model, X=X_test, y=y_test):
    return (model(X).argmax(dim=1) == y).float().mean().item()


def steps_for(epochs, n=len(X_train)):
    return int(epochs * -(-n // BATCH))


def train_or_load(widths, epochs, seed=cfg.seed):
    """Train the baseline, or load it from the cache when these exact settings were trained before."""
    settings = (widths, epochs, seed, n_images, len(X_train), BATCH, THREADS, torch.__version__)
    key = hashlib.sha256(repr(settings).encode()).hexdigest()[:12]
    path = cache_dir() / f"07-baseline-{key}.pt"
    torch.manual_seed(seed)
    model = make_mlp(widths)
    if path.exists():
        model.load_state_dict(torch.load(path, weights_only=True))
        print(f"loaded cached baseline from {path}")
        return model.eval()
    model = train(model, X_train, y_train, steps=steps_for(epochs), seed=seed, desc="baseline")
    torch.save(model.state_dict(), path)
    print(f"trained the baseline and cached it at {path}")
    return model


# %% [markdown]
# How we measure, once for every variant in this lesson:
#
# - **size**: `serialized_size(model)` = bytes of `torch.save(model.state_dict())`, what a checkpoint
#   costs on disk; `compressed_size` is the same after zlib (a zipped checkpoint);
# - **latency**: `latency(model, x, threads=1)` runs a few warm-up calls, then times many calls one
#   by one and reports the **median** (and p10/p90). The median ignores the occasional call that
#   another process slowed down; p90/p10 shows how noisy the machine was. The number of PyTorch
#   threads is **fixed** (one thread) for every measurement, so variants are compared under the same
#   conditions, never one with 8 threads against one with 2. We time batch 1 (one request) and
#   batch 256 (offline scoring, or a busy server that batches requests).
# - **which clock**: each call is timed twice, by the wall clock and by the CPU time of the calling
#   thread. With one PyTorch thread, every kernel runs in the calling thread, so its CPU time is the
#   work the call did, *excluding* the moments when another program held the core. On a quiet
#   laptop the two agree. On a shared machine (a cloud notebook, a CI runner, a course server with
#   many users) the wall-clock median can be several times the real cost and changes from run to
#   run, while the CPU time barely moves. So the `latency_*` columns below are **medians of the
#   thread's CPU time** (the latency you get on a dedicated core), and `wall_b256_ms` shows the
#   wall clock next to it so that you can see how busy your machine was.
# - every variant gets a row in the course's results ledger with its size and latency.
#
# Wall-clock numbers differ between machines and between runs; nothing graded depends on them.

# %%
REPEATS_B1 = cfg.pick(ci=5, grade=10, laptop=40)
REPEATS_BIG = cfg.pick(ci=3, grade=9, laptop=15)
x_one, x_big = X_test[:1], X_test[:256].contiguous()
variants = []


def add_variant(name, family, model, run, params):
    """Measure accuracy, size and latency of `model`, add a row to `variants` and to the ledger."""
    acc = accuracy(model)
    val_acc = accuracy(model, X_val, y_val)
    size = serialized_size(model)
    lat1 = latency(model, x_one, repeats=REPEATS_B1, threads=THREADS, max_time_s=5)
    latb = latency(model, x_big, repeats=REPEATS_BIG, threads=THREADS, max_time_s=10)
    run.log(metric="accuracy", value=acc, size_bytes=size, latency_ms=lat1.cpu_median_ms,
            latency_b256_ms=latb.cpu_median_ms, wall_b1_ms=lat1.median_ms, wall_b256_ms=latb.median_ms,
            params=params, family=family)
    row = {"variant": name, "family": family, "accuracy": acc, "val_accuracy": val_acc, "params": params,
           "size_bytes": size,
           "latency_b1_ms": lat1.cpu_median_ms, "latency_b256_ms": latb.cpu_median_ms,
           "wall_b256_ms": latb.median_ms}
    variants.append(row)
    print(f"{name:26s} acc {acc:.4f} {size / 1e6:7.2f} MB | batch 1: {lat1.cpu_median_ms:7.3f} ms | "
          f"batch {latb.batch_size}: {latb.cpu_median_ms:8.2f} ms (wall {latb.median_ms:8.2f} ms, "
          f"wall p90/p10 {latb.spread:4.1f}, CPU p90/p10 {latb.cpu_spread:4.2f})")
    return row


with measure("07 fp32 baseline MLP", lesson="07") as run:
    teacher = train_or_load(teacher_widths, teacher_epochs)
base_params = count_parameters(teacher)
base = add_variant("fp32 baseline", "baseline", teacher, run, base_params)
print(f"{base_params:,} parameters, {base['size_bytes']:,} bytes "
      f"({base['size_bytes'] / base_params:.3f} bytes per parameter: float32 is 4)")

# %%
_ = claim("07.batching_amortises", base["latency_b256_ms"] < 128 * base["latency_b1_ms"],
          holds_text=f"One batch of 256 took {base['latency_b256_ms']:.2f} ms, "
                     f"{base['latency_b256_ms'] / base['latency_b1_ms']:.0f} times a single request "
                     f"({base['latency_b1_ms']:.3f} ms), far less than 256 times.",
          fails_text=f"One batch of 256 took {base['latency_b256_ms']:.2f} ms, "
                     f"{base['latency_b256_ms'] / base['latency_b1_ms']:.0f} times a single request: batching saved "
                     "less than usual (a single request was unusually cheap or the batch call was disturbed).")


# %% [markdown]
# About 4 bytes per parameter: the checkpoint *is* the float32 weights, plus a little bookkeeping.
# One big matrix multiplication uses the CPU's vector units much better than 256 small ones, which
# is why batch 256 costs much less than 256 single calls. Keep both numbers in mind: a compression
# trick can help one and not the other.
#
# ## 2. Pruning
#
# ### 2.1 Unstructured magnitude pruning
#
# The simplest idea: most weights of a trained network are small; set the smallest ones to zero.
# **Global** magnitude pruning ranks the absolute values of *all* weights of *all* layers together
# and zeroes the smallest fraction, so layers with many unimportant weights lose more of them.
# (Layer-wise pruning removes the same fraction from every layer, including small layers that
# cannot afford it.)
#
# `torch.nn.utils.prune` implements this with a *re-parametrisation*: after
# `prune.global_unstructured(...)`, each pruned layer keeps its original tensor as `weight_orig`,
# a 0/1 `weight_mask` buffer, and a forward pre-hook that computes `weight = weight_orig * weight_mask`
# before every call. That is handy while fine-tuning, but it *doubles* the checkpoint. Calling
# `prune.remove(module, "weight")` makes the pruning **permanent**: it writes the masked tensor
# back into an ordinary `weight` parameter and deletes the rest.
#
# ### Exercise 1 (2 points): measure sparsity
#
# Write `sparsity(model)`: the fraction of entries that are exactly zero among the **weights of every
# `nn.Linear` layer** of `model` (biases excluded), counted over all those layers together (total
# zeros / total weights, not an average of per-layer fractions). It must also work on a model whose
# pruning is not yet permanent: read each layer's `weight` attribute, which is the masked tensor.

# %% nbgrader={"grade": false, "grade_id": "sparsity", "locked": false, "schema_version": 3, "solution": true}
def sparsity(model):
    """Fraction of zero entries over the weights of every nn.Linear layer in model."""
    ### BEGIN SOLUTION
    zeros, total = 0, 0
    for module in model.modules():
        if isinstance(module, nn.Linear):
            weight = module.weight
            zeros += int((weight == 0).sum())
            total += weight.numel()
    return zeros / total if total else 0.0
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sparsity", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
_toy = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
with torch.no_grad():
    _toy[0].weight.copy_(torch.tensor([[0., 1., 0., 2.], [3., 0., 0., 0.], [0., 0., 0., 4.]]))  # 8 of 12 are zero
    _toy[2].weight.copy_(torch.tensor([[1., 2., 3.], [0., 5., 6.]]))                           # 1 of 6 is zero
    _toy[0].bias.zero_()
    _toy[2].bias.zero_()
from tradeoffs.checks import explained
with explained("sparsity", "a fraction between 0 and 1"):
    _s = sparsity(_toy)
assert isinstance(_s, float) or (hasattr(_s, "item") and _s.numel() == 1), f"Return a number, got {type(_s).__name__}."
assert abs(float(_s) - 9 / 18) < 1e-9, (
    f"Expected 9/18 = 0.5 (8 zeros in the 12 weights of layer 0 plus 1 in the 6 of layer 2; the all-zero biases "
    f"do not count), got {float(_s)!r}. Count zeros and weights over ALL Linear layers together.")
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call
torch.manual_seed(3)
_nested = nn.Sequential(nn.Sequential(nn.Linear(10, 20), nn.ReLU()), nn.Linear(20, 5))
_nested[0][0].weight.data[:, :5] = 0.0   # 100 of 200 zeros
_nested[1].weight.data[:2] = 0.0         # 40 of 100 zeros
observe_call("nested containers", lambda: float(sparsity(_nested)), rel=0.0, abs=1e-9,
             why="Layers inside nested containers count too, and the fraction is total zeros over total weights.")
prune.l1_unstructured(_nested[1], "weight", amount=0.8)   # masks not yet permanent: 80 of 100 zeros
observe_call("pruning not yet permanent", lambda: float(sparsity(_nested)), rel=0.0, abs=1e-9,
             why="On a model whose pruning is not permanent yet, the layer's `weight` attribute (masked) holds the zeros.")
observe_call("fresh layer", lambda: float(sparsity(nn.Sequential(nn.Linear(3, 3)))), at_most=0.01,
             why="A freshly initialised layer has (almost) no zeros.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): global magnitude pruning, made permanent
#
# Write `global_magnitude_prune(model, amount)` that prunes the weights of every `nn.Linear` layer of
# `model` **globally** by magnitude (the `amount` fraction of all those weights with the smallest
# absolute values become zero; biases untouched), makes the pruning **permanent** (no `weight_orig`,
# no `weight_mask`, no hooks left) and returns the model. Pruning in place is fine; the lesson calls it
# on copies. `prune.global_unstructured` with `prune.L1Unstructured` and then `prune.remove` do it in
# a few lines; a hand-written threshold is fine too.

# %% nbgrader={"grade": false, "grade_id": "global_magnitude_prune", "locked": false, "schema_version": 3, "solution": true}
def global_magnitude_prune(model, amount):
    """Zero the `amount` fraction of smallest-magnitude Linear weights (ranked globally); permanent."""
    ### BEGIN SOLUTION
    targets = [(module, "weight") for module in model.modules() if isinstance(module, nn.Linear)]
    prune.global_unstructured(targets, pruning_method=prune.L1Unstructured, amount=amount)
    for module, name in targets:
        prune.remove(module, name)
    return model
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_global_magnitude_prune", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
torch.manual_seed(1)
_m = nn.Sequential(nn.Linear(20, 30), nn.ReLU(), nn.Linear(30, 10))
with torch.no_grad():
    _m[2].weight.mul_(3.0)   # layer 2 starts with larger weights than layer 0
_orig = copy.deepcopy(_m)
_dense_bytes = serialized_size(_m)
_p = global_magnitude_prune(_m, 0.6)
assert isinstance(_p, nn.Module), "Return the pruned model."
_w = [_p[0].weight.detach(), _p[2].weight.detach()]
_zeros = sum(int((w == 0).sum()) for w in _w)
assert abs(_zeros - 0.6 * 900) <= 1, f"60% of the 900 weights (540) should be zero, found {_zeros}."
_keys = list(_p.state_dict().keys())
assert not any(k.endswith("_orig") or k.endswith("_mask") for k in _keys), (
    f"Pruning must be permanent: the state dict still has {[k for k in _keys if 'orig' in k or 'mask' in k]}. "
    "Call prune.remove(module, 'weight') on each pruned layer; otherwise the checkpoint stores the weights twice.")
assert serialized_size(_p) == _dense_bytes, (
    f"A permanently pruned model saves to exactly as many bytes as the dense one ({_dense_bytes}), "
    f"got {serialized_size(_p)}: zeros in a dense tensor still take 4 bytes each.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
observe_call("pruning hooks left", lambda: sum(len(mod._forward_pre_hooks) for mod in _p.modules()),
             why="No pruning hooks may remain once pruning is permanent.")
_ow = [_orig[0].weight.detach().abs(), _orig[2].weight.detach().abs()]
_pruned_mag = torch.cat([o[w == 0] for o, w in zip(_ow, _w)])
_kept_mag = torch.cat([o[w != 0] for o, w in zip(_ow, _w)])
# smallest kept magnitude minus largest pruned magnitude: >= 0 exactly when every pruned weight is the smaller
observe_call("global ranking margin", lambda: float(_kept_mag.min() - _pruned_mag.max()), at_least=0.0,
             why="Global pruning ranks all layers together: every pruned weight must be smaller than every kept weight.")
observe("original biases", [_orig[0].bias.detach().tolist(), _orig[2].bias.detach().tolist()], checked=False)
observe_call("biases", lambda: [_p[0].bias.detach().tolist(), _p[2].bias.detach().tolist()],
             same_as="original biases", rel=0.0, abs=0.0, why="Biases are not pruned.")
observe("original values of the kept weights",
        [o.detach()[w != 0].tolist() for w, o in zip(_w, [_orig[0].weight, _orig[2].weight])], checked=False)
observe_call("kept weights", lambda: [w[w != 0].tolist() for w in _w], same_as="original values of the kept weights",
             rel=0.0, abs=0.0, why="Kept weights keep their values.")
torch.manual_seed(4)
_m2 = nn.Sequential(nn.Linear(50, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 3))
_p2 = global_magnitude_prune(_m2, 0.9)
_n2 = 50 * 40 + 40 * 40 + 40 * 3
observe_call("zeros after pruning 90% of three layers",
             lambda: sum(int((mod.weight == 0).sum()) for mod in _p2.modules() if isinstance(mod, nn.Linear)),
             rel=0.0, abs=1, why="The amount is a fraction of all Linear weights together.")
### END HIDDEN TESTS

# %% [markdown]
# ### 2.2 How much can we prune? Accuracy before and after a short fine-tune
#
# Right after pruning, accuracy drops (the network lost weights it was using); a **short
# fine-tune** with the zeros held at zero lets the surviving weights compensate.
# `train(..., keep_zeros=True)` multiplies every weight by its 0/1 mask after each optimizer step,
# which is exactly what `prune`'s `weight_orig * weight_mask` does during training.
#
# We prune **gradually**: 50%, then 80%, 90% and 95% of all weights, each step starting from the
# previous fine-tuned model (the zeros already there have the smallest magnitudes, so pruning "to
# 80%" keeps them and adds more). Cutting 90% in one shot removes weights the network still relies
# on all at once; a gradual schedule (Zhu & Gupta, 2017) lets it move the work to the survivors in
# between, and loses less accuracy for the same final sparsity and a similar number of fine-tuning
# steps. The table shows each step's accuracy right after pruning and after its fine-tune.

# %%
sparsities = cfg.pick(ci=[0.5, 0.9], grade=[0.5, 0.9], laptop=[0.5, 0.8, 0.9, 0.95])
finetune_steps = cfg.pick(ci=2, grade=8, laptop=40, full=100)
base_acc = base["accuracy"]
pruned_models, prune_rows = {}, []
model = teacher
for s in sparsities:
    with measure(f"07 pruned {s:.0%} + fine-tune", lesson="07") as run:
        model = global_magnitude_prune(copy.deepcopy(model), s)
        acc_before = accuracy(model)
        model = train(model, X_train, y_train, steps=finetune_steps, lr=1e-3, keep_zeros=True,
                      seed=cfg.seed + int(100 * s), desc=f"fine-tune {s:.0%}")
    pruned_models[s] = model
    row = add_variant(f"pruned {s:.0%}", "unstructured pruning", model, run, base_params)
    row.update(acc_before_finetune=acc_before, measured_sparsity=sparsity(model),
               compressed_bytes=compressed_size(model))
    prune_rows.append(row)

prune_table = pd.DataFrame(prune_rows)[["variant", "measured_sparsity", "acc_before_finetune", "accuracy",
                                        "size_bytes", "compressed_bytes", "latency_b256_ms"]]
prune_table.insert(2, "drop_before_pts", 100 * (base_acc - prune_table["acc_before_finetune"]))
prune_table.insert(4, "drop_after_pts", 100 * (base_acc - prune_table["accuracy"]))
sparse90 = pruned_models[0.9]
record_figure("07.sparse90_accuracy_drop_pts", 100 * (base_acc - accuracy(sparse90)))
display(prune_table.round(4))

_first, _last = prune_table.iloc[0], prune_table.iloc[-1]
claim("07.half_pruned_keeps_accuracy", _first["drop_before_pts"] <= 1.0,
      holds_text=f"Pruning half of the weights cost {_first['drop_before_pts']:.1f} points before any fine-tune "
                 f"({_first['drop_after_pts']:.1f} after it): a wide network on easy data is heavily "
                 "over-parameterised." + (" The fine-tune itself cost a little here: a fresh optimizer's first steps "
                 "move an already converged network." if _first["drop_after_pts"] > _first["drop_before_pts"] + 0.5
                 else ""),
      fails_text=f"Pruning half of the weights cost {_first['drop_before_pts']:.1f} points before the fine-tune "
                 f"({_first['drop_after_pts']:.1f} after it): this baseline had less to spare than usual.")
claim("07.deeper_cuts_hurt_more", _last["drop_before_pts"] > _first["drop_before_pts"],
      holds_text=f"Right after pruning, {_last['variant'][7:]} cost {_last['drop_before_pts']:.1f} points against "
                 f"{_first['drop_before_pts']:.1f} at 50%: each further cut hurts more.",
      fails_text=f"Right after pruning, {_last['variant'][7:]} cost {_last['drop_before_pts']:.1f} points, no more than "
                 f"50% ({_first['drop_before_pts']:.1f}): an unusual run.")
claim("07.finetune_recovers_most", _last["drop_after_pts"] <= 0.5 * _last["drop_before_pts"],
      holds_text=f"The fine-tune won back {_last['drop_before_pts'] - _last['drop_after_pts']:.1f} of the "
                 f"{_last['drop_before_pts']:.1f} points lost at {_last['variant'][7:]} (now "
                 f"{_last['drop_after_pts']:.1f} below the baseline).",
      fails_text=f"At {_last['variant'][7:]} the fine-tune won back only {_last['drop_before_pts'] - _last['drop_after_pts']:.1f}"
                 f" of {_last['drop_before_pts']:.1f} points: too few fine-tuning steps for this cut.")
_rel = prune_table["latency_b256_ms"] / base["latency_b256_ms"]
claim("07.unstructured_same_size", bool((abs(prune_table["size_bytes"] / base["size_bytes"] - 1) < 0.01).all()),
      holds_text="Every pruned checkpoint is the size of the baseline's (to 1%): the zeros are stored as float32.",
      fails_text="A pruned checkpoint's size differs from the baseline's: the pruning was not made permanent.")
_ = claim("07.unstructured_no_speedup", bool(((_rel > 0.5) & (_rel < 2.0)).all()),
          holds_text=f"Batch-256 latency of the pruned models: {_rel.min():.2f}x to {_rel.max():.2f}x the baseline's, "
                     f"about the same (within the timing noise of a shared machine), although at "
                     f"{_last['variant'][7:]} sparsity a kernel that skipped the zeros would do "
                     f"{1 / (1 - _last['measured_sparsity']):.0f}x less work.",
          fails_text=f"Batch-256 latency of the pruned models: {_rel.min():.2f}x to {_rel.max():.2f}x the baseline's. "
                     "Dense kernels do not skip zeros, so a difference this large is measurement noise.")

# %% [markdown]
# Read the table from left to right (one test image is 0.1 points at laptop scale, so differences
# of a few tenths are within noise). A wide network trained on easy data is heavily
# over-parameterised, so half of its weights can usually go with essentially no loss, even before
# any fine-tune. Each further cut hurts more right after pruning, and a short fine-tune recovers
# most, though not always all, of it: the last few percent of weights are the expensive ones. (A
# fine-tune restarts Adam, whose first steps are large, so on a cut that cost nothing it can lose a
# little instead.) How much a longer fine-tune buys
# back is your budget decision (try `finetune_steps` larger at `full` scale).
#
# Now the catch, in the `size_bytes` and `latency_b256_ms` columns: pruning leaves the size
# identical and the latency about the same. The pruned weights are still stored as float32 zeros,
# and a dense matrix multiplication multiplies `0 * x` exactly as fast as any other product. Unstructured
# sparsity pays off only when something *skips* the zeros:
#
# - **storage**: compression (zlib, the `compressed_bytes` column) or a sparse format that stores only
#   the non-zero values and their positions;
# - **compute**: sparse kernels, which on CPUs need very high sparsity (often > 95%) and
#   irregular-access-friendly sizes to beat a tuned dense kernel, or hardware with structured
#   sparsity support (e.g. 2:4 sparsity on recent NVIDIA GPUs).
#
# Let us measure the storage side precisely on the 90% model.

# %%
dense_state = sparse90.state_dict()
with warnings.catch_warnings():   # silence only the "CSR support is in beta" notice
    warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
    csr_state = {k: (v.to_sparse_csr() if v.dim() == 2 else v) for k, v in dense_state.items()}
storage = pd.DataFrame([
    {"format": "dense float32 (torch.save)", "bytes": serialized_size(dense_state)},
    {"format": "dense float32, zlib-compressed", "bytes": compressed_size(dense_state)},
    {"format": "CSR sparse tensors (torch.save)", "bytes": serialized_size(csr_state)},
    {"format": "CSR sparse tensors, zlib-compressed", "bytes": compressed_size(csr_state)},
    {"format": "baseline dense, zlib-compressed", "bytes": compressed_size(teacher)},
])
storage["vs dense"] = storage["bytes"] / storage["bytes"].iloc[0]
print(f"measured sparsity of the 90% model: {sparsity(sparse90):.4f}")
display(storage.round(3))
_vs = storage.set_index("format")["vs dense"]
_dense_zip = storage["bytes"].iloc[4] / serialized_size(teacher)
claim("07.only_sparse_compresses", _vs["dense float32, zlib-compressed"] < 0.5 and _dense_zip > 0.8,
      holds_text=f"zlib shrinks the 90%-sparse checkpoint to {_vs['dense float32, zlib-compressed']:.2f} of its size, "
                 f"and the dense baseline only to {_dense_zip:.2f}.",
      fails_text=f"zlib: 90%-sparse checkpoint to {_vs['dense float32, zlib-compressed']:.2f} of its size, dense "
                 f"baseline to {_dense_zip:.2f}; not the usual contrast.")
_ = claim("07.csr_smaller_not_tenfold", 0.1 < _vs["CSR sparse tensors (torch.save)"] < 0.8,
          holds_text=f"CSR storage is {_vs['CSR sparse tensors (torch.save)']:.2f} of the dense checkpoint: smaller, "
                     "but far from the 10x that 90% sparsity suggests.",
          fails_text=f"CSR storage is {_vs['CSR sparse tensors (torch.save)']:.2f} of the dense checkpoint.")


# %% [markdown]
# The dense baseline hardly compresses at all (random-looking float mantissas have no redundancy),
# while the 90%-sparse model compresses by a large factor. A CSR tensor stores each non-zero as a
# 4-byte value plus an 8-byte (int64) column index, so at 10% density it costs about
# 0.1 x 12 = 1.2 bytes per weight instead of 4: smaller, but not 10x smaller. Sparse storage pays
# per non-zero, and at moderate sparsity the index overhead eats most of the gain.
#
# ### 2.3 Structured pruning: remove whole neurons
#
# To make the *dense* computation smaller, remove whole hidden neurons: a row of the layer's weight
# matrix, its bias entry, and the matching column of the next layer. Then the matrices really are
# smaller and every kernel benefits. We rank the neurons of each hidden layer by the L2 norm of their
# incoming weights (`prune.ln_structured(..., n=2, dim=0)`) and keep the strongest half.
#
# A subtle point. `ln_structured` zeroes the weight *row* of a removed neuron but not its bias, so
# the neuron still outputs the constant `relu(bias)`, and the next layer still receives it. If we just
# delete the neuron, the next layer loses that constant input and the network computes something
# else. The fix is exact: fold the constant into the next layer's bias,
# `next.bias += next.weight[:, removed] @ relu(bias[removed])`.

# %%
def shrink_hidden_layers(model, keep_fraction):
    """A physically smaller copy of an MLP: keep the strongest `keep_fraction` of each hidden layer's neurons.

    Returns (masked_reference, shrunk): the same network with pruned rows zeroed in place (same shapes),
    and the shrunk network, which computes exactly the same function.
    """
    masked = copy.deepcopy(model)
    linears = [m for m in masked if isinstance(m, nn.Linear)]
    for layer in linears[:-1]:
        prune.ln_structured(layer, "weight", amount=1 - keep_fraction, n=2, dim=0)
        prune.remove(layer, "weight")
    new_layers, keep_prev, prev_bias = [], None, None
    for i, layer in enumerate(linears):
        W, b = layer.weight.detach().clone(), layer.bias.detach().clone()
        if keep_prev is not None:          # inputs coming from the previous (shrunk) layer
            dropped = ~keep_prev
            b += W[:, dropped] @ torch.relu(prev_bias[dropped])   # fold the constant outputs relu(bias)
            W = W[:, keep_prev]
        if i < len(linears) - 1:           # a hidden layer: drop the zeroed rows
            keep = layer.weight.detach().abs().sum(dim=1) > 0
            W, b, prev_bias, keep_prev = W[keep], b[keep], layer.bias.detach(), keep
        new = nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            new.weight.copy_(W)
            new.bias.copy_(b)
        new_layers.append(new)
    shrunk = make_mlp([new_layers[0].in_features] + [lay.out_features for lay in new_layers])
    for dst, src in zip([m for m in shrunk if isinstance(m, nn.Linear)], new_layers):
        dst.load_state_dict(src.state_dict())
    return masked.eval(), shrunk.eval()


masked_half, shrunk_half = shrink_hidden_layers(teacher, keep_fraction=0.5)
with torch.inference_mode():
    same = torch.allclose(masked_half(X_test), shrunk_half(X_test), atol=1e-4)
print("layer shapes after shrinking:", [tuple(m.weight.shape) for m in shrunk_half if isinstance(m, nn.Linear)])
print(f"shrunk model computes the same outputs as the masked one: {same}")
print(f"accuracy right after removing half the neurons: {accuracy(shrunk_half):.4f} (baseline {base_acc:.4f})")

# %% [markdown]
# Removing half the neurons of each hidden layer divides the big hidden-to-hidden matrix by four
# and the others by two. Accuracy drops right after the cut; a short fine-tune (of a network that
# is now much cheaper to train) recovers most of it. Then we time it.

# %%
with measure("07 structured half + fine-tune", lesson="07") as run:
    structured = train(shrink_hidden_layers(teacher, 0.5)[1], X_train, y_train,
                       steps=2 * finetune_steps, lr=3e-4, seed=cfg.seed + 2, desc="fine-tune structured")
struct_row = add_variant("structured half", "structured pruning", structured, run, count_parameters(structured))
structured_speedup = base["latency_b256_ms"] / struct_row["latency_b256_ms"]
record_figure("07.structured_speedup", structured_speedup)
fewer = base_params / count_parameters(structured)
print(f"{count_parameters(structured):,} parameters ({fewer:.2f}x fewer), "
      f"batch-256 speedup {structured_speedup:.2f}x, batch-1 speedup "
      f"{base['latency_b1_ms'] / struct_row['latency_b1_ms']:.2f}x")
claim("07.structured_same_function", bool(same),
      holds_text="Before the fine-tune, the shrunk network computed the same outputs as the masked one (to 1e-4): "
                 "folding relu(bias) into the next layer is exact.",
      fails_text="The shrunk network's outputs differ from the masked one's: the removed neurons' constant outputs "
                 "were not folded into the next layer.")
claim("07.structured_speedup_real", structured_speedup >= 1.5,
      holds_text=f"Structured pruning ran {structured_speedup:.2f}x faster at batch 256: the kernels have less work.",
      fails_text=f"Structured pruning ran only {structured_speedup:.2f}x faster at batch 256 on this run.")
_ = claim("07.structured_speedup_matches_work", structured_speedup >= 0.9 * fewer, hedged=True,
          holds_text=f"The speedup ({structured_speedup:.2f}x) matches or beats the reduction in multiply-adds "
                     f"({fewer:.2f}x): the smaller matrices also fit better in the caches.",
          fails_text=f"The speedup ({structured_speedup:.2f}x) stayed below the reduction in multiply-adds ({fewer:.2f}x). "
                     "With small matrices a call also pays fixed costs (Python, dispatch, memory allocation) that do "
                     "not shrink with the matrices; the wider the model, the closer the speedup gets to the work saved.")


# %% [markdown]
# This time the speedup is real. For a wide model it is usually about the reduction in
# multiply-adds (3.1x fewer at the laptop-scale widths) or a little more, because the smaller
# matrices also fit better in the CPU's caches. The same dense kernels simply have less work. That is the
# general rule: **compression speeds up inference only when it reduces the work that the kernel
# actually does.**
#
# ## 3. Quantization: 8-bit integers instead of 32-bit floats
#
# Post-training **dynamic** int8 quantization stores each weight matrix as int8 plus a scale
# (4x smaller), and at run time quantizes each incoming batch of activations to int8 too, so the
# matrix multiplication runs on integer units (VNNI/AMX instructions on recent x86 CPUs, dot-product
# instructions on ARM). No retraining and no calibration data are needed.
#
# There are two APIs in PyTorch 2.13:
#
# - **torchao** (`torchao.quantization.quantize_(model, config)`) is the supported path: one
#   function, configs such as `Int8DynamicActivationInt8WeightConfig()` (int8 weights and
#   activations) or `Int8WeightOnlyConfig()` (int8 weights, float compute). It replaces weights *in
#   place* with quantized tensor subclasses and is designed to be combined with `torch.compile`,
#   which generates fused int8 kernels.
# - `torch.ao.quantization.quantize_dynamic` is the older eager-mode API. It still works, calling
#   FBGEMM's hand-tuned int8 kernels, but it is **deprecated** and prints deprecation warnings.
#   We use it as the eager baseline and silence exactly those warnings (by message, inside
#   `warnings.catch_warnings()`, so every other warning still shows).
#
# ### Exercise 3 (3 points): quantize and measure the size ratio
#
# Write `quantize_int8(model)` that returns an **int8 dynamically quantized copy** of `model` (use
# torchao's `quantize_` with `Int8DynamicActivationInt8WeightConfig()`; `quantize_` works in place,
# so quantize a deep copy and leave `model` untouched as the float32 reference). Then set
# `int8_model = quantize_int8(teacher)` and `int8_size_ratio` = bytes of the float32 baseline /
# bytes of the int8 model, both measured with `serialized_size`.

# %% nbgrader={"grade": false, "grade_id": "quantize_int8", "locked": false, "schema_version": 3, "solution": true}
def quantize_int8(model):
    """An int8 (dynamic activations, int8 weights) copy of model; model itself stays float32."""
    ### BEGIN SOLUTION
    quantized = copy.deepcopy(model).eval()
    quantize_(quantized, Int8DynamicActivationInt8WeightConfig())
    return quantized
    ### END SOLUTION


# Quantize the baseline `teacher` and set int8_model and int8_size_ratio (float32 bytes / int8 bytes).
### BEGIN SOLUTION
int8_model = quantize_int8(teacher)
int8_size_ratio = serialized_size(teacher) / serialized_size(int8_model)
### END SOLUTION
print(f"int8 model: {serialized_size(int8_model):,} bytes, {int8_size_ratio:.3f}x smaller than float32")

# %% nbgrader={"grade": true, "grade_id": "test_quantize_int8", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
torch.manual_seed(2)
_f = nn.Sequential(nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)).eval()
_before = copy.deepcopy(_f.state_dict())
_q = quantize_int8(_f)
assert _q is not _f, "Return a new (quantized) model and keep the float32 one as the reference."
assert type(_f[0].weight.data) is torch.Tensor and _f[0].weight.dtype == torch.float32 and all(
    torch.equal(_before[k], v) for k, v in _f.state_dict().items()), (
    "The float32 model passed in must stay untouched: quantize_ works in place, so quantize a copy.deepcopy.")
_xq = torch.rand(64, 256)
with torch.inference_mode():
    _err = ((_q(_xq) - _f(_xq)).abs().max() / _f(_xq).abs().max()).item()
assert _err < 0.05, f"The int8 model should compute nearly the same outputs (relative error {_err:.3f}, expected < 0.05)."
_r = serialized_size(_f) / serialized_size(_q)
assert _r > 3.5, f"int8 weights take 1 byte instead of 4: expected a size ratio above 3.5 here, got {_r:.2f}."
assert int8_size_ratio > 3.5, (
    f"int8_size_ratio = {int8_size_ratio!r}: expected about 4 (float32 bytes / int8 bytes). Measure the int8 "
    "model's size AFTER quantization, with serialized_size on both models.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
_recomputed = serialized_size(teacher) / serialized_size(quantize_int8(teacher))
observe("size ratio recomputed on this run's baseline", _recomputed, checked=False)
observe_call("int8_size_ratio", lambda: float(int8_size_ratio), same_as="size ratio recomputed on this run's baseline",
             rel=0.01, why="int8_size_ratio should be serialized_size(teacher) / serialized_size(int8_model) "
                           "for your quantized baseline.")
observe_call("int8_size_ratio at most about 4", lambda: float(int8_size_ratio), at_most=4.2,
             why="The ratio cannot exceed about 4: the scales and biases stay in float.")
observe_call("baseline bytes per parameter", lambda: serialized_size(teacher) / count_parameters(teacher), at_least=3.9,
             why="The float32 baseline must still be float32 after quantizing (quantize a copy).")
# An input with one huge feature (whose weights are zero) and small ones: quantizing the ACTIVATIONS to int8
# rounds the small features to zero, so a dynamic int8 model's outputs move far from float32; a weight-only one's do not.
torch.manual_seed(5)
_g = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 4)).eval()
_g[0].weight.data[:, 0] = 0.0
_xo = torch.rand(16, 64)
_xo[:, 0] = 1000.0
_gq = quantize_int8(_g)
_act_err = float(((_gq(_xo) - _g(_xo)).abs().max() / _g(_xo).abs().max()).detach())
observe("activation rounding error", _act_err, at_least=0.3,
        why="Dynamic int8 quantizes the activations too (Int8DynamicActivationInt8WeightConfig), not only the weights: "
            "Int8WeightOnlyConfig keeps float activations.")
### END HIDDEN TESTS

# %% [markdown]
# Now the measurements: the float32 baseline against the deprecated eager int8 path (FBGEMM kernels),
# torchao's int8 dynamic quantization (your `int8_model`), and torchao's weight-only int8.

# %%
EAGER_QUANT_WARNINGS = ["torch.ao.quantization is deprecated", "torch.quantize_per_tensor"]


def eager_int8(model):
    """The deprecated eager API, with exactly its deprecation messages silenced (other warnings still show)."""
    with warnings.catch_warnings():
        for message in EAGER_QUANT_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        return torch.ao.quantization.quantize_dynamic(copy.deepcopy(model).eval(), {nn.Linear}, dtype=torch.qint8)


with measure("07 int8 eager quantize_dynamic", lesson="07") as run:
    eager_model = eager_int8(teacher)
eager_row = add_variant("int8 eager (deprecated)", "quantization", eager_model, run, base_params)
with measure("07 int8 torchao dynamic", lesson="07") as run:
    ao_model = quantize_int8(teacher)
ao_row = add_variant("int8 torchao dynamic", "quantization", ao_model, run, base_params)
with measure("07 int8 torchao weight-only", lesson="07") as run:
    wo_model = copy.deepcopy(teacher).eval()
    quantize_(wo_model, Int8WeightOnlyConfig())
wo_row = add_variant("int8 torchao weight-only", "quantization", wo_model, run, base_params)

quant_table = pd.DataFrame([base, eager_row, ao_row, wo_row])[
    ["variant", "accuracy", "size_bytes", "latency_b1_ms", "latency_b256_ms"]]
quant_table["size_ratio"] = base["size_bytes"] / quant_table["size_bytes"]
quant_table["speedup_b1"] = base["latency_b1_ms"] / quant_table["latency_b1_ms"]
quant_table["speedup_b256"] = base["latency_b256_ms"] / quant_table["latency_b256_ms"]
quant_table["drop_pts"] = 100 * (base_acc - quant_table["accuracy"])

record_figure("07.int8_size_ratio", base["size_bytes"] / eager_row["size_bytes"])
record_figure("07.int8_speedup", base["latency_b256_ms"] / eager_row["latency_b256_ms"])
record_figure("07.int8_accuracy_drop_pts", 100 * (base_acc - eager_row["accuracy"]))
display(quant_table.round(3))

_qt = quant_table.set_index("variant")
_eager, _ao, _wo = (_qt.loc["int8 eager (deprecated)"], _qt.loc["int8 torchao dynamic"],
                    _qt.loc["int8 torchao weight-only"])
claim("07.int8_four_times_smaller", bool(quant_table["size_ratio"].iloc[1:].between(3.5, 4.1).all()),
      holds_text=f"Every int8 variant is {quant_table['size_ratio'].iloc[1:].min():.2f}x to "
                 f"{quant_table['size_ratio'].iloc[1:].max():.2f}x smaller than float32.",
      fails_text="An int8 variant is not about 4x smaller than float32: some layers were not quantized.")
claim("07.int8_keeps_accuracy", max(_eager["drop_pts"], _ao["drop_pts"]) <= 0.5,
      holds_text=f"Dynamic int8 changed test accuracy by {-_eager['drop_pts']:+.1f} (eager) and "
                 f"{-_ao['drop_pts']:+.1f} points (torchao): a few test images at most.",
      fails_text=f"Dynamic int8 lost {_eager['drop_pts']:.1f} (eager) and {_ao['drop_pts']:.1f} points (torchao), "
                 "more than usual: some logits were close to a tie and the rounding flipped them.")
claim("07.int8_eager_faster_b256", _eager["speedup_b256"] >= 1.5,
      holds_text=f"At batch 256 the eager FBGEMM int8 path was {_eager['speedup_b256']:.1f}x faster than float32.",
      fails_text=f"At batch 256 the eager FBGEMM int8 path was only {_eager['speedup_b256']:.1f}x faster than float32: "
                 "this CPU may lack fast int8 instructions (VNNI/AMX).")
claim("07.torchao_eager_behind_fbgemm", _ao["speedup_b256"] < _eager["speedup_b256"],
      holds_text=f"torchao in eager mode reached {_ao['speedup_b256']:.1f}x at batch 256, behind FBGEMM's "
                 f"{_eager['speedup_b256']:.1f}x: it pays for the tensor-subclass dispatch and separate steps.",
      fails_text=f"torchao in eager mode ({_ao['speedup_b256']:.1f}x) matched or beat FBGEMM "
                 f"({_eager['speedup_b256']:.1f}x) at batch 256 on this run.")
claim("07.torchao_eager_slow_at_batch1", _ao["speedup_b1"] < 1,
      holds_text=f"At batch 1 torchao's eager int8 took {1 / _ao['speedup_b1']:.1f}x the float32 time: its fixed "
                 "per-call overhead is larger than the whole float32 call.",
      fails_text=f"At batch 1 torchao's eager int8 was {_ao['speedup_b1']:.2f}x as fast as float32, not slower.")
claim("07.fbgemm_int8_faster_at_batch1", _eager["speedup_b1"] > 1, hedged=True,
      holds_text=f"At batch 1 the FBGEMM int8 path was {_eager['speedup_b1']:.1f}x faster than float32: it reads a "
                 "quarter of the weight bytes.",
      fails_text=f"At batch 1 the FBGEMM int8 path was {_eager['speedup_b1']:.2f}x as fast as float32: the float32 "
                 f"weights ({base['size_bytes'] / 1e6:.1f} MB) are small enough to stay in the CPU's caches, so "
                 "reading a quarter of them saves little and quantizing the activations costs more.")
_ = claim("07.weight_only_not_faster", _wo["speedup_b256"] <= 1.5,
          holds_text=f"Weight-only int8 ran at {_wo['speedup_b256']:.2f}x the float32 speed at batch 256: the CPU still "
                     "computes in float.",
          fails_text=f"Weight-only int8 ran {_wo['speedup_b256']:.2f}x faster than float32 at batch 256 on this run: "
                     "more than timing noise on a shared machine usually explains.")

# %% [markdown]
# What to read in this table, and why (the sentences above say what your run showed):
#
# - **size**: every int8 variant should be almost exactly 4x smaller; the small remainder is the
#   float biases and per-channel scales.
# - **accuracy**: int8 rounding changes the logits a little and almost never the predicted class.
# - **batch 256, eager**: the deprecated API calls FBGEMM's int8 kernels directly and is much faster
#   than float32 (reference value: 3.9x at `laptop` scale on the course's 2-core VM); torchao in
#   eager mode is slower than that because each call goes through a tensor-subclass dispatch and
#   separate quantize / int8-matmul / rescale steps. With `torch.compile`, torchao fuses those steps
#   (reference values: 2.8-3.5x at `full` scale on the same VM); compiling takes minutes on a 2-core
#   CPU, so the lesson does it only at `full` scale (next cell).
# - **batch 1**: one request multiplies a single row by every weight matrix, so for a model whose
#   weights do not fit in the caches the float32 call mostly *reads the weights* from memory (23 MB
#   at `laptop` scale); FBGEMM's int8 path reads a quarter of that and is faster. torchao in eager
#   mode pays a fixed dispatch and quantization overhead on every call that is larger than the
#   whole float32 call here, so it is *slower* than float32 at batch 1.
# - **weight-only int8** saves memory but the CPU still computes in float after de-quantizing
#   the weights, so on a CPU it is about as fast as float32 at batch 256, or slower. Weight-only
#   quantization pays off where inference is limited by *memory bandwidth* (large language
#   models generating one token at a time, on GPUs), not here.
#
# The path forward is torchao (the eager API will be removed); the price today, on a CPU in eager
# mode, is some of the speed, which `torch.compile` buys back.

# %%
if cfg.scale == "full":
    with measure("07 int8 torchao dynamic + torch.compile", lesson="07") as run:
        compiled = torch.compile(quantize_int8(teacher))
        with torch.inference_mode():
            compiled(x_big)
            compiled(x_one)
    add_variant("int8 torchao + compile", "quantization", compiled, run, base_params)
    print(f"compiling took {run.wall_s:.0f} s")
else:
    print(f"torch.compile skipped at scale {cfg.scale!r}: compiling the int8 model takes minutes on a small CPU. "
          "Run with scale='full' to measure it.")

# %% [markdown]
# Where int8 does not help: a **small** model at **batch 1**. The distilled students of section 4
# have about 100 thousand parameters; let us quantize one and see.

# %%
torch.manual_seed(cfg.seed)
small = train(make_mlp([784, cfg.pick(ci=32, grade=64, laptop=128), 10]), X_train, y_train,
              steps=cfg.pick(ci=5, grade=50, laptop=200), lr=3e-3, seed=cfg.seed, desc="small model")
small_int8 = quantize_int8(small)
small_b1 = {}
for label, mdl in [("small float32", small), ("small int8 torchao", small_int8), ("small int8 eager", eager_int8(small))]:
    small_b1[label] = latency(mdl, x_one, repeats=REPEATS_B1, threads=THREADS).cpu_median_ms
    print(f"{label:20s} batch 1: {small_b1[label]:.3f} ms, "
          f"batch 256: {latency(mdl, x_big, repeats=REPEATS_BIG, threads=THREADS).cpu_median_ms:.3f} ms, "
          f"{serialized_size(mdl):,} bytes")
_ = claim("07.small_int8_slower_at_batch1",
          min(small_b1["small int8 torchao"], small_b1["small int8 eager"]) > small_b1["small float32"],
          holds_text=f"Both int8 versions of the small model were slower than float32 at batch 1 "
                     f"({small_b1['small int8 eager']:.3f} and {small_b1['small int8 torchao']:.3f} ms against "
                     f"{small_b1['small float32']:.3f} ms).",
          fails_text=f"At batch 1: float32 {small_b1['small float32']:.3f} ms, int8 eager "
                     f"{small_b1['small int8 eager']:.3f} ms, int8 torchao {small_b1['small int8 torchao']:.3f} ms: "
                     "an int8 version was not slower on this run.")


# %% [markdown]
# On a model this small, a batch-1 call takes tens of microseconds, almost all of it Python and
# dispatch overhead; there is no arithmetic or memory traffic left to save, and quantizing the
# activations adds work, so int8 does not make it faster at batch 1. It is still
# 4x smaller, which matters if you ship the model to a phone.
#
# ## 4. Distillation: a small student taught by the big teacher
#
# A **student** much smaller than the teacher is trained to match the teacher's *soft* output
# distribution, not only the hard labels. With a temperature `T > 1`,
# `softmax(logits / T)` spreads probability over the wrong classes, and those small probabilities
# carry what the teacher learned ("this 7 looks a bit like a 1"). Hinton, Vinyals & Dean (2015):
#
# $$\mathcal{L} = \alpha\, T^2\, \mathrm{KL}\big(\mathrm{softmax}(z_t/T)\,\|\,\mathrm{softmax}(z_s/T)\big) + (1-\alpha)\, \mathrm{CE}(z_s, y)$$
#
# The KL term is averaged over the **batch** (sum over classes, mean over examples: PyTorch's
# `F.kl_div(..., reduction="batchmean")`, which expects the student's *log*-probabilities and the
# teacher's probabilities). The **T²** factor keeps the soft term's gradients on the same scale as the
# hard term's when you change T: the gradients of the softened KL shrink as 1/T², so without it a
# higher temperature silently turns distillation off.
#
# ### Exercise 4 (3 points): the distillation loss
#
# Write `distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9)` returning the
# scalar loss above (a tensor that supports `.backward()`).

# %% nbgrader={"grade": false, "grade_id": "distillation_loss", "locked": false, "schema_version": 3, "solution": true}
def distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    """alpha * T^2 * KL(teacher_T || student_T) (batch mean) + (1 - alpha) * cross-entropy with labels."""
    ### BEGIN SOLUTION
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=1), F.softmax(teacher_logits / T, dim=1),
                    reduction="batchmean")
    hard = F.cross_entropy(student_logits, labels)
    return alpha * T * T * soft + (1 - alpha) * hard
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_distillation_loss", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
_zs = torch.tensor([[2.0, 0.5, -1.0], [0.1, 1.5, 0.3]])
_zt = torch.tensor([[3.0, 0.0, -2.0], [0.0, 2.5, 1.0]])
_yl = torch.tensor([0, 2])
from tradeoffs.checks import explained
with explained("distillation_loss", "a scalar tensor"):
    _l = distillation_loss(_zs, _zt, _yl, T=1.0, alpha=0.0)
assert abs(float(_l) - 0.939070) < 1e-4, \
    f"With alpha=0 only the cross-entropy with the labels remains: expected 0.939070, got {float(_l):.6f}."
with explained("distillation_loss", "a scalar tensor"):
    _l = distillation_loss(_zs, _zt, _yl, T=1.0, alpha=1.0)
assert abs(float(_l) - 0.076441) < 1e-4, (
    f"With T=1 and alpha=1: KL(teacher || student), summed over classes, averaged over the 2 examples, is 0.076441; "
    f"got {float(_l):.6f}. Check the direction of the KL and that you average over the batch, not over every entry.")
with explained("distillation_loss", "a scalar tensor"):
    _l = distillation_loss(_zs, _zt, _yl)
assert abs(float(_l) - 0.304833) < 1e-4, (
    f"Default T=4, alpha=0.9: expected 0.304833, got {float(_l):.6f}. Soften BOTH logits by T and multiply the "
    "soft term by T**2.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
_zs2 = torch.tensor([[0.5, -0.2, 1.0, 0.0], [1.2, 0.3, -0.7, 2.0], [0.0, 0.0, 0.0, 0.0]], requires_grad=True)
_zt2 = torch.tensor([[2.0, -1.0, 0.5, 0.0], [0.0, 0.1, -0.3, 3.0], [1.0, 2.0, 3.0, 4.0]])
_y2 = torch.tensor([2, 3, 1])
_l2 = distillation_loss(_zs2, _zt2, _y2, T=2.0, alpha=0.5)
observe_call("T=2, alpha=0.5", lambda: float(_l2.detach()), rel=0.0, abs=1e-4,
             why="Check the loss for other temperatures and weights (T=2, alpha=0.5).")
_l2.backward()
observe_call("gradient reaches the student's logits",
             lambda: bool(_zs2.grad is not None and float(_zs2.grad.abs().sum()) > 0),
             why="The loss must be differentiable with respect to the student's logits.")
observe_call("T=8, alpha=1", lambda: float(distillation_loss(_zs2.detach(), _zt2, _y2, T=8.0, alpha=1.0)),
             rel=0.0, abs=1e-4, why="At high temperature the soft term must keep its scale (the T squared factor).")
observe_call("student equals teacher", lambda: float(distillation_loss(_zt2, _zt2, _y2, T=3.0, alpha=1.0)),
             rel=0.0, abs=1e-5, why="A student that matches the teacher exactly has zero soft loss.")
### END HIDDEN TESTS

# %% [markdown]
# ### 4.1 Does the teacher add anything? Two label budgets, several seeds
#
# We train a student dozens of times smaller than the baseline (one hidden layer of 128 at laptop scale)
# in two situations, each over several seeds (the spread between seeds tells us which differences
# are real):
#
# - **all labels**: the student alone (cross-entropy on the labels) vs distilled (your loss, T=4, α=0.9);
# - **20% of the labels**: the student alone sees only the labelled 20%; the distilled student sees
#   *all* training inputs with the teacher's soft targets (the labelled 20% keep their true labels,
#   the others use the teacher's predicted class for the small hard term). This is the common
#   practical case: labels are expensive, but a good teacher (trained elsewhere, or on the labelled
#   data by a team with a bigger budget) can label unlabelled inputs for free.
#
# Every run gets the same number of optimizer steps, so the comparison is not about training longer.

# %%
student_widths = [784, cfg.pick(ci=32, grade=64, laptop=128), 10]
student_steps = cfg.pick(ci=5, grade=60, laptop=400, full=800)
seeds = [100 * cfg.seed + k for k in range(cfg.pick(ci=1, grade=3, laptop=3, full=5))]  # from the run's seed
STUDENT_LR = 3e-3  # a small network tolerates (and needs) a larger step than the wide baseline
with torch.no_grad():
    teacher_logits = teacher(X_train)
rng = np.random.default_rng(cfg.seed)
labelled = torch.tensor(rng.permutation(len(X_train))[: len(X_train) // 5])
y_mixed = teacher_logits.argmax(dim=1)
y_mixed[labelled] = y_train[labelled]

student_runs, students = [], {}
for regime in ["all labels", "20% labels"]:
    for seed in seeds:
        for method in ["alone", "distilled"]:
            torch.manual_seed(100 + seed)
            model = make_mlp(student_widths)
            with measure(f"07 student {method}, {regime}, seed {seed}", lesson="07") as run:
                if method == "alone" and regime == "all labels":
                    model = train(model, X_train, y_train, steps=student_steps, lr=STUDENT_LR, seed=seed)
                elif method == "alone":
                    model = train(model, X_train[labelled], y_train[labelled], steps=student_steps,
                                  lr=STUDENT_LR, seed=seed)
                else:
                    labels = y_train if regime == "all labels" else y_mixed
                    model = train(model, X_train, labels, steps=student_steps, lr=STUDENT_LR, seed=seed,
                                  loss_fn=distillation_loss, teacher_logits=teacher_logits)
            acc = accuracy(model)
            run.log(metric="accuracy", value=acc, size_bytes=serialized_size(model), regime=regime, seed=seed)
            student_runs.append({"regime": regime, "method": method, "seed": seed, "accuracy": acc})
            if seed == seeds[0]:
                students[(regime, method)] = model

student_table = (pd.DataFrame(student_runs).groupby(["regime", "method"])["accuracy"]
                 .agg(["mean", "std", "min", "max"]).mul(100).round(2))
display(student_table)

_mean = student_table["mean"]
_spread = float(student_table["std"].fillna(0).max())
_gap_teacher = 100 * base_acc - _mean[("all labels", "alone")]
_gap_all = _mean[("all labels", "distilled")] - _mean[("all labels", "alone")]
_gap_few = _mean[("20% labels", "distilled")] - _mean[("20% labels", "alone")]
claim("07.teacher_beats_student_alone", _gap_teacher > 0,
      holds_text=f"The teacher ({100 * base_acc:.1f}%) is {_gap_teacher:.1f} points better than the student trained "
                 f"alone on all labels ({_mean[('all labels', 'alone')]:.1f}%, mean of {len(seeds)} seeds).",
      fails_text=f"The student trained alone on all labels ({_mean[('all labels', 'alone')]:.1f}%) matched or beat the "
                 f"teacher ({100 * base_acc:.1f}%): this teacher was undertrained, so it has nothing to teach.")
claim("07.distill_no_gain_with_all_labels", _gap_all <= max(_spread, 0.3), hedged=True,
      holds_text=f"With all labels, distillation changed the student's accuracy by {_gap_all:+.1f} points "
                 f"(seed-to-seed spread up to {_spread:.1f}): no real gain, the labels already say almost everything "
                 "this teacher knows about these easy digits.",
      fails_text=f"With all labels, the distilled student was {_gap_all:+.1f} points better than the student alone, "
                 f"more than the seed-to-seed spread ({_spread:.1f}): here the teacher's soft targets added something "
                 "the labels did not (typically when the teacher is clearly better than the student).")
_ = claim("07.distill_helps_with_few_labels", _gap_few > 0,
          holds_text=f"With 20% of the labels, the distilled student beat the student alone by {_gap_few:.1f} points "
                     f"(mean of {len(seeds)} seeds; seed-to-seed spread up to {_spread:.1f}).",
          fails_text=f"With 20% of the labels, the distilled student did not beat the student alone ({_gap_few:+.1f} "
                     "points): the teacher's labels for the unlabelled inputs were not good enough to help.")

# %% [markdown]
# Read the table as accuracy points (mean, standard deviation, min and max over the seeds).
#
# With **all labels**, the distilled student is usually no better than the student trained alone:
# the labels already say almost everything this teacher knows about these easy digits. With
# **20% of the labels**, the distilled student learns from five times as many inputs, and the
# teacher's soft targets are good labels for the inputs nobody labelled. **Distillation helps when the teacher
# knows something the student cannot get from the labels**: unlabelled data, or a teacher much
# better than what the student's data alone can produce. That is DistilBERT's situation: BERT was
# trained on far more text than a small model could learn from its labelled task data.

# %%
distilled = students[("all labels", "distilled")]
with measure("07 distilled student (latency)", lesson="07") as run:
    pass  # the training cost is in the per-seed ledger rows above
student_row = add_variant("student distilled", "distillation", distilled, run, count_parameters(distilled))
with measure("07 student alone (latency)", lesson="07") as run:
    pass
alone_row = add_variant("student alone", "distillation", students[("all labels", "alone")], run,
                        count_parameters(distilled))
with measure("07 distilled student int8 (eager)", lesson="07") as run:
    student_int8 = eager_int8(distilled)
add_variant("student distilled int8", "distillation + quantization", student_int8, run, count_parameters(distilled))
mean_distilled = pd.DataFrame(student_runs).query("regime == 'all labels' and method == 'distilled'")["accuracy"].mean()
student_size_ratio = base["size_bytes"] / student_row["size_bytes"]
retained = mean_distilled / base_acc
record_figure("07.student_size_ratio", student_size_ratio)
record_figure("07.student_retained_fraction", retained)
print(f"student: {student_size_ratio:.1f}x smaller, "
      f"{base['latency_b1_ms'] / student_row['latency_b1_ms']:.1f}x faster at batch 1, "
      f"{base['latency_b256_ms'] / student_row['latency_b256_ms']:.1f}x faster at batch 256, "
      f"keeps {retained:.1%} of the baseline's accuracy (DistilBERT: 40% smaller, 60% faster, 97%)")
_ = claim("07.student_smaller_than_distilbert", student_size_ratio >= 5 and retained >= 0.9,
          holds_text=f"The student is {student_size_ratio:.0f}x smaller than the baseline and keeps {retained:.1%} of its "
                     "accuracy: far more shrinkage than DistilBERT's 40%, for "
                     + ("a similar share" if retained >= 0.96 else "a somewhat smaller share") + " of the accuracy.",
          fails_text=f"The student is {student_size_ratio:.0f}x smaller and keeps {retained:.1%} of the baseline's "
                     "accuracy: on this run it gave up more accuracy than usual.")

# %% [markdown]
# The student usually goes much further than DistilBERT in size, because MNIST digits are an easy task that
# a small model can nearly solve; on language understanding a 40%-smaller model was what kept 97%.
# How far you can shrink depends on the task, which is why you measure.
#
# ## 5. Every variant on one chart
#
# Three objectives: accuracy (up), latency (down) and size (down). The two panels show the 2-D
# frontiers accuracy vs latency at batch 256 and accuracy vs size; a variant that is dominated on
# both panels is never the right choice.

# %%
results = pd.DataFrame(variants)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.6))
plot_frontier(results, x="latency_b256_ms", y="accuracy", label="variant", logx=True, ax=axes[0],
              title=f"accuracy vs latency (batch 256, {THREADS} thread)")
plot_frontier(results, x="size_bytes", y="accuracy", label="variant", logx=True, ax=axes[1],
              title="accuracy vs checkpoint size")
plt.tight_layout()
plt.show()
results[["variant", "family", "accuracy", "params", "size_bytes", "latency_b1_ms", "latency_b256_ms",
         "wall_b256_ms"]].round(4)


# %% [markdown]
# ### Exercise 5 (2 points): pick the variant that meets the budget
#
# A product team gives you a budget: latency at batch 256 at most `max_latency_ms`, accuracy at
# least `min_accuracy`. Among the variants that meet **both**, they want the **smallest checkpoint**
# (it is shipped to many devices); if two are equally small, the more accurate one. Write
# `pick_variant(table, max_latency_ms, min_accuracy)` that returns the `variant` name of that row
# (columns `variant`, `accuracy`, `size_bytes`, `latency_b256_ms`), or `None` when no variant meets
# the budget. Budget limits are inclusive (exactly at the limit is within budget).
#
# Then apply it to **your** `results` table with the budget "at most 40% of the baseline's batch-256
# latency, and at most 1 accuracy point below the baseline" and store the name in `chosen_variant`.
# The choice is made on the **validation** accuracy (the `val_accuracy` column, against the baseline's
# validation accuracy): the cell passes `pick_variant` a copy of the table whose `accuracy` column is
# `val_accuracy`. The test set then reports the chosen variant's accuracy, untouched by the choice.

# %% nbgrader={"grade": false, "grade_id": "pick_variant", "locked": false, "schema_version": 3, "solution": true}
def pick_variant(table, max_latency_ms, min_accuracy):
    """Smallest (then most accurate) variant within both budgets, or None."""
    ### BEGIN SOLUTION
    ok = table[(table["latency_b256_ms"] <= max_latency_ms) & (table["accuracy"] >= min_accuracy)]
    if ok.empty:
        return None
    return ok.sort_values(["size_bytes", "accuracy"], ascending=[True, False]).iloc[0]["variant"]
    ### END SOLUTION


on_validation = results.assign(accuracy=results["val_accuracy"])   # choose on validation, report on test
chosen_variant = pick_variant(on_validation, max_latency_ms=0.4 * base["latency_b256_ms"],
                              min_accuracy=base["val_accuracy"] - 0.01)
print(f"within budget (on validation) and smallest: {chosen_variant}")
if chosen_variant is not None:
    _chosen = results.set_index("variant").loc[chosen_variant]
    print(f"its test accuracy: {_chosen['accuracy']:.4f} (baseline {base_acc:.4f}), "
          f"{_chosen['size_bytes']:,} bytes, {_chosen['latency_b256_ms']:.2f} ms at batch 256")

# %% nbgrader={"grade": true, "grade_id": "test_pick_variant", "locked": true, "points": 2.0, "schema_version": 3, "solution": false}
_menu = pd.DataFrame({"variant": ["fp32", "int8", "pruned", "student", "tiny"],
                      "accuracy": [0.960, 0.958, 0.957, 0.945, 0.900],
                      "size_bytes": [23_000_000, 5_800_000, 23_000_000, 400_000, 50_000],
                      "latency_b256_ms": [100.0, 28.0, 99.0, 3.0, 1.0]})
assert pick_variant(_menu, max_latency_ms=50, min_accuracy=0.95) == "int8", (
    f"int8 (28 ms, 0.958) is the only variant within 50 ms and >= 0.95 accuracy, so it is the answer; got "
    f"{pick_variant(_menu, 50, 0.95)!r}.")
assert pick_variant(_menu, max_latency_ms=50, min_accuracy=0.94) == "student", \
    "With a 0.94 floor the 400 kB student qualifies and is the smallest within budget."
assert pick_variant(_menu, max_latency_ms=0.5, min_accuracy=0.5) is None, "No variant runs in 0.5 ms: return None."
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
observe_call("inclusive limits", lambda: pick_variant(_menu, max_latency_ms=100, min_accuracy=0.96),
             why="Budget limits are inclusive: exactly 100 ms and exactly 0.960 are within budget.")
_tie = pd.DataFrame({"variant": ["a", "b", "c"], "accuracy": [0.91, 0.93, 0.99],
                     "size_bytes": [100, 100, 500], "latency_b256_ms": [5.0, 6.0, 1.0]}, index=[7, 3, 9])
observe_call("equal sizes", lambda: pick_variant(_tie, 10, 0.9), why="Equally small variants: prefer the more accurate one.")
observe_call("both limits", lambda: pick_variant(_menu, 2.0, 0.0),
             why="Both limits apply; the smallest variant within them wins.")
_ok = results[(results["latency_b256_ms"] <= 0.4 * base["latency_b256_ms"])
              & (results["val_accuracy"] >= base["val_accuracy"] - 0.01)]
_truth = None if _ok.empty else _ok.sort_values(["size_bytes", "accuracy"], ascending=[True, False]).iloc[0]["variant"]
# Your measured table differs from the reference run's: compare with what this run's table gives.
observe("chosen on this run's table", _truth, checked=False)
observe_call("chosen_variant", lambda: chosen_variant, same_as="chosen on this run's table",
             why="chosen_variant should be pick_variant applied to your results table, on the validation accuracy "
                 "(val_accuracy as the accuracy column), with the stated budget.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (1 point): why no speedup?
#
# A 90%-sparse model (pruned with `global_magnitude_prune`, stored as ordinary tensors) runs at about
# the same latency as the dense baseline, while the structured half-width model is much faster.
# Which explanation is right?
#
# - **(a)** Magnitude pruning zeroes weights that were already close to zero, so little changed.
# - **(b)** A dense matrix-multiplication kernel multiplies a zero like any other number.
# - **(c)** Zeros make the CPU's floating-point units slower, which cancels the savings.
# - **(d)** Fine-tuning after pruning filled most of the pruned zeros back in with new values.
#
# Set `checkpoint_sparsity` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_sparsity", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_sparsity = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_sparsity", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_sparsity, str) and checkpoint_sparsity.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_sparsity.strip().lower(),
             why="Look at what your sparsity() reports after fine-tuning, and at which variant's shapes changed.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7 (1 point): prune, then quantize
#
# A colleague's model has 10 million float32 weights (ignore biases and scales). They prune 75% of
# the weights globally with magnitude pruning, make it permanent (ordinary dense tensors, as in
# Exercise 2), and then quantize the pruned model to int8 as in Exercise 3. About how large is the
# saved checkpoint?
#
# - **(a)** 2.5 MB
# - **(b)** 40 MB
# - **(c)** 10 MB
# - **(d)** 20 MB
#
# Set `checkpoint_prune_quantize` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_prune_quantize", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_prune_quantize = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_prune_quantize", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_prune_quantize, str) and checkpoint_prune_quantize.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_prune_quantize.strip().lower(),
             why="Zeros in a dense tensor still take their bytes; int8 takes 1 byte per weight instead of 4.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 8 (2 points, graded by your instructor): the deployment call
#
# You must serve this digit classifier on CPU machines: 50 requests per second at peak, each request
# one image, and a nightly batch job scoring a million images. Using what this lesson's measurements
# show **on every run** (which variants are faster at batch 1 and at batch 256, which are smaller, which
# lose accuracy, and by roughly what factor), not one run's exact numbers (they change when the
# notebook is re-executed), which variant (or combination, e.g. a distilled student quantized to int8)
# would you deploy for each of the two jobs, and why? Say what you give up, and name one measurement you
# would still want before shipping.

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_deployment", "locked": false, "points": 2.0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Model answer (rubric: 1 point for a choice per job backed by what holds across runs: the student
# is ten or more times smaller and several times faster at batch 1 for a small accuracy cost, int8 (FBGEMM)
# is about 4x smaller and several times faster at batch 256 with no real accuracy loss, unstructured
# pruning does not speed anything up, int8 does not help a small model at batch 1; quoting the
# learner's own numbers is fine but not required, and a number that differs from the re-executed
# notebook is not an error; 1 point for naming the cost of the choice and a missing measurement,
# e.g. latency on the production CPU, tail latency p99 under load, accuracy on recent data, or int8
# kernel support on that CPU).
#
# Example: "Online, batch 1: the distilled student. It is ten or more times smaller than the baseline
# and answers a single request several times faster, for a point or two of accuracy; quantizing it
# would not help online (int8 is slower than float32 at batch 1 on a model that small). Nightly
# batch: the baseline with int8 dynamic quantization (FBGEMM) at batch 256: several times less CPU
# time than float32, 4x smaller, no real accuracy loss, so the job needs a fraction of the CPU hours;
# the structured half-width model is a float alternative. Online I give up a point or two of
# accuracy. Before shipping I would measure p99 latency under load on the production instance type
# (does its CPU have VNNI/AMX int8 instructions?) and accuracy on this month's data."
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# - Measure **size** (bytes of the checkpoint), **latency** (median of repeated calls, fixed threads,
#   batch 1 and a large batch) and **accuracy** for every variant; compression claims live or die on
#   those three numbers.
# - **Unstructured pruning** keeps accuracy to high sparsity after a short fine-tune, shrinks a
#   *compressed* checkpoint, and does nothing for dense-kernel latency. **Structured pruning** makes
#   the matrices smaller and gives a real speedup (fold the removed neurons' `relu(bias)` into the next
#   layer, or the model changes).
# - **int8 dynamic quantization** is 4x smaller with almost no accuracy loss, and faster at large
#   batch where int8 kernels exist; not at batch 1 on small models, and weight-only int8 does not
#   speed up CPU inference. torchao is the supported API; `torch.compile` recovers its eager overhead.
# - **Distillation** shrinks the model the most; the teacher adds value when it knows more than the
#   labels the student can see (few labels, plenty of unlabelled inputs).

# %% [markdown]
# ## In the cloud
#
# | here | managed counterpart | what it adds | what it costs |
# | --- | --- | --- | --- |
# | dynamic int8 quantisation, pruning, distillation | **SageMaker Neo** (compiles and optimises a trained model for a target instance or device), **SageMaker Inference Recommender** (load-tests instance types), **Vertex AI** optimised runtimes, accelerators such as AWS Inferentia | picks the cheapest instance that meets a latency target, from measured load tests | Inference Recommender bills the instances its load tests use |
#
# Compression pays off at serving time, where a model runs millions of times: a model several times
# smaller and faster can move an endpoint to an instance a size down, and that saving repeats every hour.
