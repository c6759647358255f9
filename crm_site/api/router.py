"""The one API router; each app's api/urls.py registers its resources here."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
