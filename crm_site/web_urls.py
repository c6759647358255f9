"""Browser pages: login, home, notifications and each app's pages (discovered)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import history_views, login_guard, notifications, web
from .discovery import page_urls

urlpatterns = [
    path("", web.home, name="home"),
    path("login/", login_guard.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", notifications.NotificationList.as_view(), name="notifications"),
    path("notifications/badge/", notifications.NotificationBadge.as_view(), name="notification-badge"),
    path("notifications/<id:pk>/open/", notifications.NotificationOpen.as_view(), name="notification-open"),
    path("history/<str:subject>/<id:pk>/", history_views.HistoryPanel.as_view(), name="history"),
    *page_urls(),
]
