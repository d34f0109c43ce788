#!/bin/sh
# Prints the bin folder of a Node.js that lenslab supports (22 or 24 LTS; `engines`).
#   scripts/node-bin.sh        the node on PATH when it is 22 or newer, else Node 24
#   scripts/node-bin.sh MAJOR  the node on PATH when it is that line, else Node MAJOR
# A Node.js that is not on the machine comes from the npm registry (the node-<platform>-<arch>
# package: the official binaries, no install script) into a cache folder, once. So a machine
# whose own node is older (Debian 12's is 20, past its end of life) still runs lenslab.
set -eu
want="${1:-}"
own="$(command -v node || true)"
if [ -n "$own" ]; then
  major="$("$own" --version | sed 's/^v\([0-9]*\).*/\1/')"
  if { [ -z "$want" ] && [ "$major" -ge 22 ]; } || [ "$major" = "$want" ]; then
    dirname "$own"
    exit 0
  fi
fi
want="${want:-24}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/lenslab-node/$want"
platform="$(uname -s | tr 'A-Z' 'a-z')-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
bin="$cache/node_modules/node-$platform/bin"
if [ ! -x "$bin/node" ]; then
  echo "lenslab: fetching Node.js $want from the npm registry into $cache (once)" >&2
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error \
    "node-$platform@$want" >&2
fi
echo "$bin"
