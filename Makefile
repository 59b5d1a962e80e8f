# The README's commands. CI runs `make test` on a fresh clone (see .ci/run).
SHELL := /bin/bash
PYTHON ?= python3.10
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/alver.tar.gz
RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore::DeprecationWarning

# Everything that changes what the model learns: a change here retrains.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') \
	$(wildcard bot/nlu/*.py) $(wildcard bot/nlu/*.yml) bot/language.py

.PHONY: install run test test-postgres train validate shell bench kb-check lint clean

install: $(VENV)/.installed node_modules/.installed

# axe-core for the browser tests' accessibility checks (exact version in package-lock.json).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Node.js and npm (apt-get install nodejs npm)"; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; \
	  else echo "ERROR: npm not found; run: sudo apt-get install nodejs npm"; exit 1; fi; }
	npm ci --no-audit --no-fund --silent
	touch $@

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "ERROR: $(PYTHON) not found. Install Python 3.10 (pyenv install 3.10; the repo's .python-version selects it)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

train: $(MODEL)

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(BIN)/rasa train --fixed-model-name alver --out models
	touch $@

run: install train
	RASA_PORT=$(RASA_PORT) ACTIONS_PORT=$(ACTIONS_PORT) MODEL=$(MODEL) bin/run

shell: install train
	SANIC_HOST=127.0.0.1 $(BIN)/rasa run actions --actions actions --port $(ACTIONS_PORT) & \
	  trap "kill $$! 2>/dev/null" EXIT; \
	  ACTION_ENDPOINT_URL=http://127.0.0.1:$(ACTIONS_PORT)/webhook \
	  $(BIN)/rasa shell --model $(MODEL) --endpoints endpoints.yml \
	    --interface 127.0.0.1 --port $(RASA_PORT)

validate: install
	$(BIN)/python -m bot.kb check
	$(BIN)/rasa data validate --fail-on-warnings

kb-check: install
	$(BIN)/python -m bot.kb check

lint: install
	$(BIN)/ruff check bot actions tests
	$(BIN)/ruff format --check bot actions tests
	$(BIN)/mypy bot actions

# Debian's Chromium for the browser tests (Playwright cannot download a browser here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's Chromium for the browser tests (apt-get install chromium)"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else \
	  echo "ERROR: Chromium is missing for the browser tests; run: sudo apt-get install chromium"; \
	  exit 1; \
	fi

test: install lint validate train $(CHROMIUM)
	$(BIN)/pytest -q

# The handoff store and the web layer against PostgreSQL (a fresh database per test), e.g.
# make test-postgres TEST_POSTGRES_URL=postgresql://postgres:postgres@127.0.0.1:5432/postgres
test-postgres: install
	@test -n "$(TEST_POSTGRES_URL)" || { echo "ERROR: set TEST_POSTGRES_URL=postgresql://USER:PASSWORD@127.0.0.1:5432/postgres (a role that may create databases)."; exit 1; }
	TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -q tests/handoff tests/web

# Speed against stock Rasa and the intent evaluation (bench/__main__.py; several minutes).
bench: install train
	$(BIN)/python -m bench --compare-patches

# --- cluster (issue 11): two bot instances behind nginx, with PostgreSQL and Redis
# (tests/cluster/test_cluster.py; Debian's nginx, redis-server and postgresql, installed here
# when run as root). TEST_POSTGRES_URL=postgresql://USER:PASSWORD@127.0.0.1:5432/postgres
# uses a running PostgreSQL (a role that may create databases); else a throw-away initdb.
.PHONY: test-cluster
test-cluster: install train
	@missing=""; \
	  command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	  test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing$$missing for the cluster test (apt-get install$$missing)"; \
	      apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	    else \
	      echo "ERROR: the cluster test needs$$missing; run: sudo apt-get install$$missing"; \
	      exit 1; \
	    fi; \
	  fi
	ALVER_CLUSTER_TEST=1 TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -q -s tests/cluster

clean:
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache node_modules
