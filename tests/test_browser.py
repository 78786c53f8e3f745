"""A learner's session in a real browser: JupyterLab (learner profile) driven by headless Chromium.

What a learner does in lesson 00, end to end, through the same UI they use:

1. open the lesson, wait for the kernel, Run > Run All Cells: the data cell prints its summary and
   the visible test of the unanswered `job_cost` exercise fails with NotImplementedError;
2. type a correct `job_cost` into its cell, run all again: `test_job_cost` now runs without error;
3. click nbgrader's Validate button and read the result dialog;
4. find no instructor tools (Formgrader, Create Assignment, Course List) in the learner view.

Nothing is installed at run time: Debian's Chromium (/usr/bin/chromium, installed by .ci/run) and
the pinned Python `playwright` package; no browser download. The server is started the way
`make lab` starts it (JUPYTER_CONFIG_DIR=jupyter/learner, --notebook-dir=notebooks) but on a
temporary copy of notebooks/, a random loopback port and a random token, at `ci` scale with the
results ledger off, so a run writes nothing into the repository except screenshots and logs under
test-artifacts/browser/ (git-ignored). Chromium resolves no name except 127.0.0.1.

Run it alone:  .venv/bin/python -m pytest tests/test_browser.py -m browser -x
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "browser"
LESSON_PATH = "00-tradeoff-triangle/00-tradeoff-triangle.ipynb"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # One argv element, so no shell quoting: every name fails to resolve except the loopback server.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

# Generous limits: other jobs may share a 2-core machine with this test.
SERVER_START_S = 180
KERNEL_READY_MS = 300_000
RUN_ALL_MS = 300_000
VALIDATE_MS = 300_000
DEFAULT_MS = 60_000

# A correct answer, and one a learner could plausibly type (not the reference solution's text).
JOB_COST_ANSWER = '''def job_cost(seconds, usd_per_hour, n_instances=1, min_billed_seconds=60):
    """Dollar cost of a job: every instance is billed max(seconds, minimum) at the hourly rate."""
    if seconds < 0 or usd_per_hour < 0 or n_instances < 0:
        raise ValueError("seconds, usd_per_hour and n_instances must not be negative")
    billed_seconds = max(seconds, min_billed_seconds)
    return n_instances * usd_per_hour * billed_seconds / 3600
'''

# Instructor-only nbgrader entry points that must not appear in the learner view.
INSTRUCTOR_LABELS = re.compile(r"formgrader|create assignment|course list|manage assignments", re.I)
INSTRUCTOR_COMMANDS = (
    "nbgrader:open-formgrader",
    "nbgrader:open-formgrader-local",
    "nbgrader:open-create-assignment",
    "nbgrader:open-course-list",
)


# --------------------------------------------------------------------------------------------
# fixtures: one server and one browser for the whole module
# --------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _jupyter_command() -> list[str]:
    """The venv's `jupyter` (as `make lab` runs it), or the running interpreter's module."""
    script = Path(sys.executable).parent / "jupyter"
    if script.exists():
        return [str(script), "lab"]
    return [sys.executable, "-m", "jupyterlab"]


def _get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    """HTTP GET that returns (status, body) for error statuses too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _descendants(pid: int) -> list[int]:
    try:
        import psutil

        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except Exception:  # noqa: BLE001 - psutil missing or the process is already gone
        return []


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0); reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _stop_server(proc: subprocess.Popen) -> None:
    """End the server we started, its process group and its kernels, by their own ids."""
    children = _descendants(proc.pid)  # kernels run in their own sessions; remember them now
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # start_new_session: the group id is proc.pid
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)  # SIGTERM makes jupyter shut its kernels down cleanly
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    for pid in children:
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: the browser test uses Debian's Chromium "
            "(apt-get install -y chromium; .ci/run installs it), never a downloaded browser."
        )
    pytest.importorskip("playwright.sync_api", reason="the pinned `playwright` package is not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="module")
def lab_server(chromium, artifacts, tmp_path_factory):
    """JupyterLab with the learner profile, serving a temporary copy of notebooks/."""
    root = tmp_path_factory.mktemp("lab")
    notebooks = root / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("runtime", "workspaces", "user-settings", "ipython", "results"):
        (root / name).mkdir()

    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    env.update({
        "JUPYTER_CONFIG_DIR": str(REPO / "jupyter" / "learner"),  # as `make lab`
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / "user-settings"),
        "IPYTHONDIR": str(root / "ipython"),
        "TRADEOFFS_SCALE": "ci",
        "TRADEOFFS_LEDGER": "off",
        "TRADEOFFS_RESULTS": str(root / "results"),
        "TRADEOFFS_FIGURES": str(root / "results" / "figures.json"),
        "PYTHONUNBUFFERED": "1",
        # Validate runs the notebook with the learner profile's per-cell limit
        # (jupyter/learner/nbgrader_config.py); a shared 2-core CI machine needs more room.
        "TRADEOFFS_CELL_TIMEOUT": os.environ.get("TRADEOFFS_CELL_TIMEOUT", "600"),
    })
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")

    token = secrets.token_hex(24)
    log_path = artifacts / "jupyter-server.log"
    proc = None
    base = ""
    for attempt in range(3):  # a port picked free can be taken before the server binds it
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = _jupyter_command() + [
            f"--notebook-dir={notebooks}",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI containers run as root
        log = open(log_path, "a" if attempt else "w")
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _ = _get(f"{base}/api/status?token={token}", timeout=5)
                if status == 200:
                    break
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        else:
            if proc.poll() is not None and attempt < 2:
                continue  # exited early (port taken?): try another port
            _stop_server(proc)
            pytest.fail(f"JupyterLab did not answer {base}/api/status within {SERVER_START_S} s "
                        f"(exit code {proc.poll()}). Server log {log_path}:\n{_log_tail(log_path)}")
        break

    server = {"base": base, "token": token, "root": root, "notebooks": notebooks, "log": log_path,
              "pid": proc.pid}
    try:
        yield server
    finally:
        _stop_server(proc)


@pytest.fixture(scope="module")
def browser(chromium, lab_server):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chrome = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            yield chrome
        finally:
            chrome.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, artifacts, request):
    """A fresh browser context per test; its last view and browser console are kept for diagnosis."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(DEFAULT_MS)
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
    try:
        yield page
    finally:
        name = request.node.name
        try:
            page.screenshot(path=str(artifacts / f"last-view-{name}.png"))
        except Exception:  # noqa: BLE001 - best effort, for diagnosing a failure
            pass
        (artifacts / f"console-{name}.log").write_text("\n".join(console) + "\n")
        context.close()


# --------------------------------------------------------------------------------------------
# helpers that act like a learner
# --------------------------------------------------------------------------------------------

def _cell_index(notebooks: Path, *, grade_id: str | None = None, contains: str | None = None) -> int:
    """Index of a cell in the served lesson, by nbgrader grade_id or by a piece of its source."""
    nb = json.loads((notebooks / LESSON_PATH).read_text())
    for index, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if grade_id is not None and meta.get("grade_id") == grade_id:
            return index
        if contains is not None and cell["cell_type"] == "code" and contains in source:
            return index
    raise AssertionError(f"lesson 00 has no cell with grade_id={grade_id!r} / source {contains!r}")


def _cells(page):
    return page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")


def _prompt(cell) -> str:
    return (cell.locator(".jp-InputPrompt").first.text_content() or "").strip()


def _outputs(cell) -> str:
    area = cell.locator(".jp-OutputArea")
    return (area.first.text_content() or "") if area.count() else ""


def _show(cell) -> None:
    """Scroll the notebook so that this cell starts at the top of the view."""
    cell.evaluate("el => el.scrollIntoView({block: 'start'})")
    time.sleep(0.3)


def _dismiss_news_toast(page) -> None:
    """JupyterLab asks once about news; answer No like a learner would (best effort)."""
    button = page.locator(".jp-toast-button", has_text=re.compile(r"^\s*No\s*$"))
    try:
        if button.count() and button.first.is_visible():
            button.first.click(timeout=5_000)
    except Exception:  # noqa: BLE001 - the toast may vanish on its own
        pass


def _open_lesson(page, server) -> None:
    page.goto(f"{server['base']}/lab/tree/{LESSON_PATH}?token={server['token']}",
              timeout=KERNEL_READY_MS)
    page.wait_for_selector(".jp-NotebookPanel", timeout=KERNEL_READY_MS)
    # Fully ready: ipykernel answered and supports the debugger, so the toolbar's bug button is
    # enabled, and the notebook's execution indicator says idle.
    page.wait_for_selector('.jp-NotebookPanel-toolbar .jp-DebuggerBugButton[aria-disabled="false"]',
                           timeout=KERNEL_READY_MS)
    page.wait_for_selector('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status="idle"]',
                           timeout=KERNEL_READY_MS)
    assert _cells(page).count() > 10, "the lesson's cells should be rendered"


def _click_menu(page, menu: str, command: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def _run_all(page, watched) -> None:
    """Run > Run All Cells, then wait until the kernel has finished with the queue.

    Done means: the watched cell has a new execution count, no cell is queued or running
    (`[*]`), and the execution indicator says idle, twice in a row one second apart.
    """
    before = _prompt(watched)
    _click_menu(page, "Run", "runmenu:run-all")
    deadline = time.monotonic() + RUN_ALL_MS / 1000
    quiet = 0
    while time.monotonic() < deadline:
        done = page.evaluate(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')];
                const busy = prompts.some(p => p.textContent.includes('*'));
                const ind = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
                return !busy && ind !== null && ind.dataset.status === 'idle';
            }"""
        )
        now = _prompt(watched)
        changed = now != before and re.fullmatch(r"\[\d+\]:", now) is not None
        quiet = quiet + 1 if (done and changed) else 0
        if quiet >= 2:
            return
        time.sleep(1)
    raise AssertionError(f"Run All did not finish within {RUN_ALL_MS // 1000} s "
                         f"(watched cell prompt {before!r} -> {_prompt(watched)!r})")


def _set_cell_text(page, cell, text: str) -> None:
    """Replace a code cell's text the way a paste does: no auto-indent, no auto-closed brackets.

    Click into the editor (edit mode), select all, then deliver a paste event carrying the text;
    CodeMirror 6 inserts pasted text verbatim.
    """
    editor = cell.locator(".jp-InputArea-editor .cm-content")
    typed = ""
    for _ in range(3):  # a click on a loaded machine can land before edit mode is on: check, retry
        _show(cell)
        editor.click()
        # Edit mode: the editor has focus, so Ctrl+A selects the cell's text, not all the cells.
        cell.locator(".jp-InputArea-editor .cm-editor.cm-focused").wait_for(timeout=DEFAULT_MS)
        page.keyboard.press("Control+a")
        editor.evaluate(
            """(el, text) => {
                const data = new DataTransfer();
                data.setData('text/plain', text);
                el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
            }""",
            text,
        )
        typed = editor.evaluate("el => [...el.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')")
        if typed.strip() == text.strip():
            break
    assert typed.strip() == text.strip(), f"the editor should hold the typed answer, it holds:\n{typed}"
    page.keyboard.press("Escape")  # back to command mode


# --------------------------------------------------------------------------------------------
# the tests
# --------------------------------------------------------------------------------------------

def test_learner_runs_answers_and_validates_lesson_00(page, lab_server, artifacts):
    server = lab_server
    setup_i = _cell_index(server["notebooks"], contains="tradeoffs.setup(")
    data_i = _cell_index(server["notebooks"], contains="training images")
    answer_i = _cell_index(server["notebooks"], grade_id="job_cost")
    test_i = _cell_index(server["notebooks"], grade_id="test_job_cost")

    # 1. Open the lesson, wait for the kernel, run everything as handed out.
    _open_lesson(page, server)
    _dismiss_news_toast(page)
    cells = _cells(page)
    _run_all(page, watched=cells.nth(test_i))

    setup_out = _outputs(cells.nth(setup_i))
    assert "lesson 00: scale=ci" in setup_out, (
        f"the setup cell should print its scale line at ci scale (TRADEOFFS_SCALE=ci); got {setup_out!r}")
    data_out = _outputs(cells.nth(data_i))
    assert "training images" in data_out, f"the data cell should print its summary; got {data_out[:500]!r}"
    _dismiss_news_toast(page)
    _show(cells.nth(data_i))
    page.screenshot(path=str(artifacts / "01a-run-all-data-cell-output.png"))

    unanswered = _outputs(cells.nth(test_i))
    assert "NotImplementedError" in unanswered, (
        "before the learner answers, the visible test of job_cost should fail with the stub's "
        f"NotImplementedError; its output is {unanswered[:800]!r}")
    assert cells.nth(test_i).locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() >= 1, \
        "the failing test should be rendered as an error output"
    _show(cells.nth(answer_i))
    page.screenshot(path=str(artifacts / "01b-unanswered-exercise-test-fails.png"))

    # 2. Type a correct answer into the exercise cell and run everything again.
    _set_cell_text(page, cells.nth(answer_i), JOB_COST_ANSWER)
    _run_all(page, watched=cells.nth(test_i))
    answered = _outputs(cells.nth(test_i))
    assert answered.strip() == "", f"with a correct job_cost, test_job_cost should pass silently; got {answered[:800]!r}"
    assert re.fullmatch(r"\[\d+\]:", _prompt(cells.nth(test_i))), "test_job_cost should have run"
    assert "NotImplementedError" not in _outputs(cells.nth(answer_i))
    _dismiss_news_toast(page)
    _show(cells.nth(answer_i))
    page.screenshot(path=str(artifacts / "02-answered-exercise-test-passes.png"))

    # 3. Validate (nbgrader's toolbar button): saves, runs the notebook server-side, shows a dialog.
    page.locator(".jp-NotebookPanel:visible .jp-NotebookPanel-toolbar jp-button.validate-button").click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("#validation-message").wait_for(timeout=VALIDATE_MS)
    header = dialog.locator(".jp-Dialog-header").text_content() or ""
    message = dialog.locator("#validation-message")
    text = message.text_content() or ""
    classes = message.get_attribute("class") or ""
    page.screenshot(path=str(artifacts / "03-validate-dialog.png"))
    assert "Validation Results" in header, f"the Validate dialog should be titled Validation Results; got {header!r}"
    assert "error running the validate command" not in text, f"Validate itself failed:\n{text[:2000]}"
    assert "validation-failed" in classes and "The following cell failed" in text, (
        f"the other exercises are unanswered, so validation should list failing cells; got {classes!r}:\n"
        f"{text[:2000]}")
    assert "pareto_optimal(toy" in text, "the unanswered pareto_optimal test should be listed as failing"
    assert "job_cost(3600, 2.0)" not in text, (
        f"test_job_cost passes after the learner's answer and must not be listed as failing:\n{text[:2000]}")
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    dialog.wait_for(state="detached")

    saved = json.loads((server["notebooks"] / LESSON_PATH).read_text())
    assert "billed_seconds = max(seconds, min_billed_seconds)" in "".join(saved["cells"][answer_i]["source"]), \
        "Validate saves the notebook first: the saved copy should hold the learner's answer"


def test_learner_view_has_no_instructor_tools(page, lab_server, artifacts):
    server = lab_server
    base, token = server["base"], server["token"]

    # Server side: the learner profile enables only nbgrader's validate extension.
    status, _ = _get(f"{base}/nbgrader_version?version=0&token={token}")
    assert status == 200, f"the validate server extension should answer /nbgrader_version (got {status})"
    for path in ("/formgrader", "/formgrader/api/assignments", "/assignments", "/courses"):
        status, _ = _get(f"{base}{path}?token={token}")
        assert status == 404, f"GET {path} should be 404 in the learner view (instructor/exchange tool), got {status}"

    # Client side: fresh workspace, so Lab opens its launcher.
    page.goto(f"{base}/lab?reset&token={token}", timeout=KERNEL_READY_MS)
    page.wait_for_selector(".jp-Launcher", timeout=KERNEL_READY_MS)
    # The browser reaches nothing but the loopback server (--host-resolver-rules).
    outside = page.evaluate(
        """() => fetch('http://example.com/', {mode: 'no-cors'}).then(() => 'reached', e => 'blocked: ' + e)""")
    assert outside.startswith("blocked"), f"Chromium should resolve no outside name; example.com was {outside}"
    _dismiss_news_toast(page)
    launcher = page.locator(".jp-Launcher").text_content() or ""
    assert not INSTRUCTOR_LABELS.search(launcher), f"the launcher offers an instructor tool: {launcher!r}"

    tabs = page.evaluate(
        "() => [...document.querySelectorAll('.lm-TabBar-tab')].map(t => (t.title || '') + ' ' + t.textContent)")
    offending = [t for t in tabs if INSTRUCTOR_LABELS.search(t)]
    assert not offending, f"a sidebar/main-area tab offers an instructor tool: {offending}"

    # Every main menu: open it and read its items (labels and the commands behind them).
    menus = page.locator(".lm-MenuBar-content > .lm-MenuBar-item")
    seen: dict[str, list[str]] = {}
    for i in range(menus.count()):
        label = (menus.nth(i).text_content() or "").strip()
        menus.nth(i).click()
        page.wait_for_selector(".lm-Menu", state="visible")
        items = page.evaluate(
            "() => [...document.querySelectorAll('.lm-Menu .lm-Menu-item')].map("
            "e => (e.dataset.command || '') + ' ' + e.textContent)")
        seen[label] = items
        page.keyboard.press("Escape")
        page.wait_for_selector(".lm-Menu", state="detached")
    offending = [f"{menu}: {item}" for menu, items in seen.items() for item in items
                 if INSTRUCTOR_LABELS.search(item) or item.split(" ", 1)[0] in INSTRUCTOR_COMMANDS]
    assert "Run" in seen, f"the menu bar should have been read; menus: {list(seen)}"
    assert not offending, f"the menus offer instructor tools to learners: {offending}"

    # Command palette: a positive control, then the instructor tools' names find nothing.
    page.locator(".jp-Launcher").click()
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".lm-CommandPalette-input")
    search.wait_for(state="visible")
    search.fill("New Markdown File")
    page.locator(".lm-CommandPalette-item:visible").first.wait_for(timeout=10_000)  # control: search works
    for term in ("Formgrader", "Create Assignment", "Course List"):
        search.fill(term)
        time.sleep(0.3)
        found = page.locator(".lm-CommandPalette-item:visible").all_text_contents()
        assert not [f for f in found if INSTRUCTOR_LABELS.search(f)], \
            f"the command palette offers {term!r} to learners: {found}"
    page.screenshot(path=str(artifacts / "04-learner-view-no-instructor-tools.png"))
