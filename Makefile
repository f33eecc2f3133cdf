# Cổng Dịch vụ công — the two commands a newcomer types: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: WeasyPrint (Pango, HarfBuzz subsetting — ten times faster with it),
# fonts with Vietnamese glyphs (DejaVu; Liberation is metric-compatible with Times New Roman)
# gettext for the translations and espeak-ng for the hotline's spoken answers.
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 gettext espeak-ng

.PHONY: run test prod bench setup system-deps messages lint clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

system-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages (run as root or install them): $$missing" >&2; \
	  fi; \
	fi

messages: $(VENV)/.installed
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: system-deps $(VENV)/.installed messages

run: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) load_catalogue
	$(MANAGE) load_admin_units
	$(MANAGE) seed_demo
	@echo "Portal: http://$(HOST):$(PORT)/   Officials: http://$(HOST):$(PORT)/$${ADMIN_URL:-quan-tri/}  (demo logins above)"
	$(MANAGE) runserver $(HOST):$(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup lint
	@eval "$$($(PY) -m portal.servicecheck)" && $(PY) -m pytest $(PYTEST_ARGS)

prod: setup
	scripts/prod.sh

# The production stack on loopback (port 8100, database dichvucong_bench, Redis db 14) under
# load; prints the table (README "Benchmarks"). Options: make bench BENCH_ARGS="--duration 10".
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles var
