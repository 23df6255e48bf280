VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test lint bench browser ui-tools clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

run: venv
	$(VENV)/bin/booth serve --host $(HOST) --port $(PORT)

browser: venv
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && (apt-get update -qq && apt-get install -y -qq chromium) || echo "chromium unavailable: browser tests will skip")

AXE := tests/ui/js/node_modules/axe-core/axe.min.js

$(AXE): tests/ui/js/package.json tests/ui/js/package-lock.json
	@command -v npm >/dev/null && npm ci --prefix tests/ui/js --no-audit --no-fund --loglevel=error \
		|| echo "npm unavailable: the accessibility tests will skip"

ui-tools: $(AXE)

test: venv browser ui-tools
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .booth .pytest_cache
