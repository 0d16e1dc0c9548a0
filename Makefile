# The two commands a new user needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test install lint format typecheck unit integration e2e docs bench bench-backbone bench-profiles bench-system bench-segmentation clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m shared.devstack

test: $(STAMP) lint typecheck
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

docs: $(STAMP)
	$(BIN)/python -m shared.events.docs docs

# The benchmarks' extra packages go into the same .venv, once per change of the pins.
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	@rm -f $(VENV)/.bench-installed-*
	@touch $(BENCH_STAMP)

# The platform's, profiles' and the whole system's benchmarks, one after the other (they
# would measure each other if run at the same time).
bench: bench-backbone bench-profiles bench-system

bench-backbone: $(BENCH_STAMP)
	$(BIN)/python bench/backbone.py

bench-profiles: $(BENCH_STAMP)
	$(BIN)/python bench/profiles.py

bench-system: $(BENCH_STAMP)
	$(BIN)/python bench/system.py

bench-segmentation: $(BENCH_STAMP)
	$(BIN)/python bench/segmentation.py

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
