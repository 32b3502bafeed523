#!/usr/bin/env bash
# Usage: GPUS=8 tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args]
exec bash "$(dirname "$0")/slurm_run.sh" "$1" "$2" test 2 "$3" "$4" "${@:5}"
