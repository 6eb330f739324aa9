# The two commands of the quick start: `make demo` and `make test`.
# Each creates .venv when missing and installs the project into it (editable): the demo
# needs only the package, the tests also its `dev`, `peers`, `experiments` and `docs` extras
# (the tests build the documentation too); `make docs` needs only `docs`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
DEMO_DIR ?= runs/demo

.PHONY: demo test docs docs-serve bench notebooks clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-package: pyproject.toml | $(PY)
	$(PIP) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) -e '.[dev,peers,experiments,docs]'
	touch $@ $(VENV)/.installed-package $(VENV)/.installed-docs

$(VENV)/.installed-docs: pyproject.toml | $(PY)
	$(PIP) -e '.[docs]'
	touch $@ $(VENV)/.installed-package

# Trains the `cpu` preset on tiny-shakespeare (10 minutes of training, plus compilation and
# evaluation), then samples. `make demo DOWNLOAD=1` fetches the corpus when the data directory lacks it.
demo: $(VENV)/.installed-package
	$(PY) -m seqjax train --preset cpu --run-dir $(DEMO_DIR) --sample 500 --prime "ROMEO:" $(if $(DOWNLOAD),--download)

# One pytest worker per core (pytest-xdist): about half the time on CI's 2 cores.
test: $(VENV)/.installed-dev
	$(PY) -m pytest -n auto

# The documentation site (mkdocs.yml, docs/): built strictly into site/ (a broken link, a missing
# page or an unresolved reference fails), or served with live reload at http://127.0.0.1:8000.
DOCS_ENV := NO_MKDOCS_2_WARNING=1
docs: $(VENV)/.installed-docs
	$(DOCS_ENV) $(PY) -m mkdocs build --strict --site-dir site

docs-serve: $(VENV)/.installed-docs
	$(DOCS_ENV) $(PY) -m mkdocs serve --strict --dev-addr 127.0.0.1:8000

# Opens the course notebooks (notebooks/) in JupyterLab.
notebooks: $(VENV)/.installed-dev
	$(PIP) -e '.[dev,peers,experiments,notebooks]'
	$(VENV)/bin/jupyter lab notebooks/

bench: $(VENV)/.installed-dev
	$(PY) -m seqjax.bench --out bench-results

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache site .cache
