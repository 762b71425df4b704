"""Where the collection is importable as ``ansible_collections.d365fo.dataalm``.

The runtime (ansible-playbook, molecule, imports in tests) accepts a symlink, so the tree is a
symlink back to the repository root; ansible-test needs a real copy (see scripts/sanity.sh).
``python -m devtools.collection`` prints the directory to use as ANSIBLE_COLLECTIONS_PATH.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS_ROOT = REPO_ROOT / ".tmp" / "collections"
COLLECTION_DIR = COLLECTIONS_ROOT / "ansible_collections" / "d365fo" / "dataalm"


def ensure_collection_tree() -> Path:
    """Create the symlink (idempotent, safe when several processes race) and return the root."""
    COLLECTION_DIR.parent.mkdir(parents=True, exist_ok=True)
    if not COLLECTION_DIR.is_symlink():
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.symlink(os.path.relpath(REPO_ROOT, COLLECTION_DIR.parent), COLLECTION_DIR)
    return COLLECTIONS_ROOT


if __name__ == "__main__":
    print(ensure_collection_tree())
