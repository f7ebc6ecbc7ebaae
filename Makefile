# Gatehouse: `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-python test-js clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

## run: install, migrate, create the first admin (printed once), serve on http://127.0.0.1:8000
run: $(VENV)/.installed
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py bootstrap_admin
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole suite (Python on $$DATABASE_URL or SQLite, and the frontend's unit tests)
test: test-js test-python

test-python: $(VENV)/.installed
	$(BIN)/pytest

test-js:
	node --test frontend/tests/

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
