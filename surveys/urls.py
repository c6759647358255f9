"""Browser URLs of the surveys: staff pages under /surveys/ and the public survey link /s/<token>/ (no login).

Mounted at the site root (url_prefix ""), so the one module serves both without a change in the core.
"""

from django.urls import path

from . import public, template_views, views

url_prefix = ""
app_name = "surveys"

urlpatterns = [
    path("s/<str:token>/", public.survey_link, name="link"),
    path("surveys/", views.RankingView.as_view(), name="ranking"),
    path("surveys/dealers/<id:pk>/", views.DealerIndexView.as_view(), name="dealer"),
    path("surveys/templates/", template_views.TemplateListView.as_view(), name="template-list"),
    path("surveys/templates/new/", template_views.TemplateEditView.as_view(), name="template-create"),
    path("surveys/templates/<id:pk>/", template_views.TemplateEditView.as_view(), name="template-edit"),
    path("surveys/templates/<id:pk>/preview/", template_views.TemplatePreviewView.as_view(), name="template-preview"),
    path("surveys/invitations/", views.InvitationListView.as_view(), name="invitation-list"),
    path("surveys/invitations/<id:pk>/", views.InvitationDetailView.as_view(), name="invitation-detail"),
    path("surveys/responses/<id:pk>/", views.ResponseDetailView.as_view(), name="response-detail"),
    path("surveys/signals/", views.SignalsView.as_view(), name="signals"),
    path("surveys/dealer-survey/", views.DealerSurveyView.as_view(), name="dealer-survey"),
    path("surveys/dealer-survey/<id:pk>/", views.DealerSurveyAnswerView.as_view(), name="dealer-survey-answer"),
]
