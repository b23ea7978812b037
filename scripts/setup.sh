#!/usr/bin/env bash
# Installs everything convkit needs on a fresh Debian/Ubuntu machine with Node 20+:
# system packages (headless-gl build deps, Xvfb + Mesa software GL, Chromium for browser tests),
# pnpm 10, and the workspace dependencies (headless-gl compiles from source, ~3 minutes).
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  xvfb xauth libgl1-mesa-dri            # a display and Mesa's software GL for headless-gl
  libxi-dev libx11-dev libxext-dev libglu1-mesa-dev pkg-config python3 make g++   # building gl 8.1.6 from source
  chromium fonts-liberation             # browser tests and the browser half of the benchmark
  libvulkan1                            # the Vulkan loader: WebGPU in Node (Dawn) on chromium's SwiftShader ICD
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

want_pnpm="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$want_pnpm" ]; then
  echo "setup: installing pnpm@$want_pnpm"
  npm install -g "pnpm@$want_pnpm" >/dev/null
fi

echo "setup: installing workspace dependencies"
export ONNXRUNTIME_NODE_INSTALL=skip   # onnxruntime-node's CPU binary ships in the package; skip the GPU download
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi
echo "setup: done"
