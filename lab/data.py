"""Where the shared evaluation data live: the `data/` folder of `shared/`, beside the project's clone."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """`WORKBENCH_DATA_DIR` when set, else `../shared/data` next to the project."""
    configured = os.environ.get("WORKBENCH_DATA_DIR")
    return Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "data"
