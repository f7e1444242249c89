#!/usr/bin/env bash
# The shard matrix for mutation.yml: ML_GATES_SHARDS=N writes shards=[1,...,N] to
# $GITHUB_OUTPUT (and prints it). N must be a whole number from 1 to 64.
set -euo pipefail

count=${ML_GATES_SHARDS:-}
if ! [[ "$count" =~ ^[0-9]+$ ]] || [ "$count" -lt 1 ] || [ "$count" -gt 64 ]; then
  echo "::error title=ml-gates mutation::shards must be a whole number from 1 to 64, got: '$count'"
  exit 2
fi
matrix="[$(seq -s, 1 "$count")]"
echo "shards=$matrix"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "shards=$matrix" >>"$GITHUB_OUTPUT"
  echo "count=$count" >>"$GITHUB_OUTPUT"
fi
