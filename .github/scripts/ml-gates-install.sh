#!/usr/bin/env bash
# Install ml-gates from a checkout of this bundle (the reusable workflows check it out at the
# commit the caller pinned, so the workflow and the engine are the same version).
#
#   ML_GATES_BUNDLE       path of the bundle checkout (required)
#   ML_GATES_EXTRAS       comma-separated extras, e.g. "semgrep" or "mutation" (optional)
#   ML_GATES_VENV         install into a fresh virtualenv there, isolated from the project's
#                         dependencies; empty = into the current `python` (the project's env)
#   ML_GATES_ENVIRONMENT  auto = ML_GATES_VENV first; then, only when the policy enables a gate
#                         that imports the project (coreml, mutation) or audits its environment
#                         (security.pip_audit.environment), also into the project's env.
#                         own = ML_GATES_VENV only; project = the project's env only.
#   ML_GATES_POLICY, ML_GATES_ONLY   as in ml-gates-run.sh (auto mode reads the policy)
#   PYTHON                interpreter to use (default: python)
#
# Installing into the project's env checks that nothing the project had installed changed
# version (pip freeze before and after): pip would otherwise upgrade a pinned dependency
# silently and the tests would run on another version than the project pins.
# Step output (GITHUB_OUTPUT): gates=<the gates executable to run>.
#
# Runs the same way on a laptop: ML_GATES_BUNDLE=. ML_GATES_VENV=/tmp/g bash .github/scripts/ml-gates-install.sh
set -euo pipefail

bundle=${ML_GATES_BUNDLE:?set ML_GATES_BUNDLE to the ml-gates checkout}
extras=${ML_GATES_EXTRAS:-}
venv=${ML_GATES_VENV:-}
mode=${ML_GATES_ENVIRONMENT:-}
python_bin=${PYTHON:-python}
here=$(cd "$(dirname "$0")" && pwd)

fail() {
  echo "::error title=ml-gates install::$1"
  exit 2
}

[ -f "$bundle/pyproject.toml" ] || fail "no ml-gates checkout at $bundle (pyproject.toml missing); check the bundle-ref input"
# Extras are names only: anything else would be handed to pip as a requirement string.
[[ "$extras" =~ ^[A-Za-z0-9_,-]*$ ]] || fail "extras must be comma-separated names, got: $extras"
case "$mode" in
  "" | own | project) ;;
  auto) [ -n "$venv" ] || fail "ML_GATES_ENVIRONMENT=auto needs ML_GATES_VENV" ;;
  *) fail "gates-environment must be auto, own or project, got: $mode" ;;
esac

spec=$bundle
if [ -n "$extras" ]; then
  spec="$bundle[$extras]"
fi

set_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf 'gates=%s\n' "$1" >>"$GITHUB_OUTPUT"
  fi
}

install_isolated() {
  "$python_bin" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$spec"
  "$venv/bin/python" -m gates --version
}

install_into_project() {
  local before after moved
  before=$(mktemp)
  after=$(mktemp)
  "$python_bin" -m pip freeze --disable-pip-version-check --exclude-editable >"$before"
  "$python_bin" -m pip install --quiet --disable-pip-version-check "$spec"
  "$python_bin" -m pip freeze --disable-pip-version-check --exclude-editable >"$after"
  moved=$("$python_bin" "$here/ml-gates-pins-moved.py" "$before" "$after")
  rm -f "$before" "$after"
  if [ -n "$moved" ]; then
    fail "installing ml-gates into the project's environment changed installed versions: $moved. Pin versions ml-gates accepts, or run the gates in their own environment (gates-environment: own; gates that import the project then cannot run)"
  fi
  "$python_bin" -m gates --version
}

if [ "$mode" = "auto" ]; then
  install_isolated
  needs=$(ML_GATES="$venv/bin/gates" PYTHON="$venv/bin/python" "$here/ml-gates-needs-project.sh")
  if [ -n "$needs" ]; then
    echo "the policy enables $needs, which import(s) or audit(s) the project: installing ml-gates into the project's environment too"
    install_into_project
    set_output gates
  else
    echo "ml-gates runs in its own environment ($venv); the project's environment is untouched"
    set_output "$venv/bin/gates"
  fi
elif [ -n "$venv" ] && [ "$mode" != "project" ]; then
  install_isolated
  set_output "$venv/bin/gates"
else
  install_into_project
  set_output gates
fi
