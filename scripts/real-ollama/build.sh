#!/usr/bin/env bash
# Builds a real Ollama (v0.17.4, from the Go module proxy) and a tiny random-weight GGUF model
# for the real-Ollama test tier (npm run test:real-ollama). Everything is cached outside the
# repository, so a second run (or CI on a fresh clone of this machine) is a quick no-op:
#   ${WORKSPLIT_OLLAMA_CACHE:-$HOME/.cache/worksplit/ollama-0.17.4}/bin/ollama
#   ${WORKSPLIT_OLLAMA_CACHE:-$HOME/.cache/worksplit/ollama-0.17.4}/model/{tiny.gguf,Modelfile}
set -euo pipefail

OLLAMA_VERSION=v0.17.4
CACHE="${WORKSPLIT_OLLAMA_CACHE:-$HOME/.cache/worksplit/ollama-0.17.4}"
HERE="$(cd "$(dirname "$0")" && pwd)"
BINARY="$CACHE/bin/ollama"
MODEL_DIR="$CACHE/model"

mkdir -p "$CACHE"
# Two runs at once (two CI checkouts) would both write the cache; the second waits for the first.
exec 9>"$CACHE/.build.lock"
flock 9

log() { echo "real-ollama: $*" >&2; }

# The module zip has no vendor/ folders, so llama.cpp's vendored headers come from Debian
# (nlohmann/json.hpp, stb_image.h) and PyPI (miniaudio.h, which only the miniaudio sdist ships).
install_debian_headers() {
  local missing=()
  [ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
  [ -f /usr/include/stb/stb_image.h ] || missing+=(libstb-dev)
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]} (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

fetch_miniaudio_header() {
  local include="$CACHE/include"
  [ -f "$include/miniaudio/miniaudio.h" ] && return
  log "fetching miniaudio.h from the miniaudio sdist (PyPI)"
  local tmp
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$tmp" miniaudio
  local sdist header
  sdist="$(ls "$tmp"/miniaudio-*.tar.gz | head -n1)"
  tar -xzf "$sdist" -C "$tmp"
  header="$(find "$tmp" -name miniaudio.h -path '*miniaudio/miniaudio.h' | head -n1)"
  [ -n "$header" ] || header="$(find "$tmp" -name miniaudio.h | head -n1)"
  [ -n "$header" ] || { log "no miniaudio.h in $sdist"; exit 1; }
  mkdir -p "$include/miniaudio"
  cp "$header" "$include/miniaudio/miniaudio.h.tmp"
  mv "$include/miniaudio/miniaudio.h.tmp" "$include/miniaudio/miniaudio.h"
  rm -rf "$tmp"
}

# llama.cpp's kernels need the CPU's vector instructions: cgo's default flags build it without
# AVX2 and FMA, and a 135M model then read a prompt at 15 tokens/s instead of 140 and wrote at
# 10 instead of 50. x86-64-v3 where the CPU has them (the binary runs on the machine that built it).
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then
  SIMD_FLAGS="-O3 -march=x86-64-v3"
else
  SIMD_FLAGS="-O3"
fi
FLAGS_STAMP="$CACHE/bin/build-flags"

build_binary() {
  # A binary built with other flags (or before they were recorded) is built again.
  [ -x "$BINARY" ] && [ "$(cat "$FLAGS_STAMP" 2>/dev/null)" = "$SIMD_FLAGS" ] && return
  command -v go >/dev/null || { log "go is not installed (needed to build Ollama)"; exit 1; }
  install_debian_headers
  fetch_miniaudio_header
  log "downloading github.com/ollama/ollama@$OLLAMA_VERSION (Go module proxy)"
  local module_dir
  module_dir="$(go mod download -json "github.com/ollama/ollama@$OLLAMA_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  # The module cache is read-only; go build wants to write nothing there, but cgo's include
  # paths and generated files are simpler in a private writable copy.
  local src="$CACHE/src"
  rm -rf "$src"
  cp -r "$module_dir" "$src"
  chmod -R u+w "$src"
  log "building ollama (CGO, takes several minutes)"
  local started=$SECONDS
  mkdir -p "$CACHE/bin"
  (cd "$src" && CGO_ENABLED=1 CGO_CPPFLAGS="-I$CACHE/include -I/usr/include/stb" \
    CGO_CFLAGS="$SIMD_FLAGS" CGO_CXXFLAGS="$SIMD_FLAGS" \
    go build -ldflags "-X github.com/ollama/ollama/version.Version=${OLLAMA_VERSION#v}" -o "$BINARY.tmp" .)
  mv "$BINARY.tmp" "$BINARY"
  echo "$SIMD_FLAGS" >"$FLAGS_STAMP"
  log "built $BINARY in $((SECONDS - started)) s"
}

build_model() {
  # Rebuilt when the generator or the Modelfile changed, so the cache never holds a stale model.
  local inputs
  inputs="$(cat "$HERE/make-tiny-model.py" "$HERE/Modelfile" | sha256sum | cut -d' ' -f1)"
  [ -f "$MODEL_DIR/tiny.gguf" ] && [ "$(cat "$MODEL_DIR/inputs.sha256" 2>/dev/null)" = "$inputs" ] && return
  local py="$CACHE/py"
  if ! PYTHONPATH="$py" python3 -c 'import gguf' 2>/dev/null; then
    log "installing the gguf Python package into $py (PyPI)"
    python3 -m pip install --quiet --target "$py" gguf
  fi
  mkdir -p "$MODEL_DIR"
  PYTHONPATH="$py" python3 "$HERE/make-tiny-model.py" "$MODEL_DIR/tiny.gguf.tmp"
  mv "$MODEL_DIR/tiny.gguf.tmp" "$MODEL_DIR/tiny.gguf"
  cp "$HERE/Modelfile" "$MODEL_DIR/Modelfile.tmp"
  mv "$MODEL_DIR/Modelfile.tmp" "$MODEL_DIR/Modelfile"
  echo "$inputs" >"$MODEL_DIR/inputs.sha256"
  log "wrote $MODEL_DIR/tiny.gguf ($(stat -c %s "$MODEL_DIR/tiny.gguf") bytes)"
}

build_binary
build_model
echo "$CACHE"
