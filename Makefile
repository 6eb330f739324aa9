# The two commands of the quick start: `make demo` and `make test`.
# Each creates .venv when missing and installs the project into it (editable): the demo
# needs only the package, the tests also its `dev`, `peers` and `experiments` extras.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
DEMO_DIR ?= runs/demo

.PHONY: demo test bench notebooks clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-package: pyproject.toml | $(PY)
	$(PIP) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) -e '.[dev,peers,experiments]'
	touch $@ $(VENV)/.installed-package

# Trains the `cpu` preset on tiny-shakespeare (10 minutes of training, plus compilation and
# evaluation), then samples. `make demo DOWNLOAD=1` fetches the corpus when the data directory lacks it.
demo: $(VENV)/.installed-package
	$(PY) -m seqjax train --preset cpu --run-dir $(DEMO_DIR) --sample 500 --prime "ROMEO:" $(if $(DOWNLOAD),--download)

# One pytest worker per core (pytest-xdist): about half the time on CI's 2 cores.
test: $(VENV)/.installed-dev
	$(PY) -m pytest -n auto

# Opens the course notebooks (notebooks/) in JupyterLab.
notebooks: $(VENV)/.installed-dev
	$(PIP) -e '.[dev,peers,experiments,notebooks]'
	$(VENV)/bin/jupyter lab notebooks/

bench: $(VENV)/.installed-dev
	$(PY) -m seqjax.bench --out bench-results

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
