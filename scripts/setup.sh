#!/usr/bin/env bash
# Set up a development environment in .venv: ml-gates with every extra and the dev tools.
# torch==2.13.0 goes in first: it is the CPU build this project targets, and installing it
# before the coreml extra stops pip from pulling a newer torch with gigabytes of CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
python_bin=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[all,dev]"
bash scripts/install-sarif-multitool.sh
.venv/bin/gates --version
