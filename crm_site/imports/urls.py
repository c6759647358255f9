"""Browser URLs of imports and exports."""

from django.urls import path, register_converter

from . import views
from .kinds import FORMATS


class KindConverter:
    """The key of an import/export kind; the views answer 404 for one no app registered."""

    regex = "[a-z][a-z0-9_]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class SheetFormatConverter(KindConverter):
    """csv or xlsx, so another format answers 404 before any view runs."""

    regex = "|".join(FORMATS)


register_converter(KindConverter, "importkind")
register_converter(SheetFormatConverter, "sheetformat")

url_prefix = "imports/"
app_name = "imports"

urlpatterns = [
    path("", views.ImportList.as_view(), name="job-list"),
    path("new/", views.ImportCreate.as_view(), name="job-create"),
    path("<id:pk>/", views.ImportDetail.as_view(), name="job-detail"),
    path("<id:pk>/progress/", views.ImportProgress.as_view(), name="job-progress"),
    path("<id:pk>/errors.<sheetformat:fmt>", views.ImportErrorReport.as_view(), name="job-errors"),
    path("template/<importkind:kind>.<sheetformat:fmt>", views.TemplateDownload.as_view(), name="template"),
    path("export/", views.ExportPage.as_view(), name="export-page"),
    path("export/<importkind:kind>.<sheetformat:fmt>", views.ExportDownload.as_view(), name="export"),
]
