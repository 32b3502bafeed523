#!/usr/bin/env bash
# Usage: tools/dist_pseudo_mask.sh CONFIG CHECKPOINT GPUS [pseudo_mask.py args]
# torchrun-based; honours NNODES, NODE_RANK, MASTER_ADDR and PORT.
# Without CUDA the processes run on the CPU with the gloo backend.
set -e
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
if [[ -z "$CONFIG" || -z "$CHECKPOINT" || -z "$GPUS" ]]; then
  echo "usage: $0 CONFIG CHECKPOINT GPUS [pseudo_mask.py args]" >&2; exit 2
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-python}
[[ -x "$ROOT/.venv/bin/python" && "$PYTHON" == python ]] && PYTHON="$ROOT/.venv/bin/python"
PYTHONPATH="$ROOT":$PYTHONPATH \
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} \
"$PYTHON" -m torch.distributed.run \
    --nnodes=$NNODES \
    --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR \
    --nproc_per_node=$GPUS \
    --master_port=$PORT \
    "$ROOT/tools/pseudo_mask.py" \
    $CONFIG \
    $CHECKPOINT \
    --launcher pytorch ${@:4}
