# Tillverka: `make run` starts the whole stack, `make test` runs every test.
# Both set up the Python 3.10 venv and (re)train the model when needed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
TRAIN_DATA := data/nlu data/rules data/stories
MODEL := models/tillverka.tar.gz

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: shell setup train run test lint validate unit conversation stories nlu-report register-sample clean \
	dev-admin advisor-user expire cluster

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt
	@test -x $(PY) || $$(scripts/find_python.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $@

# Retrains only when config, domain or training data changed (content hash, not mtimes).
train: setup
	@want=$$($(PY) scripts/model_fingerprint.py); \
	if [ -f $(MODEL) ] && [ "$$want" = "$$(cat models/.fingerprint 2>/dev/null)" ]; then \
		echo "Model up to date: $(MODEL)"; \
	else \
		$(RASA) train --domain domain --data $(TRAIN_DATA) --config config.yml \
			--out models --fixed-model-name tillverka && echo "$$want" > models/.fingerprint; \
	fi

run: train
	$(PY) -m bot.runner

# Several Rasa, action-server and web-app instances behind nginx, on PostgreSQL and Redis
# (CLUSTER_SIZE=N, default 2; docs/scale-out.md).
cluster: train
	$(PY) -m bot.cluster

# Chat in the terminal (the action server runs alongside).
shell: train
	SANIC_HOST=127.0.0.1 $(PY) -m rasa_sdk --actions actions --port 5055 & pid=$$!; \
	trap 'kill $$pid' EXIT; $(RASA) shell --model $(MODEL) --endpoints endpoints.yml

lint: setup
	$(VENV)/bin/ruff check .

validate: setup
	$(RASA) data validate --domain domain --data $(TRAIN_DATA) --config config.yml

unit: setup
	$(PY) -m pytest -q tests/unit

conversation: train
	$(PY) -m pytest -q tests/conversation

stories: train
	$(RASA) test core --model $(MODEL) --stories tests/stories \
		--fail-on-prediction-errors --out results/core

# pytest last, so its summary is the closing line of the run
test: train lint validate
	$(MAKE) --no-print-directory stories
	$(PY) -m pytest -q

# NLU cross-validation report (not a gate): docs/nlu_report.md
nlu-report: setup
	$(PY) scripts/nlu_report.py

register-sample: setup
	$(PY) scripts/generate_register.py --count 300 --seed 20261127 --out data/register/manufacturers_sample.csv

# Advisors' accounts (docs/advisor.md). A development admin for `make run` (prints its password):
dev-admin: setup
	$(PY) -m bot.advisors dev-admin

# make advisor-user EMAIL=anna@example.se NAME="Anna Berg" [ROLE=admin] (asks for the password)
advisor-user: setup
	$(PY) -m bot.advisors create-user "$(EMAIL)" --name "$(NAME)" --role $(or $(ROLE),advisor)

# Removes conversations older than the retention period (TILLVERKA_RETENTION_DAYS, default 365)
expire: setup
	$(PY) -m bot.advisors expire

clean:
	rm -rf models results var/tillverka.db
