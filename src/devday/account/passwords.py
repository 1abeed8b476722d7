"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendation).

Nothing is hashed at import: the hasher and the dummy hash are made on first use, so that
importing the account service (every CLI command does) costs no argon2 work.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked against when the account does not exist, so that a missing account takes as long
    to refuse as a wrong password and timing does not tell which emails have accounts."""
    return _hasher().hash("devday-dummy-password")


def prepare() -> None:
    """Makes the dummy hash now, so that the first refused login takes as long as the next."""
    _dummy_hash()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
