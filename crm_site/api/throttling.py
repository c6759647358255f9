"""Rate limits per principal (user or API client), so one busy DMS cannot starve the others."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import SimpleRateThrottle

# One atomic command per request: count it, start the window's expiry with its first request, and give back the
# count and the seconds left.
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""


def _counter(cache):
    """The counting script bound to the Redis client behind Django's cache (kept on it), or None for other backends."""
    if isinstance(cache, ConnectionProxy):
        cache = caches[cache._alias]
    if not isinstance(cache, RedisCache):
        return None
    script = getattr(cache, "_crm_throttle_script", None)
    if script is None:
        script = cache._cache.get_client(write=True).register_script(COUNT_SCRIPT)
        cache._crm_throttle_script = script
    return script


class PrincipalRateThrottle(SimpleRateThrottle):
    """Limit requests per user or API client; anonymous callers are limited per address.

    On Redis the count is one counter per principal and window, in one script call: DRF's default keeps a list of
    every request time in the window and rewrites it on each request, which grows with the allowed rate.
    """

    scope = "principal"

    def get_cache_key(self, request, view):
        user = request.user
        # A principal that is not a staff user (an API client) names its own counter.
        ident = getattr(user, "throttle_ident", None)
        if not ident:
            ident = f"user:{user.pk}" if user and user.is_authenticated else f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        counter = _counter(self.cache)
        if self.rate is None or counter is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        # A key of its own: one of DRF's request-time lists may still sit under the plain key.
        key = self.cache.make_and_validate_key(f"{self.key}:count")
        count, seconds_left = counter(keys=[key], args=[self.duration])
        if count > self.num_requests:
            self.retry_after = max(seconds_left, 1)
            return self.throttle_failure()
        return True

    def wait(self):
        retry_after = getattr(self, "retry_after", None)
        return retry_after if retry_after is not None else super().wait()


class AuthRateThrottle(SimpleRateThrottle):
    """Limit token requests per username and address: 200 agents behind one address each keep their own budget
    (the account lockout and the address's failure limit are crm_site.login_guard's)."""

    scope = "auth"

    def get_cache_key(self, request, view):
        username = str(request.data.get("username", ""))[:150] if hasattr(request, "data") else ""
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{username}"}
