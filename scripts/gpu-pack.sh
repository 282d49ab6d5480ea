#!/usr/bin/env bash
# Prepares what scripts/gpu-check.sh needs on a GPU machine that has the CUDA toolkit and
# Python but no Node.js and no network: this machine's Node binary and icuda built with its
# production node_modules, both xz-compressed into the ignored folder .gpu-pack/ (carried to
# the GPU machine with the working tree; everything that travels must stay under 64 MiB).
# Unpacking there needs only Python's standard library (lzma, tarfile).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.gpu-pack
limit_mib=${GPU_PACK_LIMIT_MIB:-48}

[ -n "${GPU_PACK_SKIP_BUILD:-}" ] || npm run --silent build
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
app="$stage/icuda"
mkdir -p "$app"
cp -r bin include kernelspec grammar package.json package-lock.json "$app/"
mkdir -p "$app/dist" && cp -r dist/src "$app/dist/src"
# session cells: the session runner is built from its C++ source on first use
mkdir -p "$app/src/session" && cp -r src/session/native "$app/src/session/native"
[ -d examples ] && cp -r examples "$app/"

# Production dependencies only, from the lock file, without install scripts (zeromq ships
# its prebuilt addon), then pruned of what a running kernel never reads.
(cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
nm="$app/node_modules"
find "$nm" -type d \( -name test -o -name tests -o -name docs -o -name example -o -name examples -o -name .github \) -prune -exec rm -rf {} +
find "$nm" -type f \( -name '*.md' -o -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.ts.map' -o -name 'LICENSE*' -o -name 'CHANGELOG*' \) -delete
# zeromq carries prebuilt addons for every platform; the GPU machine is linux x86-64, glibc.
zmq="$nm/zeromq/build"
if [ -d "$zmq" ]; then
  find "$zmq" -mindepth 1 -maxdepth 1 -type d ! -name linux -exec rm -rf {} +
  find "$zmq/linux" -mindepth 1 -maxdepth 1 -type d ! -name x64 -exec rm -rf {} +
  find "$zmq/linux" -type d -name 'musl-*' -prune -exec rm -rf {} +
fi
rm -rf "$nm/zeromq/src" "$nm/zeromq/script" "$nm/zeromq/CMakeLists.txt" "$nm/zeromq/vcpkg.json"

rm -rf "$out" && mkdir -p "$out"
xz -T0 -9 -c "$(readlink -f "$(command -v node)")" > "$out/node.xz"
tar -C "$stage" -cf - icuda | xz -T0 -9 -c > "$out/icuda.tar.xz"
node --version > "$out/node-version.txt"
git rev-parse --short HEAD > "$out/commit.txt" 2>/dev/null || echo unknown > "$out/commit.txt"

total=$(du -sm "$out" | cut -f1)
echo "gpu-pack: $(ls -1 "$out" | tr '\n' ' ')-> ${total} MiB in $out (limit ${limit_mib} MiB)"
if [ "$total" -gt "$limit_mib" ]; then
  echo "gpu-pack: $out is ${total} MiB, over ${limit_mib} MiB" >&2
  exit 1
fi
