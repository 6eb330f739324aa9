# The two commands of the quick start: `make demo` and `make test`.
# Each creates .venv when missing and installs the project into it (editable, with its extras).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: demo test bench clean

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,peers]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(PY) experiments/delayed_echo/train.py

test: $(INSTALLED)
	$(PY) -m pytest

bench: $(INSTALLED)
	$(PY) -m seqjax.bench --out bench-results

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
