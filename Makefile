# ML Tradeoffs: thin wrappers over the `tradeoffs` CLI. Every target creates .venv first if needed.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
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

.PHONY: help venv lab instructor-lab test test-fast release grade bench experiments report lock clean

help:
	@echo "make lab            start JupyterLab on notebooks/ (learner view)"
	@echo "make test           run the whole test suite"
	@echo "make release        regenerate notebooks/ from solutions/"
	@echo "make grade LESSON=00 FROM=path/to/submissions   autograde a class"
	@echo "make instructor-lab JupyterLab with nbgrader's formgrader and create-assignment tools"
	@echo "make bench          run the course benchmark, write results/bench.json"
	@echo "make experiments SCALE=laptop DEVICE=auto   rerun every lesson headless (papermill)"

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	@touch $(STAMP)

lab: $(STAMP)
	JUPYTER_CONFIG_DIR=$(CURDIR)/jupyter/learner $(BIN)/jupyter lab --notebook-dir=notebooks --port=$(PORT) $(ROOT_FLAG) $(LAB_ARGS)

instructor-lab: $(STAMP)
	cd grading && $(CURDIR)/$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --port=$(PORT) $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

release: $(STAMP)
	$(BIN)/tradeoffs release $(LESSON)

grade: $(STAMP)
	@test -n "$(LESSON)" -a -n "$(FROM)" || { echo "usage: make grade LESSON=00 FROM=path/to/submissions"; exit 2; }
	$(BIN)/tradeoffs grade $(LESSON) --from $(FROM)

bench: $(STAMP)
	$(BIN)/tradeoffs bench

experiments: $(STAMP)
	$(BIN)/tradeoffs experiments --scale $(SCALE) --device $(DEVICE)

report: $(STAMP)
	$(BIN)/tradeoffs report

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | sed 's/+cpu//' > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf grading/submitted grading/autograded grading/feedback grading/reports grading/gradebook.db results/*
