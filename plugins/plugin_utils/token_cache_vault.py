# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A vault-encrypted token cache for modules, which cannot read vault secrets themselves.

The action plugin decrypts the cache into a private temporary file (0600 in a 0700 directory), the
module signs in from it and may renew tokens in it, and the plugin encrypts the result back over the
original file (atomically, 0600) before the plaintext is removed. A cache that is not encrypted is
passed through untouched.

Every module that signs in has an action plugin that does this: the waiting ones through their
shared bases (``@decrypts_token_cache`` on ``run``), the others are ``TokenCacheAction`` (the normal
action around the decrypted cache), one line each in ``plugins/action/<module>.py``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes
from ansible.parsing.vault import is_encrypted, match_encrypt_secret, parse_vaulttext_envelope
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth.cache import DEFAULT_TOKEN_CACHE


def cache_option(args, env_var="LCS_TOKEN_CACHE"):
    """The token cache a task will use: its option, the plane's environment variable, or the default."""
    return os.path.expanduser(args.get("token_cache") or os.environ.get(env_var) or DEFAULT_TOKEN_CACHE)


def decrypts_token_cache(run):
    """Decorate an action plugin's ``run``: its module runs see a decrypted copy of a vault-encrypted cache.

    The plugin's class names the plane's environment variable in ``token_cache_env`` (the modules'
    ``token_cache`` falls back to it). Nested uses (a subclass calling a decorated ``run``) are harmless:
    the inner one finds a plain file.
    """
    @functools.wraps(run)
    def run_on_plain_cache(self, tmp=None, task_vars=None):
        cache = cache_option(self._task.args, getattr(self, "token_cache_env", "LCS_TOKEN_CACHE"))
        with plain_token_cache(self._loader, cache) as usable:
            if usable != cache:
                if self._task.async_val:
                    # the decrypted copy is gone when the task returns, long before an async module reads it
                    raise AnsibleError("the token cache %s is vault-encrypted, which async tasks cannot use (the "
                                       "module would read it after the task returned); drop async or use a cache "
                                       "that is not encrypted" % cache)
                self._task.args = dict(self._task.args, token_cache=usable)
            return run(self, tmp, task_vars)
    run_on_plain_cache.decrypts_token_cache = True  # tests/unit/plugins/test_sign_in_vault_cache.py looks for it
    return run_on_plain_cache


class TokenCacheAction(NormalAction):
    """The action plugin of a module that signs in and needs nothing else on the controller."""

    token_cache_env = "LCS_TOKEN_CACHE"

    @decrypts_token_cache
    def run(self, tmp=None, task_vars=None):
        return super().run(tmp, task_vars)


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
