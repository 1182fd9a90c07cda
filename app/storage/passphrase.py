"""How the passphrase of the secrets file is asked: the process's provider.

Kept apart from :mod:`app.storage.secrets` (which imports ``cryptography``) so that
the ``omw`` command can install its terminal prompt without loading the crypto
stack for commands that never open the secrets file, such as ``omw due`` (issue 13).
:mod:`app.storage.secrets` re-exports these names.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``provider(prompt, new)`` returns the passphrase, or ``None`` if the user
#: cancelled. ``new=True`` means a passphrase is being chosen (confirm it).
PassphraseProvider = Callable[[str, bool], str | None]

_provider: PassphraseProvider | None = None


def set_passphrase_provider(provider: PassphraseProvider | None) -> None:
    """Install how the passphrase of the secret file is asked (window dialog, terminal)."""
    global _provider
    _provider = provider


def passphrase_provider() -> PassphraseProvider | None:
    """The provider installed by :func:`set_passphrase_provider`, if any."""
    return _provider
