#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG GPUS [train.py args]
# torchrun-based; honours NNODES, NODE_RANK, MASTER_ADDR and PORT (see dist_run.sh).
# Without CUDA the processes run on the CPU with the gloo backend.
if [[ -z "$1" || -z "$2" ]]; then
  echo "usage: $0 CONFIG GPUS [train.py args]" >&2; exit 2
fi
exec bash "$(dirname "$0")/dist_run.sh" train "$2" 1 "$1" "${@:3}"
