#!/bin/sh
# Every npm script runs on the Node.js 24 that `npm ci` puts in node_modules/.bin (the machine's
# own Node may be older), so the first command on a fresh clone installs the dependencies first.
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi
