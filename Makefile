# Gatehouse: `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install messages test peers client-tools prerequisites test-python test-js clean serve nginx-local bench load bench-scale propagation soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

## install: the virtualenv with the pinned requirements, and the translation catalogs compiled
## (locale/*/LC_MESSAGES/django.po → .mo with compilemessages, Debian's gettext; only changed catalogs)
install: $(VENV)/.installed
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore "*/node_modules/*" --verbosity 0

## messages: update the translation catalogs from the code's messages (manage.py catalogs), then translate the new ones
messages: $(VENV)/.installed
	DJANGO_DEBUG=1 $(BIN)/python manage.py catalogs

## run: install, migrate, create the first admin (printed once), serve on http://$(HOST):$(PORT) (127.0.0.1:8000)
## (SITE_URL, and so every mailed link and the tokens' iss, follow HOST and PORT unless SITE_URL is set)
run: install
	DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py bootstrap_admin
	DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole suite (Python on $$DATABASE_URL or SQLite, and the frontend's unit tests)
test: prerequisites test-js test-python

## peers: the real OpenID peers the tests start on loopback (tests/peers: oidc-provider, openid-client), from the lockfile
peers: tests/peers/node_modules/.package-lock.json

tests/peers/node_modules/.package-lock.json: tests/peers/package-lock.json
	npm ci --prefix tests/peers --no-audit --no-fund --loglevel=error

## client-tools: the client package's development tools (TypeScript, for its declarations' check), from frontend/client's lockfile
client-tools: frontend/client/node_modules/.package-lock.json

frontend/client/node_modules/.package-lock.json: frontend/client/package-lock.json
	npm ci --prefix frontend/client --no-audit --no-fund --loglevel=error

prerequisites:
	@$(PYTHON) scripts/check_prerequisites.py

test-python: install peers
	$(BIN)/pytest

test-js: client-tools
	node --test frontend/tests/

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache

## serve: production server: collectstatic, migrate (MIGRATE=0 to skip), gunicorn with $$WEB_CONCURRENCY workers (default 2) of $$GUNICORN_THREADS threads (default 4); its access log (deploy/gunicorn.conf.py) leaves out query strings
WEB_CONCURRENCY ?= 2
GUNICORN_THREADS ?= 4
MIGRATE ?= 1
serve: install
	@if [ -z "$$DJANGO_SECRET_KEY" ]; then \
	  echo "make serve: DJANGO_SECRET_KEY is not set. Production mode needs a long random secret, e.g." >&2; \
	  echo "  export DJANGO_SECRET_KEY=\"\$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')\"" >&2; \
	  echo "(keep it: changing it ends every session). For local development use 'make run'." >&2; \
	  exit 1; \
	fi
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@if [ "$(MIGRATE)" = "1" ]; then DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --no-input; fi
	DJANGO_DEBUG=0 WEB_CONCURRENCY=$(WEB_CONCURRENCY) GUNICORN_THREADS=$(GUNICORN_THREADS) $(BIN)/gunicorn backend.wsgi \
	  --config deploy/gunicorn.conf.py \
	  --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) --timeout 30 --graceful-timeout 20

## nginx-local: deploy/nginx.conf in front of HOST:PORT (`make run` or `make serve` in another terminal): https://127.0.0.1:8443/, a self-signed certificate, all files in a temporary directory
NGINX_HTTPS_PORT ?= 8443
NGINX_HTTP_PORT ?= 8080
nginx-local:
	UPSTREAM=$(HOST):$(PORT) HTTPS_PORT=$(NGINX_HTTPS_PORT) HTTP_PORT=$(NGINX_HTTP_PORT) sh deploy/nginx-local.sh

## bench: Gatehouse vs stock simplejwt in one process (login, refresh, authenticated GET; time and SQL), then the hand-written hot path vs the ORM, then a provider sign-in's callback vs a password login, then an OpenID client's token requests vs the browser's refresh
bench: $(VENV)/.installed
	$(BIN)/python -m bench.bench
	$(BIN)/python -m bench.orm
	$(BIN)/python -m bench.oidc
	$(BIN)/python -m bench.federation

## load: gunicorn on a loopback port under load (throughput, p50/p99; authenticated GET vs the ceiling; logins/s per core, worker memory, GET p99 during a login flood); wrk drives the GETs when installed
LOAD_ARGS ?=
load: $(VENV)/.installed
	$(BIN)/python -m bench.load $(LOAD_ARGS)

## soak: gunicorn under steady traffic with fresh tokens for SOAK_MINUTES (default 10, at most 60): RSS per worker, open descriptors and sockets over time, then the ceiling of each bounded cache
SOAK_MINUTES ?= 10
soak: $(VENV)/.installed
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

## bench-scale: refresh, authenticated GET, admin pages and cleanup with many sessions (ROWS="1000 1000000" for the million)
ROWS ?= 1000 100000
bench-scale: $(VENV)/.installed
	$(BIN)/python -m bench.scale --rows $(ROWS)

## propagation: revoke on one server, time the first refusal on another (PostgreSQL: DATABASE_URL=postgres://…, a scratch database)
propagation: $(VENV)/.installed
	$(BIN)/python -m bench.propagation
