"""Complaint pages: lists by scope, the form, the steps, attachments, the customer 360, the board and the export."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from callcenter.complaints.kpis import complaints_rollup_rebuild
from callcenter.models import Complaint, ComplaintAttachment, ComplaintStatus
from crm_site.scope import Scope
from tests.customers.factories import CustomerFactory
from tests.helpers import browser

from .factories import open_complaint

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIST = reverse("callcenter:complaint-list")


def detail(complaint) -> str:
    return reverse("callcenter:complaint-detail", args=[complaint.pk])


def test_each_role_lists_its_scope_overdue_first(world):
    late = open_complaint(world.dealers["A1"], at=timezone.now() - dt.timedelta(days=2))
    fresh = open_complaint(world.dealers["A1"])
    other = open_complaint(world.dealers["A2"])
    theirs = open_complaint(world.dealers["B1"])
    page = browser(world, "dealer_manager").get(LIST)
    rows = list(page.context["object_list"])
    assert rows == [late, fresh]
    assert detail(other) not in page.content.decode() and detail(theirs) not in page.content.decode()
    agent = list(browser(world, "cc_agent").get(LIST).context["object_list"])
    assert agent[0] == late and set(agent) == {late, fresh, other}
    assert list(browser(world, "region_manager").get(LIST).context["object_list"]) == [late, fresh]
    assert list(browser(world, "oem_admin").get(LIST, {"overdue": "true"}).context["object_list"]) == [late]


def test_other_dealers_and_tenants_complaints_answer_404_on_every_page(world):
    other = open_complaint(world.dealers["A2"])
    theirs = open_complaint(world.dealers["B1"])
    client = browser(world, "dealer_manager")
    for complaint in (other, theirs):
        assert client.get(detail(complaint)).status_code == 404
        url = reverse("callcenter:complaint-action", args=[complaint.pk, "acknowledge"])
        assert client.post(url, {"note": "x"}).status_code == 404
        url = reverse("callcenter:complaint-attach", args=[complaint.pk])
        assert client.post(url, {"file": SimpleUploadedFile("a.png", PNG)}).status_code == 404
    assert browser(world, "oem_admin").get(detail(theirs)).status_code == 404


def test_the_dealer_works_the_complaint_and_the_call_center_confirms(world):
    complaint = open_complaint(world.dealers["A1"])
    manager = browser(world, "dealer_manager")
    page = manager.get(detail(complaint))
    assert page.context["actions"]["acknowledge"] and not page.context["actions"]["confirm"]
    action = lambda name: reverse("callcenter:complaint-action", args=[complaint.pk, name])  # noqa: E731
    assert manager.post(action("acknowledge"), {"note": "已联系"}).status_code == 302
    assert manager.post(action("wait"), {"note": "等照片"}).status_code == 302
    assert manager.post(action("resume"), {}).status_code == 302
    response = manager.post(action("resolve"), {"resolution": ""})
    assert response.status_code == 400 and "resolve" in response.context["errors"]
    assert manager.post(action("resolve"), {"resolution": "免费更换"}).status_code == 302
    assert manager.post(action("confirm"), {"accepted": "true"}).status_code == 403
    assert browser(world, "oem_analyst").post(action("note"), {"text": "x"}).status_code == 403
    agent = browser(world, "cc_agent")
    assert agent.post(action("confirm"), {"accepted": "false", "note": "不满意"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REOPENED
    page = agent.get(detail(complaint)).content.decode()
    assert "reopened" in page or "重新" in page


def test_an_agent_opens_a_complaint_from_the_customer_page(world):
    customer = CustomerFactory(dealer=world.dealers["A2"])
    agent = browser(world, "cc_agent")
    form = agent.get(reverse("callcenter:complaint-create"), {"customer": customer.pk})
    assert form.status_code == 200 and form.context["picked"]["customer"]["customer"] == customer
    body = {"customer": customer.pk, "dealer": world.dealers["A2"].pk, "channel": "hotline", "severity": "high",
            "description": "保养后发动机故障灯亮", "attachment": SimpleUploadedFile("photo.png", PNG)}
    response = agent.post(reverse("callcenter:complaint-create"), body)
    complaint = Complaint.objects.get(customer=customer)
    assert response.status_code == 302 and response.url == detail(complaint)
    assert complaint.attachments.count() == 1
    # The store can now see the customer it has to call, and the complaint is on the customer 360.
    manager_page = browser(world, "dealer_manager").get(reverse("customers:detail", args=[customer.pk]))
    assert manager_page.status_code == 404  # dealer A1's manager: not their store
    page = agent.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert complaint.number in page


def test_the_form_keeps_what_was_typed_and_scopes_the_dealers(world):
    customer = CustomerFactory(dealer=world.dealers["A1"])
    manager = browser(world, "dealer_manager")
    response = manager.post(reverse("callcenter:complaint-create"), {
        "customer": customer.pk, "dealer": world.dealers["A2"].pk, "channel": "dealer", "severity": "normal",
        "description": "等待时间过长"})
    assert response.status_code == 200 and "dealer" in response.context["form"].errors
    assert "等待时间过长" in response.content.decode()
    assert not Complaint.objects.exists()
    assert browser(world, "oem_analyst").get(reverse("callcenter:complaint-create")).status_code == 403


def test_attachments_are_checked_and_served_only_in_scope(world):
    complaint = open_complaint(world.dealers["A1"])
    manager = browser(world, "dealer_manager")
    url = reverse("callcenter:complaint-attach", args=[complaint.pk])
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024))
    response = manager.post(url, {"file": big})
    assert response.status_code == 400 and "5 MB" in str(response.context["errors"])
    for name, data in (("virus.exe", b"MZ\x90\x00" * 20), ("fake.jpg", b"just text"), ("photo.pdf", PNG)):
        response = manager.post(url, {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 400, name
    assert not ComplaintAttachment.objects.exists()
    assert manager.post(url, {"file": SimpleUploadedFile("证据.png", PNG)}).status_code == 302
    row = ComplaintAttachment.objects.get()
    download = reverse("callcenter:complaint-attachment", args=[complaint.pk, row.pk])
    response = manager.get(download)
    assert response.status_code == 200 and response.content == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    other = browser(world, "dealer_manager")
    other.force_login(world.principals["sales_consultant"].user)
    assert other.get(download).status_code == 200  # same store
    from tests.dealers.factories import UserFactory

    stranger = UserFactory(username="a2_manager", role="dealer_manager", tenant=world.tenants["A"],
                           dealer=world.dealers["A2"])
    client = browser(world, "dealer_manager")
    client.force_login(stranger)
    assert client.get(download).status_code == 404


def test_the_board_reads_the_rollups_and_the_export_is_scoped(world):
    open_complaint(world.dealers["A1"])
    open_complaint(world.dealers["A2"], severity="critical")
    open_complaint(world.dealers["B1"])
    complaints_rollup_rebuild(scope=Scope.system(world.tenants["A"].pk))
    board = browser(world, "oem_admin").get(reverse("callcenter:complaint-board"))
    assert board.status_code == 200 and board.context["total"].opened == 2
    assert len(board.context["dealers"]) == 2
    mine = browser(world, "dealer_manager").get(reverse("callcenter:complaint-board"))
    assert mine.context["total"].opened == 1
    assert browser(world, "sales_consultant").get(reverse("callcenter:complaint-board")).status_code == 403
    export = browser(world, "dealer_manager").get(reverse("callcenter:complaint-export"))
    lines = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(lines) == 2  # the header and dealer A1's one complaint
    xlsx = browser(world, "oem_admin").get(reverse("callcenter:complaint-export"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_rollup_rebuild_is_incremental_and_counts_deliveries(world):
    from tests.vehicles.factories import SaleFactory

    scope = Scope.system(world.tenants["A"].pk)
    SaleFactory(dealer=world.dealers["A1"], delivered_on=timezone.localdate())
    open_complaint(world.dealers["A1"])
    assert complaints_rollup_rebuild(scope=scope) >= 2
    assert complaints_rollup_rebuild(scope=scope) == 0  # nothing changed since
    from callcenter.models import ComplaintMonthly

    total = ComplaintMonthly.objects.get(dealer=world.dealers["A1"], all_categories=True)
    assert (total.opened, total.deliveries) == (1, 1)


def test_the_list_page_takes_the_same_queries_for_one_or_many_rows(world):
    from tests.helpers import count_queries

    client = browser(world, "cc_agent")
    open_complaint(world.dealers["A1"])
    one = count_queries(client, LIST)
    for key in ("A1", "A2", "A2", "A1"):
        open_complaint(world.dealers[key])
    # session and user, the scope (role resolution), the filter's dealer and category choices, the count, the page
    assert count_queries(client, LIST) == one


def test_the_home_widget_counts_the_overdue(world):
    open_complaint(world.dealers["A1"], at=timezone.now() - dt.timedelta(days=2))
    page = browser(world, "dealer_manager").get("/")
    widget = next(w for w in page.context["widgets"] if w["code"] == "complaints")
    assert widget["counts"]["overdue"] == 1


def test_a_refused_attachment_opens_nothing_and_keeps_the_form(world):
    customer = CustomerFactory(dealer=world.dealers["A1"])
    response = browser(world, "dealer_manager").post(reverse("callcenter:complaint-create"), {
        "customer": customer.pk, "dealer": world.dealers["A1"].pk, "channel": "dealer", "severity": "normal",
        "description": "发票金额不对", "attachment": SimpleUploadedFile("invoice.docx", b"PK\x03\x04 not a photo")})
    assert response.status_code == 200 and "attachment" in response.context["form"].errors
    assert "发票金额不对" in response.content.decode()
    assert not Complaint.objects.exists()
