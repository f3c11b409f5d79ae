"""Settings the similarity engine reads, usable with or without a configured Django project.

Scripts and the pure tests import this package without Django settings; they get the same
defaults as `workbench.settings.base` so results do not depend on how the code was started.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
CLAIM_MATCHING_ENCODER = PROJECT_ROOT / "claims" / "similarity" / "weights" / "all-MiniLM-L6-v2-claimmatch-ct22"

DEFAULTS: dict[str, Any] = {
    "SIMILARITY_EMBEDDER": "onnx",
    "SIMILARITY_MODEL_DIR": PROJECT_ROOT / "var" / "models",
    "SIMILARITY_THREADS": 1,
    # Nearest vectors a query starts from, before BM25's hits join them.
    "SIMILARITY_CANDIDATES": 50,
    # An encoder folder written by `train_matching` (ONNX + manifest); empty means the packaged model.
    "SIMILARITY_ENCODER_DIR": str(CLAIM_MATCHING_ENCODER),
}


def similarity_setting(name: str) -> Any:
    """Return the Django setting `name` when settings are configured, else the environment or default."""
    settings: Any
    try:
        from django.conf import settings
    except ImportError:
        settings = None
    if settings is not None and settings.configured and hasattr(settings, name):
        return getattr(settings, name)
    default = DEFAULTS[name]
    raw = os.environ.get(name)
    if raw is None:
        return default
    if isinstance(default, Path):
        return Path(raw)
    if isinstance(default, int):
        return int(raw)
    return raw
