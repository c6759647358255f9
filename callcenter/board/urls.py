"""URLs of the supervisor board, under /callcenter/board/ in the "callcenter" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.Board.as_view(), name="board"),
    path("agents/", views.BoardAgents.as_view(), name="board-agents"),
    path("tasks/<int:pk>/release/", views.TaskRelease.as_view(), name="board-release"),
    path("tasks/<int:pk>/reassign/", views.TaskReassign.as_view(), name="board-reassign"),
    path("rules/<int:pk>/pause/", views.RulePause.as_view(), name="board-rule-pause"),
]
