"""Time to seed one emulated F&O database with 1 million e-mail addresses through emulator.fodb
(``addresses=`` overrides the scale for LOGISTICSELECTRONICADDRESS; see emulator/fodb/seed.py), on a
private PostgreSQL server that is removed afterwards.

Run: .venv/bin/python benchmarks/emulator_seed.py [--addresses 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.pgserver import PgServer
from emulator import fodb


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--addresses", type=int, default=1_000_000)
    args = parser.parse_args()
    server = PgServer().start()
    try:
        begin = time.perf_counter()
        counts = fodb.create_environment_database(server.admin_dsn, "bench_seed", environment_name="bench",
                                                  addresses=args.addresses)
        seeded = time.perf_counter() - begin
        begin = time.perf_counter()
        fodb.copy_database(server.admin_dsn, "bench_seed", "bench_copy")
        copied = time.perf_counter() - begin
        rows = counts["LOGISTICSELECTRONICADDRESS"]  # the e-mails plus half as many phone/URL/fax rows
        print(f"emulator seed: {args.addresses} e-mail addresses ({rows} electronic-address rows, whole database) "
              f"in {seeded:.1f} s ({rows / seeded:.0f} address rows/s); template copy of that database {copied:.1f} s")
        return 0 if rows >= args.addresses else 1
    finally:
        server.remove()


if __name__ == "__main__":
    sys.exit(main())
