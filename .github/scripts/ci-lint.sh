#!/usr/bin/env bash
# ml-gates' own lint: code (ruff, mypy), the hook manifest and config, and the workflows
# (zizmor offline, GitHub's workflow schema). Run from the repository root after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.venv/bin

"$bin/ruff" check gates tests benchmarks
"$bin/ruff" format --check gates tests benchmarks
"$bin/mypy"
"$bin/pre-commit" validate-manifest .pre-commit-hooks.yaml
"$bin/pre-commit" validate-config .pre-commit-config.yaml
"$bin/zizmor" --offline --persona pedantic .github/workflows/
"$bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
"$bin/check-jsonschema" --builtin-schema vendor.dependabot .github/dependabot.yml
echo "lint passed"
