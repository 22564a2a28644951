VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAMPLES := samples/wire.jsonl samples/metro.csv samples/rss_dump.txt

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(VENV)/bin/dedupe clean $(SAMPLES) -o out/clean.jsonl --report out/report.json
	$(VENV)/bin/dedupe clean $(SAMPLES) -o out/clean.jsonl --report out/report.html -q
	$(VENV)/bin/dedupe annotate samples/seed_dump.txt -o out/seed.annotated.jsonl -q
	@echo "clean records: out/clean.jsonl; run report: out/report.json and out/report.html;" \
	      "seed dump annotated: out/seed.annotated.jsonl"

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check dedupe tests bench

bench: $(STAMP)
	$(PY) -m pip install -q -e ".[dev,bench]"
	BENCH_ACCURACY=$${BENCH_ACCURACY-1} $(PY) bench/run.py

clean:
	rm -rf out .pytest_cache .hypothesis
