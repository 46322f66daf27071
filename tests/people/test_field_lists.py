"""A client's writable fields are declared once (CLIENT_FIELDS, beside client_create and
client_update): the form, the input serializer and the API's representation agree."""

from continuum.people.forms import ClientForm, FamilyMemberForm
from continuum.people.serializers import (
    ClientInputSerializer,
    ClientSerializer,
    FamilyMemberInputSerializer,
)
from continuum.people.services import CLIENT_FIELDS, FAMILY_FIELDS


def test_the_client_form_and_input_serializer_take_what_the_services_write():
    assert list(ClientForm.base_fields) == list(CLIENT_FIELDS)
    assert list(ClientInputSerializer().fields) == list(CLIENT_FIELDS)


def test_the_api_shows_what_the_services_write():
    fields = ClientSerializer.Meta.fields
    assert [f for f in fields if f in CLIENT_FIELDS] == list(CLIENT_FIELDS)


def test_the_family_member_form_and_serializer_take_the_family_fields():
    for fields in (FamilyMemberForm.base_fields, FamilyMemberInputSerializer().fields):
        assert [f for f in fields if f in FAMILY_FIELDS] == list(FAMILY_FIELDS)
