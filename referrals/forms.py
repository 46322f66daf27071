from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .geo import zip_lookup
from .hsds import LANGUAGE_LABELS
from .languages import label as language_label
from .models import (
    Kind,
    LevelOfCare,
    Listing,
    ListingStatus,
    MappingField,
    Payment,
    Population,
    ProviderAction,
    ReferralStatus,
    ServiceAreaKind,
)
from .selectors import DISTANCE_CHOICES, SearchParams
from .services.listings import LISTING_FIELDS

LANGUAGE_CHOICES = [
    ("", _("Any language")),
    *sorted(LANGUAGE_LABELS.items(), key=lambda kv: str(kv[1])),
]


class SearchForm(forms.Form):
    zip_code = forms.CharField(label=_("ZIP code"), max_length=5, required=False)
    latitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-180, max_value=180
    )
    distance = forms.TypedChoiceField(
        label=_("Distance"),
        choices=[(d, format_lazy(_("Within {miles} miles"), miles=d)) for d in DISTANCE_CHOICES],
        coerce=int,
        initial=25,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind of help"), choices=[("", _("Any kind")), *Kind.choices], required=False
    )
    payment = forms.ChoiceField(
        label=_("Insurance or payment"), choices=[("", _("Any")), *Payment.choices], required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    population = forms.ChoiceField(
        label=_("Population served"),
        choices=[("", _("Anyone")), *Population.choices],
        required=False,
    )
    accepting = forms.BooleanField(label=_("Accepting new clients"), required=False)
    telehealth = forms.BooleanField(label=_("Offers telehealth"), required=False)
    openings_first = forms.BooleanField(label=_("Show places with openings first"), required=False)
    q = forms.CharField(label=_("Name or keywords"), max_length=100, required=False)

    def clean_zip_code(self):
        value = self.cleaned_data["zip_code"].strip()
        if value and zip_lookup(value) is None:
            raise forms.ValidationError(_("Enter a 5-digit US ZIP code, e.g. 33139."))
        return value

    def params(self) -> SearchParams:
        data = self.cleaned_data
        params = SearchParams(
            zip_code=data.get("zip_code") or "",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            distance=data.get("distance") or 25,
            kind=data.get("kind") or "",
            payment=data.get("payment") or "",
            language=data.get("language") or "",
            population=data.get("population") or "",
            accepting=bool(data.get("accepting")),
            telehealth=bool(data.get("telehealth")),
            openings_first=bool(data.get("openings_first")),
            q=(data.get("q") or "").strip(),
        )
        params.resolve()
        return params


class CommaList(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return [v.strip() for v in value.split(",") if v.strip()] if value else []

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


class ListingForm(forms.ModelForm):
    credentials = CommaList(required=False, help_text="Comma-separated, e.g. LCSW, CADC.")
    specialties = CommaList(required=False, help_text="e.g. executive coaching, young adults.")
    insurers = CommaList(required=False, help_text="Private insurers accepted.")
    service_zip_codes = CommaList(label="ZIP codes served", required=False)
    languages = forms.MultipleChoiceField(
        choices=LANGUAGE_CHOICES[1:], widget=forms.CheckboxSelectMultiple, required=False
    )
    payment_options = forms.MultipleChoiceField(
        label="Insurance and payment",
        choices=Payment.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    populations = forms.MultipleChoiceField(
        choices=Population.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    levels_of_care = forms.MultipleChoiceField(
        choices=LevelOfCare.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    url = forms.URLField(label="Website", max_length=500, required=False, assume_scheme="https")
    address_1 = forms.CharField(label="Street address", max_length=255, required=False)
    city = forms.CharField(max_length=120, required=False)
    postal_code = forms.CharField(label="ZIP code", max_length=5)

    class Meta:
        model = Listing
        # What listing_save writes, declared once beside it.
        fields = list(LISTING_FIELDS)
        labels = {
            "alternate_name": "Also known as",
            "service_area_kind": _("Service area"),
            "service_radius_miles": _("Service radius (miles)"),
            "service_state": _("State served"),
        }
        help_texts = {
            "alternate_name": "Another name people search for: a former or short name.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Imported listings may speak languages beyond the search filter's: keep them.
        offered = {code for code, _ in self.fields["languages"].choices}
        extra = [c for c in self.instance.languages or [] if c not in offered]
        if extra:
            self.fields["languages"].choices = [
                *self.fields["languages"].choices,
                *((c, language_label(c)) for c in extra),
            ]
        if self.instance.pk:
            location = self.instance.locations.first()
            if location is not None:
                for name in ("address_1", "city", "postal_code"):
                    self.initial.setdefault(name, getattr(location, name))

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"].strip()
        if zip_lookup(value) is None:
            raise forms.ValidationError("Enter a 5-digit US ZIP code.")
        return value

    def clean_service_zip_codes(self):
        zips = self.cleaned_data["service_zip_codes"]
        bad = [z for z in zips if zip_lookup(z) is None]
        if bad:
            raise forms.ValidationError(f"Not a US ZIP code: {', '.join(bad)}")
        return zips

    def clean(self):
        data = super().clean()
        kind = data.get("service_area_kind")
        if kind == ServiceAreaKind.ZIP_LIST and not data.get("service_zip_codes"):
            self.add_error("service_zip_codes", "List the ZIP codes this listing serves.")
        if kind == ServiceAreaKind.STATEWIDE and not data.get("service_state"):
            self.add_error("service_state", "Give the state it serves, e.g. FL.")
        if (data.get("service_radius_miles") or 0) > 500:
            self.add_error("service_radius_miles", "At most 500 miles.")
        return data

    def listing_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields}
        values["service_state"] = (values["service_state"] or "").upper()
        values["service_radius_miles"] = values["service_radius_miles"] or 0
        return values

    def location_values(self) -> dict:
        data = self.cleaned_data
        return {
            "address_1": data.get("address_1", ""),
            "city": data.get("city", ""),
            "postal_code": data["postal_code"],
            "latitude": None,
            "longitude": None,
            "state": "",
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Directory file",
        help_text="HSDS 3.0 JSON (.json), the HSDS tabular CSV package (.zip), or the "
        "spreadsheet template filled in (.csv).",
    )


class TaxonomyMappingForm(forms.Form):
    term = forms.CharField(
        max_length=120, help_text="The term's code as in your data (RX-8450.1000) or its name."
    )
    field = forms.ChoiceField(label="Read it as", choices=MappingField.choices)
    value = forms.ChoiceField(
        label="Value",
        choices=[
            ("Kind of help", Kind.choices),
            ("Insurance and payment", Payment.choices),
            ("Population served", Population.choices),
        ],
    )


class ReclassifyForm(forms.Form):
    only_other = forms.TypedChoiceField(
        label="Which imported listings",
        choices=[
            ("1", "Only those listed as “Other service”"),
            ("0", "All imported listings not edited by staff"),
        ],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


class FamilyRequestForm(forms.Form):
    requester_name = forms.CharField(label=_("Your name"), max_length=200)
    requester_email = forms.EmailField(label=_("E-mail"), required=False)
    requester_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    requester_zip = forms.CharField(label=_("Your ZIP code"), max_length=5, required=False)
    note = forms.CharField(
        label=_("What kind of help are you looking for?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Please don't include medical details; we will call you."),
    )


class StaffReferralForm(forms.Form):
    listing = forms.ModelChoiceField(queryset=Listing.objects.none(), to_field_name="public_id")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Note to the provider"
    )
    includes_client_information = forms.BooleanField(
        label="Include the client's name and contact details",
        required=False,
        initial=True,
    )

    def __init__(self, *args, listings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].queryset = listings


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="New status", choices=ReferralStatus.choices)
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ProviderResponseForm(forms.Form):
    action = forms.ChoiceField(
        choices=ProviderAction.choices, widget=forms.RadioSelect, label=_("Your answer")
    )
    scheduled_for = forms.DateField(
        label=_("First appointment (if scheduled)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason or note (required when declining)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


STATUS_LABELS = dict(ListingStatus.choices)


class CapacityForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Are you taking new clients?"),
        choices=[
            ("accepting", _("Yes, we can take new clients now")),
            ("waitlist", _("Yes, after a waiting list")),
            ("not_accepting", _("No, not at the moment")),
        ],
        widget=forms.RadioSelect,
    )
    waitlist_weeks = forms.IntegerField(
        label=_("How many weeks is the wait?"),
        min_value=1,
        max_value=52,
        required=False,
        help_text=_("Only if there is a waiting list."),
    )


class DirectorySettingsForm(forms.Form):
    capacity_fresh_days = forms.IntegerField(
        label="Show reported openings for (days)",
        min_value=1,
        max_value=365,
        help_text="After this many days without news from the provider, openings show as unknown.",
    )
