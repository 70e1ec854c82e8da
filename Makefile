# Every target creates .venv when it is missing and installs what it needs,
# so a fresh clone needs nothing but python3 and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CKSUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(CKSUM)
DOCS_STAMP := $(VENV)/.docs-installed-$(CKSUM)

.PHONY: demo test bench docs lint format clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

# The docs extra (sphinx, numpydoc, sphinx-gallery, the theme) on top.
$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[docs]"
	rm -f $(VENV)/.docs-installed-*
	touch $@

demo: $(STAMP)
	$(PY) -m skbp demo

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -q

bench: $(STAMP)
	$(PY) benchmarks/run.py

# HTML in docs/_build/html; every warning is an error, and every example in
# examples/ is run to render the gallery.
docs: $(DOCS_STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

# Loads every built page in headless Chromium with the network blocked and
# fails on raw TeX left on a page, a JavaScript error, a request to the
# network, a dead local link or anchor, or an image that does not load
# (docs/check_pages.py). Needs Debian's chromium, installed here with apt-get
# (as root) when /usr/bin/chromium is missing; playwright, from the docs
# extra, drives it and downloads no browser of its own.
.PHONY: docs-check
docs-check: docs
	test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }
	$(PY) docs/check_pages.py docs/_build/html

lint: $(STAMP)
	$(PY) -m ruff check skbp tests examples benchmarks
	$(PY) -m ruff format --check skbp tests examples benchmarks

format: $(STAMP)
	$(PY) -m ruff format skbp tests examples benchmarks
	$(PY) -m ruff check --fix skbp tests examples benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache docs/_build \
		docs/auto_examples docs/generated docs/gen_modules docs/sg_execution_times.rst
