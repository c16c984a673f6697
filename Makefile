# Two commands for a newcomer: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run test test-sqlite test-postgres lint translations extract-messages add-language clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed translations node_modules/.package-lock.json

# axe-core for the accessibility checks of the browser tests.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "NOTE: npm not found: the browser tests' accessibility checks need 'npm ci'."; fi

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d surveyapp/translations

run: install
	FLASK_DEBUG=1 $(BIN)/surveyapp init
	FLASK_DEBUG=1 $(BIN)/surveyapp check
	FLASK_DEBUG=1 $(BIN)/surveyapp demo --if-empty
	@echo "Surveys and previews: http://127.0.0.1:5000/  (stop with Ctrl+C)"
	FLASK_DEBUG=1 $(BIN)/surveyapp run --host 127.0.0.1 --port 5000

# The whole suite: lint, types, layers, then every test on SQLite and again on PostgreSQL.
test: install lint test-sqlite test-postgres

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy surveyapp
	$(BIN)/lint-imports

test-sqlite:
	$(BIN)/pytest -q

test-postgres:
	@if $(PY) tools/pg_probe.py '$(PG_TEST_URL)'; then \
		TEST_DATABASE_URL='$(PG_TEST_URL)' $(BIN)/pytest -q -m "not browser"; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL at $(PG_TEST_URL) is not usable (above); CI must run the PostgreSQL suite" >&2; exit 1; \
	else \
		echo "NOTE: PostgreSQL at $(PG_TEST_URL) is not usable (above): the PostgreSQL run was NOT done."; \
	fi

extract-messages:
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k NP_:1c,2 --project surveyapp --ignore-dirs '.* __pycache__ node_modules' -o surveyapp/translations/messages.pot .
	$(BIN)/pybabel -q update -i surveyapp/translations/messages.pot -d surveyapp/translations

# A new interface language: one command, then one file to translate (docs/translations.md).
add-language: $(VENV)/.installed
	@test -n "$(CODE)" || { echo "usage: make add-language CODE=xx"; exit 2; }
	$(BIN)/python tools/add_language.py $(CODE)

# Everything that install, run and test make; the tree is then as git has it.
clean:
	rm -rf $(VENV) node_modules instance test-results build dist *.egg-info \
		.pytest_cache .mypy_cache .ruff_cache .import_linter_cache
	find exports -mindepth 1 ! -name .gitkeep -delete
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find surveyapp/translations -name '*.mo' -delete
