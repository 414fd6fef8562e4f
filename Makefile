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

# What features need from the system, installed with one apt-get when we are root on Debian/Ubuntu and
# something is missing, otherwise named so that the user can install it:
#   tesseract-ocr tesseract-ocr-vie              scanned plans (OCR)
#   libreoffice-writer-nogui                     legacy .doc files (converted by LibreOffice headless)
#   libreoffice-calc-nogui                       the test that opens the CSV and xlsx outputs in LibreOffice
#   chromium chromium-driver                     the review report's browser tests
LO := /usr/lib/libreoffice/program
system-deps:
	@missing=""; \
	{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie; } \
	  || missing="$$missing tesseract-ocr tesseract-ocr-vie"; \
	{ command -v soffice >/dev/null 2>&1 && { [ ! -d $(LO) ] || [ -e $(LO)/libswlo.so ]; }; } \
	  || missing="$$missing libreoffice-writer-nogui"; \
	{ command -v soffice >/dev/null 2>&1 && { [ ! -d $(LO) ] || [ -e $(LO)/libsclo.so ]; }; } \
	  || missing="$$missing libreoffice-calc-nogui"; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || echo "warning: could not install$$missing; scans, .doc files or the report's browser tests will not work"; \
	else echo "note: some features need system packages: sudo apt-get install$$missing"; fi

run: setup
	$(BIN)/kehoach extract data/raw --out data/out

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/bench_text.py

clean:
	rm -rf $(VENV) data/out/*.csv
