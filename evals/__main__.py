"""``python -m evals``: the figures of ``evals.hebei_kjt`` (skips when the corpus is absent)."""

from __future__ import annotations

import sys

from evals.hebei_kjt import CORPUS, report


def main() -> int:
    if not (CORPUS / "pairs.yaml").exists():
        print(f"real corpus not found at {CORPUS}: nothing to evaluate")
        return 0
    print(report(CORPUS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
