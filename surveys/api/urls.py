"""Register the survey resources in the API router; `survey-indices` is a read-only path of its own."""

from django.urls import path

from crm_site.api.router import router

from .views import SurveyIndicesView, SurveyInvitationViewSet, SurveyResponseViewSet, SurveyTemplateViewSet

router.register("survey-templates", SurveyTemplateViewSet, basename="survey-template")
router.register("survey-invitations", SurveyInvitationViewSet, basename="survey-invitation")
router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")

urlpatterns = [path("survey-indices/", SurveyIndicesView.as_view(), name="survey-indices")]
