from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from continuum.audit.models import AuditEvent
from continuum.consent.models import (
    Consent,
    Disclosure,
    InformationCategory,
    Purpose,
    RecipientKind,
)
from continuum.consent.services import (
    PART2_NOTICE,
    ConsentRequired,
    consent_create,
    consent_record_paper,
    consent_require,
    consent_revoke,
    consent_sign,
    disclosure_record,
)
from continuum.consent.uploads import MAX_SCAN_BYTES
from tests.people.factories import ClientFactory, FamilyMemberFactory

from .factories import ConsentFactory, consent_values

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _require(org, client, **overrides):
    args = {
        "organization": org,
        "client": client,
        "recipient_kind": RecipientKind.NAMED_ORGANIZATION,
        "recipient_name": "Bayside Outpatient Clinic",
        "purpose": Purpose.TREATMENT,
        "information": InformationCategory.ATTENDANCE,
    }
    args.update(overrides)
    return consent_require(**args)


# --- every 2.31 element is required -------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"disclosing_program": " "}, "disclosing_program"),
        ({"information_categories": []}, "information_categories"),
        ({"recipient_kind": ""}, "recipient_kind"),
        ({"recipient_name": ""}, "recipient_name"),
        (
            {"recipient_kind": RecipientKind.FAMILY_MEMBER, "recipient_name": ""},
            "recipient_family_member",
        ),
        ({"purposes": []}, "purposes"),
        ({"purposes": [Purpose.OTHER], "purpose_detail": ""}, "purpose_detail"),
        ({"expires_on": None, "expiration_event": ""}, "expires_on"),
    ],
)
def test_a_consent_missing_an_element_is_refused(org, members, person, override, field):
    with pytest.raises(ValidationError) as refused:
        consent_create(
            actor=members["client"], organization=org, client=person, **consent_values(**override)
        )
    assert field in refused.value.message_dict
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"signed_name": " "}, "signed_name"),
        ({"revocation_acknowledged": False}, "revocation_acknowledged"),
        ({"scan": None}, "scan"),
        ({"signed_on": None}, "signed_on"),
    ],
)
def test_a_paper_consent_missing_its_signature_is_refused(org, admin_user, person, override, field):
    signature = {
        "signed_name": "Jordan Reyes",
        "signed_on": timezone.localdate(),
        "revocation_acknowledged": True,
        "scan": SimpleUploadedFile("c.pdf", PDF),
        **override,
    }
    with pytest.raises(ValidationError) as refused:
        consent_record_paper(
            actor=admin_user, organization=org, client=person, **signature, **consent_values()
        )
    assert field in refused.value.message_dict
    assert not Consent.objects.exists()


def test_the_model_refuses_an_incomplete_consent_too(org, person):
    consent = Consent(organization=org, client=person, **consent_values(purposes=[]))
    with pytest.raises(ValidationError) as refused:
        consent.full_clean()
    assert refused.value.message_dict["purposes"] == ["Choose the purpose of the disclosure."]


def test_an_event_instead_of_a_date_is_enough(org, members, person):
    consent = consent_create(
        actor=members["client"],
        organization=org,
        client=person,
        **consent_values(expires_on=None, expiration_event="I complete aftercare"),
    )
    assert consent.expiration_event == "I complete aftercare"


def test_client_signs_in_the_portal_with_time_and_ip(org, members, person):
    from continuum.logging import client_meta_var

    consent = consent_create(
        actor=members["client"], organization=org, client=person, **consent_values()
    )
    token = client_meta_var.set({"ip": "198.51.100.7"})
    try:
        with pytest.raises(ValidationError) as refused:
            consent_sign(
                actor=members["client"],
                consent=consent,
                signed_name="Jordan Reyes",
                revocation_acknowledged=False,
            )
        assert "revocation_acknowledged" in refused.value.message_dict
        consent_sign(
            actor=members["client"],
            consent=consent,
            signed_name="Jordan Reyes",
            revocation_acknowledged=True,
        )
    finally:
        client_meta_var.reset(token)
    consent.refresh_from_db()
    assert consent.status == "active"
    assert (consent.signed_name, consent.signed_ip, consent.signature_method) == (
        "Jordan Reyes",
        "198.51.100.7",
        "portal",
    )
    assert (
        AuditEvent.objects.filter(action="consent.signed", client_id=person.public_id).count() == 1
    )


# --- the gate ---------------------------------------------------------------------------


def test_a_valid_consent_passes_the_gate(org, person):
    consent = ConsentFactory(client=person)
    assert _require(org, person, information=["attendance", "progress"]) == consent
    # Recipient names are matched without regard to case or surrounding spaces.
    assert _require(org, person, recipient_name=" bayside outpatient clinic ") == consent


def test_no_consent_refuses(org, person):
    with pytest.raises(ConsentRequired, match="no signed consent naming this recipient"):
        _require(org, person)


def test_an_unsigned_consent_refuses(org, members, person):
    consent_create(actor=members["client"], organization=org, client=person, **consent_values())
    with pytest.raises(ConsentRequired):
        _require(org, person)


def test_an_expired_consent_refuses(org, person):
    ConsentFactory(client=person, expires_on=timezone.localdate() + timedelta(days=3))
    assert _require(org, person)
    with (
        time_machine.travel(timezone.now() + timedelta(days=4)),
        pytest.raises(ConsentRequired, match="expired"),
    ):
        _require(org, person)


def test_revocation_is_effective_immediately(org, members, person):
    consent = ConsentFactory(client=person)
    assert _require(org, person) == consent
    consent_revoke(actor=members["client"], consent=consent)
    with pytest.raises(ConsentRequired, match="revoked"):
        _require(org, person)
    with pytest.raises(ConsentRequired, match="revoked"):
        disclosure_record(
            actor=members["case_manager"],
            consent=consent,
            recipient="Bayside",
            description="x",
            purpose=Purpose.TREATMENT,
        )
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.filter(action="consent.revoked", actor=members["client"]).exists()


@pytest.mark.parametrize(
    ("request_overrides", "reason"),
    [
        ({"recipient_name": "Another Clinic"}, "no signed consent naming this recipient"),
        (
            {"recipient_kind": RecipientKind.NAMED_INDIVIDUAL},
            "no signed consent naming this recipient",
        ),
        ({"purpose": Purpose.PAYMENT}, "does not cover the purpose “Payment”"),
        ({"information": ["attendance", "toxicology"]}, "does not cover: Toxicology"),
    ],
)
def test_what_the_consent_does_not_cover_is_refused(org, person, request_overrides, reason):
    ConsentFactory(client=person)
    with pytest.raises(ConsentRequired) as refused:
        _require(org, person, **request_overrides)
    assert reason in refused.value.messages[0]
    assert refused.value.messages[0].startswith("Jordan Reyes's information cannot be shared")


def test_another_clients_consent_does_not_cover(org, person):
    ConsentFactory(client=ClientFactory(organization=org, first_name="Sam", last_name="Reyes"))
    with pytest.raises(ConsentRequired):
        _require(org, person)


def test_treating_providers_consent_covers_any_treating_provider(org, person):
    consent = ConsentFactory(
        client=person,
        recipient_kind=RecipientKind.TREATING_PROVIDERS,
        recipient_name="My treating providers",
    )
    got = _require(
        org,
        person,
        recipient_kind=RecipientKind.TREATING_PROVIDERS,
        recipient_name="Dr. Lee, Bayside",
    )
    assert got == consent


def test_family_member_consent_is_for_that_family_member(org, members, person, mother):
    consent = consent_create(
        actor=members["client"],
        organization=org,
        client=person,
        **consent_values(
            recipient_kind=RecipientKind.FAMILY_MEMBER,
            recipient_name="",
            recipient_family_member=mother,
            purposes=[Purpose.FAMILY_INVOLVEMENT],
        ),
    )
    assert consent.recipient_name == "Ana Reyes"
    consent_sign(
        actor=members["client"],
        consent=consent,
        signed_name="Jordan Reyes",
        revocation_acknowledged=True,
    )
    family = {"recipient_kind": RecipientKind.FAMILY_MEMBER, "purpose": Purpose.FAMILY_INVOLVEMENT}
    assert (
        _require(org, person, recipient_name="Ana Reyes", recipient_family_member=mother, **family)
        == consent
    )
    other = ClientFactory(organization=org, first_name="Sam", last_name="Reyes")

    stranger = FamilyMemberFactory(
        organization=org, related_to=other, first_name="Ana", last_name="Reyes"
    )
    with pytest.raises(ConsentRequired):
        _require(
            org, person, recipient_name="Ana Reyes", recipient_family_member=stranger, **family
        )


def test_a_family_member_not_linked_to_the_client_cannot_be_named(org, members, person):

    unrelated = FamilyMemberFactory(
        organization=org,
        related_to=ClientFactory(organization=org, first_name="Sam", last_name="Reyes"),
        first_name="Ana",
        last_name="Reyes",
    )
    with pytest.raises(ValidationError) as refused:
        consent_create(
            actor=members["client"],
            organization=org,
            client=person,
            **consent_values(
                recipient_kind=RecipientKind.FAMILY_MEMBER, recipient_family_member=unrelated
            ),
        )
    assert "recipient_family_member" in refused.value.message_dict


# --- disclosures -------------------------------------------------------------------------


def test_a_disclosure_records_the_accounting_row_with_the_notice(org, members, person):
    consent = ConsentFactory(client=person)
    disclosure = disclosure_record(
        actor=members["case_manager"],
        consent=_require(org, person),
        recipient="Bayside Outpatient Clinic",
        description="Attendance for March",
        purpose=Purpose.TREATMENT,
    )
    stored = Disclosure.objects.get()
    assert stored == disclosure
    assert (stored.consent, stored.client, stored.actor) == (
        consent,
        person,
        members["case_manager"],
    )
    assert stored.notice == PART2_NOTICE
    assert stored.notice.startswith(
        "This record which has been disclosed to you is protected by Federal"
    )
    assert "(iii) You have received the record from a covered entity" in stored.notice
    assert AuditEvent.objects.filter(
        action="disclosure.recorded", object_id=str(stored.public_id)
    ).exists()


def test_a_disclosure_outside_the_consents_purpose_is_refused(org, members, person):
    consent = ConsentFactory(client=person)
    with pytest.raises(ConsentRequired):
        disclosure_record(
            actor=members["case_manager"],
            consent=consent,
            recipient="Bayside",
            description="x",
            purpose=Purpose.PAYMENT,
        )
    assert not Disclosure.objects.exists()


# --- scans ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_paper_consent_keeps_a_sniffed_scan_under_media_root(
    org, admin_user, person, _media, content, content_type
):
    consent = consent_record_paper(
        actor=admin_user,
        organization=org,
        client=person,
        signed_name="Jordan Reyes",
        signed_on=timezone.localdate() - timedelta(days=1),
        revocation_acknowledged=True,
        # The browser's claim is ignored: only the bytes count.
        scan=SimpleUploadedFile("scan.bin", content, content_type="application/octet-stream"),
        **consent_values(),
    )
    assert consent.scan_content_type == content_type
    assert consent.status == "active"
    path = consent.scan.path
    assert path.startswith(str(_media))
    assert "Reyes" not in path
    with open(path, "rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "scan.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf"
            ),
            "PDF, PNG or JPEG",
        ),
        (SimpleUploadedFile("scan.pdf", b"", content_type="application/pdf"), "empty"),
        (
            SimpleUploadedFile(
                "big.pdf", b"%PDF-" + b"0" * MAX_SCAN_BYTES, content_type="application/pdf"
            ),
            "larger than 10 MB",
        ),
    ],
    ids=["html-named-pdf", "empty", "over-10mb"],
)
def test_bad_scans_are_refused(org, admin_user, person, _media, upload, message):
    with pytest.raises(ValidationError) as refused:
        consent_record_paper(
            actor=admin_user,
            organization=org,
            client=person,
            signed_name="Jordan Reyes",
            signed_on=timezone.localdate(),
            revocation_acknowledged=True,
            scan=upload,
            **consent_values(),
        )
    assert message in refused.value.message_dict["scan"][0]
    assert not Consent.objects.exists()
    assert not _media.exists() or not any(_media.rglob("*.*"))


def test_sniffing_reads_only_the_start(org):
    from continuum.consent.uploads import sniff_scan

    upload = SimpleUploadedFile("x", PNG)
    upload.file = BytesIO(PNG)
    assert sniff_scan(upload) == ("image/png", "png")
    assert upload.file.tell() == 0
