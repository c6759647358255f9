"""Rate limits per principal (user or API client), so one busy DMS cannot starve the others."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import SimpleRateThrottle

from .authentication import ApiClientUser


def _redis(cache):
    """The raw Redis client behind Django's Redis cache (kept on the cache object), or None for other backends."""
    if isinstance(cache, ConnectionProxy):
        cache = caches[cache._alias]
    if not isinstance(cache, RedisCache):
        return None
    client = getattr(cache, "_crm_throttle_client", None)
    if client is None:
        client = cache._cache.get_client(write=True)
        cache._crm_throttle_client = client
    return client


class PrincipalRateThrottle(SimpleRateThrottle):
    """Limit requests per user or API client; anonymous callers are limited per address.

    On Redis the count is one counter per principal and window, in one round trip: DRF's default keeps a list of
    every request time in the window and rewrites it on each request, which grows with the allowed rate.
    """

    scope = "principal"

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiClientUser):
            ident = f"client:{user.client.pk}"
        elif user and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        client = _redis(self.cache)
        if self.rate is None or client is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        # A key of its own: one of DRF's request-time lists may still sit under the plain key.
        key = self.cache.make_and_validate_key(f"{self.key}:count")
        pipe = client.pipeline(transaction=False)
        pipe.set(key, 0, ex=self.duration, nx=True)  # the window starts with the first request in it
        pipe.incr(key)
        _started, count = pipe.execute()
        if count > self.num_requests:
            self.retry_after = max(client.ttl(key), 1)
            return self.throttle_failure()
        return True

    def wait(self):
        retry_after = getattr(self, "retry_after", None)
        return retry_after if retry_after is not None else super().wait()


class AuthRateThrottle(SimpleRateThrottle):
    """Limit password attempts at the token endpoint per address."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
