#!/usr/bin/env bash
# Print one setting of the effective policy, e.g. `mutation.results_dir`, so a workflow
# uploads the directory the gate really wrote to (defaults filled in by `gates policy show`).
#
#   ml-gates-policy-value.sh SECTION.KEY     (ML_GATES, ML_GATES_POLICY as in ml-gates-run.sh;
#                                             PYTHON: an interpreter with PyYAML, default python)
set -euo pipefail

key=${1:?usage: ml-gates-policy-value.sh SECTION.KEY}
gates=${ML_GATES:-gates}
args=(policy show)
if [ -n "${ML_GATES_POLICY:-}" ]; then
  args+=(--policy "$ML_GATES_POLICY")
fi
"$gates" "${args[@]}" | "${PYTHON:-python}" -c '
import sys

import yaml

value = yaml.safe_load(sys.stdin)
for part in sys.argv[1].split("."):
    if not isinstance(value, dict) or part not in value:
        sys.exit(f"ml-gates: the effective policy has no {sys.argv[1]}")
    value = value[part]
print(value)
' "$key"
