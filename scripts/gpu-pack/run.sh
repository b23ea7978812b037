#!/usr/bin/env bash
# The convkit GPU run, on a machine with no Node and no network (see apps/bench/README.md,
# "A repeatable real-GPU run"). scripts/gpu-pack/pack.sh copies this file into .gpu-pack/ next to
# node.tar.xz and tree.tar.xz; run it from anywhere:
#
#   OUT=/some/dir bash .gpu-pack/run.sh [--quick]
#
# 1. unpacks (xz, or Python's lzma when xz is missing) the node binary and the pruned built tree to $GPU_PACK_WORK (default /tmp/convkit-gpu-run);
# 2. points Vulkan at the NVIDIA driver when its ICD file is there and no driver is set
#    (VK_DRIVER_FILES), with the pack's libvulkan.so.1 on LD_LIBRARY_PATH;
# 3. runs the conformance CLI on backend gpujs, mode webgpu (--expect-engine webgpu), and records
#    whether the adapter is hardware (exit code 3 at the end when it is not, unless
#    GPU_PACK_ALLOW_SOFTWARE=1: a SwiftShader dry run);
# 4. runs the bench's WebGPU rows (convkit:gpujs:webgpu, tfjs:webgpu) one workload at a time;
# 5. runs anchors.py (PyTorch CUDA / CPU, onnxruntime) when python3 is there;
# 6. runs the bench's CPU rows with every core of the machine, one workload at a time;
# 7. merges everything into ONE JSON: $OUT/gpu-run.json (logs of every step in $OUT/logs/).
#
# Each step runs under `timeout`, capped by what is left of GPU_PACK_BUDGET_S (default 450 s after
# the unpack), so the whole run ends in about 8 minutes even when a step hangs. --quick: the bench's
# --quick sizes, the anchors' quick sizes and conformance on gemm,relu,maxpool2d,sgd only (a dry run
# on a software adapter).
set -u
PACK="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
QUICK=0
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,24p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run.sh: unknown argument '$a' (only --quick)" >&2; exit 2 ;;
  esac
done
OUT="${OUT:-$PWD/gpu-run-out}"
WORK="${GPU_PACK_WORK:-/tmp/convkit-gpu-run}"
BUDGET="${GPU_PACK_BUDGET_S:-450}"
WORKLOADS="${GPU_PACK_WORKLOADS:-conv-A conv-B conv-C conv-D maxpool gemm conv-A-bwd train}"
GPU_IMPLS="${GPU_PACK_GPU_IMPLS:-^(convkit:gpujs:webgpu|tfjs:webgpu)\$}"
CPU_IMPLS="${GPU_PACK_CPU_IMPLS:-^(convkit:(js|wasm|workers|workers:host)|tfjs:(wasm|wasm-threads)|onnxruntime:cpu)\$}"
for f in node.tar.xz tree.tar.xz merge.mjs; do
  [ -f "$PACK/$f" ] || { echo "run.sh: $PACK/$f is missing (run scripts/gpu-pack/pack.sh first)" >&2; exit 2; }
done
mkdir -p "$OUT/logs" || exit 2
t0=$(date +%s)
rm -rf "$WORK" && mkdir -p "$WORK/parts" || exit 2
PARTS="$WORK/parts"
STEPS="$WORK/steps.tsv"
: > "$STEPS"

echo "run.sh: unpacking to $WORK" >&2
# xz when it is there, else Python's lzma + tarfile (links kept)
unpack() {
  if command -v xz > /dev/null; then xz -dc "$1" | tar -x -C "$2"
  elif command -v python3 > /dev/null; then
    python3 -c 'import sys, tarfile; t = tarfile.open(sys.argv[1]); t.extractall(sys.argv[2], **({"filter": "tar"} if hasattr(tarfile, "data_filter") else {}))' "$1" "$2"
  else echo "run.sh: neither xz nor python3 to unpack $1" >&2; return 1; fi
}
unpack "$PACK/node.tar.xz" "$WORK" && unpack "$PACK/tree.tar.xz" "$WORK" || { echo "run.sh: unpack failed" >&2; exit 2; }
echo "run.sh: unpacked in $(( $(date +%s) - t0 )) s" >&2
export PATH="$WORK/node/bin:$PATH"
export LD_LIBRARY_PATH="$WORK/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CONVKIT_SHARED="$WORK/tree/shared"
export GPU_PACK_QUICK="$QUICK"
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -z "${VK_ICD_FILENAMES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
fi
# the bench points Vulkan at SwiftShader when VK_ICD_FILENAMES is unset; a driver chosen here wins
if [ -n "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then export CONVKIT_BENCH_VULKAN=system; fi
echo "run.sh: node $(node --version), VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}" >&2
start=$(date +%s)

# step NAME CAP_SECONDS CMD... : runs CMD in the tree under timeout, capped by the budget left
step() {
  local name="$1" cap="$2"; shift 2
  local left=$(( BUDGET - ( $(date +%s) - start ) - 5 ))
  local t=$(( cap < left ? cap : left ))
  local log="$OUT/logs/$name.log"
  if [ "$t" -lt 5 ]; then
    echo "skipped: budget of $BUDGET s spent" > "$log"
    printf '%s\t-1\t0\t0\t%s\n' "$name" "$log" >> "$STEPS"
    echo "run.sh: $name skipped (budget spent)" >&2
    return
  fi
  local s=$(date +%s)
  (cd "$WORK/tree" && timeout -k 5 "$t" "$@") > "$log" 2>&1
  local rc=$?
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$rc" "$(( $(date +%s) - s ))" "$t" "$log" >> "$STEPS"
  echo "run.sh: $name rc $rc in $(( $(date +%s) - s )) s (cap $t s)" >&2
}

CONF_FILTER=()
[ "$QUICK" = 1 ] && CONF_FILTER=(--filter gemm,relu,maxpool2d,sgd)
step conformance-webgpu 150 node packages/conformance/dist/cli.js packages/backend-gpujs \
  --backend-options '{"mode":"webgpu"}' --expect-engine webgpu "${CONF_FILTER[@]}" --json "$PARTS/conformance.json"

BENCH=(node apps/bench/dist/cli.js --no-browser)
[ "$QUICK" = 1 ] && BENCH+=(--quick)
# extra bench flags, e.g. GPU_PACK_BENCH_ARGS='--min-time-ms 1000' to fit a smaller budget
read -r -a EXTRA <<< "${GPU_PACK_BENCH_ARGS:-}"
BENCH+=("${EXTRA[@]}")
for w in $WORKLOADS; do
  step "bench-gpu-$w" 60 "${BENCH[@]}" --only "^$w\$" --impl "$GPU_IMPLS" --out "$WORK/bench-gpu" --json "$PARTS/bench-gpu-$w.json"
done

if command -v python3 > /dev/null; then
  AQ=()
  [ "$QUICK" = 1 ] && AQ=(--quick)
  step anchors 120 python3 "$PACK/anchors.py" --json "$PARTS/anchors.json" --budget-s 90 "${AQ[@]}"
else
  echo "python3 not found" > "$OUT/logs/anchors.log"
  printf 'anchors\t-1\t0\t0\t%s\n' "$OUT/logs/anchors.log" >> "$STEPS"
fi

for w in $WORKLOADS; do
  step "bench-cpu-$w" 90 "${BENCH[@]}" --only "^$w\$" --impl "$CPU_IMPLS" --out "$WORK/bench-cpu" --json "$PARTS/bench-cpu-$w.json"
done

node "$PACK/merge.mjs" "$PARTS" "$STEPS" "$PACK" > "$OUT/gpu-run.json"
echo "run.sh: $OUT/gpu-run.json ($(( $(date +%s) - t0 )) s in all)" >&2
hw=$(node -e 'const j=require(process.argv[1]); process.stdout.write(String(j.conformance.hardwareAdapter === true))' "$OUT/gpu-run.json")
if [ "$hw" != true ] && [ "${GPU_PACK_ALLOW_SOFTWARE:-0}" != 1 ]; then
  echo "run.sh: the webgpu conformance run did not report a hardware adapter (see conformance in $OUT/gpu-run.json)" >&2
  exit 3
fi
exit 0
