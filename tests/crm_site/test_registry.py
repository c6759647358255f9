"""The core registry: fixed keys, and the hooks a new app plugs into (tested with tests/fake_app)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from crm_site import plugins
from crm_site.registry import Registry, registry
from crm_site.timeline import TimelineEvent, customer_timeline
from customers.services import customer_merge
from dealers.services import tenant_create
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.fake_app.models import FakeNote, FakeTenantSetting
from tests.vehicles.factories import SaleFactory, ServiceVisitFactory
from vehicles.models import Ownership, Sale, ServiceVisit, Vehicle

ROOT = Path(__file__).resolve().parents[2]


def test_registry_keys_are_fixed():
    with pytest.raises(KeyError, match="Invalid registry key"):
        registry["menus"]
    with pytest.raises(TypeError):
        registry["menu"] = []
    assert isinstance(registry, Registry)
    assert {"permissions", "menu", "import_kinds", "timeline_sources", "customer_panels", "customer_finders",
            "dashboard_widgets", "tenant_defaults", "demo_data", "merge_participants"} <= set(registry)


def test_every_app_registered_its_permissions_once():
    codes = set(registry["permissions"])
    assert {"customers.edit", "customers.merge", "customers.lead_assign", "vehicles.sale_record",
            "vehicles.visit_record", "dealers.org_edit"} <= codes
    with pytest.raises(ValueError, match="twice"):
        plugins.register_merge_participants(plugins.MergeParticipant("sales", Sale, "customer"))


def test_every_menu_entry_resolves():
    for item in registry["menu"]:
        assert reverse(item.url_name)


def test_merge_moves_the_rows_of_every_registered_participant(world):
    a1 = world.dealers["A1"]
    survivor, duplicate = CustomerFactory(dealer=a1), CustomerFactory(dealer=a1)
    sale = SaleFactory(dealer=a1, vehicle__owner=duplicate, customer=duplicate)
    visit = ServiceVisitFactory(dealer=a1, vehicle=sale.vehicle, customer=duplicate)
    lead = LeadFactory(dealer=a1, customer=duplicate)
    note = FakeNote.objects.create(tenant=a1.tenant, dealer=a1, customer=duplicate, text="来电")
    record = customer_merge(scope=world.principals["oem_admin"].scope, survivor=survivor, merged=duplicate)
    assert record.moved["fake_notes"] == 1 and record.moved["sales"] == 1 and record.moved["leads"] == 1
    note.refresh_from_db()
    lead.refresh_from_db()
    assert note.customer == survivor and lead.customer == survivor
    assert Sale.objects.get(pk=sale.pk).customer == survivor
    assert ServiceVisit.objects.get(pk=visit.pk).customer == survivor
    assert Vehicle.objects.get(pk=sale.vehicle_id).owner == survivor
    assert not Ownership.objects.filter(customer=duplicate).exists()
    assert set(record.moved) == {p.key for p in registry["merge_participants"]} | {"contact_points"}


def test_tenant_create_runs_every_registered_default(db):
    tenant = tenant_create(name="新车企", slug="new-oem", admin_username="boss", admin_password="Correct-Horse-9")
    assert FakeTenantSetting.objects.filter(tenant=tenant, name="default").exists()


@pytest.fixture
def fake_timeline_source():
    source = plugins.TimelineSource(
        kind="fake_note", label="Note", model=FakeNote,
        query=lambda rows, customer: rows.filter(customer=customer),
        event=lambda note: TimelineEvent(at=note.created_at, kind="", title=note.text, dealer_id=note.dealer_id,
                                         object_type="fake_note", object_id=note.pk),
    )
    registry["timeline_sources"].append(source)
    yield source
    registry["timeline_sources"].remove(source)


def test_a_registered_timeline_source_is_read_through_the_scope(world, fake_timeline_source):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    customer = CustomerFactory(dealer=a1)
    FakeNote.objects.create(tenant=a1.tenant, dealer=a1, customer=customer, text="A1 的记录")
    FakeNote.objects.create(tenant=a1.tenant, dealer=a2, customer=customer, text="A2 的记录")
    titles = {e.title for e in customer_timeline(world.principals["dealer_manager"].scope, customer)}
    assert "A1 的记录" in titles and "A2 的记录" not in titles
    events = customer_timeline(world.principals["oem_admin"].scope, customer)
    assert {"A1 的记录", "A2 的记录"} <= {e.title for e in events}
    assert {e.kind for e in events if e.object_type == "fake_note"} == {"fake_note"}


def test_a_widget_is_shown_to_the_roles_its_permission_names(world):
    from django.test import Client

    from customers.access import CUSTOMER_MERGE

    widget = plugins.Widget(code="fake", title="假面板", template="dealers/_widget_dealers.html",
                            context=lambda request, scope: {"dealers": [], "dealer_count": 0},
                            permission=CUSTOMER_MERGE)
    registry["dashboard_widgets"].append(widget)
    try:
        with translation.override("zh-hans"):
            for name, shown in (("dealer_manager", True), ("service_advisor", False)):
                client = Client()
                client.force_login(world.principals[name].user)
                assert ("假面板" in client.get("/").content.decode()) == shown, name
    finally:
        registry["dashboard_widgets"].remove(widget)


def test_the_core_imports_no_domain_app_and_the_imports_have_no_circle():
    """`crm_site/` imports none of the apps, and each app imports only the ones to its left."""
    order = ["crm_site", "dealers", "customers", "vehicles", "callcenter", "surveys", "retention"]
    script = (
        "import ast, pathlib, sys\n"
        f"order = {order!r}\n"
        "bad = []\n"
        "for index, app in enumerate(order):\n"
        "    allowed = set(order[:index + 1]) if app != 'crm_site' else {'crm_site'}\n"
        "    for path in pathlib.Path(app).rglob('*.py'):\n"
        "        if 'migrations' in path.parts: continue\n"
        "        for node in ast.walk(ast.parse(path.read_text())):\n"
        "            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \\\n"
        "                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []\n"
        "            for name in names:\n"
        "                top = name.split('.')[0]\n"
        "                if top in order and top not in allowed: bad.append(f'{path}: {name}')\n"
        "print('\\n'.join(bad)); sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
