"""The template editor's forms: the settings and one card per question, read back into the list questions_clean checks.

The cards only parse what the browser sends (numbers, the type, a line per choice); whether the questions make a
survey is decided by services.questions_clean alone, and its "Question N: …" messages are put on the N-th card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import SCORED_TYPES, Channel, QuestionType, TemplateKind
from .services import MAX_QUESTIONS, questions_clean

PREFIX = "q"
# The fields a person types into; a card with none of them filled in is an unused blank card, not a question.
TYPED = ("code", "text", "text_en", "factor", "choices")
SETTINGS = ("name", "channel", "invite_after_days", "sample_rate", "low_score_threshold", "link_valid_days",
            "is_active")


class TemplateSettingsForm(forms.Form):
    """A template's settings; the code and kind are chosen once, when it is added."""

    code = forms.SlugField(label=gettext_lazy("code"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=TemplateKind.choices)
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    channel = forms.ChoiceField(label=gettext_lazy("invitation channel"), choices=Channel.choices)
    invite_after_days = forms.IntegerField(label=gettext_lazy("invite after (days)"), min_value=0, max_value=365)
    sample_rate = forms.FloatField(label=gettext_lazy("sample rate"), min_value=0, max_value=1,
                                   widget=forms.NumberInput(attrs={"step": "any"}),
                                   help_text=gettext_lazy("Share of eligible sales or visits invited, 0 to 1."))
    low_score_threshold = forms.IntegerField(
        label=gettext_lazy("low-score threshold"), min_value=0, max_value=1000,
        help_text=gettext_lazy("A response whose index is below this (0–1000) opens a complaint."))
    link_valid_days = forms.IntegerField(label=gettext_lazy("link valid (days)"), min_value=1, max_value=365)
    is_active = forms.BooleanField(label=gettext_lazy("active"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["code"]
            del self.fields["kind"]

    def as_typed(self) -> TemplateSettingsForm:
        """The same values as an unbound form: shown again after "Add a question" without error messages."""
        return TemplateSettingsForm(initial={name: self[name].value() for name in self.fields}, editing=self.editing)


class QuestionForm(forms.Form):
    """One question card. Every field is optional here: questions_clean says what a question needs.

    The fields carry no help text: the editor explains them once above the cards instead of on every card.
    """

    code = forms.CharField(label=gettext_lazy("code"), required=False, max_length=40,
                           widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}))
    text = forms.CharField(label=gettext_lazy("question (Chinese)"), required=False, max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}))
    text_en = forms.CharField(label=gettext_lazy("question (English)"), required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 2}))
    type = forms.ChoiceField(label=gettext_lazy("type"), choices=QuestionType.choices, initial=QuestionType.SCALE,
                             widget=forms.Select(attrs={"data-question-type": ""}))
    scale_min = forms.IntegerField(label=gettext_lazy("scale from"), required=False, initial=1,
                                   widget=forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}))
    scale_max = forms.IntegerField(label=gettext_lazy("scale to"), required=False, initial=5,
                                   widget=forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}))
    weight = forms.FloatField(label=gettext_lazy("weight"), required=False, initial=1,
                              widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any",
                                                              "inputmode": "decimal"}))
    factor = forms.CharField(label=gettext_lazy("factor"), required=False, max_length=40,
                             widget=forms.TextInput(attrs={"list": "survey-factors", "autocapitalize": "none"}))
    # Set from the one "overall" radio button of the editor (see bind); never rendered as its own box.
    is_overall = forms.BooleanField(required=False, widget=forms.HiddenInput)
    required = forms.BooleanField(label=gettext_lazy("an answer is required"), required=False, initial=True)
    choices = forms.CharField(label=gettext_lazy("choices, one per line"), required=False, max_length=2500,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def is_blank(self) -> bool:
        """Nothing typed on this card (a card added and left empty is not a question)."""
        return not any(str(self[name].value() or "").strip() for name in TYPED)

    def question(self) -> dict:
        """The card as questions_clean reads it; numbers left empty take the service's defaults."""
        data = self.cleaned_data
        kind = data["type"]
        question = {name: data[name] for name in ("code", "text", "text_en", "type", "factor", "is_overall",
                                                  "required")}
        if kind == QuestionType.SCALE:
            question.update({name: data[name] for name in ("scale_min", "scale_max") if data[name] is not None})
        if kind in SCORED_TYPES and data["weight"] is not None:
            question["weight"] = data["weight"]
        if kind == QuestionType.CHOICE:
            question["choices"] = [line.strip() for line in data["choices"].splitlines() if line.strip()]
        return question


class BaseQuestionFormSet(forms.BaseFormSet):
    # The order travels in a hidden field, changed by the move buttons (by the script, or by the server without it).
    ordering_widget = forms.HiddenInput


QuestionFormSet = forms.formset_factory(QuestionForm, formset=BaseQuestionFormSet, extra=0, can_order=True,
                                        can_delete=True, max_num=MAX_QUESTIONS, absolute_max=MAX_QUESTIONS)


def question_row(question: dict) -> dict:
    """A saved (clean) question as a card's initial values."""
    row = {name: question.get(name, "") for name in ("code", "text", "text_en", "type", "factor")}
    row.update(is_overall=bool(question.get("is_overall")), required=bool(question.get("required")),
               choices="\n".join(question.get("choices", [])))
    for name in ("scale_min", "scale_max", "weight"):
        if question.get(name) is not None:
            value = question[name]
            row[name] = int(value) if isinstance(value, float) and value.is_integer() else value
    return row


def blank_formset(questions: list[dict]) -> BaseQuestionFormSet:
    """Cards for a list of clean questions (a saved version, or JSON loaded by a power user)."""
    return QuestionFormSet(initial=[question_row(q) for q in questions], prefix=PREFIX)


def bind(data: QueryDict) -> tuple[BaseQuestionFormSet, list[str]]:
    """The posted cards, and what was wrong with the form as a whole (tampered counts, too many questions).

    A missing or altered count is repaired from the fields actually posted, so what was typed is shown again;
    the problem is reported and the editor refuses to save until the page is sent again as it was rendered.
    """
    data = data.copy()
    problems = []
    posted = {int(m.group(1)) for key in data for m in [re.match(rf"{PREFIX}-(\d{{1,3}})-", key)] if m}
    try:
        total = int(data.get(f"{PREFIX}-TOTAL_FORMS", ""))
        if total < 0:
            raise ValueError
    except ValueError:
        total = max(posted) + 1 if posted else 0
        problems.append(_("The list of questions arrived incomplete; check them and save again."))
    if total > MAX_QUESTIONS:
        problems.append(_("At most %(n)s questions.") % {"n": MAX_QUESTIONS})
        total = MAX_QUESTIONS
    data.setlist(f"{PREFIX}-TOTAL_FORMS", [str(total)])
    data.setlist(f"{PREFIX}-INITIAL_FORMS", ["0"])
    # The overall question is one radio button across the cards; each card reads it as its own flag. Two values
    # (only a crafted request sends them) mark two cards, and questions_clean says that is one too many.
    for prefix in data.getlist("overall")[:MAX_QUESTIONS]:
        if re.fullmatch(rf"{PREFIX}-\d{{1,3}}", prefix):
            data[f"{prefix}-is_overall"] = "on"
    return QuestionFormSet(data, prefix=PREFIX), problems


@dataclass
class Card:
    """A question card as the page shows it: its form, its number among the questions, its messages."""

    form: QuestionForm
    number: int | None = None
    errors: list[str] = field(default_factory=list)
    focus: str | None = None  # after a move without the script: the button to focus again ("up", "down")

    @property
    def deleted(self) -> bool:
        return bool(self.form[DELETION_FIELD_NAME].value())


def _order(form: QuestionForm, index: int) -> tuple:
    try:
        order = int(form[ORDERING_FIELD_NAME].value())
    except (TypeError, ValueError):
        return (1, 0, index)
    return (0, order, index)


def cards(formset: BaseQuestionFormSet) -> list[Card]:
    """The cards in their chosen order, numbered as questions_clean will number them (deleted and blank skipped)."""
    ordered = [Card(form) for _key, form in sorted(((_order(f, i), f) for i, f in enumerate(formset.forms)),
                                                  key=lambda pair: pair[0])]
    number = 0
    for card in ordered:
        if not card.deleted and not card.form.is_blank():
            number += 1
            card.number = number
    return ordered


@dataclass
class Draft:
    """What the editor holds: the cards, the questions when they make a survey, the messages for the whole list."""

    cards: list[Card]
    questions: list[dict] | None
    raw: list[dict]
    errors: list[str]

    def messages(self) -> list[str]:
        """Every message: the whole list's, then each card's in order, its fields' too (the preview lists them)."""
        found = list(self.errors)
        for card in self.cards:
            found.extend(card.errors)
            if card.form.is_bound and not card.deleted:
                where = _("Question %(n)s: ") % {"n": card.number} if card.number else ""
                found.extend(f"{where}{card.form.fields[name].label or name}: {message}"
                             for name, messages in card.form.errors.items() for message in messages)
        return found


def check(formset: BaseQuestionFormSet, problems: list[str] = ()) -> Draft:
    """Read the cards and check them with questions_clean, each message on the card it names."""
    shown = cards(formset)
    errors = list(problems)
    parsed = formset.is_valid()  # only crafted values fail here (a number field that is not a number…)
    if not parsed:
        errors.extend(str(e) for e in formset.non_form_errors())
    kept = [card for card in shown if card.number]
    raw = [card.form.question() for card in kept] if parsed else []
    clean = None
    if parsed:
        try:
            clean = questions_clean(raw)
        except ValidationError as exc:
            errors.extend(place(kept, exc.message_dict.get("questions", exc.messages)))
    return Draft(cards=shown, questions=None if errors or not parsed else clean, raw=raw, errors=errors)


def place(kept: list[Card], messages: list[str]) -> list[str]:
    """Put each "Question N: …" message on the N-th question's card; return the messages about the whole list."""
    starts = {(_("Question %(n)s: ") % {"n": card.number}): card for card in kept}
    general = []
    for message in messages:
        card = next((c for start, c in starts.items() if message.startswith(start)), None)
        (card.errors if card else general).append(message)
    return general


def rows(shown: list[Card]) -> list[dict]:
    """The cards' values exactly as typed, in their order, as initial values for the page shown again."""
    return [{name: card.form[name].value() for name in card.form.fields if name != ORDERING_FIELD_NAME}
            for card in shown]


def formset_of(values: list[dict]) -> BaseQuestionFormSet:
    """Unbound cards showing these values (after "Add a question" or a move: no messages yet)."""
    return QuestionFormSet(initial=values, prefix=PREFIX)


def moved(values: list[dict], shown: list[Card], move: str) -> int | None:
    """Move one card a place up or down ("q-3:up") in the rows; its new position, None when it cannot move."""
    prefix, _sep, direction = move.partition(":")
    index = next((i for i, card in enumerate(shown) if card.form.prefix == prefix), None)
    other = None if index is None else index - 1 if direction == "up" else index + 1
    if other is None or not 0 <= other < len(values):
        return None
    values[index], values[other] = values[other], values[index]
    return other


def questions_from_json(text: str) -> list[dict]:
    """Questions pasted as JSON by a power user, checked by questions_clean; ValidationError with the messages."""
    import json

    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationError([_("Not valid JSON: %(error)s") % {"error": exc}]) from exc
    try:
        return questions_clean(value)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict.get("questions", exc.messages)) from exc
