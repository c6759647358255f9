"""The engine offers exactly the kinds the apps register, with the permissions each kind names."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from django.core.exceptions import ValidationError

from crm_site import plugins
from crm_site.access import permission
from crm_site.imports.kinds import Column, ExportSpec, ImportKind
from crm_site.registry import registry
from customers.models import Customer
from dealers.choices import Role
from tests.customers.factories import CustomerFactory
from tests.helpers import browser

from .conftest import body, csv_bytes, read_csv, stored_errors

EN = {"accept-language": "en"}
NOTE_IMPORT = permission("tests.note_import", "Import notes", {Role.SALES_CONSULTANT})
NOTE_EXPORT = permission("tests.note_export", "Export notes", {Role.SERVICE_ADVISOR}, writes=False)
written: list[tuple] = []


def import_note(ctx, row) -> bool:
    """Refuses a row without a text, on the service's field name; records the others with the job's scope."""
    text = row.text("text", required=True)
    row.check()
    if text == "bad":
        raise ValidationError({"body": ["Not a note."]})
    written.append((ctx.scope.tenant_id, ctx.dealer_id, text, row.integer("weight")))
    return text.startswith("new")


NOTES = ImportKind(
    key="test_notes",
    label="Notes",
    columns=(Column("text", "内容", "text", required=True), Column("weight", "权重", "weight")),
    permission=NOTE_IMPORT,
    export_permission=NOTE_EXPORT,
    handler=import_note,
    field_columns=MappingProxyType({"body": "text"}),
    export=ExportSpec(columns=("text",), queryset=lambda scope: Customer.objects.scoped(scope),
                      dealer_filter=lambda dealer: {"dealer_links__dealer": dealer}, date_field="created_at__date",
                      row=lambda scope, customer: [customer.name]),
)


@pytest.fixture
def notes_kind():
    """A kind registered as an app's ready() would, removed again after the test."""
    written.clear()
    plugins.register_import_kinds(NOTES)
    yield NOTES
    registry["import_kinds"].pop(NOTES.key)


def kinds_offered(world, name: str) -> set[str]:
    response = browser(world, name).get("/imports/new/")
    assert response.status_code == 200
    return {value for value, _label in response.context["form"].fields["kind"].choices}


def test_the_domain_apps_register_the_four_kinds(db):
    assert list(registry["import_kinds"])[:4] == ["customers", "vehicles", "sales", "service_visits"]


def test_a_registered_kind_is_offered_to_the_holders_of_its_permission_and_imported(world, upload, notes_kind):
    assert "test_notes" in kinds_offered(world, "sales_consultant")
    assert "test_notes" not in kinds_offered(world, "service_advisor")
    rows = [["内容", "权重"], ["new one", "3"], ["old one", ""], ["", "1"], ["bad", ""]]
    _response, job = upload(browser(world, "sales_consultant"), "test_notes", csv_bytes(rows), headers=EN)
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.updated_rows, job.failed_rows) == ("done", 1, 1, 2)
    a1 = world.dealers["A1"]
    assert written == [(a1.tenant_id, a1.pk, "new one", 3), (a1.tenant_id, a1.pk, "old one", None)]
    errors = stored_errors(job)
    # The service's field name ("body") is reported on the file's column.
    assert errors == {4: {"text": ["This column is required."]}, 5: {"text": ["Not a note."]}}


def test_a_registered_kind_has_its_template_and_export(world, notes_kind):
    template = read_csv(body(browser(world, "sales_consultant").get("/imports/template/test_notes.csv")))
    assert template == [["内容", "权重"]]
    assert browser(world, "service_advisor").get("/imports/template/test_notes.csv").status_code == 403
    CustomerFactory(dealer=world.dealers["A1"], name="导出的人")
    exported = read_csv(body(browser(world, "service_advisor").get("/imports/export/test_notes.csv")))
    assert exported == [["内容"], ["导出的人"]]
    assert browser(world, "sales_consultant").get("/imports/export/test_notes.csv").status_code == 403
    form = browser(world, "service_advisor").get("/imports/export/").context["form"]
    assert [value for value, _label in form.fields["kind"].choices] == ["test_notes"]


def test_an_unregistered_kind_answers_404_and_its_queued_job_is_refused(world, notes_kind):
    from crm_site.imports.models import ImportJob
    from crm_site.imports.tasks import import_run

    job = ImportJob.objects.create(tenant=world.tenants["A"], dealer=world.dealers["A1"], kind="test_notes",
                                   file_name="n.csv", content=csv_bytes([["内容"], ["x"]]), total_rows=1)
    registry["import_kinds"].pop(NOTES.key)
    try:
        client = browser(world, "sales_consultant")
        assert client.get("/imports/template/test_notes.csv").status_code == 404
        assert client.get("/imports/export/test_notes.csv").status_code in {403, 404}
        scope = world.principals["sales_consultant"].scope
        assert import_run(job.pk, scope=scope.as_task_args()) == "refused"
    finally:
        plugins.register_import_kinds(NOTES)


def test_a_kind_is_checked_when_it_is_declared():
    with pytest.raises(ValueError, match="row handler"):
        ImportKind(key="half", label="Half", columns=(), permission=NOTE_IMPORT)
    with pytest.raises(ValueError, match="export permission"):
        ImportKind(key="half", label="Half", columns=(), export=NOTES.export)
    with pytest.raises(ValueError, match="registered twice"):
        plugins.register_import_kinds(registry["import_kinds"]["customers"])


def test_api_clients_never_use_the_page_import(world):
    scope = world.principals["client_dealer_write"].scope
    assert registry["import_kinds"]["customers"].permission.allows(scope)
    assert not registry["import_kinds"]["customers"].may_import(scope)
