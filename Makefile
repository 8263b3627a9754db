# make run   installs what is missing, migrates, loads the demo and starts web + worker + beat
# make test  the same installation plus Chromium, then ruff, the migration check and every test

SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup setup-test lint check-migrations makemessages

setup:
	@config/setup.sh system
	@config/setup.sh venv
	@config/setup.sh redis
	@mkdir -p var
	@$(PY) manage.py compilemessages -v0 --ignore=.venv
	@$(PY) manage.py migrate -v0

setup-test:
	@config/setup.sh system --browser
	@config/setup.sh venv
	@config/setup.sh redis
	@mkdir -p var
	@$(PY) manage.py compilemessages -v0 --ignore=.venv

# The demo organisation's name heads its minutes; set ORGANISATION_NAME to use your own.
run: export ORGANISATION_NAME ?= 示例科技有限公司
# Off, so a missing page or an error shows the app's own 404 and 500 pages; `DEBUG=true make run`
# gives Django's technical pages instead.
run: export DEBUG ?= false
run: setup
	@$(PY) manage.py load_demo
	@echo
	@echo "会议纪要 is starting at http://127.0.0.1:8000/  (Ctrl-C stops the web server, worker and beat)"
	@.venv/bin/honcho -f config/Procfile -d . start

lint:
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

check-migrations:
	@$(PY) manage.py makemigrations --check --dry-run

test: setup-test lint check-migrations
	@.venv/bin/pytest

makemessages:
	@$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --no-obsolete
