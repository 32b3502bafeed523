# make quickstart : set up .venv (first run builds mmcv, ~15-25 min) and run the demo job
# make test       : set up .venv, lint (ruff, pyproject.toml) and run the test suite
# make test-slow  : the opt-in tests only (2-process runs of every model family)
# make setup      : only the environment (SETUP_CUDA=0|1 forces CPU/CUDA ops,
#                   WHEELHOUSE=DIR installs offline; see README "GPU machines")
# make check-cuda-build : compile mmcv's nms/roi_align/focal-loss CUDA kernels
#                   with PyPI's nvcc for sm_90 (no GPU needed; a few minutes)
PY := .venv/bin/python
# test processes (pytest-xdist): the machine's cores, at most 4
TEST_JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
PYTEST := $(PY) -m pytest -n $(TEST_JOBS) --dist loadfile

.PHONY: setup quickstart lint test test-fast test-slow check-cuda-build clean-demo

setup:
	@bash tools/setup_env.sh

quickstart: setup
	@$(PY) tools/quickstart.py

test: setup lint
	@$(PYTEST) tests

lint: setup
	@$(PY) -m ruff check .

test-fast: setup
	@$(PYTEST) tests -m "not slow"

test-slow: setup
	@RUN_OPTIN=1 $(PYTEST) tests -m optin

check-cuda-build: setup
	@$(PY) tools/misc/check_cuda_build.py

clean-demo:
	rm -rf data/demo work_dirs/quickstart
