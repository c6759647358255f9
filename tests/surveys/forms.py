"""What a browser would send for the survey editor's form, read from the page (the page tests post it back)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """What a browser would send for the editor's form (its controls, no button): {name: [values]}."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.inside = self.in_template = False
        self.select = self.textarea = None
        self.options: list[tuple[str, bool]] = []
        self.text = ""

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-survey-editor" in attrs:
            self.inside = True
        if not self.inside or self.in_template:
            return
        if tag == "template":
            self.in_template = True
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(attrs["name"], attrs.get("value", "on"))
            else:
                self._add(attrs["name"], attrs.get("value", ""))
        elif tag == "select":
            self.select, self.options = attrs["name"], []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self.textarea, self.text = attrs["name"], ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template = False
        elif tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            chosen = [v for v, selected in self.options if selected] or [self.options[0][0]]
            self._add(self.select, chosen[0])
            self.select = None
        elif tag == "textarea" and self.textarea:
            self._add(self.textarea, self.text.removeprefix("\n"))
            self.textarea = None


def form_of(response) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.values
