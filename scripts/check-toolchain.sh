#!/bin/sh
# Says in one line what to install when Node or npm is older than the project
# needs, before npm ci fails in ways that do not say so. The README's commands
# and .ci/run call it first.
set -eu

NEED_NODE=20.19.0
NEED_NPM=11.16.0

node_version=$(node --version 2>/dev/null | sed 's/^v//') || true
npm_version=$(npm --version 2>/dev/null) || true

# True when $1 is missing or an older version than $2.
older() {
  [ -z "$1" ] || [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" != "$2" ]
}

if older "$node_version" "$NEED_NODE" || older "$npm_version" "$NEED_NPM"; then
  echo "lookalike needs Node 20.19 or later and npm 11.16 or later (found node ${node_version:-none}, npm ${npm_version:-none}): install Node 20.19+ and run \`npm install -g npm@11\`" >&2
  exit 1
fi
