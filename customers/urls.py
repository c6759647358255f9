"""Browser URLs of customers, leads and duplicates (mounted at /customers/)."""

from django.urls import path

from .views import customers, data_subject, duplicates, lead_detail, leads

url_prefix = "customers/"
app_name = "customers"

urlpatterns = [
    path("", customers.CustomerSearch.as_view(), name="search"),
    path("pick/", customers.CustomerPick.as_view(), name="pick"),
    path("<id:pk>/", customers.CustomerDetail.as_view(), name="detail"),
    path("<id:pk>/edit/", customers.CustomerEdit.as_view(), name="edit"),
    path("<id:pk>/data/", data_subject.CustomerDataRights.as_view(), name="data-rights"),
    path("<id:pk>/data/export.json", data_subject.CustomerDataExport.as_view(), name="data-export"),
    path("<id:pk>/reveal/<str:field>/", customers.CustomerReveal.as_view(), name="reveal"),
    path("<id:pk>/do-not-call/", customers.CustomerDoNotCall.as_view(), name="do-not-call"),
    path("<id:pk>/consent/", customers.CustomerConsent.as_view(), name="consent"),
    path("leads/", leads.LeadBoard.as_view(), name="lead-board"),
    path("leads/mine/", leads.MyLeads.as_view(), name="lead-mine"),
    path("leads/new/", leads.LeadCreate.as_view(), name="lead-create"),
    path("leads/<id:pk>/", lead_detail.LeadDetail.as_view(), name="lead-detail"),
    path("leads/<id:pk>/move/", leads.LeadMove.as_view(), name="lead-move"),
    path("leads/<id:pk>/assign/", leads.LeadAssign.as_view(), name="lead-assign"),
    path("duplicates/", duplicates.DuplicateReport.as_view(), name="duplicates"),
    path("duplicates/merge/", duplicates.CustomerMergeView.as_view(), name="merge"),
]
