"""make gpu-check: skips cleanly (exit 0, nothing written) on a machine without CUDA, as CI is."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tradeoffs.gpu_check import run_gpu_check
from tradeoffs.scale import cuda_available


@pytest.mark.skipif(cuda_available(), reason="this machine has a GPU: the check would really run")
def test_gpu_check_skips_without_cuda(tmp_path):
    folder, problems = run_gpu_check(out=tmp_path / "gpu")
    assert folder is None and problems == [] and not (tmp_path / "gpu").exists()
    done = subprocess.run([sys.executable, "-m", "tradeoffs.cli", "gpu-check"], capture_output=True, text=True)
    assert done.returncode == 0 and "skipped" in done.stdout, done.stdout + done.stderr
