"""A consent's content is declared once (CONTENT_FIELDS, beside consent_record): the forms,
the input serializer and the API's representation agree with it."""

from continuum.consent.forms import ConsentForm, PaperConsentForm
from continuum.consent.serializers import ConsentCreateSerializer, ConsentSerializer
from continuum.consent.services import CONTENT_FIELDS


def test_the_forms_and_the_input_serializer_take_the_content_fields():
    assert list(ConsentForm.base_fields) == list(CONTENT_FIELDS)
    assert list(PaperConsentForm.base_fields)[: len(CONTENT_FIELDS)] == list(CONTENT_FIELDS)
    assert list(ConsentCreateSerializer().fields) == list(CONTENT_FIELDS)


def test_the_api_shows_the_content_fields():
    fields = ConsentSerializer.Meta.fields
    assert [f for f in fields if f in CONTENT_FIELDS] == list(CONTENT_FIELDS)
