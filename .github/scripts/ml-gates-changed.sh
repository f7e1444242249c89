#!/usr/bin/env bash
# Decide whether a costly job (the macOS Core ML smoke test) has anything to check: writes
# run=true|false to $GITHUB_OUTPUT (and prints it). Fails open to running: no filter, no
# usable base commit, or a git error all mean run=true.
#
#   ML_GATES_PATHS   newline- or space-separated git glob pathspecs, e.g. "src/models/** export/*.py"
#                    (`*` stays within one directory, `**/` crosses them; empty = always run)
#   ML_GATES_BASE    commit to compare HEAD with (PR base SHA, or the push's "before" SHA)
#   ML_GATES_POLICY  the policy file; a change to it always counts
set -uo pipefail
set -f # the lists below are split on spaces; never glob-expand them against the checkout

paths=${ML_GATES_PATHS:-}
base=${ML_GATES_BASE:-}
policy=${ML_GATES_POLICY:-}

decide() {
  echo "run=$1 ($2)"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "run=$1" >>"$GITHUB_OUTPUT"
  fi
  exit 0
}

[ -n "$paths" ] || decide true "no path filter"
if [ -z "$base" ] || [[ "$base" =~ ^0+$ ]]; then
  decide true "no base commit to compare with"
fi
git cat-file -e "$base^{commit}" 2>/dev/null || decide true "base $base is not in this clone (fetch-depth: 0?)"

specs=()
for pattern in $paths; do
  specs+=(":(glob)$pattern")
done
if [ -n "$policy" ]; then
  specs+=(":(literal)$policy")
else
  specs+=(":(literal)policy.yaml" ":(literal).gates/policy.yaml")
fi

git diff --quiet "$base" HEAD -- "${specs[@]}"
case $? in
  0) decide false "no change under: $paths" ;;
  1) decide true "changes under the filter" ;;
  *) decide true "git diff failed" ;;
esac
