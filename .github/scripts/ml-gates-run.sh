#!/usr/bin/env bash
# Run one `gates` command the way the reusable workflows do: optional test command first,
# then the gate with every report written (text and annotations to the log, JSON, SARIF and
# Markdown to the report directory, job summary and step outputs through --format github).
#
#   ml-gates-run.sh COMMAND [ARG...]      e.g.  check | coreml --require-prediction
#
#   ML_GATES              the gates executable (default: gates on PATH)
#   ML_GATES_POLICY       policy file (default: the gate's discovery: policy.yaml, .gates/policy.yaml)
#   ML_GATES_BASE         base ref for changed-code checks (default: the PR base, then the policy's)
#   ML_GATES_ONLY         space-separated gate names for `check` (default: every enabled gate)
#   ML_GATES_POLICY_SOURCE  head (default): the checked-out policy and baseline; base: those of
#                         the base ref (--trusted-base), so a pull request cannot loosen its own gate
#   ML_GATES_TEST_COMMAND shell command run first, e.g. "python -m coverage run -m pytest"
#   ML_GATES_PARTIAL      1 = this is one shard of a split run: a failing verdict exits 0 and
#                         the merge job decides (a gate that could not run still exits 2)
#   ML_GATES_REPORT_DIR   where report.json, ml-gates.sarif and summary.md go
#                         (default: $RUNNER_TEMP/ml-gates-report, else ./.gates/report)
#
# Step outputs (appended to $GITHUB_OUTPUT when set): verdict, exit-code, score (from gates),
# tests-exit-code, sarif (true when a SARIF file was written). Exit code: 2 when a gate could
# not run (or gates itself is missing), else 1 when the tests or a gate failed, else 0.
set -uo pipefail
set -f # the lists below are split on spaces; never glob-expand them against the checkout

if [ "$#" -lt 1 ]; then
  echo "usage: ml-gates-run.sh COMMAND [ARG...]" >&2
  exit 2
fi

gates=${ML_GATES:-gates}
policy=${ML_GATES_POLICY:-}
base=${ML_GATES_BASE:-}
only=${ML_GATES_ONLY:-}
policy_source=${ML_GATES_POLICY_SOURCE:-head}
test_command=${ML_GATES_TEST_COMMAND:-}
if [ -n "${RUNNER_TEMP:-}" ]; then
  report_dir=${ML_GATES_REPORT_DIR:-$RUNNER_TEMP/ml-gates-report}
else
  report_dir=${ML_GATES_REPORT_DIR:-.gates/report}
fi
mkdir -p "$report_dir"

output_file=${GITHUB_OUTPUT:-}
set_output() {
  if [ -n "$output_file" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$output_file"
  fi
}
output_size_before=0
if [ -n "$output_file" ] && [ -f "$output_file" ]; then
  output_size_before=$(wc -c <"$output_file")
fi

tests_rc=0
if [ -n "$test_command" ]; then
  echo "::group::tests: $test_command"
  bash -c "$test_command"
  tests_rc=$?
  echo "::endgroup::"
  if [ "$tests_rc" -ne 0 ]; then
    echo "::error title=ml-gates tests::the test command failed (exit $tests_rc); the gates below ran on what it left"
  fi
fi
set_output tests-exit-code "$tests_rc"

# Options go right after the command (`gates mutation --policy P merge DIR...`), where the
# command's own parser reads them even when it has sub-actions.
args=("$1")
if [ -n "$policy" ]; then
  args+=(--policy "$policy")
fi
if [ -n "$base" ]; then
  args+=(--base "$base")
fi
for gate in $only; do
  args+=(--gate "$gate")
done
case "$policy_source" in
  head) ;;
  base)
    trusted=$base
    if [ -z "$trusted" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
      trusted="origin/$GITHUB_BASE_REF"
    fi
    if [ -n "$trusted" ]; then
      args+=(--trusted-base "$trusted")
    else
      # A push to the branch itself: its policy is the trusted one.
      echo "::notice title=ml-gates::policy-source base: no base ref (not a pull request); the checked-out policy applies"
    fi
    ;;
  *)
    echo "::error title=ml-gates::policy-source must be 'head' or 'base', not '$policy_source'"
    exit 2
    ;;
esac
sarif="$report_dir/ml-gates.sarif"
rm -f "$sarif"
args+=(
  --format text
  --format github
  --format json --output "$report_dir/report.json"
  --format sarif --output "$sarif"
  --format markdown --output "$report_dir/summary.md"
  "${@:2}"
)

echo "+ $gates ${args[*]}"
"$gates" "${args[@]}"
rc=$?

# gates writes verdict= itself; when it stopped before reporting (bad policy, missing tool,
# gates not installed) say so, so a caller reading the output never sees an empty verdict.
if [ -n "$output_file" ]; then
  if ! tail -c "+$((output_size_before + 1))" "$output_file" 2>/dev/null | grep -q '^verdict='; then
    set_output verdict error
    set_output exit-code "$rc"
  fi
fi
if [ -s "$sarif" ]; then
  set_output sarif true
else
  set_output sarif false
fi
if [ "$tests_rc" -ne 0 ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  printf '\n**Tests failed** (exit %s): the test command did not pass.\n' "$tests_rc" >>"$GITHUB_STEP_SUMMARY"
fi

case "$rc" in
  0 | 1) ;;
  *)
    echo "::error title=ml-gates::gates exited $rc: a gate could not run (see above)"
    exit 2
    ;;
esac
if [ "$tests_rc" -ne 0 ]; then
  exit 1
fi
if [ "$rc" -eq 1 ] && [ "${ML_GATES_PARTIAL:-}" = "1" ]; then
  # One shard of a split run: its findings are real but its verdict is not the run's.
  echo "::notice title=ml-gates::partial result (one shard); the merge job gives the verdict"
  exit 0
fi
exit "$rc"
