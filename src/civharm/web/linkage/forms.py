"""Forms of the linkage review: the queue's filter and a verdict on one pair.

They only validate input; decisions, merges and their audit entries live in the verdicts service.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

KIND_CHOICES = [
    ("", _("all pairs")),
    ("incident", _("incidents")),
    ("person", _("persons")),
]
SORT_CHOICES = [
    ("uncertain", _("most uncertain first")),
    ("chained", _("chained clusters first")),
]
VERDICTS = [("match", _("same")), ("no_match", _("different"))]


class QueueFilterForm(forms.Form):
    """A plain GET form; unknown values fall back to the defaults rather than failing."""

    kind = forms.ChoiceField(label=_("records"), required=False, choices=KIND_CHOICES)
    sort = forms.ChoiceField(label=_("order"), required=False, choices=SORT_CHOICES)

    def values(self) -> tuple[str, str]:
        """(kind, sort) chosen, or ("", "uncertain") for anything invalid."""
        if not self.is_valid():
            return "", "uncertain"
        return self.cleaned_data["kind"] or "", self.cleaned_data["sort"] or "uncertain"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=VERDICTS)
    note = forms.CharField(
        label=_("note (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Why you decided so. Never write a name in a note."),
        widget=forms.Textarea({"rows": 2, "aria-describedby": "note-help"}),
    )
    # Where the reviewer came from, so the next pair follows the same filter and order.
    kind = forms.ChoiceField(required=False, choices=KIND_CHOICES, widget=forms.HiddenInput)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)
