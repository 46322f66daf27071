"""An engagement's settings are declared once, beside the services that write them."""

from coaching.forms import EngagementForm
from coaching.serializers import CoachingEngagementSerializer
from coaching.services import ENGAGEMENT_SETTINGS


def test_the_form_edits_what_the_services_write():
    assert EngagementForm.Meta.fields == ["coach", *ENGAGEMENT_SETTINGS]


def test_the_api_shows_every_setting():
    fields = CoachingEngagementSerializer.Meta.fields
    assert [f for f in fields if f in ENGAGEMENT_SETTINGS] == list(ENGAGEMENT_SETTINGS)
