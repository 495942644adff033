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

demo: $(STAMP)
	$(BIN)/autograd-engine demo

test: $(STAMP)
	$(BIN)/python -m pytest

# Headless Chromium for tests/viz/test_browser.py (skipped without it). Debian/Ubuntu, as root.
chromium:
	apt-get update && apt-get install -y chromium chromium-driver

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
