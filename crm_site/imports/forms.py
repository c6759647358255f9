"""The upload form (file checked and counted before a job is created) and the export filter form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.scope import Scope, dealer_model

from .kinds import FORMATS, export_kinds, get_kind, import_kinds
from .parsing import ParseError, read_table


def max_file_bytes() -> int:
    """Largest upload; under the request-body limit, so an oversized file still gets a form error, not a bare 413."""
    return getattr(settings, "IMPORT_MAX_BYTES", 10 * 1000 * 1000)


def too_large_message() -> str:
    """The message for a file over the size limit (also checked in the browser before upload)."""
    return _("The file is larger than %(megabytes)d MB; split it into smaller files.") % {
        "megabytes": max_file_bytes() // 1_000_000}


def max_rows() -> int:
    """Most data rows one file may hold."""
    return getattr(settings, "IMPORT_MAX_ROWS", 50_000)


class ImportForm(forms.Form):
    """Kind, dealer (for a tenant-wide uploader) and the file; the file is read once here to check it."""

    kind = forms.ChoiceField(label=gettext_lazy("What to import"))
    dealer = forms.ModelChoiceField(label=gettext_lazy("Dealer"), queryset=None)
    file = forms.FileField(label=gettext_lazy("File"))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["kind"].choices = [(kind.key, kind.label) for kind in import_kinds(scope)]
        if scope.single_dealer_id:
            del self.fields["dealer"]  # dealer staff import for their own dealer
        else:
            self.fields["dealer"].queryset = dealer_model().objects.scoped(scope).order_by("code")
        self.fields["file"].help_text = _(
            "CSV (UTF-8 or GB18030) or Excel .xlsx, up to %(megabytes)d MB and %(rows)s rows; the first row names "
            "the columns.") % {"megabytes": max_file_bytes() // 1_000_000, "rows": f"{max_rows():,}"}
        self.fields["file"].widget.attrs.update(accept=".csv,.xlsx", **{"data-max-bytes": max_file_bytes(),
                                                                      "data-too-large": too_large_message()})
        self.content = b""
        self.total_rows = 0

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_file_bytes():
            raise ValidationError(too_large_message())
        self.content = upload.read()
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind and self.content:
            try:
                self.total_rows = self._count_rows(kind, cleaned["file"].name)
            except ParseError as exc:
                self.add_error("file", str(exc))
            except ValidationError as exc:
                self.add_error("file", exc)
        return cleaned

    def _count_rows(self, kind: str, file_name: str) -> int:
        """Check the header and count the data rows, stopping as soon as the file is over the limit."""
        limit = max_rows()
        with read_table(self.content, file_name) as table:
            get_kind(kind).match_headers(table.header)
            count = 0
            for _row in table.rows:
                count += 1
                if count > limit:
                    raise ValidationError(_("The file has more than %(rows)s rows; split it into smaller files.")
                                          % {"rows": f"{limit:,}"})
        if not count:
            raise ValidationError(_("The file has column names but no rows."))
        return count

    @property
    def dealer_id(self) -> int:
        """The dealer the rows are imported for."""
        return self.scope.single_dealer_id or self.cleaned_data["dealer"].pk


class ExportFilterForm(forms.Form):
    """Which rows to export: a dealer the scope sees, changed since, and a date range."""

    dealer = forms.ModelChoiceField(label=gettext_lazy("Dealer"), queryset=None, required=False)
    updated_after = forms.DateTimeField(label=gettext_lazy("Changed since"), required=False,
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = dealer_model().objects.scoped(scope).order_by("code")
        if scope.single_dealer_id:
            del self.fields["dealer"]  # nothing to choose

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The cleaned filters, for the export and for its audit record."""
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


class ExportForm(ExportFilterForm):
    """The export page: what and in which format, then the filters."""

    kind = forms.ChoiceField(label=gettext_lazy("What to export"))
    fmt = forms.ChoiceField(label=gettext_lazy("Format"), choices=[(f, f.upper()) for f in FORMATS])
    field_order = ["kind", "fmt"]

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, scope=scope, **kwargs)
        self.fields["kind"].choices = [(kind.key, kind.label) for kind in export_kinds(scope)]
