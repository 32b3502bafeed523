#!/usr/bin/env bash
# Download everything `make setup` installs except torch, for an offline or
# air-gapped machine that already has torch:
#
#   bash tools/misc/make_wheelhouse.sh OUT_DIR [--python 3.12] \
#       [--platform manylinux_2_28_x86_64] [--cuda-toolkit 13.0.3] \
#       [--exclude-installed FREEZE] [--lean]
#   # copy OUT_DIR over, then on the target:  WHEELHOUSE=OUT_DIR make setup
#
# OUT_DIR gets binary wheels of the stack and its dependencies for the target
# Python and platform (the list is tools/setup_env.sh --print-requirements),
# plus the mmcv 2.1.0 sdist, which setup builds against the target's torch.
# --cuda-toolkit PIN adds PyPI's nvcc + CUDA headers (cuda-toolkit[nvcc,cccl,
# crt,cudart,nvvm]==PIN, about 105 MB for 13.0.3) for GPU machines without a
# CUDA toolkit; use the pin of the target's torch
# (python -c "import importlib.metadata as m; print(m.requires('torch'))").
# --exclude-installed FREEZE (the target's `pip freeze`) leaves out every
# distribution the target already holds at a version the whole resolved stack
# accepts, and says which and why (tools/misc/wheelhouse_plan.py); the mmcv
# sdist and the OpenMMLab packages are always included. --lean leaves out
# what training and the checks do not need (setup says so in a warning line):
# ruff (make lint, 10 MB) and the ImageNet MobileNetV2 weights of the BCCD
# studies' ImageNet arm (13 MB).
set -euo pipefail
usage() { echo "usage: $0 OUT_DIR [--python X.Y] [--platform TAG] [--cuda-toolkit PIN] [--exclude-installed FREEZE] [--lean]" >&2; exit 2; }
[[ $# -ge 1 && $1 != -* ]] || usage
OUT=$1; shift
PYV=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
PLATFORM=manylinux_2_28_x86_64
TOOLKIT=""
FREEZE=""
LEAN=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --python) PYV=$2; shift 2 ;;
    --platform) PLATFORM=$2; shift 2 ;;
    --cuda-toolkit) TOOLKIT=$2; shift 2 ;;
    --exclude-installed) FREEZE=$2; shift 2 ;;
    --lean) LEAN=1; shift ;;
    *) usage ;;
  esac
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PIP="${PIP:-python3 -m pip}"
mkdir -p "$OUT"
log() { printf '[wheelhouse %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

mapfile -t REQS < <(bash "$ROOT/tools/setup_env.sh" --print-requirements)
DEPS=(); NODEPS=(); LEFT=()
for r in "${REQS[@]}"; do
  if [[ $r == OPTIONAL\ * ]]; then
    r=${r#OPTIONAL }
    if ((LEAN)); then LEFT+=("${r#NODEPS }"); continue; fi
  fi
  if [[ $r == NODEPS\ * ]]; then NODEPS+=("${r#NODEPS }"); else DEPS+=("$r"); fi
done
# pip takes --platform literally: a manylinux_2_X target also runs every older
# manylinux wheel (2_X-1 ... 2_5 and the legacy 2014/2010/1 names)
PLATFORMS=(--platform "$PLATFORM")
if [[ $PLATFORM =~ ^manylinux_2_([0-9]+)_(.+)$ ]]; then
  arch=${BASH_REMATCH[2]}
  for ((y = BASH_REMATCH[1] - 1; y >= 5; y--)); do PLATFORMS+=(--platform "manylinux_2_${y}_$arch"); done
  PLATFORMS+=(--platform "manylinux2014_$arch" --platform "manylinux2010_$arch" --platform "manylinux1_$arch")
fi
TARGET=(--only-binary=:all: --python-version "$PYV" --implementation cp "${PLATFORMS[@]}")
dl() {  # pip download for the target, quiet unless it fails
  local logf; logf=$(mktemp)
  $PIP download --disable-pip-version-check -d "$OUT" "${TARGET[@]}" "$@" >"$logf" 2>&1 \
    || { grep -v 'is ignored: it is neither' "$logf" | tail -n 15 >&2; rm -f "$logf"; die "pip download failed: $*"; }
  rm -f "$logf"
}
log "wheels for cp${PYV/./} $PLATFORM -> $OUT"
((${#LEFT[@]} == 0)) || log "left out (--lean; setup warns and goes on): ${LEFT[*]}"
if [[ -n $FREEZE ]]; then
  [[ -f $FREEZE ]] || die "--exclude-installed: $FREEZE is not a file (the target's pip freeze)"
  work=$(mktemp -d)
  $PIP install --disable-pip-version-check --dry-run --ignore-installed --quiet \
      --report "$work/report.json" --target "$work/t" "${TARGET[@]}" "${DEPS[@]}" 2>"$work/err" \
    || { grep -v 'is ignored: it is neither' "$work/err" | tail -n 15 >&2; die "pip could not resolve the stack"; }
  python3 "$ROOT/tools/misc/wheelhouse_plan.py" "$work/report.json" "$FREEZE" \
      --top-level "${DEPS[@]}" >"$work/keep.txt"
  mapfile -t KEEP <"$work/keep.txt"
  log "the target lacks ${#KEEP[@]} of the stack's distributions"
  [[ ${#KEEP[@]} -eq 0 ]] || dl --no-deps "${KEEP[@]}"
  rm -rf "$work"
else
  dl "${DEPS[@]}"
fi
dl --no-deps "${NODEPS[@]}"
if [[ -n $TOOLKIT ]]; then
  log "nvcc and CUDA headers: cuda-toolkit[nvcc,cccl,crt,cudart,nvvm]==$TOOLKIT"
  dl "cuda-toolkit[nvcc,cccl,crt,cudart,nvvm]==$TOOLKIT"
fi

# the mmcv sdist, straight from the index (pip download would run its setup.py,
# which needs torch), checked against the index's sha256
log "mmcv 2.1.0 sdist"
python3 "$ROOT/tools/misc/cuda_setup.py" fetch-sdist "$OUT" >/dev/null
n=$(ls "$OUT" | wc -l)
log "done: $n files, $(du -sh "$OUT" | cut -f1); on the target: WHEELHOUSE=$OUT make setup"
