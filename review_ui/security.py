"""Passwords (scrypt with a per-user salt), the session secret and CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from omr.errors import BadArgumentsError, StorageError

SECRET_ENV = "SIPAS_REVIEW_SECRET"
SECRET_FILE = ".review-secret"
_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) with a fresh 16-byte salt."""
    if len(password) < MIN_PASSWORD:
        raise BadArgumentsError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    enc = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a :func:`hash_password` string."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        got = hashlib.scrypt(password.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def session_secret(workspace: Path) -> str:
    """The cookie-signing secret: ``$SIPAS_REVIEW_SECRET``, or a file in the workspace made once (0600)."""
    env = os.environ.get(SECRET_ENV)
    if env:
        if len(env) < 32:
            raise BadArgumentsError(f"${SECRET_ENV} is too short: use at least 32 random characters")
        return env
    path = workspace / SECRET_FILE
    try:
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return path.read_text().strip()
    except FileExistsError:
        return path.read_text().strip()
    except OSError as exc:
        raise StorageError(f"{path}: cannot create the session secret ({exc}); set ${SECRET_ENV}") from exc


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens; False when either is missing."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())
