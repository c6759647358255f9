"""Browser URLs of the call center (mounted at /callcenter/): workspace, hotline, setup, board and complaints."""

from django.urls import include, path

from .board import urls as board_urls
from .complaints import urls as complaint_urls
from .views import setup_urls
from .views import urls as desk_urls

url_prefix = "callcenter/"
app_name = "callcenter"

urlpatterns = [
    *desk_urls.urlpatterns,
    *setup_urls.urlpatterns,
    path("board/", include(board_urls.urlpatterns)),
    path("complaints/", include(complaint_urls.urlpatterns)),
]
