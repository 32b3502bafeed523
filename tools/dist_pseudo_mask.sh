#!/usr/bin/env bash
# Usage: tools/dist_pseudo_mask.sh CONFIG CHECKPOINT GPUS [pseudo_mask.py args]
# torchrun-based; honours NNODES, NODE_RANK, MASTER_ADDR and PORT (see dist_run.sh).
# Without CUDA the processes run on the CPU with the gloo backend.
if [[ -z "$1" || -z "$2" || -z "$3" ]]; then
  echo "usage: $0 CONFIG CHECKPOINT GPUS [pseudo_mask.py args]" >&2; exit 2
fi
exec bash "$(dirname "$0")/dist_run.sh" pseudo_mask "$3" 2 "$1" "$2" "${@:4}"
