#!/usr/bin/env bash
# The SARIF Multitool (Microsoft's SARIF SDK) in .tools/, for the tests that check our SARIF
# against GitHub code scanning's upload rules (tests/test_sarif_github.py). It comes from npm;
# without npm the tests skip, so CI (scripts/setup.sh, .ci/run) installs it here.
set -euo pipefail
cd "$(dirname "$0")/.."
package="@microsoft/sarif-multitool-linux@5.7.0"  # keep in step with tests/sarif_multitool.py
binary=.tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the SARIF Multitool is not installed (tests/test_sarif_github.py will skip)" >&2
  exit 0
fi
if [ ! -x "$binary" ]; then
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools "$package"
  chmod u+x "$binary"  # npm may skip the package's own chmod postinstall
fi
"$binary" --version >/dev/null 2>&1
