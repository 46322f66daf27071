from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_BODY


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a message before sending.")},
    )


class StartForm(forms.Form):
    """Whom a staff member opens a conversation with: the client, or one of the family
    members linked to them."""

    counterpart = forms.ChoiceField(label="Conversation with", widget=forms.RadioSelect)

    def __init__(self, *args, client, family, **kwargs):
        super().__init__(*args, **kwargs)
        self.family = {str(link.family_member.public_id): link.family_member for link in family}
        self.fields["counterpart"].choices = [("client", f"{client.display_name} (the client)")] + [
            (key, f"{member.display_name} (family)") for key, member in self.family.items()
        ]

    def family_member(self):
        return self.family.get(self.cleaned_data["counterpart"])


class PortalInviteForm(StartForm):
    email = forms.EmailField(
        label="E-mail address",
        help_text="They sign in with a code sent to this address: no password to remember.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].label = "Who is invited"
        self.order_fields(["counterpart", "email"])
