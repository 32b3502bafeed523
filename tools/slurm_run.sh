#!/usr/bin/env bash
# Usage: GPUS=8 tools/slurm_run.sh PARTITION JOB_NAME TOOL NPOS [NPOS positional args] [more args]
# The srun launch shared by slurm_train.sh and slurm_test.sh: tools/TOOL.py on GPUS tasks
# with --launcher=slurm after its NPOS positional arguments. Honours GPUS,
# GPUS_PER_NODE, CPUS_PER_TASK and SRUN_ARGS.
set -x
PARTITION=$1
JOB_NAME=$2
TOOL=$3
NPOS=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHONPATH="$ROOT":$PYTHONPATH \
exec srun -p ${PARTITION} \
    --job-name=${JOB_NAME} \
    --gres=gpu:${GPUS_PER_NODE} \
    --ntasks=${GPUS} \
    --ntasks-per-node=${GPUS_PER_NODE} \
    --cpus-per-task=${CPUS_PER_TASK} \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    python -u "$ROOT/tools/$TOOL.py" "${@:5:$NPOS}" --launcher=slurm "${@:$((5 + NPOS))}"
