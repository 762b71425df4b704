# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared token cache file: msal's serializable cache persisted and locked by msal-extensions.

Many processes (forks, parallel pipeline jobs, the slices of a long wait) share one file. Two locks:
msal-extensions locks each write of the cache; an outer acquisition lock makes "is the access token
still good, else redeem the refresh token and save" one step, so 20 processes that find an expired
token redeem the refresh token once, not 20 times. Saves replace the file atomically, so a writer
killed mid-write leaves the previous cache. A cache that cannot be written (a pipeline secure file,
an AWX credential file) is read without locks and never written.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import stat
import tempfile
import time
import traceback

try:
    import msal
    import msal_extensions
    from msal_extensions.token_cache import CrossPlatLock, LockError
except ImportError:  # pragma: no cover - reported through missing_required_lib
    msal = msal_extensions = None
    MSAL_EXTENSIONS_IMPORT_ERROR = traceback.format_exc()
    _FilePersistence = object
else:
    MSAL_EXTENSIONS_IMPORT_ERROR = None
    _FilePersistence = msal_extensions.FilePersistence

DEFAULT_TOKEN_CACHE = "~/.ansible/d365fo_dataalm/token_cache.json"
# Entra ID's default refresh-token inactivity limit; tenants can only shorten it with sign-in frequency
REFRESH_TOKEN_INACTIVITY_DAYS = 90
ACQUISITION_LOCK_TIMEOUT = 120
VAULT_HEADER = b"$ANSIBLE_VAULT;"


def cache_path(value):
    return os.path.abspath(os.path.expanduser(value or DEFAULT_TOKEN_CACHE))


def vault_encrypted(path):
    """Whether the cache file is ansible-vault ciphertext, which only the controller can decrypt."""
    try:
        with open(path, "rb") as stream:
            return stream.read(len(VAULT_HEADER)) == VAULT_HEADER
    except OSError:
        return False


class AtomicFilePersistence(_FilePersistence):
    """msal-extensions' file persistence, but a save never leaves a half-written file.

    The content goes to a private (0600) temporary file in the same directory, is flushed to disk and
    then renamed over the cache: readers see the old or the new cache, never a mix.
    """

    def save(self, content):
        location = self.get_location()
        handle, temporary = tempfile.mkstemp(prefix=".token_cache.", dir=os.path.dirname(location))
        try:
            with os.fdopen(handle, "w") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, location)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _writable(path):
    """Whether the cache may be replaced: the file says so by its owner-write bit (root ignores modes)."""
    if not os.stat(path).st_mode & stat.S_IWUSR:
        return False
    return os.access(path, os.W_OK) and os.access(os.path.dirname(path), os.W_OK)


def clear_stale_lock(lock_path):
    """Remove a lock file whose holder died (killed mid-write): msal-extensions would wait on it forever."""
    try:
        with open(lock_path, "rb") as stream:
            holder = stream.read(64).split(b" ", 1)[0]
        pid = int(holder)
    except (OSError, ValueError):
        return  # no lock, or one being written right now
    if pid != os.getpid() and not _pid_alive(pid):
        with contextlib.suppress(OSError):
            os.unlink(lock_path)


class TokenCacheFile:
    """One token cache file; ``msal_cache`` is what msal applications get as ``token_cache``."""

    def __init__(self, path, create=False, lock_timeout=ACQUISITION_LOCK_TIMEOUT, clock=time.monotonic):
        self.path = cache_path(path)
        self.lock_timeout = lock_timeout
        self.clock = clock
        self.exists = os.path.isfile(self.path)
        directory = os.path.dirname(self.path)
        if create and not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700, exist_ok=True)
        self.read_only = self.exists and not _writable(self.path)
        if self.read_only or (not self.exists and not create):
            self.msal_cache = msal.SerializableTokenCache()
            if self.exists:
                with open(self.path) as stream:
                    self.msal_cache.deserialize(stream.read())
        else:
            persistence = AtomicFilePersistence(self.path)
            self.msal_cache = msal_extensions.PersistedTokenCache(persistence)
        self._write_lock = self.path + ".lockfile"  # msal-extensions' own name for its write lock

    @contextlib.contextmanager
    def acquisition_lock(self):
        """Hold the cross-process lock for one read-refresh-save step (no-op for a read-only cache)."""
        if self.read_only or not os.path.isdir(os.path.dirname(self.path)):
            yield
            return
        lock_path = self.path + ".lock"
        deadline = self.clock() + self.lock_timeout
        while True:
            clear_stale_lock(lock_path)
            clear_stale_lock(self._write_lock)
            try:
                lock = CrossPlatLock(lock_path)
                lock.__enter__()
                break
            except LockError:
                if self.clock() >= deadline:
                    raise
                time.sleep(0.05)  # the portalocker flavour of the lock fails at once instead of waiting
        try:
            yield
        finally:
            lock.__exit__(None, None, None)

    def accounts(self):
        return [entry.get("username") for entry in self.msal_cache.search(msal.TokenCache.CredentialType.ACCOUNT)]

    def unsaved_notice(self):
        """For a read-only cache whose refresh token was renewed: when the cached one will stop working."""
        if not self.read_only or not self.msal_cache.has_state_changed:
            return None
        written = datetime.datetime.fromtimestamp(os.path.getmtime(self.path), datetime.timezone.utc)
        until = written + datetime.timedelta(days=REFRESH_TOKEN_INACTIVITY_DAYS)
        return ("the token cache %s is read-only, so the renewed refresh token was not saved; the cached one (written "
                "%s) keeps working until about %s if your tenant uses Entra ID's default %d-day inactivity limit "
                "(sooner under a sign-in frequency policy): run sign_in.yml before then and replace the file"
                % (self.path, written.strftime("%Y-%m-%d"), until.strftime("%Y-%m-%d"),
                   REFRESH_TOKEN_INACTIVITY_DAYS))


def secure_file(path):
    """Make ``path`` readable by its owner only (a token cache is a credential)."""
    if os.path.isfile(path) and os.access(path, os.W_OK):
        os.chmod(path, 0o600)
