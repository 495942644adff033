# The two commands of the README. Each sets up .venv by itself, so a fresh clone needs only
# Python >= 3.10 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench chromium clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# micrograd for the scalar comparison; PyTorch is compared when it is installed in .venv
# (a CPU build: pip would otherwise fetch a multi-gigabyte GPU one, so it is not automatic)
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run

demo: $(STAMP)
	$(BIN)/autograd-engine demo

test: $(STAMP)
	$(BIN)/python -m pytest

# Headless Chromium for tests/viz/test_browser.py (skipped without it). Debian/Ubuntu, as root.
chromium:
	apt-get update && apt-get install -y chromium chromium-driver

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
