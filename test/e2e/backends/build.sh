#!/usr/bin/env bash
# Builds the real Jaeger v2 and Grafana Tempo binaries from source with Go, cached outside the repo.
#
# Pins, and why they differ from the commits first researched (Jaeger v2.20.0 = 798e4b0f..., Tempo v3.0.3 =
# 1900ed7b...): the Go module proxy reachable from this workplace answers "403 This module version is not
# available" for both of those commits, for every raw commit hash, and for Jaeger/Tempo `v2.x`/`v3.x` tags
# (their module paths carry no /v2 or /v3 suffix, so Go rejects those tags anyway). It does serve canonical
# versions it already holds. So we pin the newest version of each that it serves and that builds:
# - Jaeger: module version v1.76.0 (2025-12-03). Jaeger publishes v1.x and v2.x tags on the same release
#   commits; cmd/jaeger at this version is the Jaeger v2 binary (OTel-collector based, v2.13.0). Its go.mod
#   has a replace directive, so `go install pkg@version` refuses it: we download the module and build inside.
# - Tempo: pseudo-version v1.5.1-0.20250529124718-87c2dc380cec (main on 2025-05-29, between v2.7 and v2.8;
#   the version Grafana itself pinned). The checksum database has no entry for it through this proxy, so
#   GONOSUMDB is set for the Tempo module only; all of its dependencies are still verified by its go.sum.
# Both are built with CGO_ENABLED=0 and GOTOOLCHAIN=auto (fetches a newer Go through the proxy if go.mod asks).
set -euo pipefail

JAEGER_VERSION=v1.76.0
TEMPO_VERSION=v1.5.1-0.20250529124718-87c2dc380cec
CACHE=${TRACEWIRE_BACKENDS_CACHE:-$HOME/.cache/tracewire-backends}
BIN=$CACHE/bin
mkdir -p "$BIN"

log() { printf '[backends] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "FATAL: Go is not installed; the e2e suite builds Jaeger and Tempo from source and needs Go >= 1.26."
  exit 1
fi

# build_module NAME MODULE VERSION PACKAGE: download MODULE@VERSION and build PACKAGE inside it.
build_module() {
  local name=$1 module=$2 version=$3 pkg=$4
  local out=$BIN/$name-$version
  if [[ -x $out ]]; then log "$name cached at $out"; return; fi
  local t0=$SECONDS dir
  log "downloading $module@$version ..."
  dir=$(GONOSUMDB=github.com/grafana/tempo GOTOOLCHAIN=auto GOFLAGS=-modcacherw \
    go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  if [[ -z $dir || ! -d $dir ]]; then
    log "FATAL: go mod download $module@$version failed (see the error above): cannot build $name"
    exit 1
  fi
  log "building $name from $dir (first build takes several minutes) ..."
  if ! (cd "$dir" && CGO_ENABLED=0 GOTOOLCHAIN=auto GOFLAGS=-modcacherw go build -o "$out.tmp" "$pkg"); then
    log "FATAL: go build of $name failed"
    exit 1
  fi
  mv "$out.tmp" "$out"
  log "$name built in $((SECONDS - t0)) s -> $out"
}

build_jaeger() { build_module jaeger github.com/jaegertracing/jaeger "$JAEGER_VERSION" ./cmd/jaeger; }
build_tempo() { build_module tempo github.com/grafana/tempo "$TEMPO_VERSION" ./cmd/tempo; }

case "${1:-all}" in
  jaeger) build_jaeger ;;
  tempo) build_tempo ;;
  all) build_jaeger; build_tempo ;;
  *) log "usage: build.sh [jaeger|tempo|all]"; exit 2 ;;
esac
