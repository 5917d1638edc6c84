"""Account names and passwords: what is accepted, how a password is hashed and checked.

Passwords are hashed with Argon2id (``HASHER``: tests swap in a cheaper one) and must not be
easy to guess: zxcvbn's estimate, which knows the common passwords, words, names, dates and
keyboard patterns. Checking the password of an unknown name costs the same time as a known
one's, so timing does not tell which names exist.
"""

from __future__ import annotations

import functools
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from airegime.errors import AccountError, WeakPassword, msg

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 1024
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable", well beyond the common passwords
HASHER = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile (tests swap in a cheaper one)


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise AccountError(
            msg("error.accounts.bad_username", name=username),
            hint=msg("error.accounts.bad_username.hint", characters=". _ @ + -"),
        )
    return name


def check_password(password: str, username: str) -> None:
    """Refuse a blank password, a too short or too long one, the account's name, and any that is
    easy to guess (zxcvbn: common passwords, words, names, dates, keyboard rows, repetitions)."""
    if not password.strip():
        raise WeakPassword("blank", msg("error.password.blank"), hint=msg("error.password.unusual_words"))
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise WeakPassword(
            "length",
            msg("error.password.length", min=MIN_PASSWORD, max=MAX_PASSWORD),
            hint=msg("error.password.length.hint"),
        )
    if password.strip().lower() == username:
        raise WeakPassword("name", msg("error.password.name"), hint=msg("error.password.name.hint"))
    if _guessability(password, username) < MIN_PASSWORD_SCORE:
        raise WeakPassword(
            "common",
            msg("error.password.common"),
            hint=msg("error.password.common.hint"),
        )


def _guessability(password: str, username: str) -> int:
    """zxcvbn's score, 0 (among the most common passwords) to 4, of the password's first 72
    characters (zxcvbn's limit: a password whose start is strong is strong), knowing the name."""
    hints = [username, *re.split(r"[._@+-]+", username), "airegime"]
    score: int = zxcvbn(password[:72], user_inputs=[hint for hint in hints if hint])["score"]
    return score


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with older parameters (then the next login rehashes it)."""
    return HASHER.check_needs_rehash(stored)


def password_matches(stored: str | None, password: str) -> bool:
    """Argon2 verification; an unknown name costs the same time (no way to probe for names)."""
    try:
        return HASHER.verify(stored or _dummy_hash(HASHER), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("an account that does not exist")
