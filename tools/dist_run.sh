#!/usr/bin/env bash
# Usage: tools/dist_run.sh TOOL GPUS NPOS [NPOS positional args] [more tools/TOOL.py args]
# The torchrun launch shared by dist_train.sh, dist_test.sh, dist_pseudo_label.sh and
# dist_pseudo_mask.sh: GPUS processes of tools/TOOL.py with --launcher pytorch placed
# after its NPOS positional arguments (so a trailing --cfg-options stays last).
# Honours NNODES, NODE_RANK, MASTER_ADDR and PORT; PYTHON (default: .venv/bin/python
# when it exists). Without CUDA the processes run on the CPU with the gloo backend.
set -e
TOOL=$1
GPUS=$2
NPOS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-python}
[[ -x "$ROOT/.venv/bin/python" && "$PYTHON" == python ]] && PYTHON="$ROOT/.venv/bin/python"
PYTHONPATH="$ROOT":$PYTHONPATH \
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} \
exec "$PYTHON" -m torch.distributed.run \
    --nnodes=$NNODES \
    --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR \
    --nproc_per_node=$GPUS \
    --master_port=$PORT \
    "$ROOT/tools/$TOOL.py" \
    "${@:4:$NPOS}" \
    --launcher pytorch "${@:$((4 + NPOS))}"
