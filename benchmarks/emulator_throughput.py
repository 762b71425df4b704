"""Emulator request throughput on loopback: a simple authenticated GET (fetch status), 4 client threads,
keep-alive sessions, over HTTPS. Bounded: a fixed number of requests, then it stops.

Run: .venv/bin/python benchmarks/emulator_throughput.py [--requests 4000] [--threads 4]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.emulator import DEFAULT_WORLD, EmulatorProcess

PROJECT, PROD, UAT = 1234567, "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    process = EmulatorProcess(DEFAULT_WORLD).start()  # HTTP only: no databases needed for this
    try:
        client = process.client()
        token = client.token()
        base = client.base_url
        headers = {"Authorization": f"Bearer {token}"}
        started = client.http.post(f"{base}/databasemovement/v1/refresh/project/{PROJECT}/source/{PROD}"
                                   f"/target/{UAT}", headers=headers, timeout=30).json()
        url = (f"{base}/databasemovement/v1/fetchstatus/project/{PROJECT}/environment/{UAT}"
               f"/operationactivity/{started['OperationActivityId']}")
        per_thread = args.requests // args.threads
        errors: list[str] = []

        def worker():
            session = requests.Session()
            session.trust_env = False
            session.verify = client.ca_file
            session.get(url, headers=headers, timeout=30)  # TLS handshake outside the measurement
            barrier.wait()
            for _request in range(per_thread):
                response = session.get(url, headers=headers, timeout=30)
                if response.status_code != 200:
                    errors.append(str(response.status_code))

        barrier = threading.Barrier(args.threads + 1)
        threads = [threading.Thread(target=worker) for _thread in range(args.threads)]
        for thread in threads:
            thread.start()
        barrier.wait()
        begin = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - begin
        total = per_thread * args.threads
        print(f"emulator throughput: {total} authenticated GETs over HTTPS keep-alive, {args.threads} threads: "
              f"{total / elapsed:.0f} requests/s ({elapsed:.2f} s, {len(errors)} errors)")
        return 1 if errors else 0
    finally:
        process.stop()


if __name__ == "__main__":
    sys.exit(main())
