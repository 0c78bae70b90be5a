"""Where a benchmark's results go: OUT.json (everything) and OUT.md (the tables), printed too."""

from __future__ import annotations

import json
from pathlib import Path


def write_report(out: Path, result: dict, markdown: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown + "\n")
    print(markdown)
