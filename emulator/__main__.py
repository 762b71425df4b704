"""``python -m emulator serve|seed`` (see emulator/README.md)."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path


def _serve(args: argparse.Namespace) -> int:
    from .app import create_app
    from .core import Emulator
    from .server import EmulatorServer, announce, pick_address
    from .world import WorldError, load_world

    try:
        world = load_world(args.world)
    except (WorldError, OSError) as exc:
        print(f"emulator: invalid world file {args.world}: {exc}", file=sys.stderr)
        return 2
    if args.speed is not None:
        world.speed = args.speed
    own_state_dir = args.state_dir is None
    state_dir = Path(args.state_dir or tempfile.mkdtemp(prefix="emulator-"))
    state_dir.mkdir(parents=True, exist_ok=True)

    databases = None
    if args.pg_dsn:
        from .services.databases.backend import DatabaseManager

        databases = DatabaseManager(args.pg_dsn, world, prefix=args.db_prefix or f"emu{secrets.token_hex(3)}")
        databases.prepare()
    emulator = Emulator(world, state_dir, databases)
    host, port = pick_address(args.host, args.port)
    server = EmulatorServer(create_app(emulator), emulator, host, port, state_dir, threads=args.threads)

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    parent = os.getppid()
    announce(server.start(), args.ready_file)
    try:
        while not stopping.wait(0.5):
            if args.exit_with_parent and os.getppid() != parent:
                break  # the test run that started us is gone: do not linger
    finally:
        server.stop()
        if databases is not None and not args.keep_databases:
            databases.drop_all()
        if own_state_dir:
            shutil.rmtree(state_dir, ignore_errors=True)
    return 0


def _seed(args: argparse.Namespace) -> int:
    """Seed one database; ``--world F --env NAME`` takes name, scale, seed and kind from the world."""
    from .fodb.cli import run
    from .world import WorldError, load_world

    if args.env:
        if not args.world:
            print("emulator seed: --env needs --world", file=sys.stderr)
            return 2
        try:
            world = load_world(args.world)
        except (WorldError, OSError) as exc:
            print(f"emulator: invalid world file {args.world}: {exc}", file=sys.stderr)
            return 2
        env = next((e for _project, e in world.environments() if args.env in (e.name, e.id)), None)
        if env is None:
            print(f"emulator seed: no environment {args.env!r} in {args.world}", file=sys.stderr)
            return 2
        args.database = args.database or env.database.name
        args.scale = args.scale if args.scale is not None else env.database.scale
        args.seed = args.seed if args.seed is not None else env.database.seed
        args.environment_name = args.environment_name or env.name
        args.sandbox = args.sandbox or env.type != "Production"
    if not args.database:
        print("emulator seed: --database (or --world and --env) is required", file=sys.stderr)
        return 2
    args.scale = 1 if args.scale is None else args.scale
    args.seed = 0 if args.seed is None else args.seed
    return run(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Local stand-in for Entra ID and LCS.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a world over HTTPS")
    serve.add_argument("--world", required=True, help="world file (YAML)")
    serve.add_argument("--host", default=None,
                       help="listen address (default: a free 127.x.y.z on port 443, see README; else 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="0 picks a free port (default: 443, see --host)")
    serve.add_argument("--speed", type=float, default=None, help="virtual seconds per real second (overrides world)")
    serve.add_argument("--pg-dsn", default=None, help="libpq admin DSN; without it environments have no database")
    serve.add_argument("--ready-file", default=None, help="write the ready JSON line here too")
    serve.add_argument("--state-dir", default=None, help="certificates and downloads (default: a temp dir)")
    serve.add_argument("--db-prefix", default=None, help="prefix of this emulator's database names")
    serve.add_argument("--keep-databases", action="store_true", help="do not drop the databases on exit")
    serve.add_argument("--threads", type=int, default=16, help="HTTP worker threads")
    serve.add_argument("--exit-with-parent", action="store_true", help="stop when the parent process ends")
    serve.add_argument("--log-level", default="WARNING")
    serve.set_defaults(func=_serve)

    seed = sub.add_parser("seed", help="create and seed one F&O database (emulator.fodb)")
    seed.add_argument("--pg-dsn", required=True, help="libpq DSN of a maintenance database (admin rights)")
    seed.add_argument("--database", default=None, help="database to (re)create (default with --env: the world's)")
    seed.add_argument("--world", default=None, help="world file, with --env")
    seed.add_argument("--env", default=None, help="environment of --world whose database settings to use")
    seed.add_argument("--scale", type=int, default=None, help="multiplies the bulk tables (1000 -> 1 M e-mails)")
    seed.add_argument("--seed", type=int, default=None, help="shifts the pseudo-random choices")
    seed.add_argument("--environment-name", default="", help="environment name used in server ids and URLs")
    seed.add_argument("--sandbox", action="store_true", help="seed a sandbox's own settings, not production's")
    seed.add_argument("--addresses", type=int, default=None, help="number of e-mail addresses (overrides scale)")
    seed.add_argument("--batch-jobs", type=int, default=None, help="number of batch jobs (overrides scale)")
    seed.set_defaults(func=_seed)

    args = parser.parse_args(argv)
    logging.basicConfig(level=getattr(args, "log_level", "WARNING"), format="%(asctime)s %(name)s %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
