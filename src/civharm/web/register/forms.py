"""Forms of the review workflow on the incident page (assign, comment, grade, approve).

They only validate input; the transitions and their audit entries live in incidents.review.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civharm.accounts.models import User
from civharm.accounts.roles import GRANTS
from civharm.core.taxonomy import load_taxonomy


def reviewers() -> QuerySet[User]:
    """Active users who may review, i.e. who an incident can be assigned to."""
    return User.objects.filter(is_active=True, role__in=GRANTS["review"]).order_by("username")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("assign to"), queryset=User.objects.none(), to_field_name="username"
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()


NEVER_A_NAME = _("Never write a victim's name: every staff role reads this page.")


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("comment"),
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text=NEVER_A_NAME,
    )


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("assessment grade"))
    text = forms.CharField(
        label=_("why (optional)"),
        required=False,
        help_text=NEVER_A_NAME,
        max_length=5000,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = load_taxonomy().choices(
            "assessment_grades", get_language() or "fr"
        )


class ApproveForm(forms.Form):
    """No fields: approving is the POST itself (with its CSRF token)."""


REVIEW_FORMS: dict[str, type[forms.Form]] = {
    "assign": AssignForm,
    "comment": CommentForm,
    "grade": GradeForm,
    "approve": ApproveForm,
}
