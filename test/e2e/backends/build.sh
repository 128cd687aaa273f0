#!/usr/bin/env bash
# Builds the real Jaeger v2 binary from source with Go, cached outside the repo by version. It is the only
# binary the e2e suite builds: Jaeger v2 is also an OpenTelemetry Collector distribution (OTLP receiver,
# attributes, batch and tail_sampling processors, otlp/otlphttp exporters), so the suite runs it a second
# time as the collector that stands in for Grafana Tempo's OTLP ingest (test/e2e/backends/backends.ts).
# Grafana Tempo itself is AGPL-licensed and is never downloaded, built or run here.
#
# Pin: module github.com/jaegertracing/jaeger at v1.75.0, the approved release. Jaeger publishes v1.x and
# v2.x tags on the same release commits; cmd/jaeger at this version is the Jaeger v2 binary. Its go.mod has
# a replace directive, so `go install pkg@version` refuses it: we download the module and build inside.
# A cold build (empty Go module and build caches) takes about 5 minutes on 2 cores; a cached one is instant.
# Built with CGO_ENABLED=0 and GOTOOLCHAIN=auto (fetches a newer Go through the proxy if go.mod asks).
set -euo pipefail

JAEGER_VERSION=v1.75.0
CACHE=${TRACEWIRE_BACKENDS_CACHE:-$HOME/.cache/tracewire-backends}
BIN=$CACHE/bin
mkdir -p "$BIN"

log() { printf '[backends] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "FATAL: Go is not installed; the e2e suite builds Jaeger from source and needs Go >= 1.26."
  exit 1
fi

# build_module NAME MODULE VERSION PACKAGE: download MODULE@VERSION and build PACKAGE inside it.
build_module() {
  local name=$1 module=$2 version=$3 pkg=$4
  local out=$BIN/$name-$version
  if [[ -x $out ]]; then log "$name cached at $out"; return; fi
  local t0=$SECONDS dir
  log "downloading $module@$version ..."
  dir=$(GOTOOLCHAIN=auto GOFLAGS=-modcacherw \
    go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  if [[ -z $dir || ! -d $dir ]]; then
    log "FATAL: go mod download $module@$version failed (see the error above): cannot build $name"
    exit 1
  fi
  log "building $name from $dir (a cold build takes about 5 minutes) ..."
  if ! (cd "$dir" && CGO_ENABLED=0 GOTOOLCHAIN=auto GOFLAGS=-modcacherw go build -o "$out.tmp" "$pkg"); then
    log "FATAL: go build of $name failed"
    exit 1
  fi
  mv "$out.tmp" "$out"
  log "$name built in $((SECONDS - t0)) s -> $out"
}

build_jaeger() { build_module jaeger github.com/jaegertracing/jaeger "$JAEGER_VERSION" ./cmd/jaeger; }

case "${1:-jaeger}" in
  jaeger | all) build_jaeger ;;
  *) log "usage: build.sh [jaeger]"; exit 2 ;;
esac
