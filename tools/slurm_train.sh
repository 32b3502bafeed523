#!/usr/bin/env bash
# Usage: GPUS=16 tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args]
exec bash "$(dirname "$0")/slurm_run.sh" "$1" "$2" train 2 "$3" --work-dir="$4" "${@:5}"
