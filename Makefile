# Two commands: `make run` (set up, extract data/raw into data/out) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup system-deps bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: system-deps $(STAMP)

# Tesseract with its Vietnamese data, for scanned plans. Installed when we are root
# on a Debian/Ubuntu machine; otherwise named so that the user can install them.
system-deps:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing tesseract-ocr tesseract-ocr-vie"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null) \
	  || echo "warning: could not install tesseract-ocr tesseract-ocr-vie; scanned plans will be marked partial"; \
	else echo "note: scanned plans need Tesseract: sudo apt-get install tesseract-ocr tesseract-ocr-vie"; fi

run: setup
	$(BIN)/kehoach extract data/raw --out data/out

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/bench_text.py

clean:
	rm -rf $(VENV) data/out/*.csv
