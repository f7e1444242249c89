"""Where the installed torch's sources are: the large real tree several benchmarks scan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_TORCH_DIR = "u.find_spec('torch').submodule_search_locations[0]"


def torch_sources() -> Path:
    """The torch package directory, asked of a child process: importing torch here would slow
    every measurement after it."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib.util as u; print(u.find_spec('torch').submodule_search_locations[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(proc.stdout.strip())
