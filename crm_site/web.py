"""Browser base views: every page resolves the scope and reads through it; out-of-scope objects answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import generic

from .access import Permission, allowed
from .registry import registry
from .scope import Scope, scope_for_request


class ScopeRequiredMixin(LoginRequiredMixin):
    """A page for staff with a scope; `read_permission` says who may open it (None: everyone with a scope).

    `write_permission` (from the app's access.py) says who may change things on it; a page that writes and has no
    read permission of its own is opened by those who may write.
    """

    read_permission: Permission | tuple[Permission, ...] | None = None
    write_permission: Permission | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope: Scope | None = scope_for_request(request)
        if not allowed(self.read_permission, self.scope):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def may_write(self, obj=None) -> bool:
        """Whether the user may change things on this page."""
        return self.write_permission is not None and self.write_permission.allows(self.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_write"] = self.may_write()
        return context


class ScopedListView(ScopeRequiredMixin, generic.ListView):
    """A list of scoped rows, filtered by a FilterSet and paginated."""

    paginate_by = 50
    filterset_class = None

    def get_queryset(self):
        queryset = self.model.objects.scoped(self.scope)
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            if self.filterset.is_bound and not self.filterset.is_valid():
                return queryset.none()
            queryset = self.filterset.qs
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class ScopedFormMixin(ScopeRequiredMixin):
    """Create/update pages: the form gets the scope, writes are atomic and re-checked against the scope."""

    def get_queryset(self):
        return self.model.objects.scoped(self.scope)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["scope"] = self.scope
        return kwargs

    def form_valid(self, form):
        if not self.may_write(getattr(self, "object", None)):
            raise PermissionDenied
        with transaction.atomic():
            self.object = form.save()
            if not self.model.objects.scoped(self.scope).filter(pk=self.object.pk).exists():
                transaction.set_rollback(True)
                form.add_error(None, ValidationError(_("The change would move this object outside your scope.")))
                return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return super().form_valid(form)


class ScopedCreateView(ScopedFormMixin, generic.CreateView):
    """Create a scoped row."""

    def get(self, request, *args, **kwargs):
        if not self.may_write():
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


class ScopedUpdateView(ScopedFormMixin, generic.UpdateView):
    """Edit a scoped row; another dealer's or tenant's row answers 404."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.may_write(self.object):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.may_write(self.object):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)


def home(request):
    """The landing page: who you are and what you see."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    scope = scope_for_request(request)
    if scope is None:
        raise PermissionDenied
    widgets = []
    for widget in registry["dashboard_widgets"]:
        if allowed(widget.permission, scope):
            context = widget.context(request, scope)
            widgets.append({"code": widget.code, "title": widget.title, "template": widget.template, **context})
    return render(request, "home.html", {"widgets": widgets})
