"""Browser pages: login, home and each app's pages."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import notifications, web

urlpatterns = [
    path("", web.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", notifications.NotificationList.as_view(), name="notifications"),
    path("notifications/badge/", notifications.NotificationBadge.as_view(), name="notification-badge"),
    path("notifications/<id:pk>/open/", notifications.NotificationOpen.as_view(), name="notification-open"),
    path("org/", include("dealers.urls")),
    path("customers/", include("customers.urls")),
    path("vehicles/", include("vehicles.urls")),
    path("imports/", include("crm_site.imports.urls")),
]
