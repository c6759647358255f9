"""Browser URLs of the organisation pages."""

from django.urls import path

from . import second_factor_views as second_factor
from . import views

url_prefix = "org/"
app_name = "dealers"

urlpatterns = [
    path("regions/", views.RegionList.as_view(), name="region-list"),
    path("data-retention/", views.DataRetentionEdit.as_view(), name="data-retention"),
    path("regions/new/", views.RegionCreate.as_view(), name="region-create"),
    path("regions/<id:pk>/", views.RegionUpdate.as_view(), name="region-update"),
    path("dealers/", views.DealerList.as_view(), name="dealer-list"),
    path("dealers/new/", views.DealerCreate.as_view(), name="dealer-create"),
    path("dealers/<id:pk>/", views.DealerUpdate.as_view(), name="dealer-update"),
    path("users/", views.UserList.as_view(), name="user-list"),
    path("users/new/", views.UserCreate.as_view(), name="user-create"),
    path("users/<id:pk>/", views.UserUpdate.as_view(), name="user-update"),
    path("api-clients/", views.ApiClientList.as_view(), name="apiclient-list"),
    path("api-clients/new/", views.ApiClientCreate.as_view(), name="apiclient-create"),
    path("api-clients/<id:pk>/revoke/", views.ApiClientRevoke.as_view(), name="apiclient-revoke"),
    path("api-clients/<id:pk>/rotate/", views.ApiClientRotate.as_view(), name="apiclient-rotate"),
    path("api-clients/<id:pk>/personal-data/", views.ApiClientPersonalData.as_view(), name="apiclient-personal-data"),
    path("roles/", views.RolePolicyEdit.as_view(), name="role-policies"),
    path("users/<id:pk>/second-factor/", second_factor.SecondFactorReset.as_view(), name="second-factor-reset"),
    path("account/", second_factor.AccountPage.as_view(), name="account"),
    path("account/code/", second_factor.SecondFactorCode.as_view(), name="second-factor-code"),
    path("account/second-factor/", second_factor.SecondFactorEnrol.as_view(), name="second-factor-enrol"),
    path("account/second-factor/recovery-codes/", second_factor.RecoveryCodesNew.as_view(),
         name="second-factor-recovery"),
    path("account/second-factor/off/", second_factor.SecondFactorTurnOff.as_view(), name="second-factor-off"),
]
