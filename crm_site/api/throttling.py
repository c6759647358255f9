"""Rate limits per principal (user or API client), so one busy DMS cannot starve the others."""

from rest_framework.throttling import SimpleRateThrottle

from .authentication import ApiClientUser


class PrincipalRateThrottle(SimpleRateThrottle):
    """Limit requests per user or API client; anonymous callers are limited per address."""

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


class AuthRateThrottle(SimpleRateThrottle):
    """Limit password attempts at the token endpoint per address."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
