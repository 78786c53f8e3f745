# ML Tradeoffs: thin wrappers over the `tradeoffs` CLI. Every target creates .venv first if needed.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# nbgrader calls `alembic` from PATH, so the venv's bin goes first.
export PATH := $(CURDIR)/$(BIN):$(PATH)

LESSON ?=
FROM   ?=
SCALE  ?= laptop
DEVICE ?= auto
PORT   ?= 8888
PYTEST_ARGS ?=
LAB_ARGS ?=
# Jupyter refuses to run as root unless told; containers and CI often are root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: help venv lab instructor-lab test test-fast test-extra test-full release grade bench bench-claims gpu-check experiments report lock clean

help:
	@echo "make lab            start JupyterLab on notebooks/ (learner view)"
	@echo "make test           run the test suite (every mutant replayed; about 8 minutes on 2 cores)"
	@echo "make test-extra     what make test leaves out (every mutant through nbgrader, hostile classes...)"
	@echo "make test-full      both: the whole suite"
	@echo "make release        regenerate notebooks/ from solutions/"
	@echo "make grade LESSON=00 FROM=path/to/submissions   autograde a class"
	@echo "make instructor-lab JupyterLab with nbgrader's formgrader and create-assignment tools"
	@echo "make bench          run the course benchmark, write results/bench.json"
	@echo "make gpu-check      every lesson at full scale on CUDA: results/reference/gpu-<name>/ (skips without a GPU)"
	@echo "make bench-claims   rerun the lessons over 3 seeds at grade and laptop scale: each claim's hold rate"
	@echo "make experiments SCALE=laptop DEVICE=auto   rerun every lesson headless (papermill)"

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	@touch $(STAMP)

# Test-only packages (pytest, pytest-xdist, playwright): the package's `test` extra.
$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	@touch $(TEST_STAMP)

lab: $(STAMP)
	JUPYTER_CONFIG_DIR=$(CURDIR)/jupyter/learner $(BIN)/jupyter lab --notebook-dir=notebooks --port=$(PORT) $(ROOT_FLAG) $(LAB_ARGS)

instructor-lab: $(STAMP)
	cd grading && $(CURDIR)/$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --port=$(PORT) $(ROOT_FLAG) $(LAB_ARGS)

# Two pytest workers (pytest-xdist): one test waits on a kernel or a subprocess while the other computes.
XDIST := -n 2 --dist worksteal

test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(XDIST) -m "not full" $(PYTEST_ARGS)

# What `make test` leaves out: every mutant through nbgrader, the replay-vs-nbgrader comparison, whole
# hostile and broken classes graded in the sandbox, every lesson through papermill. CI runs it after `make test`.
test-extra: $(TEST_STAMP)
	$(BIN)/python -m pytest $(XDIST) -m full $(PYTEST_ARGS)

test-full: $(TEST_STAMP)
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

release: $(STAMP)
	$(BIN)/tradeoffs release $(LESSON)

grade: $(STAMP)
	@test -n "$(LESSON)" -a -n "$(FROM)" || { echo "usage: make grade LESSON=00 FROM=path/to/submissions"; exit 2; }
	$(BIN)/tradeoffs grade $(LESSON) --from $(FROM)

bench: $(STAMP)
	$(BIN)/tradeoffs bench

# Every lesson at full scale on CUDA into results/reference/gpu-<name>/; says "skipped" and exits 0 without a GPU.
gpu-check: $(STAMP)
	$(BIN)/tradeoffs gpu-check $(LESSON)

# Every lesson at grade and laptop scale over 3 seeds: how often each claim the prose makes held.
bench-claims: $(STAMP)
	$(BIN)/tradeoffs bench --claims $(LESSON)

experiments: $(STAMP)
	$(BIN)/tradeoffs experiments --scale $(SCALE) --device $(DEVICE)

report: $(STAMP)
	$(BIN)/tradeoffs report

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | sed 's/+cpu//' > requirements.lock.new && mv requirements.lock.new requirements.lock

# Removes what grading and runs wrote; keeps the committed reference results (results/reference/).
clean:
	rm -rf grading/submitted grading/autograded grading/feedback grading/reports grading/imports grading/work \
	  grading/reference grading/logs grading/gradebook.db grading/nbgrader.log
	find results -mindepth 1 -maxdepth 1 ! -name reference -exec rm -rf {} +
