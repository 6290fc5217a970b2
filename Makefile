# The README's two commands: `make demo` and `make test`. Both bootstrap .venv from the lock file
# on first use, so a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out
PYTEST_ARGS ?=

.PHONY: demo test venv lock bench clean prefect-up prefect-down

# The stamp depends on the lock file, so editing the lock re-syncs the environment.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(BIN)/publicity demo --out $(OUT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Re-resolve the lock file (needs the package registry); commit the result.
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

# The local Prefect stack (README "Running on a Prefect server"): server on 127.0.0.1:$(PREFECT_PORT),
# the process work pool, every deployment in prefect.yaml, a worker. State and logs: .prefect-stack/
PREFECT_PORT ?= 4200

prefect-up: venv
	$(BIN)/python scripts/prefect_stack.py up --port $(PREFECT_PORT)

prefect-down:
	$(PYTHON) scripts/prefect_stack.py down

clean:
	rm -rf $(OUT) .pytest_cache
