#!/usr/bin/env bash
# Install ml-gates from a checkout of this bundle (the reusable workflows check it out at the
# commit the caller pinned, so the workflow and the engine are the same version).
#
#   ML_GATES_BUNDLE  path of the bundle checkout (required)
#   ML_GATES_EXTRAS  comma-separated extras, e.g. "semgrep" or "mutation" (optional)
#   ML_GATES_VENV    install into a fresh virtualenv there, isolated from the project's
#                    dependencies; empty = into the current `python` (gates that import or
#                    test the project's code - mutation, coreml - need the project's env)
#   PYTHON           interpreter to use (default: python)
#
# Runs the same way on a laptop: ML_GATES_BUNDLE=. ML_GATES_VENV=/tmp/g bash .github/scripts/ml-gates-install.sh
set -euo pipefail

bundle=${ML_GATES_BUNDLE:?set ML_GATES_BUNDLE to the ml-gates checkout}
extras=${ML_GATES_EXTRAS:-}
venv=${ML_GATES_VENV:-}
python_bin=${PYTHON:-python}

fail() {
  echo "::error title=ml-gates install::$1"
  exit 2
}

[ -f "$bundle/pyproject.toml" ] || fail "no ml-gates checkout at $bundle (pyproject.toml missing); check the bundle-ref input"
# Extras are names only: anything else would be handed to pip as a requirement string.
[[ "$extras" =~ ^[A-Za-z0-9_,-]*$ ]] || fail "extras must be comma-separated names, got: $extras"

spec=$bundle
if [ -n "$extras" ]; then
  spec="$bundle[$extras]"
fi

if [ -n "$venv" ]; then
  "$python_bin" -m venv "$venv"
  python_bin="$venv/bin/python"
fi

"$python_bin" -m pip install --quiet --disable-pip-version-check "$spec"
"$python_bin" -m gates --version
