# Every target creates .venv when it is missing and installs what it needs,
# so a fresh clone needs nothing but python3 and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CKSUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(CKSUM)
DOCS_STAMP := $(VENV)/.docs-installed-$(CKSUM)

.PHONY: demo test test-avx2 test-avx512-forms test-floor test-newest test-installed bench docs lint format clean

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

PYTEST := -m pytest -n 2 --dist loadfile -q

test: $(STAMP)
	$(PY) $(PYTEST)

# The suite as an AVX2-only CPU runs it (no AVX-512 loops in numpy, OpenBLAS's
# Haswell kernels), on any x86-64 machine with AVX2. SKBP_TEST_CPU_CLASS makes
# the run stop at once if the emulation did not take effect (conftest.py).
test-avx2: $(STAMP)
	NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" \
	OPENBLAS_CORETYPE=Haswell SKBP_TEST_CPU_CLASS=x86-64-v3 $(PY) $(PYTEST)

# The suite with the formulas of the units an AVX-512 CPU runs (the tanh
# forms of logistic and tanh, skbp.kernel_choices), on any CPU: on an
# AVX2-only machine, where the native and avx2 runs are the same class,
# this is how CI covers what an AVX-512 user's machine computes.
AVX512_FORMS := logistic=tanh,tanh=tanh
test-avx512-forms: $(STAMP)
	SKBP_KERNELS="$(AVX512_FORMS)" $(PY) $(PYTEST)

# The suite on the oldest supported Python with the lowest releases
# pyproject.toml allows (.ci/constraints-floor.txt), and on the newest
# supported Python with the newest releases. Each builds its own venv; a
# missing interpreter is an error (.ci/find-python), never a skip.
FLOOR_VENV := .venv-floor
NEWEST_VENV := .venv-newest
FLOOR_CKSUM := $(shell cat pyproject.toml .ci/constraints-floor.txt | cksum | cut -d' ' -f1)
FLOOR_STAMP := $(FLOOR_VENV)/.installed-$(FLOOR_CKSUM)
NEWEST_STAMP := $(NEWEST_VENV)/.installed-$(CKSUM)

$(FLOOR_STAMP): pyproject.toml .ci/constraints-floor.txt
	rm -rf $(FLOOR_VENV)
	"$$(.ci/find-python 3.10)" -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FLOOR_VENV)/bin/python -m pip install --quiet \
		-c .ci/constraints-floor.txt -e ".[test]"
	touch $@

$(NEWEST_STAMP): pyproject.toml
	rm -rf $(NEWEST_VENV)
	"$$(.ci/find-python 3.13)" -m venv $(NEWEST_VENV)
	$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade -e ".[test]"
	touch $@

test-floor: $(FLOOR_STAMP)
	$(FLOOR_VENV)/bin/python $(PYTEST)

test-newest: $(NEWEST_STAMP)
	$(NEWEST_VENV)/bin/python $(PYTEST)

# Builds the sdist and, from it, the wheel; checks both with twine; installs
# the wheel into a clean venv and runs the suite there from a copy of the
# repository without skbp/, so that only the installed package can be
# imported (.ci/test-installed).
test-installed:
	.ci/test-installed

bench: $(STAMP)
	$(PY) benchmarks/run.py

# HTML in docs/_build/html; every warning is an error, and every example in
# examples/ is run to render the gallery.
docs: $(DOCS_STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

# Loads every built page in headless Chromium with the network blocked and
# fails on raw TeX left on a page, a JavaScript error, a request to the
# network, a dead local link or anchor, an image that does not load, a code
# block, table or equation wider than its column, a figure shrunk below 75 %
# without a link to its full image or with text under 8 px as shown, or a
# matplotlib repr in an example's output (docs/check_pages.py). Needs
# Debian's chromium, installed here with apt-get (as root) when
# /usr/bin/chromium is missing; playwright, from the docs extra, drives it
# and downloads no browser of its own.
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
	rm -rf $(VENV) $(FLOOR_VENV) $(NEWEST_VENV) .venv-installed build dist *.egg-info .pytest_cache .ruff_cache docs/_build \
		docs/auto_examples docs/generated docs/gen_modules docs/sg_execution_times.rst
