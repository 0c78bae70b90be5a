"""Loopback load test of the production server (waitress): concurrent clients fetch the page and
the files a page load needs, for a fixed time; reports requests/s, MB/s, latency and errors.

    .venv/bin/python -m bench.load [--clients 50] [--seconds 30] [--out bench/results/load.json]

Every response is checked: status 200 and the exact length of the file on disk.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tests.support.load import hammer, production_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=16, help="waitress worker threads")
    parser.add_argument("--out", type=Path, default=Path("bench/results/load.json"))
    args = parser.parse_args(argv)
    with production_server(args.threads) as port:
        result = hammer(port, args.clients, args.seconds)
    result["machine"] = f"{os.cpu_count()} cores; server and clients on the same machine"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
