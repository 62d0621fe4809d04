"""Typed reads of environment variables; every failure names the variable to fix.

The app's settings (`chalicelib.config`) and the media worker's (`media_worker.settings`)
both read through `EnvReader`, each raising its own error class. Standard library only: the
media worker's image copies this file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

#: Shared secrets (request signing, TURN) shorter than this are refused.
MIN_SECRET_LENGTH = 32


class EnvReader:
    def __init__(self, environ: Mapping[str, str], *, error: Callable[[str], Exception]) -> None:
        self._environ = environ
        self._error = error

    def fail(self, message: str) -> Exception:
        """The error to raise, of the caller's class."""
        return self._error(message)

    def optional(self, key: str) -> str | None:
        value = self._environ.get(key, "").strip()
        return value or None

    def text(self, key: str, *, default: str | None = None) -> str:
        value = self.optional(key)
        if value is not None:
            return value
        if default is None:
            raise self.fail(f"{key} is not set")
        return default

    def first(self, *keys: str) -> str:
        for key in keys:
            value = self.optional(key)
            if value is not None:
                return value
        raise self.fail(f"none of {', '.join(keys)} is set")

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise self.fail(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def integer(self, key: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
        raw = self.optional(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise self.fail(f"{key} must be a whole number, not {raw!r}") from None
        if value < minimum:
            raise self.fail(f"{key} must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            raise self.fail(f"{key} must be at most {maximum}, not {value}")
        return value

    def words(self, key: str) -> tuple[str, ...]:
        """A comma-separated list; empty when unset."""
        return tuple(word.strip() for word in (self.optional(key) or "").split(",") if word.strip())

    def optional_secret(self, key: str) -> str | None:
        """A shared secret that may be unset; when set, long enough to resist guessing."""
        value = self.optional(key)
        if value is not None and len(value) < MIN_SECRET_LENGTH:
            raise self.fail(f"{key} must be at least {MIN_SECRET_LENGTH} characters long")
        return value

    def secret(self, key: str) -> str:
        value = self.optional_secret(key)
        if value is None:
            raise self.fail(f"{key} is not set")
        return value
