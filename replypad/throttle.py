"""Login throttling for every password check: the UI, the admin and `auth/token/`.

All three end in `django.contrib.auth.authenticate`, so one backend covers
them. Failures are counted in the cache per account and per client address;
past the limit, even the right password is refused until the window ends.
An address gets more tries than an account, so one person behind a shared
office address does not lock out the rest.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

ADDRESS_FACTOR = 5


def _keys(request: HttpRequest | None, username: str | None) -> list[tuple[str, int]]:
    limit = int(settings.REPLYPAD_LOGIN_MAX_FAILURES)
    account = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()
    keys = [(f"replypad:login-failures:account:{account}", limit)]
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    if address:
        keys.append(
            (f"replypad:login-failures:address:{address}", limit * ADDRESS_FACTOR)
        )
    return keys


def _record_failure(keys: list[tuple[str, int]]) -> None:
    timeout = int(settings.REPLYPAD_LOGIN_LOCKOUT_SECONDS)
    for key, _ in keys:
        cache.add(key, 0, timeout=timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        keys = _keys(request, username)
        if any(cache.get(key, 0) >= limit for key, limit in keys):
            _record_failure(keys)
            raise PermissionDenied("Too many failed logins; try again later.")
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            _record_failure(keys)
        else:
            cache.delete(keys[0][0])
        return user
