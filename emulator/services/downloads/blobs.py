"""The bytes behind a download link: a file on disk, or a large backup made up on the fly.

Both give ``size``, an ``etag`` and ``chunks(start, end)``, so the route serves ranges of either the
same way. A generated backup is deterministic pseudo-random bytes, streamed, never stored.

A 200 GB bacpac cannot sit in a test's temp dir, and a download test needs sizes where resuming
matters. A generated blob is ``size`` bytes built from 1 MiB blocks: each block is one of a small
pool of random blocks (chosen by a hash of its index, so the pattern does not repeat with a short
period) with the block's own index stamped on its first 8 bytes, so every block differs and a
client that stitches bytes at the wrong offset gets a different SHA-256. Any byte range can be
produced without producing what comes before it.
"""

from __future__ import annotations

import functools
import hashlib
import random
import struct

BLOCK = 1024 * 1024
POOL = 16


@functools.lru_cache(maxsize=4)
def _pool(seed: int) -> tuple[bytes, ...]:
    return tuple(random.Random(seed * 1000003 + i).randbytes(BLOCK) for i in range(POOL))


class GeneratedBlob:
    def __init__(self, size: int, seed: int = 1):
        if size < 0:
            raise ValueError("size must not be negative")
        self.size = size
        self.seed = seed
        self.etag = '"0x%s"' % hashlib.sha256(f"{seed}:{size}".encode()).hexdigest()[:16].upper()

    def block(self, index: int) -> bytes:
        pool = _pool(self.seed)
        body = pool[(index * 2654435761 >> 7) % POOL]
        return struct.pack(">Q", index) + body[8:]

    def chunks(self, start: int, end: int):
        """The bytes ``start`` up to ``end`` (exclusive), as a stream of at most 1 MiB pieces."""
        position = start
        while position < end:
            index, offset = divmod(position, BLOCK)
            piece = self.block(index)[offset:min(BLOCK, offset + end - position)]
            yield piece
            position += len(piece)

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for piece in self.chunks(0, self.size):
            digest.update(piece)
        return digest.hexdigest()


class FileBlob:
    """An exported bacpac (or a world backup's small file) on disk."""

    def __init__(self, path):
        self.path = path
        stat = path.stat()
        self.size = stat.st_size
        self.etag = '"0x%X%X"' % (stat.st_mtime_ns, stat.st_size)

    def chunks(self, start: int, end: int):
        with open(self.path, "rb") as handle:
            handle.seek(start)
            left = end - start
            while left > 0:
                piece = handle.read(min(BLOCK, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece
