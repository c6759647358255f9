"""URL discovery: every installed app's page and API URLs, found the way Django's admin finds `admin.py` modules."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule


def _app_modules(submodule: str):
    """Each installed app's `<app>.<submodule>` module, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, submodule):
            yield import_module(f"{config.name}.{submodule}")


def page_urls() -> list:
    """Every app's browser URLs, mounted at the `url_prefix` its urls.py declares."""
    return [path(module.url_prefix, include(module)) for module in _app_modules("urls")
            if getattr(module, "url_prefix", None) is not None]


def api_urls() -> list:
    """Every app's extra API paths; importing each api/urls.py also registers its resources with the router."""
    return [pattern for module in _app_modules("api.urls") for pattern in getattr(module, "urlpatterns", [])]
