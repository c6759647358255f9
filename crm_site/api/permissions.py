"""The one permission class: a principal needs a scope, and writes need a role (or API access) that may change."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from crm_site.scope import scope_for_request


class ScopePermission(BasePermission):
    """Reads need a scope; writes ask the view whether the scope may change (403 inside the scope, 404 outside)."""

    def has_permission(self, request, view) -> bool:
        scope = scope_for_request(request)
        if scope is None:
            return False
        resource = getattr(view, "resource", None)
        if scope.is_api_client and resource and not scope.allows_resource(resource):
            return False
        if request.method in SAFE_METHODS or not hasattr(view, request.method.lower()):
            return True  # a method the view does not have answers 405, whoever asks
        if getattr(view, "detail", False):
            # Object-level writes are decided after the lookup, so an object outside the scope answers 404 first.
            return True
        may_write = getattr(view, "may_write", None)
        return bool(may_write and may_write(scope))

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        may_write = getattr(view, "may_write", None)
        return bool(may_write and may_write(scope_for_request(request), obj))
