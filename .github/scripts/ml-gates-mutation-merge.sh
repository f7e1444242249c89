#!/usr/bin/env bash
# Merge the shards of a split mutation run: every directory under ML_GATES_SHARDS_DIR (one
# per downloaded shard artifact) goes to `gates mutation merge`, which refuses a missing or
# duplicated shard. Reports, outputs and exit code as in ml-gates-run.sh.
set -euo pipefail

shards_dir=${ML_GATES_SHARDS_DIR:?set ML_GATES_SHARDS_DIR to the directory holding the shard results}
here=$(cd "$(dirname "$0")" && pwd)

dirs=()
for dir in "$shards_dir"/*/; do
  [ -d "$dir" ] && dirs+=("${dir%/}")
done
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "::error title=ml-gates mutation::no shard results under $shards_dir: every shard job failed before uploading"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf 'verdict=error\nexit-code=2\n' >>"$GITHUB_OUTPUT"
  fi
  exit 2
fi
exec bash "$here/ml-gates-run.sh" mutation merge "${dirs[@]}"
