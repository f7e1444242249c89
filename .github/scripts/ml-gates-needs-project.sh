#!/usr/bin/env bash
# Print the enabled gates (among ML_GATES_ONLY, default all) that must run in the project's
# environment: coreml and mutation import the project; pip-audit's environment mode audits
# it. Prints nothing when ml-gates can run in its own environment.
#
#   ML_GATES, ML_GATES_POLICY, ML_GATES_ONLY as in ml-gates-run.sh; PYTHON with PyYAML
set -euo pipefail

gates=${ML_GATES:-gates}
args=(policy show)
if [ -n "${ML_GATES_POLICY:-}" ]; then
  args+=(--policy "$ML_GATES_POLICY")
fi
"$gates" "${args[@]}" | ML_GATES_ONLY="${ML_GATES_ONLY:-}" "${PYTHON:-python}" -c '
import os
import sys

import yaml

policy = yaml.safe_load(sys.stdin)
only = set(os.environ["ML_GATES_ONLY"].split())
chosen = lambda gate: not only or gate in only
needs = [g for g in ("coreml", "mutation") if chosen(g) and policy[g]["enabled"]]
security = policy["security"]
if chosen("security") and security["enabled"] and security["pip_audit"]["enabled"] and security["pip_audit"]["environment"]:
    needs.append("security (pip_audit.environment)")
print(" ".join(needs))
'
