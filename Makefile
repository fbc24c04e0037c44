# The two commands in README.md: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 3

.PHONY: run test install messages lint format check editor content bench

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(BIN)/.installed

# The site's own words in other languages: each catalogue (procedures/locale/<language>/LC_MESSAGES/
# django.po) compiled to the .mo Django reads, by Babel (no GNU gettext needed), when it changed.
MESSAGES := $(patsubst %.po,%.mo,$(wildcard procedures/locale/*/LC_MESSAGES/django.po))

messages: $(MESSAGES)

procedures/locale/%/LC_MESSAGES/django.mo: procedures/locale/%/LC_MESSAGES/django.po | $(BIN)/.installed
	@$(BIN)/pybabel --quiet compile --domain django --directory procedures/locale --locale $* --statistics

# A fresh SECRET_KEY for this machine, kept out of git (.gitignore).
.env:
	@$(PYTHON) -c 'import secrets; print("SECRET_KEY=" + secrets.token_urlsafe(50))' > .env
	@echo "Wrote a new SECRET_KEY to .env (never committed)."

run: install .env messages
	$(BIN)/python manage.py migrate --noinput
	@# Static files first: their hashed names are part of the pages rendered next. --clear:
	@# files no longer collected are not left behind for WhiteNoise to index in every worker.
	$(BIN)/python manage.py collectstatic --noinput --clear --verbosity 0
	$(BIN)/python manage.py loadcontent
	$(BIN)/python manage.py rendermarkdown
	@echo ""
	@echo "  mesocare is running at http://127.0.0.1:$(PORT)/   (Ctrl+C stops it)"
	@echo "  Editors log in at http://127.0.0.1:$(PORT)/admin/"
	@echo "  No editor login yet? In another terminal:  make editor NAME=yourname"
	@echo "  The background worker (manage.py runworker) runs beside it: it re-renders pages"
	@echo "  after a change many of them show (the glossary, a condition, an author)."
	@echo ""
	@# The worker stops when the web server does (Ctrl+C, or gunicorn exiting): one SIGTERM,
	@# after which it finishes the batch of pages in hand.
	$(BIN)/python manage.py runworker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn mesocare.wsgi --preload --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile -

test: install messages
	$(BIN)/pytest $(PYTEST_ARGS)

# Create an editor login (asks for a password).
editor: install .env
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py createeditor $(or $(NAME),editor)

# Load content/ again after editing its files.
content: install .env
	$(BIN)/python manage.py loadcontent

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

check: install .env
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Speed figures: serving (cached, uncached, Redis, against a static file), then lists and search at 1,000 and 10,000 pages.
bench: install messages
	$(BIN)/python bench/serving.py
	$(BIN)/python bench/scale.py
