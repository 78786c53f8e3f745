"""`make lab` serves the course to a learner: lesson 00 over HTTP, no instructor-only panels."""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.mark.slow
def test_make_lab_serves_lesson_00_for_a_learner(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), IPYTHONDIR=str(tmp_path / "ipython"))
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --IdentityProvider.token={token}"
    proc = subprocess.Popen(["make", "-s", "lab", f"PORT={port}", f"LAB_ARGS={args}"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if get(f"{base}/api/status?token={token}")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
            time.sleep(1)
        else:
            pytest.fail("JupyterLab did not answer within 3 minutes")
        status, body = get(f"{base}/api/contents/00-tradeoff-triangle/00-tradeoff-triangle.ipynb?token={token}")
        assert status == 200
        nb = json.loads(body)["content"]
        assert any("tradeoff triangle" in "".join(c["source"]) for c in nb["cells"])
        assert get(f"{base}/lab?token={token}")[0] == 200
        assert get(f"{base}/api/contents/00-tradeoff-triangle/00-tradeoff-triangle.ipynb")[0] in (401, 403), \
            "the server must require the token"
        assert get(f"{base}/formgrader?token={token}")[0] == 404, "learners must not get nbgrader's formgrader"
        page = get(f"{base}/lab/api/settings?token={token}")[1].decode(errors="replace")
        assert get(f"{base}/api/contents/solutions?token={token}")[0] == 404, "only notebooks/ is served"
        del page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
