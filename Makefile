# The README's two commands are `make demo` and `make test`; both set up what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)

.PHONY: demo test lint unit browser-deps app build bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip==25.3
	$(BIN)/python -m pip install -q -e '.[dev,app]'
	$(BIN)/python -m pip install -q ./detections/sigma_plugin
	touch $@

venv: $(STAMP)

browser-deps:
	bash scripts/setup-browser.sh

demo: $(STAMP)
	$(BIN)/okta-ir demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: $(STAMP) browser-deps lint unit

build: $(STAMP)
	$(BIN)/okta-ir build

app: $(STAMP) build
	bash scripts/build-app.sh $(VERSION)

bench: $(STAMP)
	$(BIN)/python -m bench

screenshots: $(STAMP) browser-deps
	$(BIN)/python -m dashboards.screenshots

clean:
	rm -rf output dist build *.egg-info
