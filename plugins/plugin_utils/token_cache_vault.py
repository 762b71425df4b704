# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A vault-encrypted token cache for modules, which cannot read vault secrets themselves.

The action plugin decrypts the cache into a private temporary file (0600 in a 0700 directory), the
module signs in from it and may renew tokens in it, and the plugin encrypts the result back over the
original file (atomically, 0600) before the plaintext is removed. A cache that is not encrypted is
passed through untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes
from ansible.parsing.vault import is_encrypted, match_encrypt_secret, parse_vaulttext_envelope
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth.cache import DEFAULT_TOKEN_CACHE


def cache_option(args):
    """The token cache a task will use: its option, the environment variable, or the default."""
    return os.path.expanduser(args.get("token_cache") or os.environ.get("LCS_TOKEN_CACHE") or DEFAULT_TOKEN_CACHE)


@contextlib.contextmanager
def plain_token_cache(loader, path, encrypt_new=False):
    """Yield the path a module should use; encrypted caches are decrypted and re-encrypted around it."""
    data = _read(path)
    encrypted = data is not None and is_encrypted(data)
    if not encrypted and not (encrypt_new and data is None):
        yield path
        return
    vault = getattr(loader, "_vault", None)
    if vault is None or not vault.secrets:
        raise AnsibleError("the token cache %s is vault-encrypted (or vault_encrypt is set) but no vault secret was "
                           "given; run with --vault-id or --ask-vault-pass" % path)
    vault_id = parse_vaulttext_envelope(data)[3] if encrypted else None
    plaintext = vault.decrypt(data) if encrypted else None
    workdir = tempfile.mkdtemp(prefix="d365fo_token_cache.")
    try:
        plain = os.path.join(workdir, "token_cache.json")
        if plaintext is not None:
            _write(plain, plaintext)
        yield plain
        changed = _read(plain)
        if changed is not None and changed != plaintext:
            secret_id, secret = match_encrypt_secret(vault.secrets, encrypt_vault_id=vault_id)
            _write_atomically(path, vault.encrypt(changed, secret=secret, vault_id=secret_id))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _read(path):
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except FileNotFoundError:
        return None


def _write(path, data):
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "wb") as stream:
        stream.write(to_bytes(data))


def _write_atomically(path, data):
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, mode=0o700, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".token_cache.", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(to_bytes(data))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
