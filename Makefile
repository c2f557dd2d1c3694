# Two entry points: `make demo` and `make test`; both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench-env clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cathodetwin demo -o out

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

# Separate environment for peer tools used only as benchmark baselines (TauFactor, porespy);
# torch is pinned to the CPU wheel (an unpinned torch pulls a multi-GB CUDA build).
BENCH := .venv-bench
bench-env: $(BENCH)/.installed
$(BENCH)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/pip install --quiet --upgrade pip
	$(BENCH)/bin/pip install --quiet -e . torch==2.13.0 taufactor porespy
	touch $@

clean:
	rm -rf $(VENV) $(BENCH) out
