"""The listing's writable fields are declared once, beside listing_save: the admin's form
and the API show exactly those."""

from referrals.api import ListingSerializer
from referrals.forms import ListingForm
from referrals.services import LISTING_FIELDS


def test_the_form_edits_what_the_service_writes():
    assert ListingForm.Meta.fields == list(LISTING_FIELDS)
    assert "alternate_name" in ListingForm.base_fields


def test_the_api_shows_what_the_service_writes_in_the_same_order():
    fields = ListingSerializer.Meta.fields
    shown = [f for f in fields if f in LISTING_FIELDS]
    assert shown == list(LISTING_FIELDS)
