# %% [markdown]
# # Lesson 06 — Distributed training: N machines for less time
#
# When one machine is too slow, the obvious move is to use several. The most common way to do it
# is **data parallelism**, and PyTorch's version of it is `DistributedDataParallel` (DDP):
#
# 1. **Every process holds a full replica of the model**, initialised with the same weights.
# 2. **Every process sees a different shard of the data.** A `DistributedSampler` deals the
#    (shuffled) sample indices out like cards: rank 0 gets every N-th index starting at 0,
#    rank 1 every N-th starting at 1, and so on, so the shards are disjoint and together cover
#    the whole dataset once per epoch.
# 3. **After every backward pass the gradients are averaged across processes** with an
#    *all-reduce* (every process sends its gradient and receives the sum). DDP does this inside
#    `loss.backward()`, overlapping the communication with the rest of the backward pass.
# 4. Every process then applies the *same* averaged gradient, so the replicas stay identical
#    without ever sending the weights.
#
# With a global batch of B samples split into N local batches of B/N, one DDP step computes
# exactly the gradient that one process would compute on the whole batch. So DDP does not
# change *what* is learned; it changes *how long it takes* (compute is divided by N) and adds a
# cost that one process does not have: **communication** (an all-reduce of every gradient, every
# step). Whether N processes are faster depends on the ratio of the two.
#
# In this lesson you will
#
# 1. launch real multi-process training with `torchrun` from the notebook,
# 2. measure speedup and scaling efficiency for a compute-bound and a communication-bound model,
# 3. write a correct DDP training script yourself (sharding, all-reduce, rank 0 writes),
# 4. turn speedup into dollars: does distributed training save money?
# 5. see what changes when the processes live on different machines.
#
# On a laptop the "machines" are processes on your CPU cores, talking through the `gloo`
# backend. On a GPU server the same scripts run one process per GPU with the `nccl` backend,
# without edits.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import torch
from tqdm.auto import tqdm

import tradeoffs
from tradeoffs.claims import claim
from tradeoffs.data import load_mnist
from tradeoffs.distributed import (cuda_device_count, default_backend, default_nproc, launch, make_run_dir,
                                   multinode_command)
from tradeoffs.figures import record_figure
from tradeoffs.meter import measure
from tradeoffs.prices import hourly_rate, price_table

cfg = tradeoffs.setup("06", scale=scale, device=device)
run_dir = make_run_dir("06-distributed")
bench_path = run_dir / "ddp_bench.py"        # the two scripts this lesson writes (%%writefile cells below)
ddp_script_path = run_dir / "ddp_train.py"
backend = default_backend(cfg.device)
nproc = default_nproc(2, cfg.device)
print(f"scripts and outputs go to {run_dir}")
print(f"this machine: {os.cpu_count()} CPU cores, {cuda_device_count()} CUDA GPU(s) -> "
      f"backend {backend!r} with {nproc} processes")

# %% [markdown]
# ## 1. Why a script, and how to launch it
#
# Multi-process training needs **separate Python processes**, each running the same program.
# A notebook cannot simply start copies of itself: `torch.multiprocessing.spawn` of a function
# defined in a notebook cell fails, because the child processes cannot import the notebook.
# So distributed code lives in a **script file**, and the notebook writes that file and
# launches it with **`torchrun`** (`python -m torch.distributed.run`), PyTorch's launcher. It
# starts `--nproc-per-node` copies of the script and gives each one its identity through
# environment variables: `RANK` (0..N-1 over the whole job), `LOCAL_RANK` (on this machine),
# `WORLD_SIZE` (N) and the address where they meet (the *rendezvous*).
#
# The course helper `tradeoffs.distributed.launch` runs torchrun in a subprocess with a
# **timeout**, asks it for a **free port** (two notebooks graded at the same time must not
# collide), collects **each rank's output**, and turns a failure into a short error that names
# the failed rank and shows its traceback. Without this, a rank that crashes can leave the
# others waiting forever in a collective operation, and the notebook hangs.
#
# Here is a first script. It times the training loop of an MLP at **equal total work**: the
# global batch is fixed, and it is trained **two ways in the same launch**:
#
# - **alone**: rank 0 trains the whole global batch by itself while the other ranks wait at a
#   barrier (a waiting process sleeps; the script measures the CPU it uses to prove it), which is
#   exactly one process on one core;
# - **DDP**: every rank trains its share (global batch / N) under `DistributedDataParallel`,
#   for the same number of steps.
#
# Each rank makes up its own random batch (the data does not matter for timing). Read it: the four
# DDP-specific lines are marked. The cell's first line, `%%writefile`, saves the cell as
# `ddp_bench.py` instead of running it.

# %% nbgrader={"grade": false, "grade_id": "bench_script", "locked": true, "schema_version": 3, "solution": false}
# %%writefile {bench_path}
"""Time an MLP's training loop on 1 process and on all processes (DDP), at equal total work. Launch with torchrun."""
import argparse
import json
import os
import time
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


def mlp(width, seed, d_in=784, classes=10):
    torch.manual_seed(seed)                       # every replica starts from the same weights
    return nn.Sequential(nn.Linear(d_in, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, classes))


def trainer(model, batch, rank, device, seed):
    """One SGD step of `model` on a fixed random batch of `batch` samples (the data does not matter for timing)."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    gen = torch.Generator().manual_seed(seed + 1 + rank)
    x = torch.randn(batch, 784, generator=gen).to(device)
    y = torch.randint(0, 10, (batch,), generator=gen).to(device)

    def step():
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()   # under DDP, gradients are all-reduced here (3)
        opt.step()
    return step


def time_config(width, global_batch, steps, pairs, rank, world, device, seed, warmup=2):
    """Time `steps` training steps, `pairs` times each way, alternating so both ways share the same moments:

    alone: rank 0 trains the whole global batch by itself while the other ranks wait (1 thread, and 2 on CPU);
    ddp:   every rank trains its share (global_batch / world) of the same global batch under DDP.
    """
    t_config = time.perf_counter()
    on_cpu = device.type == "cpu"
    ddp_model = DDP(mlp(width, seed).to(device), device_ids=None if on_cpu else [device.index])  # DDP (2)
    alone = trainer(mlp(width, seed).to(device), global_batch, rank, device, seed) if rank == 0 else None  # others wait
    ways = {"alone": (alone, 1),                                               # way -> (this rank's step, threads)
            "ddp": (trainer(ddp_model, global_batch // world, rank, device, seed), 1)}  # equal total work
    if on_cpu:
        ways["alone_2threads"] = (alone, 2)       # one process on two cores, no communication

    def timed(way, n=steps):
        """Wall time of n steps done `way` (the slowest rank's), and this rank's CPU time meanwhile."""
        step, threads = ways[way]
        torch.set_num_threads(threads)
        if device.type == "cuda":
            torch.cuda.synchronize()
        dist.barrier()                            # every rank starts the clock together...
        t0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(n if step is not None else 0):
            step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        dist.barrier()                            # ...and stops it when the slowest rank is done
        return time.perf_counter() - t0, time.process_time() - cpu0

    order = list(ways)
    for way in order:                             # warm up: first steps allocate memory and build caches
        timed(way, n=warmup)
    times = {way: [] for way in order}
    waiting_cpu = 0.0                             # CPU the waiting ranks used while rank 0 trained alone
    for k in range(pairs):
        for way in (order if k % 2 == 0 else order[::-1]):   # alternate the order: drift hits both ways
            wall, cpu = timed(way)
            times[way].append(wall)
            if way.startswith("alone") and rank != 0:
                waiting_cpu += cpu
    gathered = [None] * world
    dist.all_gather_object(gathered, waiting_cpu)
    return {"width": width, "global_batch": global_batch, "steps": steps,
            "params": sum(p.numel() for p in ddp_model.parameters()),
            **{f"{way}_s": t for way, t in times.items()},
            "waiting_cpu_s": max(gathered[1:], default=0.0),
            "alone_total_s": sum(sum(t) for way, t in times.items() if way.startswith("alone")),
            "config_s": time.perf_counter() - t_config}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--configs", required=True, help="width:global_batch:steps,... e.g. 2048:4096:2,64:64:100")
    p.add_argument("--pairs", type=int, default=3, help="time each configuration this many times each way")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0, help="initial weights and random batches")
    args = p.parse_args()
    torch.set_num_threads(1)                           # one core per process
    if torch.cuda.is_available():
        backend, device = "nccl", torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    else:
        backend, device = "gloo", torch.device("cpu")
    dist.init_process_group(backend)                   # DDP (1): join the group (env set by torchrun)
    rank, world = dist.get_rank(), dist.get_world_size()
    rows = []
    for spec in args.configs.split(","):
        width, global_batch, steps = map(int, spec.split(":"))
        rows.append(time_config(width, global_batch, steps, args.pairs, rank, world, device, args.seed))
    if rank == 0:                                      # DDP (4): one writer
        with open(args.out, "w") as f:
            json.dump([dict(r, world_size=world, backend=backend) for r in rows], f)
    dist.barrier()                                     # tear down cleanly: without this, runs can
    dist.destroy_process_group()                       # die at exit (SIGABRT) now and then


if __name__ == "__main__":
    main()

# %% [markdown]
# Launching it is one call. `nproc` is 2 CPU processes here (`gloo`), or one process per GPU
# (`nccl`) when CUDA is present. Every configuration is `width:global_batch:steps`.
#
# The timings you are about to see come from the script itself (the training loop, between two
# barriers), not from the launcher: **starting the processes costs seconds** (each one starts
# Python, imports PyTorch and meets the others), and we measure that separately with a second,
# one-process launch.
#
# **Timing on a shared machine is noisy.** Your browser, a virus scanner or, on a cloud VM, a
# neighbour on the same physical host can slow a core down for seconds, and a speedup is a ratio
# of two timings. If the two timings are taken a minute apart, the noise of that minute goes
# straight into the ratio. So the script times the two ways **alternately**, `PAIRS` times
# (alone, DDP, DDP, alone, ...): a disturbance that lasts a few seconds hits both members of a
# pair. We keep each way's **fastest** training loop, as Python's `timeit` does (the fastest run is
# the one least disturbed by other programs), and we print the speedup of every pair too, so you
# can see how much a single measurement could have misled you.

# %%
on_gpu = cfg.on_gpu and cuda_device_count() >= 2
bench_env = {} if on_gpu else {"CUDA_VISIBLE_DEVICES": ""}   # the CPU comparison uses CPU processes
bench_nproc = cuda_device_count() if on_gpu else 2
if cfg.on_gpu and not on_gpu:
    print("Only one GPU: a speedup needs at least two, so this comparison runs on 2 CPU processes (gloo).")

COMPUTE_BOUND = cfg.pick(ci=(384, 256, 3), grade=(1024, 512, 4), laptop=(2048, 4096, 2), full=(4096, 8192, 4))
COMM_BOUND = cfg.pick(ci=(64, 64, 30), laptop=(64, 64, 100))
MIDDLE = cfg.pick(ci=[], laptop=[(256, 256, 60), (1024, 512, 12)])
configs = [COMM_BOUND, *MIDDLE, COMPUTE_BOUND]
PAIRS = cfg.pick(ci=1, grade=3, laptop=5)


def run_bench(n, configs, pairs):
    """Launch the timing script on n processes; return its per-configuration rows and the launch's start-up cost."""
    out = run_dir / f"bench-{n}proc.json"
    config_arg = ",".join(f"{w}:{b}:{s}" for w, b, s in configs)
    with measure(f"ddp bench, {n} process(es)", lesson="06") as run:
        result = launch(bench_path, ["--configs", config_arg, "--pairs", pairs, "--out", out, "--seed", cfg.seed],
                        nproc=n, timeout=cfg.pick(ci=600, laptop=1800), env=bench_env, outputs=out)
    rows = json.loads(out.read_text())
    overhead = result.wall_s - sum(r["config_s"] for r in rows)   # start-up, rendezvous, teardown
    run.log(metric="launch_overhead_seconds", value=overhead, processes=n)
    return rows, overhead


print(f"{len(configs)} configurations, each timed {PAIRS} time(s) alone and on {bench_nproc} processes, alternately")
rows, overhead_n = run_bench(bench_nproc, configs, PAIRS)
_, overhead_1 = run_bench(1, [COMM_BOUND], 1)         # only for the start-up cost of a 1-process launch
overhead = {1: overhead_1, bench_nproc: overhead_n}
print(f"start-up and teardown: {overhead_1:.1f} s for 1 process, {overhead_n:.1f} s for {bench_nproc}")

# %%
big_row = rows[-1]
pairs = pd.DataFrame({
    "pair": range(1, PAIRS + 1), "alone_s": big_row["alone_s"], f"ddp_{bench_nproc}proc_s": big_row["ddp_s"],
    "speedup": np.divide(big_row["alone_s"], big_row["ddp_s"]),
    **({"alone_2threads_s": big_row["alone_2threads_s"]} if "alone_2threads_s" in big_row else {}),
})
print(f"compute-bound configuration {COMPUTE_BOUND}, every timed pair "
      f"(the waiting rank used {big_row['waiting_cpu_s']:.2f} CPU s while rank 0 trained alone "
      f"for {big_row['alone_total_s']:.1f} s):")
pairs.round(3)

# %% [markdown]
# For comparison the script also times **one process using two threads** (rank 0 alone with
# `torch.set_num_threads(2)`: intra-op parallelism inside each matrix multiply, no communication at
# all), in the same pairs. Now the summary, one row per configuration, from the fastest loop of each way:

# %%
N = bench_nproc
table = pd.DataFrame([{
    "width": r["width"], "global_batch": r["global_batch"], "steps": r["steps"], "params": r["params"],
    "loop_1proc_s": min(r["alone_s"]), f"loop_{N}proc_s": min(r["ddp_s"]),
    "loop_1proc_2threads_s": min(r.get("alone_2threads_s") or [np.nan]),
    "end2end_1proc_s": overhead[1] + min(r["alone_s"]), f"end2end_{N}proc_s": overhead[N] + min(r["ddp_s"]),
    "speedup_median_pair": float(np.median(np.divide(r["alone_s"], r["ddp_s"]))),
} for r in rows])
table["speedup_loop"] = table["loop_1proc_s"] / table[f"loop_{N}proc_s"]
table["efficiency_loop"] = table["speedup_loop"] / N
table["speedup_end2end"] = table["end2end_1proc_s"] / table[f"end2end_{N}proc_s"]
table["speedup_2threads"] = table["loop_1proc_s"] / table["loop_1proc_2threads_s"]
table.round(3)

# %% [markdown]
# How to read the table. `speedup_loop` compares the fastest loops; `speedup_median_pair` is the
# median of the per-pair speedups, a more typical moment. What each row should show, and why:
#
# - **Tiny model (first row).** A step of a 55k-parameter MLP on 64 samples takes well under a
#   millisecond of compute, while the all-reduce costs a fixed latency per step (message
#   passing between processes, synchronisation). Splitting almost no compute in two and adding
#   communication should make the run **slower** than one process: a speedup below 1.
# - **Big model (last row).** Millions of parameters at a large batch: each step is many
#   milliseconds of matrix multiplies, and the all-reduce of the gradients is a smaller fraction of
#   that. This is **compute-bound**: on dedicated cores the speedup approaches N. On a shared
#   2-core machine it may not: the two processes need both cores at once, so any other program
#   that takes a core for a moment stalls the DDP run (every step waits for the slowest rank)
#   while the single process barely notices.
# - The **compute/communication ratio** is what matters. Compute per step grows with
#   *batch x parameters*, communication only with *parameters*: larger batches make DDP more
#   efficient, and tiny models never benefit. (Try it: halve the compute-bound global batch to
#   2,048 and rerun. Reference values, `laptop` scale on the course's 2-core reference VM: the
#   speedup fell from about 1.75x to about 1.65x.)
# - **End-to-end** numbers add process start-up (seconds per launch, the same for any model):
#   for a short job it can eat the whole gain. DDP pays off for long jobs.
# - **Two threads in one process** also uses both cores, without any communication, by splitting
#   each matrix multiply instead of the batch (on a busy machine the second thread often waits for
#   a core). On one machine it is the baseline DDP has to beat; DDP earns its keep when one machine
#   is not enough.
#
# Speedup and **scaling efficiency** are the two numbers to report:
#
# $$\text{speedup}(N) = \frac{T_1}{T_N}, \qquad \text{efficiency}(N) = \frac{\text{speedup}(N)}{N}.$$
#
# Efficiency 1 means perfect scaling; efficiency 0.5 means half of the machines you pay for is
# wasted on waiting and communicating. Here is what *your* run showed:

# %%
big, tiny = table.iloc[-1], table.iloc[0]
speedup_compute_bound = record_figure("06.ddp_speedup_compute_bound", big["speedup_loop"])
record_figure("06.ddp_efficiency_compute_bound", big["efficiency_loop"])
record_figure("06.ddp_speedup_comm_bound", tiny["speedup_loop"])
record_figure("06.ddp_speedup_compute_bound_median_pair", big["speedup_median_pair"])

claim("06.comm_bound_slower_than_one_process", tiny["speedup_loop"] < 1,
      holds_text=f"**Tiny model:** {N} processes ran at {tiny['speedup_loop']:.2f}x the speed of one (a speedup below "
                 "1): the all-reduce every step costs more than the compute it splits.",
      fails_text=f"**Tiny model:** on this run {N} processes reached a speedup of {tiny['speedup_loop']:.2f}x, not "
                 "below 1. That happens when the single-process loop was disturbed by another program during its "
                 "fastest pair; rerun the benchmark cell on a quieter machine.")
claim("06.compute_bound_scales_better", big["speedup_loop"] > tiny["speedup_loop"],
      holds_text=f"**Compute/communication ratio:** the compute-bound model's speedup ({big['speedup_loop']:.2f}x) "
                 f"is above the tiny model's ({tiny['speedup_loop']:.2f}x): more compute per byte communicated "
                 "scales better.",
      fails_text=f"**Compute/communication ratio:** on this run the compute-bound model's speedup "
                 f"({big['speedup_loop']:.2f}x) was not above the tiny model's ({tiny['speedup_loop']:.2f}x). The "
                 "machine was too busy for the timings to mean anything: rerun the benchmark cell.")
claim("06.efficiency_below_one", big["efficiency_loop"] < 1,
      holds_text=f"**Efficiency:** {big['efficiency_loop']:.2f} on the compute-bound model, below 1: some of what "
                 f"you would pay for on {N} machines is spent waiting and communicating.",
      fails_text=f"**Efficiency:** {big['efficiency_loop']:.2f} on the compute-bound model, not below 1 "
                 "(superlinear). On one machine that usually means the single-process timing was slowed by "
                 "another program, not that DDP beat perfect scaling.")
claim("06.ddp_speedup_compute_bound", big["speedup_loop"] >= 1.3, hedged=True,
      holds_text=f"**Speedup:** the compute-bound loop ran {big['speedup_loop']:.2f}x faster on {N} processes "
                 f"(ideal {N}x; median pair {big['speedup_median_pair']:.2f}x).",
      fails_text=f"**Speedup:** the compute-bound loop reached only {big['speedup_loop']:.2f}x on {N} processes "
                 f"(median pair {big['speedup_median_pair']:.2f}x), far from the ideal {N}x. On a shared 2-core "
                 "machine this is common: DDP needs both cores at every step, and another program holding one of "
                 "them for a moment stalls both ranks. On dedicated cores (reference: 1.76x, `laptop` scale, the "
                 "course's 2-core VM) the effect of the compute/communication ratio shows clearly.")
claim("06.startup_costs_seconds", overhead[N] >= 1.0,
      holds_text=f"**Start-up:** launching {N} processes cost {overhead[N]:.1f} s (1 process: {overhead[1]:.1f} s) "
                 "before any training, whatever the model: it only pays off for jobs much longer than that.",
      fails_text=f"**Start-up:** launching {N} processes cost only {overhead[N]:.1f} s on this machine (1 process: "
                 f"{overhead[1]:.1f} s); start-up is still a fixed cost per launch, which short jobs feel most.")
claim("06.ddp_beats_two_threads", big["speedup_loop"] > big["speedup_2threads"], hedged=True,
      holds_text=f"**Two threads, one process:** {big['speedup_2threads']:.2f}x on the compute-bound model, against "
                 f"{big['speedup_loop']:.2f}x for DDP: splitting the batch between processes beat splitting each "
                 "matrix multiply between threads here.",
      fails_text=f"**Two threads, one process:** {big['speedup_2threads']:.2f}x on the compute-bound model, against "
                 f"{big['speedup_loop']:.2f}x for DDP: on this run threads were as good, with no communication at "
                 "all. On one machine that is the baseline DDP has to beat.")

fig, ax = plt.subplots(figsize=(7, 4))
labels = [f"width {w}\nbatch {b}" for w, b in zip(table["width"], table["global_batch"])]
xs = np.arange(len(table))
ax.bar(xs - 0.27, table["speedup_loop"], width=0.27, label=f"DDP {N} proc, training loop")
ax.bar(xs, table["speedup_end2end"], width=0.27, label=f"DDP {N} proc, end to end")
ax.bar(xs + 0.27, table["speedup_2threads"], width=0.27, label="1 proc, 2 threads")
ax.axhline(N, color="k", ls="--", lw=1, label=f"ideal ({N}x)")
ax.axhline(1, color="0.5", lw=1)
ax.set_xticks(xs, labels)
ax.set_ylabel("speedup over 1 process, 1 thread")
ax.set_title("Speedup grows with the compute/communication ratio")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ### What a failure looks like
#
# A distributed job fails when **any** rank fails. torchrun notices, stops the other ranks, and
# `launch` shows the traceback of the rank that failed first, instead of a hang or a page of
# launcher internals. (This demo runs at `laptop` scale; it costs one more launch.)

# %%
if cfg.scale in ("laptop", "full"):
    broken = run_dir / "broken.py"
    broken.write_text(
        "import os, torch, torch.distributed as dist\n"
        "dist.init_process_group('gloo')\n"
        "if dist.get_rank() == 1:\n"
        "    raise ValueError('rank 1 could not read its data shard')\n"
        "dist.barrier()  # rank 0 waits here for rank 1, which never comes\n"
        "dist.destroy_process_group()\n")
    failed = launch(broken, nproc=2, timeout=120, check=False, env={"CUDA_VISIBLE_DEVICES": ""})
    print(failed.explain(tail_lines=4))
else:
    print(f"(skipped at scale {cfg.scale!r}: run with scale='laptop' to see a failing rank reported)")


# %% [markdown]
# ## 2. Exercise: speedup, efficiency and cost from timings
#
# A job that runs for $T_1$ seconds on one machine runs for $T_N$ seconds on $N$ machines. You
# pay for **every** machine for the whole time: cost $= N \cdot \text{rate} \cdot T_N / 3600$.
#
# ### Exercise 1 (3 points)
#
# Write `scaling_report(t_single_s, t_multi_s, n, usd_per_hour)` that returns a dict with
#
# - `"speedup"`: $T_1 / T_N$,
# - `"efficiency"`: speedup divided by `n`,
# - `"cost_single"`: dollars for the single-machine run,
# - `"cost_multi"`: dollars for the `n`-machine run (every machine is billed),
# - `"cost_ratio"`: `cost_multi / cost_single`.
#
# Bill per second (no minimum). Raise `ValueError` when a time or the rate is not positive or
# `n` is smaller than 1. Then apply it to the compute-bound row of your measured table (training
# loop times) at the `aws-m7i.large` rate, and store the result in `measured_report`.

# %% nbgrader={"grade": false, "grade_id": "scaling_report", "locked": false, "schema_version": 3, "solution": true}
def scaling_report(t_single_s, t_multi_s, n, usd_per_hour):
    """Speedup, efficiency and cost of running a job on n machines instead of one."""
    ### BEGIN SOLUTION
    if t_single_s <= 0 or t_multi_s <= 0 or usd_per_hour <= 0 or n < 1:
        raise ValueError("times and rate must be positive and n at least 1")
    speedup = t_single_s / t_multi_s
    cost_single = usd_per_hour * t_single_s / 3600
    cost_multi = n * usd_per_hour * t_multi_s / 3600
    return {"speedup": speedup, "efficiency": speedup / n, "cost_single": cost_single,
            "cost_multi": cost_multi, "cost_ratio": cost_multi / cost_single}
    ### END SOLUTION


rate = hourly_rate("aws-m7i.large")
measured_report = scaling_report(big["loop_1proc_s"], big[f"loop_{N}proc_s"], N, rate)
measured_report

# %% nbgrader={"grade": true, "grade_id": "test_scaling_report", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
from math import isclose
from tradeoffs.checks import explained
with explained("scaling_report", "a dict of five numbers"):
    _r = scaling_report(3600, 1200, 4, 2.0)
assert isinstance(_r, dict), f"Return a dict, got {type(_r).__name__}."
assert isclose(_r["speedup"], 3.0), f"1 h on one machine vs 20 min on four is a 3x speedup, got {_r['speedup']!r}."
assert isclose(_r["efficiency"], 0.75), \
    f"A 3x speedup on 4 machines is 75% efficiency (speedup / n), got {_r['efficiency']!r}."
assert isclose(_r["cost_single"], 2.0), f"One hour at $2/h is $2, got {_r['cost_single']!r}."
assert isclose(_r["cost_multi"], 2.0 * 4 / 3), \
    f"Four machines for 20 minutes at $2/h each is $2.67: every machine is billed. Got {_r['cost_multi']!r}."
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
import math
from tradeoffs.checks import observe, observe_call
_r = scaling_report(100.0, 60.0, 2, 3.6)
observe_call("speedup and efficiency", lambda: [_r["speedup"], _r["efficiency"]],
             why="Speedup is T1/TN and efficiency speedup/n.")
observe_call("costs", lambda: [_r["cost_single"], _r["cost_multi"]], why="Cost is n x rate x seconds / 3600.")
observe_call("cost_ratio", lambda: _r["cost_ratio"],
             why="cost_ratio compares the n-machine bill with the single-machine bill.")
_r = scaling_report(1000.0, 200.0, 4, 1.0)
_why_super = "Superlinear speedup (efficiency > 1) is possible and then saves money."
observe_call("superlinear efficiency", lambda: _r["efficiency"], why=_why_super)
# The old check was cost_ratio < 1 (strict): the largest float below 1 is the bound.
observe_call("superlinear cost_ratio below 1", lambda: _r["cost_ratio"], at_most=math.nextafter(1.0, 0.0),
             why=_why_super)
observe_call("short runs: billed per second, no minimum", lambda: [scaling_report(30.0, 20.0, 2, 3600.0)[k]
                                                                for k in ("cost_single", "cost_multi")],
             why="Bill per second with no minimum: 30 s at $3600/h is $30, and 2 machines for 20 s are $40.")
observe_call("one machine against itself", lambda: scaling_report(50.0, 50.0, 1, 1.0)["cost_ratio"],
             why="One machine against itself costs the same.")
for _bad in [(0, 1, 2, 1.0), (10, -1, 2, 1.0), (10, 5, 0, 1.0), (10, 5, 2, 0.0)]:
    observe_call(f"rejects {_bad}", lambda: scaling_report(*_bad), why=f"scaling_report{_bad} should raise ValueError.")
# Your measured table differs from the reference run's: compare with what this run's table gives.
_expect = scaling_report(big["loop_1proc_s"], big[f"loop_{N}proc_s"], N, hourly_rate("aws-m7i.large"))
observe("report on this run's compute-bound row", {k: float(v) for k, v in _expect.items()}, checked=False)
observe_call("measured_report", lambda: {k: float(measured_report[k]) for k in _expect},
             same_as="report on this run's compute-bound row", rel=1e-9, abs=0.0,
             why="measured_report should be scaling_report on the compute-bound row (training-loop seconds) "
                 "at the aws-m7i.large rate.")
### END HIDDEN TESTS

# %% [markdown]
# Look at `cost_ratio`: it is exactly `1 / efficiency`. Unless the speedup is *superlinear*
# (which happens, for example when each machine's shard suddenly fits in its cache), **N
# machines never cost less than one machine for the same work**. You buy time with money, and
# the exchange rate is the efficiency.
#
# ## 3. Exercise: a correct DDP training script
#
# Timing scripts can cut corners; a training script cannot. Now you write one that trains an
# MLP on **real MNIST digits** and is correct under DDP:
#
# 1. join the process group with the right backend (`nccl` on CUDA, else `gloo`) and define
#    `rank`, `world` (the world size) and `device` (on CUDA: `cuda:LOCAL_RANK`);
# 2. wrap the model in `DistributedDataParallel`, and shard the data with a `DistributedSampler`
#    (pass `seed=args.seed`) and a `DataLoader` with a **local** batch of
#    `args.global_batch // world`, so the global batch does not depend on the number of
#    processes;
# 3. call `sampler.set_epoch(epoch)` at the start of every epoch (otherwise every epoch sees the
#    same order);
# 4. make the epoch's loss metric global: `loss_sum` and `count` are local to a rank until you
#    **all-reduce** them;
# 5. only **rank 0** writes the results (`save_results` *appends* a line, so two writers give two
#    lines), then every rank leaves the process group cleanly (`dist.barrier()`, then
#    `dist.destroy_process_group()`).
#
# The rest (data loading, model, loop, per-rank diagnostics) is written for you. Each rank saves
# the sample indices it trained on and its final weights to `rank<r>.pt`; the tests use them to
# check that the ranks saw disjoint halves of the data and ended with identical weights.
#
# First the data: 5,000 real MNIST digits, saved once for every process to load.

# %%
X, y = load_mnist()
n_train = cfg.pick(ci=1024, grade=1024, laptop=4096, full=4096)
data_path = run_dir / "mnist.pt"
torch.save({"X": torch.from_numpy(X[:n_train]), "y": torch.from_numpy(y[:n_train])}, data_path)
check_data_path = run_dir / "mnist-check.pt"   # the tests always use the same 1,024 digits
if n_train == 1024:
    check_data_path = data_path
else:
    torch.save({"X": torch.from_numpy(X[:1024]), "y": torch.from_numpy(y[:1024])}, check_data_path)
print(f"{n_train} digits in {data_path.name}, 1024 in {check_data_path.name}")

# %% [markdown]
# ### Exercise 2 (6 points): complete the script
#
# Fill in the five marked places in the script (keep the rest). The cell's first line,
# `%%writefile`, saves it as `ddp_train.py` instead of running it; the test cells launch it with 1
# and with 2 CPU processes.

# %% nbgrader={"grade": false, "grade_id": "ddp_script", "locked": false, "schema_version": 3, "solution": true}
# %%writefile {ddp_script_path}
"""Train an MLP on MNIST with DistributedDataParallel. Launch with torchrun."""
import argparse
import json
import os
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def save_results(out_dir, record):
    """Append one record to out_dir/results.jsonl (a results log: one line per call)."""
    with open(Path(out_dir) / "results.jsonl", "a") as f:
        f.write(json.dumps(record) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--global-batch", type=int, default=64)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)

    # (1) Join the process group (nccl on CUDA, else gloo); define rank, world and device.
    ### BEGIN SOLUTION
    use_cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if use_cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    if use_cuda:
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    ### END SOLUTION

    data = torch.load(args.data)
    dataset = TensorDataset(data["X"], data["y"], torch.arange(len(data["y"])))
    torch.manual_seed(args.seed)  # identical initial weights on every rank
    model = nn.Sequential(nn.Linear(data["X"].shape[1], args.width), nn.ReLU(),
                          nn.Linear(args.width, 10)).to(device)

    # (2) Wrap `model` in DDP; define `sampler` and `loader` so that each rank trains on its own
    #     shard of `dataset` in batches of args.global_batch // world samples.
    ### BEGIN SOLUTION
    model = DDP(model, device_ids=[device.index] if use_cuda else None)
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(dataset, batch_size=args.global_batch // world, sampler=sampler)
    ### END SOLUTION

    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    seen, history = [], []
    for epoch in range(args.epochs):
        # (3) A new shuffle every epoch.
        ### BEGIN SOLUTION
        sampler.set_epoch(epoch)
        ### END SOLUTION
        loss_sum = torch.zeros(1, device=device)
        count = torch.zeros(1, device=device)
        seen.append([])
        for x, y, idx in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()  # DDP averages the gradients across ranks here
            optimizer.step()
            loss_sum += loss.detach() * len(y)
            count += len(y)
            seen[-1] += idx.tolist()
        # (4) Turn loss_sum and count into totals over ALL ranks.
        ### BEGIN SOLUTION
        dist.all_reduce(loss_sum)
        dist.all_reduce(count)
        ### END SOLUTION
        history.append((loss_sum / count).item())

    weights = torch.cat([p.detach().flatten().cpu() for p in model.parameters()])
    torch.save({"rank": rank, "world_size": world, "indices": seen, "weights": weights},
               Path(args.out) / f"rank{rank}.pt")
    # (5) Only rank 0 calls save_results(args.out, {...}) with keys rank, world_size and
    #     loss_history; then every rank leaves the process group cleanly.
    ### BEGIN SOLUTION
    if rank == 0:
        save_results(args.out, {"rank": rank, "world_size": world, "loss_history": history})
    dist.barrier()
    dist.destroy_process_group()
    ### END SOLUTION


if __name__ == "__main__":
    main()

# %% [markdown]
# The tests launch your script on the same 1,024 digits (2 epochs, global batch 64, `--seed 3`): the first
# test cell with **2 processes**, checking the data sharding; the second with **1 process** (the
# single-process reference), checking what the runs produced. If your script crashes, the
# failing rank's traceback is shown.

# %% nbgrader={"grade": true, "grade_id": "test_ddp_sharding", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
from tradeoffs.distributed import launch as _launch


def _run_ddp_check(nproc):
    """Launch the learner's script on 2 CPU processes (or 1) and read back everything it wrote."""
    out = run_dir / f"check-{nproc}proc"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    res = _launch(ddp_script_path, ["--data", check_data_path, "--out", out, "--epochs", "2", "--width", "32",
                                    "--global-batch", "64", "--seed", "3"],
                  nproc=nproc, timeout=150, check=False, env={"CUDA_VISIBLE_DEVICES": ""}, outputs=out)
    assert res.ok, f"Your script failed when launched with {nproc} process(es):\n{res.explain(tail_lines=12)}"
    ranks = {}
    for r in range(nproc):
        path = out / f"rank{r}.pt"
        assert path.exists(), f"rank {r} did not write {path.name}: the per-rank diagnostics are part of the given code."
        ranks[r] = torch.load(path)
    lines = (out / "results.jsonl").read_text().splitlines() if (out / "results.jsonl").exists() else []
    return {"ranks": ranks, "results": [json.loads(ln) for ln in lines if ln.strip()], "wall_s": res.wall_s}


ddp_check = {2: _run_ddp_check(2)}
_r0, _r1 = ddp_check[2]["ranks"][0], ddp_check[2]["ranks"][1]
assert _r0["world_size"] == 2 and _r1["world_size"] == 2, "Launched with 2 processes, each rank should see world size 2."
_e0, _e1 = set(_r0["indices"][0]), set(_r1["indices"][0])
assert len(_r0["indices"][0]) == 512 and len(_r1["indices"][0]) == 512, (
    f"With 1,024 samples and 2 ranks each rank should train on 512 samples per epoch, got "
    f"{len(_r0['indices'][0])} and {len(_r1['indices'][0])}: shard the data with a DistributedSampler.")
assert not (_e0 & _e1), (
    f"Ranks 0 and 1 both trained on {len(_e0 & _e1)} of the same samples in epoch 0. Each rank must see a "
    "disjoint shard, otherwise N processes just repeat the same work.")
assert _e0 | _e1 == set(range(1024)), "Together the two shards should cover every sample once per epoch."
assert len(_r0["indices"]) == 2 and _r0["indices"][0] != _r0["indices"][1], (
    "Rank 0 saw its samples in the same order in both epochs: call sampler.set_epoch(epoch) at the start of "
    "every epoch, otherwise DistributedSampler repeats the first epoch's shuffle.")
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call
for _rank, _rk in enumerate((_r0, _r1)):
    observe_call(f"epochs recorded, rank {_rank}", lambda: len(_rk["indices"]), why="Both epochs should be recorded.")
    observe_call(f"new order in epoch 2, rank {_rank}", lambda: bool(_rk["indices"][0] != _rk["indices"][1]),
                 why="A rank saw its samples in the same order in both epochs: the sampler needs the epoch number "
                     "each epoch.")
    observe_call(f"epoch 2 shard size, rank {_rank}", lambda: len(_rk["indices"][1]),
                 why="The second epoch should also be a 512-sample shard.")
observe_call("samples shared by both ranks in epoch 2", lambda: len(set(_r0["indices"][1]) & set(_r1["indices"][1])),
             why="Shards must be disjoint in every epoch.")
# The launch passes --seed 3 (not the sampler's default 0): the shuffle order shows whether the seed was used.
for _rank, _rk in enumerate((_r0, _r1)):
    observe_call(f"first 32 samples of epoch 1 with --seed 3, rank {_rank}", lambda: [int(i) for i in _rk["indices"][0][:32]],
                 why="The shuffle ignored the script's --seed: pass seed=args.seed to the DistributedSampler.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_ddp_results", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
ddp_check[1] = _run_ddp_check(1)   # the single-process reference: same script, same seed, same global batch
_res2, _res1 = ddp_check[2]["results"], ddp_check[1]["results"]
assert len(_res2) == 1, (
    f"results.jsonl has {len(_res2)} line(s) after the 2-process run; expected exactly 1. Only rank 0 "
    "should write results, otherwise every process appends its own copy (or overwrites a shared file).")
assert _res2[0].get("rank") == 0 and _res2[0].get("world_size") == 2, \
    f"The one results record should come from rank 0 of a 2-process run, got {_res2[0]}."
_w0, _w1 = ddp_check[2]["ranks"][0]["weights"], ddp_check[2]["ranks"][1]["weights"]
assert torch.allclose(_w0, _w1, atol=1e-6), (
    "The two replicas ended with different weights. DDP keeps them identical by averaging the gradients "
    "every step: wrap the model in DistributedDataParallel.")
_l1, _l2 = _res1[0]["loss_history"], _res2[0]["loss_history"]
assert len(_l2) == 2, f"loss_history should have one value per epoch (2), got {_l2}."
assert all(abs(a - b) <= 2e-5 * abs(b) + 1e-7 for a, b in zip(_l2, _l1)), (
    f"The 2-process loss history {_l2} differs from the 1-process one {_l1}: the reported loss must be the mean "
    "over the samples of ALL ranks. all_reduce both loss_sum and count before dividing.")
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe, observe_call
observe_call("results lines, 1 process", lambda: len(_res1),
             why="The 1-process run should also write exactly one results line.")
observe_call("samples per epoch, 1 process", lambda: [len(e) for e in ddp_check[1]["ranks"][0]["indices"]],
             why="With one process the single rank should see every sample.")
# torch.allclose(a, b, atol=1e-4) (rtol 1e-5) holds exactly when max(|a - b| - 1e-5 |b|) <= 1e-4; the weights
# (25k numbers) are too many to observe one by one, and both runs are this run's own.
_w_one = ddp_check[1]["ranks"][0]["weights"]
observe_call("2 vs 1 process weights: max excess over rtol",
             lambda: float(((_w0 - _w_one).abs() - 1e-5 * _w_one.abs()).max()), at_most=1e-4,
             why="With the same seed and global batch, DDP training should end at the same weights as one process.")
# Both loss histories are this run's: the 2-process one must equal the 1-process one, within the old tolerance.
observe("1-process loss history", _l1, checked=False)
observe_call("2-process loss history", lambda: _l2, same_as="1-process loss history",
             rel=2e-5, abs=1e-7,
             why="The 2-process loss history should match the single-process one: the reported loss must be the mean "
                 "over all samples of all ranks, not of rank 0 alone.")
# Leaving the process group is checked in the script itself: a missing teardown only fails when a race happens.
import ast as _ast
_script_calls = {_node.func.attr for _node in _ast.walk(_ast.parse(open(ddp_script_path).read()))
                 if isinstance(_node, _ast.Call) and isinstance(_node.func, _ast.Attribute)}
observe_call("script calls dist.destroy_process_group", lambda: "destroy_process_group" in _script_calls,
             why="Every rank must leave the process group cleanly at the end: call dist.destroy_process_group().")
### END HIDDEN TESTS

# %% [markdown]
# The tests ran your script; here is what they saw. Same seed, same global batch, 1 or 2
# processes: a correct script ends at the same weights to float rounding, because every DDP
# step computes the gradient of the same 64 samples that the single process uses, only split in
# two halves. What differs is the *order of additions* in the all-reduce, hence a tiny rounding
# difference.

# %%
_w_single = ddp_check[1]["ranks"][0]["weights"]
_w_ddp = ddp_check[2]["ranks"][0]["weights"]
_max_diff = (_w_single - _w_ddp).abs().max().item()
print(f"max |weight difference|, 1 vs 2 processes: {_max_diff:.2e}")
claim("06.ddp_matches_one_process", _max_diff <= 1e-4,
      holds_text=f"The 2-process run ended at the single-process weights up to {_max_diff:.1e}: DDP learned what "
                 "one process learns, only in less compute time per process.",
      fails_text=f"The two runs' weights differ by up to {_max_diff:.1e}, far more than float rounding: the script "
                 "does not compute the same global-batch gradient on 2 processes (see the tests above).")
pd.DataFrame({"epoch": [1, 2], "loss, 1 process": ddp_check[1]["results"][0]["loss_history"],
              "loss, 2 processes (DDP)": ddp_check[2]["results"][0]["loss_history"]})

# %% [markdown]
# Now train with your script at the notebook's scale, on `nproc` processes (2 CPU processes, or
# one per GPU, with no edits to the script), and log the run to the course ledger.

# %%
if cfg.scale in ("laptop", "full"):
    train_out = run_dir / "train"
    train_out.mkdir(exist_ok=True)
    epochs = cfg.pick(ci=2, laptop=4, full=10)
    train_env = {} if cfg.on_gpu else {"CUDA_VISIBLE_DEVICES": ""}   # device="cpu" on a GPU machine: stay on CPU
    with measure(f"DDP MLP on MNIST, {nproc} proc ({backend})", lesson="06") as run:
        train_result = launch(ddp_script_path, ["--data", data_path, "--out", train_out, "--epochs", epochs,
                                                "--width", 128, "--global-batch", 128, "--seed", cfg.seed],
                              nproc=nproc, timeout=600,
                              env=train_env, outputs=train_out)
    history = json.loads((train_out / "results.jsonl").read_text().splitlines()[-1])["loss_history"]
    run.log(metric="train_loss", value=history[-1], processes=nproc, backend=backend)
    print(run)
    plt.figure(figsize=(5, 3))
    plt.plot(range(1, len(history) + 1), history, marker="o")
    plt.xlabel("epoch"); plt.ylabel("training loss (all ranks)"); plt.title(f"DDP on {nproc} process(es)")
    plt.show()
else:
    print(f"(skipped at scale {cfg.scale!r}: the tests above already ran your script; "
          "scale='laptop' trains on 4,096 digits for 4 epochs)")

# %% [markdown]
# ## 4. Does distributed training save money?
#
# Your timings say how much faster N processes are. The price table says what machines cost.
# Take a job that needs 10 hours on one 16-vCPU `aws-c7i.4xlarge`, and suppose its scaling
# follows **Amdahl's law** fitted to your compute-bound measurement: a fraction $s$ of the
# work does not get faster with more machines (communication, synchronisation), so
# $\text{speedup}(N) = 1 / (s + (1 - s)/N)$. From your 2-process speedup $S_2$,
# $s = 2/S_2 - 1$.

# %%
S2 = float(np.clip(big["speedup_loop"], 1.0, 2.0))  # Amdahl's law needs 1 <= S2 <= 2
serial = 2 / S2 - 1
instance = "aws-c7i.4xlarge"
job_hours = 10.0
rows = []
for n_machines in [1, 2, 4, 8, 16, 32]:
    speedup_n = 1 / (serial + (1 - serial) / n_machines)
    rep = scaling_report(job_hours * 3600, job_hours * 3600 / speedup_n, n_machines, hourly_rate(instance))
    rows.append({"machines": n_machines, "hours": job_hours / speedup_n, "speedup": rep["speedup"],
                 "efficiency": rep["efficiency"], "cost_usd": rep["cost_multi"], "cost_ratio": rep["cost_ratio"]})
scaling_table = pd.DataFrame(rows)
print(f"serial fraction s = {serial:.3f} (from your 2-process speedup {S2:.2f}), rate ${hourly_rate(instance)}/h")
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(scaling_table["hours"], scaling_table["cost_usd"], marker="o")
for _, r in scaling_table.iterrows():
    ax.annotate(f"{int(r['machines'])}", (r["hours"], r["cost_usd"]), textcoords="offset points", xytext=(4, 4))
ax.set_xscale("log"); ax.set_xlabel("hours until the model exists"); ax.set_ylabel("bill (USD)")
ax.set_title(f"10-hour job on {instance}: time vs money (labels = machines)")
plt.show()
scaling_table.round(3)

# %%
claim("06.bill_never_falls", bool((scaling_table["cost_ratio"] >= 1 - 1e-9).all()),
      holds_text=f"On every row the bill is at least the single machine's (up to "
                 f"{scaling_table['cost_ratio'].max():.1f}x on {scaling_table['machines'].max()} machines): the cost "
                 "ratio is 1 / efficiency.",
      fails_text="Some row costs less than one machine: that needs superlinear scaling, which Amdahl's law "
                 "cannot produce; check the serial fraction above.")
_ = claim("06.amdahl_diminishing_returns", 0.02 <= serial <= 0.9, hedged=True,
          holds_text=f"From your speedup {S2:.2f}x, s = {serial:.3f}: each doubling of machines shortens the job less "
                     f"than the one before (never below {job_hours * serial:.1f} h, s x 10 h) and raises the bill more.",
          fails_text=f"From your 2-process speedup ({big['speedup_loop']:.2f}x, clipped to {S2:.2f}x) the fit gives "
                     f"s = {serial:.3f}. " + ("That is (almost) no parallel gain at all, so the model predicts that more "
                     "machines never shorten the job, and the bill grows N-fold. A busy 2-core machine measures this "
                     "easily (see the speedup above); with the reference speedup of 1.76x (`laptop` scale, the "
                     "course's 2-core VM) s is about 0.13 and the curve bends: each doubling buys less time for more money."
                     if serial > 0.9 else "That is almost perfect scaling, so the bill barely grows with N; "
                     "communication-heavy jobs and slower networks between machines do much worse."))

# %% [markdown]
# In Amdahl's law each doubling of machines shortens the job less than the one before, and
# raises the bill more, as soon as s > 0. With perfect scaling (s = 0) the bill would stay flat:
# N machines for 1/N of the time. With a speedup below 1, as the communication-bound model usually
# measures, the bill multiplies instead: more machines, *more* time, and N times the rate.
#
# ### Exercise 3 (1 point): budget and deadline
#
# A training job takes **12 hours** on one `aws-c7i.4xlarge` (\$0.714/h). The model must exist
# within **3 hours**, and the budget is **\$15**. Measured scaling efficiencies:
#
# | machines | 4 | 8 | 16 |
# | --- | --- | --- | --- |
# | efficiency | 0.90 | 0.75 | 0.45 |
#
# - **(a)** One machine: it is the cheapest, and the deadline is a soft target.
# - **(b)** 4 machines: the best efficiency, so the best value.
# - **(c)** 8 machines: the only option that meets both the deadline and the budget.
# - **(d)** 16 machines: the fastest, so the safest for the deadline.
#
# Set `scale_out_choice` to `"a"`, `"b"`, `"c"` or `"d"`. (Use `scaling_report`: time on N
# machines is $T_1 / (N \cdot \text{efficiency})$.)

# %% nbgrader={"grade": false, "grade_id": "scale_out_choice", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
scale_out_choice = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_scale_out_choice", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(scale_out_choice, str) and scale_out_choice.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: scale_out_choice.strip().lower(),
             why="Compute hours = 12 / (N x efficiency) and cost = N x 0.714 x hours for each option, "
                 "then check both limits.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4 (1 point): checkpoint
#
# Does distributed training always save money?
#
# - **(a)** No: N machines bill N times the rate; the bill grows by `1 / efficiency`.
# - **(b)** Yes: the job finishes sooner, so you pay for fewer machine-hours in the end.
# - **(c)** Yes, as long as the model is large enough for the job to be compute-bound.
# - **(d)** No: spreading a job over N machines always costs exactly N times more.
#
# Set `checkpoint_money` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_money", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_money = "a"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_money", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_money, str) and checkpoint_money.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_money.strip().lower(),
             why="Write the bill on N machines as N x rate x T1 / speedup and compare it with rate x T1.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5 (1 point): the bill on four machines
#
# A job takes **8 hours** on one machine rented at **\$2 per hour**. On 4 such machines its measured
# scaling efficiency is **0.8**. Every machine is billed per second for the whole run. What does the
# 4-machine run cost?
#
# - **(a)** \$16.00
# - **(b)** \$5.00
# - **(c)** \$12.80
# - **(d)** \$20.00
#
# Set `checkpoint_four_machines` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_four_machines", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_four_machines = "d"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_four_machines", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_four_machines, str) and checkpoint_four_machines.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_four_machines.strip().lower(),
             why="Time on 4 machines is 8 / (4 x 0.8) hours, and all 4 machines are billed for that time.")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Beyond one machine
#
# The same script runs across machines; only the launch changes. Every node runs the **same
# command** with its own `--node-rank`, and all nodes meet at one rendezvous address (usually
# node 0, on a port that the other nodes can reach):

# %%
for node in range(2):
    print(f"# on node {node}:")
    print(multinode_command("ddp_train.py", ["--data", "mnist.pt", "--out", "results/"], nproc_per_node=8,
                            nnodes=2, node_rank=node, host="node0.internal", port=29500))

# %% [markdown]
# What changes when the processes are on different machines:
#
# - **Backend.** GPUs use `nccl`, which talks over NVLink inside a machine and InfiniBand or
#   Ethernet (RDMA where available) between machines. `gloo` remains the CPU choice.
# - **The network becomes the bottleneck.** Inside one machine an all-reduce moves gradients
#   through shared memory or NVLink (hundreds of GB/s); between machines it goes over a network
#   that is often 10 to 100 times slower. The compute/communication ratio you measured gets
#   worse, so efficiency drops, and the cost ratio (1 / efficiency) rises. Cloud providers sell
#   "cluster" networking (e.g. EFA on AWS) for exactly this reason, at a higher price.
# - **Failures multiply.** With 16 machines, one bad node stops the whole job; long jobs
#   checkpoint regularly and torchrun can restart failed workers (`--max-restarts`).
# - **Start-up and data.** Every node needs the code, the environment and the data shard; the
#   start-up you measured (seconds per launch) becomes minutes at cluster scale.
#
# ### Exercise 6 (2 points, graded by your instructor): would you scale out?
#
# Your team trains a model for 6 hours every night on one machine, and the results are needed by
# 8 a.m. Using what this lesson's measurements show **on every run** (the ranking of the tiny and the
# compute-bound model, efficiency below 1, start-up measured in seconds, the bill growing as
# 1 / efficiency), not one run's exact numbers (they change when the notebook is re-executed), say
# when you would move this job to 2 or more machines and when you would not, and name one thing you
# would measure before deciding.

# %% [markdown] nbgrader={"grade": true, "grade_id": "written_scale_out", "locked": false, "points": 2.0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Model answer (rubric: 1 point for a decision tied to what holds across runs: compute-bound
# models scale better than communication-bound ones, efficiency is below 1 so 2 machines cost
# 1 / efficiency times the bill, start-up is seconds and only matters for short jobs; quoting the
# learner's own numbers is fine but not required, and a number that differs from the re-executed
# notebook is not an error; 1 point for recognising that scaling out buys time and raises the
# bill, and naming something to measure first: the job's own compute/communication ratio,
# efficiency at the target N, network bandwidth between the machines, or whether one bigger
# machine / more threads would do).
#
# Example: "The job already meets its deadline on one machine (6 h, done by 8 a.m. if started by
# 2 a.m.), and on every run efficiency was below 1, so 2 machines would cost 1 / efficiency times
# as much for time we do not need: I would not scale out. If the data grew so that one machine
# needed 10 h, scaling out would be worth it, for a compute-bound model only: the tiny model was
# slower on 2 processes than on one in every run. Start-up costs seconds, nothing next to hours.
# Before deciding I would measure the efficiency of our real model on the real network between
# machines, at the N we would rent."
# ### END SOLUTION

# %% [markdown]
# ## Summary
#
# - **Data parallelism**: every process holds a replica, trains on its own shard
#   (`DistributedSampler` + `set_epoch`), and gradients are averaged by an all-reduce in every
#   backward pass. With the same global batch, DDP learns what one process learns.
# - **Speedup** $T_1/T_N$ and **efficiency** speedup$/N$ depend on the compute/communication ratio:
#   big models and big batches scale, tiny models get slower. Start-up adds seconds per launch.
# - **Cost** on N machines is `1 / efficiency` times the single-machine cost: distributed
#   training buys time with money. Scale out when the deadline needs it, not by default.
# - Launching is plumbing: one script, `torchrun` with a timeout, a free port, one writer
#   (rank 0), and a clean teardown (`barrier` + `destroy_process_group`).

# %%
# Small-scale runs (tests, autograding) clean up after themselves; at laptop scale the scripts and
# outputs stay in run_dir for you to open.
if cfg.scale in ("ci", "grade"):
    shutil.rmtree(run_dir, ignore_errors=True)
    print(f"removed {run_dir}")
else:
    print(f"your scripts and their outputs are in {run_dir}")

# %% [markdown]
# ## In the cloud
#
# | here | managed counterpart | what it adds | what it costs |
# | --- | --- | --- | --- |
# | `torchrun` with DDP on local processes, gloo (CPU) or nccl (GPU) | **SageMaker distributed training** (`torchrun` launcher, SageMaker distributed data parallel library), **SageMaker HyperPod**, **Vertex AI** custom training with several worker pools (and its Reduction Server), **Azure ML** distributed jobs | provisions the machines, the fast network between them (e.g. EFA on AWS) and the rendezvous | every instance is billed for the whole job: N machines at a speedup S cost N / S times as much per unit of work (1 / efficiency) |
#
# The scaling table you built is what decides the instance count: past the point where efficiency
# falls, more machines finish sooner but cost more, and a managed cluster bills the idle ones too.
