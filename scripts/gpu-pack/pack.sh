#!/usr/bin/env bash
# Packs what the GPU run needs for a machine with no Node and no network (see apps/bench/README.md,
# "A repeatable real-GPU run"):
#
#   bash scripts/gpu-pack/pack.sh [--no-build] [--out DIR]     (default DIR: .gpu-pack, gitignored)
#
# builds the bench, the conformance CLI and their dependencies (turbo), writes
#   DIR/node.tar.xz   this machine's node binary (node/bin/node)
#   DIR/tree.tar.xz   tree/: the pruned built tree (scripts/gpu-pack/prune.mjs: dist/ of the needed
#                     workspace packages, their npm dependencies with linux-x64 native binaries only,
#                     the uwnet course goldens when ../shared has them); lib/libvulkan.so.1 (Vulkan loader)
#   DIR/run.sh, DIR/anchors.py, DIR/merge.mjs, DIR/pack-info.json
# and prints the sizes. Fails when the pack exceeds GPU_PACK_MAX_MIB (default 60).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/gpu-pack"
OUTDIR="$ROOT/.gpu-pack"
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    --out) OUTDIR="$(mkdir -p "$2" && cd "$2" && pwd)"; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "pack.sh: unknown argument '$1' (--no-build, --out DIR)" >&2; exit 2 ;;
  esac
  shift
done
MAX_MIB="${GPU_PACK_MAX_MIB:-60}"
NODE_BIN="$(command -v node)"
VULKAN=""
for f in /usr/lib/x86_64-linux-gnu/libvulkan.so.1 /lib/x86_64-linux-gnu/libvulkan.so.1; do
  [ -e "$f" ] && { VULKAN="$(readlink -f "$f")"; break; }
done
[ -n "$VULKAN" ] || { echo "pack.sh: no libvulkan.so.1 here (apt-get install libvulkan1)" >&2; exit 2; }
[ "$(uname -m)" = x86_64 ] || { echo "pack.sh: packs linux-x64 binaries; this is $(uname -m)" >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
  echo "pack.sh: building (turbo)" >&2
  (cd "$ROOT" && pnpm exec turbo run build --filter=@convkit/bench... --filter=@convkit/conformance... --filter=@convkit/backend-gpujs... --output-logs=errors-only) >&2
fi

STAGE="$(mktemp -d /tmp/convkit-gpu-pack.XXXXXX)"
trap 'rm -rf "$STAGE"' EXIT
node "$HERE/prune.mjs" "$STAGE/tree" > "$STAGE/prune.json"
mkdir -p "$STAGE/node/bin" "$STAGE/lib"
cp "$NODE_BIN" "$STAGE/node/bin/node"
cp "$VULKAN" "$STAGE/lib/libvulkan.so.1"

mkdir -p "$OUTDIR"
rm -f "$OUTDIR/node.tar.xz" "$OUTDIR/tree.tar.xz"
echo "pack.sh: compressing (xz -9, every core)" >&2
tar -C "$STAGE" -cf - node | xz -9 -T0 > "$OUTDIR/node.tar.xz"
tar -C "$STAGE" -cf - tree lib | xz -9 -T0 > "$OUTDIR/tree.tar.xz"
cp "$HERE/run.sh" "$HERE/anchors.py" "$HERE/merge.mjs" "$OUTDIR/"
chmod +x "$OUTDIR/run.sh"

commit="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
dirty="$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)"
node -e '
const [stage, out, commit, dirty, nodeBin, vulkan] = process.argv.slice(1);
const fs = require("node:fs");
const prune = JSON.parse(fs.readFileSync(stage + "/prune.json", "utf8"));
const size = (f) => fs.statSync(out + "/" + f).size;
const info = {
  date: new Date().toISOString(), commit, trackedFilesChanged: Number(dirty),
  node: process.version, nodeBinary: nodeBin, libvulkan: vulkan,
  treeBytes: prune.bytes, uwnetGoldenFiles: prune.uwnetGoldenFiles,
  packages: prune.packages.map((p) => `${p.name}@${p.version}`),
  files: Object.fromEntries(["node.tar.xz", "tree.tar.xz", "run.sh", "anchors.py", "merge.mjs"].map((f) => [f, size(f)])),
};
fs.writeFileSync(out + "/pack-info.json", JSON.stringify(info, null, 1) + "\n");
const mib = (b) => (b / 2 ** 20).toFixed(1) + " MiB";
console.log(`pack: ${out}`);
for (const [f, b] of Object.entries(info.files)) console.log(`  ${f.padEnd(12)} ${mib(b)}`);
console.log(`  unpacked tree ${mib(prune.bytes)} (${prune.packages.length} packages, ${prune.links} links); largest: ${prune.packages.slice(0, 4).map((p) => `${p.name} ${mib(p.bytes)}`).join(", ")}`);
' "$STAGE" "$OUTDIR" "$commit" "$dirty" "$NODE_BIN" "$VULKAN"
total=$(du -cb "$OUTDIR"/* | tail -1 | cut -f1)
echo "  total        $(awk -v b="$total" 'BEGIN { printf "%.1f MiB", b / 1048576 }') (limit $MAX_MIB MiB)"
if [ "$total" -gt $(( MAX_MIB * 1048576 )) ]; then
  echo "pack.sh: the pack is larger than $MAX_MIB MiB" >&2
  exit 1
fi
echo "run it on the GPU machine: OUT=<results dir> bash .gpu-pack/run.sh   (carry .gpu-pack/)"
