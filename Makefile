# The two commands of the README: `make run` and `make test`. Both set themselves up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
MXVENV := .venv-mxnet
BIN    := $(VENV)/bin
PORT   ?= 8501
CHROMIUM ?= /usr/bin/chromium
NGINX    ?= /usr/sbin/nginx

.PHONY: run test lint unit js browser bench bench-ui bench-load chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

## lossapp is installed (editable) so that Streamlit serves the chart component's files (lossapp/pyproject.toml)
$(VENV)/.run-deps: requirements.txt lossapp/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e lossapp
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt requirements-dev-nodeps.txt pyproject.toml lossapp/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -r requirements-dev-nodeps.txt
	$(BIN)/python -m pip install -q --no-deps -e . -e lossapp
	touch $@

## The exported MXNet Gluon snippets run in a venv of their own: MXNet 1.9.1 needs numpy 1.23 (the app has numpy 2).
$(MXVENV)/.deps: requirements-mxnet.txt
	$(PYTHON) -m venv $(MXVENV)
	$(MXVENV)/bin/python -m pip install -q -r requirements-mxnet.txt
	touch $@

$(VENV)/.bench-deps: requirements-bench.txt $(VENV)/.dev-deps
	$(BIN)/python -m pip install -q -r requirements-bench.txt
	touch $@

## eslint for the chart component's JavaScript, at the versions of the committed lockfile
node_modules/.package-lock.json: package.json package-lock.json | chromium
	npm ci --no-audit --no-fund --loglevel=error

## System packages of the browser tests: Debian's chromium (Playwright cannot download one here), Debian's nodejs
## and npm (eslint and the unit tests of lossapp/frontend's JavaScript) and Debian's
## nginx (tests/browser/test_proxy.py runs two replicas behind it on loopback ports; the Debian package may also
## start its own default site on port 80, which the tests do not use).
chromium:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="$$missing chromium fonts-dejavu-core"; \
	[ -x "$(NGINX)" ] || command -v nginx >/dev/null || missing="$$missing nginx"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -z "$$missing" ]; then echo "chromium: $(CHROMIUM); nginx: $$(command -v nginx || echo $(NGINX)); node: $$(node --version)"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif command -v sudo >/dev/null; then \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "The browser tests need Debian's$$missing: run 'apt-get install$$missing' as root." >&2; exit 1; fi

## Serve the app on http://localhost:$(PORT)
run: $(VENV)/.run-deps
	$(BIN)/streamlit run app.py --server.port $(PORT)

## Lint + the whole test suite (unit, doctests, AppTest, the JavaScript's lint and unit tests, browser)
test: $(VENV)/.dev-deps $(MXVENV)/.deps chromium js
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest
	LOSSCORE_THREADS=1 $(BIN)/python -m pytest -q tests/test_kernels.py tests/test_properties.py tests/test_validation.py tests/test_sequence.py tests/test_mxnet_reference.py losscore

## eslint and node's test runner over lossapp/frontend (tests/js)
js: node_modules/.package-lock.json
	npm run --silent lint
	node --test tests/js/

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(VENV)/.dev-deps $(MXVENV)/.deps
	$(BIN)/python -m pytest -m "not browser"

browser: $(VENV)/.dev-deps chromium
	$(BIN)/python -m pytest -m browser

## Benchmarks (not tests): losscore vs PyTorch, UI latency in Chromium, load on one server
bench: $(VENV)/.bench-deps
	$(BIN)/python bench/losscore_vs_torch.py

bench-ui: $(VENV)/.dev-deps chromium
	$(BIN)/python bench/ui_latency.py

bench-load: $(VENV)/.dev-deps chromium
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) $(MXVENV) .pytest_cache .ruff_cache .hypothesis node_modules
