"""The survey template pages of HQ: the list, the question editor (a new version on each change) and previews."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import generic

from crm_site.web import ScopedListView, ScopeRequiredMixin
from dealers.models import Dealer

from . import access, editor, selectors, services
from .models import SurveyTemplate
from .plugin import shown_questions
from .views import service_errors


def _template_initial(template: SurveyTemplate) -> dict:
    return {name: getattr(template, name) for name in editor.SETTINGS}


NEW_TEMPLATE = {"channel": "link", "invite_after_days": 3, "sample_rate": 1, "low_score_threshold": 700,
                "link_valid_days": 14, "is_active": True}


class TemplateListView(ScopedListView):
    model = SurveyTemplate
    template_name = "surveys/template_list.html"
    read_permission = (access.TEMPLATE_VIEW, access.TEMPLATE_EDIT)
    write_permission = access.TEMPLATE_EDIT

    def get_queryset(self):
        return super().get_queryset().filter(is_current=True).order_by("kind", "code")


class TemplateEditView(ScopeRequiredMixin, generic.View):
    """The question editor: one card per question, saved as a new version; add a template; preview unsaved work.

    Every button posts the whole editor, so it works without the script: "Add a question" and the move buttons
    show the page again with everything typed, "Preview" opens the unsaved questions as the customer's page.
    """

    read_permission = access.TEMPLATE_EDIT
    write_permission = access.TEMPLATE_EDIT

    def _template(self, pk):
        if pk is None:
            return None
        return get_object_or_404(SurveyTemplate.objects.scoped(self.scope), pk=pk, is_current=True)

    def _settings(self, template) -> editor.TemplateSettingsForm:
        if template is None:
            return editor.TemplateSettingsForm(initial=NEW_TEMPLATE)
        return editor.TemplateSettingsForm(initial=_template_initial(template), editing=True)

    def _page(self, template, form, formset, *, shown=None, errors=(), json_text=None, json_errors=(),
              status=200):
        versions = SurveyTemplate.objects.scoped(self.scope).filter(code=template.code).order_by("-version") \
            if template else []
        if json_text is None:
            json_text = json.dumps(template.questions if template else [], ensure_ascii=False, indent=2)
        shown = shown if shown is not None else editor.cards(formset)
        return render(self.request, "surveys/template_form.html", {
            "form": form, "formset": formset, "cards": shown, "question_errors": errors,
            "card_errors": [(card.form.prefix, message) for card in shown for message in card.errors],
            "factors": selectors.template_factors(self.scope), "template": template, "versions": versions,
            "max_questions": services.MAX_QUESTIONS, "json_text": json_text, "json_errors": json_errors},
            status=status)

    def get(self, request, pk=None):
        template = self._template(pk)
        return self._page(template, self._settings(template), self._saved_cards(template))

    def _saved_cards(self, template):
        """The saved version's questions, or one blank card (the overall question) for a new template."""
        return editor.blank_formset(template.questions) if template else editor.formset_of([{"is_overall": True}])

    def post(self, request, pk=None):
        template = self._template(pk)
        action = request.POST.get("action", "save")
        if action == "load_json":
            return self._load_json(template)
        form = editor.TemplateSettingsForm(request.POST, editing=template is not None)
        formset, problems = editor.bind(request.POST)
        if action == "add" or request.POST.get("move"):
            return self._rearranged(template, form, formset, problems)
        draft = editor.check(formset, problems)
        if action == "preview":
            return self._preview(draft)
        if not form.is_valid() or draft.questions is None:
            return self._page(template, form, formset, shown=draft.cards, errors=draft.errors, status=400)
        # The service checks the questions again: it is the one rule for the API and this page.
        data = {**form.cleaned_data, "questions": draft.raw}
        try:
            if template is None:
                saved = services.template_create(scope=self.scope, data=data)
            else:
                saved = services.template_update(scope=self.scope, template=template, data=data)
        except ValidationError as exc:
            found = exc.message_dict
            errors = editor.place([c for c in draft.cards if c.number], found.pop("questions", []))
            if found:
                service_errors(form, ValidationError(found))
            return self._page(template, form, formset, shown=draft.cards, errors=errors, status=400)
        messages.success(request, _("Saved as version %(n)s.") % {"n": saved.version})
        return redirect("surveys:template-edit", pk=saved.pk)

    def _rearranged(self, template, form, formset, problems):
        """The editor again with one more blank card, or with a card moved: nothing checked, nothing saved."""
        shown = editor.cards(formset)
        values = editor.rows(shown)
        notes = list(problems)
        move = self.request.POST.get("move", "")
        if move:
            position = editor.moved(values, shown, move)
            focus, attribute = (position, move.partition(":")[2]) if position is not None else (None, None)
        elif len(values) >= services.MAX_QUESTIONS:
            notes.append(_("At most %(n)s questions.") % {"n": services.MAX_QUESTIONS})
            focus = attribute = None
        else:
            values.append({})
            focus, attribute = len(values) - 1, "code"
        fresh = editor.formset_of(values)
        shown = editor.cards(fresh)
        if focus is not None:
            card = next(c for c in shown if c.form.prefix == f"{editor.PREFIX}-{focus}")
            card.focus = attribute
            if attribute == "code":
                card.form.fields["code"].widget.attrs["autofocus"] = True
        return self._page(template, form.as_typed(), fresh, shown=shown, errors=notes)

    def _load_json(self, template):
        """A power user's JSON, checked, shown as cards to review and save (nothing saved yet)."""
        text = self.request.POST.get("questions_json", "")
        try:
            questions = editor.questions_from_json(text)
        except ValidationError as exc:
            return self._page(template, self._settings(template), self._saved_cards(template), json_text=text,
                              json_errors=exc.messages, status=400)
        messages.info(self.request, _("%(n)s questions loaded from the JSON: check them and save.") % {
            "n": len(questions)})
        return self._page(template, self._settings(template), editor.blank_formset(questions), json_text=text)

    def _preview(self, draft):
        """The unsaved questions exactly as the link page shows them; nothing is saved or checked twice."""
        dealer = Dealer.objects.scoped(self.scope).order_by("pk").first()
        if draft.questions is None:
            return render(self.request, "surveys/link.html", {
                "state": "draft-errors", "preview": True, "draft": True, "dealer": dealer,
                "preview_errors": draft.messages()}, status=400)
        questions = shown_questions(SurveyTemplate(questions=draft.questions), {}, {})
        return render(self.request, "surveys/link.html", {
            "state": "form", "preview": True, "draft": True, "questions": questions, "total": len(questions),
            "dealer": dealer})


class TemplatePreviewView(ScopeRequiredMixin, generic.View):
    """A saved version's form as the customer will see it on the phone (nothing can be sent from here)."""

    read_permission = (access.TEMPLATE_VIEW, access.TEMPLATE_EDIT)

    def get(self, request, pk):
        template = get_object_or_404(SurveyTemplate.objects.scoped(self.scope), pk=pk)
        questions = shown_questions(template, {}, {})
        return render(request, "surveys/link.html", {
            "state": "form", "preview": True, "preview_template": template, "questions": questions,
            "total": len(questions), "dealer": Dealer.objects.scoped(self.scope).order_by("pk").first()})
