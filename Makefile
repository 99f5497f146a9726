# Dev loop: make run | make test | make lint | make bench | make fiches-exemple | make mutations
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB := data/ess.duckdb
STAMP := $(VENV)/.installe

.PHONY: run test lint bench build clean fiches-exemple mutations protections-demo

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Built from the embedded demo data when missing (rebuild: make build).
$(DB): | $(STAMP)
	$(PY) -m etl build --db $(DB)

build: $(STAMP)
	$(PY) -m etl build --db $(DB)

run: $(STAMP) $(DB)
	$(PY) -m web.serveur --server.port 8501

test: $(STAMP) $(DB)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP) $(DB)
	$(PY) bench/bench.py
	$(PY) bench/bench_region.py  # Occitanie: several minutes
	$(PY) bench/bench_secret.py
	$(PY) bench/bench_pages.py --db $(DB)
	$(PY) bench/bench_fiches.py --db $(DB)
	$(PY) bench/bench_donnees.py --db $(DB)
	$(PY) bench/bench_national.py --etablissements 10000000  # 42 M: run it without the option

# Five representative fiches and the bilan in every format, for a human look (bench/out/).
fiches-exemple: $(STAMP) $(DB)
	$(PY) bench/fiches_exemple.py --db $(DB)

# The default demo's secret protections, shipped so that a fresh machine's first build reads them
# (its audit still runs): computed again after any change to the demo or to the protection (a
# test says when), by a build that finds none.
protections-demo: $(STAMP)
	rm -rf data/protections_demo
	ESS_CACHE_SECRET=data/protections_demo $(PY) -m etl build --db $(DB).protections
	rm -f $(DB).protections

# Deliberate breakages (bench/mutations.toml), one at a time on a scratch copy: each must make
# its tests fail. Some: make mutations MUTANTS="ecriture-en-place contrats-sautes"
mutations: $(STAMP)
	$(PY) bench/mutations.py $(MUTANTS)

clean:
	rm -rf $(VENV) $(DB)
