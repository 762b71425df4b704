"""``seed`` command: create and seed one emulated F&O database (wired into ``python -m emulator seed``)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from .admin import create_environment_database, odbc_connection_string


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="seed", description=__doc__)
    parser.add_argument("--pg-dsn", required=True, help="libpq DSN of a maintenance database (admin rights)")
    parser.add_argument("--database", required=True, help="database to (re)create")
    parser.add_argument("--scale", type=int, default=1, help="multiplies the bulk tables (1000 -> 1 M e-mails)")
    parser.add_argument("--seed", type=int, default=0, help="shifts the pseudo-random choices")
    parser.add_argument("--environment-name", default="", help="environment name used in server ids and URLs")
    parser.add_argument("--sandbox", action="store_true", help="seed a sandbox's own settings, not production's")
    parser.add_argument("--addresses", type=int, default=None, help="number of e-mail addresses (overrides scale)")
    parser.add_argument("--batch-jobs", type=int, default=None, help="number of generated batch jobs (overrides scale)")
    return parser


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    counts = create_environment_database(
        args.pg_dsn, args.database, scale=args.scale, seed=args.seed, environment_name=args.environment_name,
        production_like=not args.sandbox, addresses=args.addresses, batch_jobs=args.batch_jobs,
    )
    result = {
        "database": args.database,
        "rows": counts,
        "seconds": round(time.monotonic() - started, 2),
        # The password stays out of the printed result; callers build the string themselves.
        "odbc_connection_string": (
            odbc_connection_string(args.pg_dsn, args.database).split("Pwd=", maxsplit=1)[0] + "Pwd=***;"),
    }
    print(json.dumps(result))
    return 0


def seed_main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(seed_main())
