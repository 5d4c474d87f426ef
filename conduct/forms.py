from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from conduct.models import Report
from config.converters import MAX_ID
from events import chinese, hygiene
from events.models import Attendee


class ConductForm(forms.Form):
    text = forms.CharField(
        label=_("Code of conduct"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Attendees accept it once on their phone; a change of text asks everyone again. "
            "Leave it empty for none."
        ),
    )
    is_mailing_reports = forms.BooleanField(label=_("Also mail me each report"), required=False)


class ReportForm(forms.Form):
    """The phone's report: which button was tapped (``kind``, and ``about`` for a person) and the
    optional message typed above the buttons."""

    kind = forms.ChoiceField(choices=Report.Kind.choices, required=False)
    about = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    message = forms.CharField(
        label=pgettext_lazy("report form", "What happened"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if cleaned.get("about"):
            cleaned["kind"] = Report.Kind.PERSON
        elif not cleaned.get("kind") or cleaned["kind"] == Report.Kind.PERSON:
            raise forms.ValidationError(_("Choose who or what the report is about."))
        return cleaned


class ReportUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Report.Status.choices)
    note = forms.CharField(
        label=_("Private note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportAdminForm(forms.ModelForm):
    """The admin's report form: the organizers' private note under the same rule as the report
    page's (``services.update_report``: ``hygiene.clean_text``, at most 2,000 characters), so a
    note typed in the admin cannot hold what the page refuses (control characters, bidi
    overrides, runs of empty lines)."""

    class Meta:
        model = Report
        fields = ["status", "organizer_note"]

    def clean_organizer_note(self) -> str:
        return hygiene.clean_text(
            self.cleaned_data.get("organizer_note"), label=_("Note"), max_length=2000
        )


class ReportActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("move", _("Keep apart from the next round")),
            ("remove", _("Remove from the remaining rounds")),
            ("undo_remove", _("Undo the removal")),
            ("block", _("Block their email from my future events")),
        ]
    )


class ApartForm(forms.Form):
    """'Don't seat me with': one of ``people`` (``conduct.queries.apart_choices``); anyone
    else is refused with an error that names nobody."""

    other = forms.ModelChoiceField(
        label=_("Don't seat me with"),
        queryset=Attendee.objects.none(),
        empty_label=_("Choose a person"),
        error_messages={
            "invalid_choice": _(
                "Choose someone from the guest list or from the tables you sat at."
            ),
        },
    )

    def __init__(self, *args: object, people: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        field.queryset = people
        # offered by name, Chinese names by their pinyin among the Latin ones
        ordered = sorted(people, key=lambda person: (chinese.name_sort_key(person.name), person.pk))
        field.choices = [
            ("", field.empty_label),
            *((person.pk, field.label_from_instance(person)) for person in ordered),
        ]


class ApartDropForm(forms.Form):
    """Taking back one's own "don't seat me with": the other person's id, as the button sends it."""

    drop = forms.IntegerField(min_value=1, max_value=MAX_ID)
