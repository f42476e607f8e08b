"""Hashes of the tokens in e-mailed links (sign-up confirmation, authenticator enrolment): only these are
stored, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib


def sign_up_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enrolment_token_digest(token: str) -> str:
    return hashlib.sha256(f"enrolment:{token}".encode()).hexdigest()
