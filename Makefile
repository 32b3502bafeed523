# make quickstart : set up .venv (first run builds mmcv, ~15-25 min) and run the demo job
# make test       : set up .venv and run the test suite
# make setup      : only the environment
PY := .venv/bin/python

.PHONY: setup quickstart test test-fast clean-demo

setup:
	@bash tools/setup_env.sh

quickstart: setup
	@$(PY) tools/quickstart.py

test: setup
	@$(PY) -m pytest tests

test-fast: setup
	@$(PY) -m pytest tests -m "not slow"

clean-demo:
	rm -rf data/demo work_dirs/quickstart
