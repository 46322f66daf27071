"""Recording instruments through the API: BAM day counts, errors that list what is
allowed, one error shape, and a schema that documents the item keys and codes."""

import pytest
from django.urls import reverse

from casemanagement.models import Assessment
from continuum.tenancy.models import Role


@pytest.fixture
def api(client, members):
    client.force_login(members[Role.CASE_MANAGER])
    return client


@pytest.fixture
def url(in_org, client_rec):
    return reverse(
        "api:casemgmt_assessment_list",
        kwargs={"org": in_org.slug, "client_id": client_rec.public_id},
    )


def post(api, url, body):
    return api.post(url, body, content_type="application/json")


def assert_one_shape(body):
    assert isinstance(body, dict) and body
    for key, messages in body.items():
        assert isinstance(key, str)
        assert isinstance(messages, list) and all(isinstance(m, str) for m in messages), body


BAM_CODES = {"q1": 2, "q8": 1, "q9": 3, "q12": 2, "q14": 4, "q15": 1, "q17": 3}
BAM_DAYS = {
    "q2": 2,  # 1-3 -> 1
    "q3": 10,  # 9-15 -> 3
    "q4": 0,
    "q5": 0,
    "q6": 5,  # 4-8 -> 2
    "7e": 5,  # 4-8 -> 2, in no subscale
    "q10": 16,  # 16-30 -> 4
    "q11": 3,  # 1-3 -> 1
    "q13": 20,
    "q16": 30,
}


def test_bam_day_counts_are_accepted_and_coded(api, url, plan):
    response = post(api, url, {"instrument": "bam", "answers": BAM_CODES, "days": BAM_DAYS})
    assert response.status_code == 201, response.json()
    data = response.json()
    # Use 0+0+2; risk 2+1+3+1+1+1; protective 3+4+2+4+4+4.
    assert data["subscales"] == {"use": 2, "risk": 9, "protective": 21}
    assert data["day_counts"] == BAM_DAYS
    stored = Assessment.objects.get()
    assert (stored.answers["q3"], stored.answers["7e"], stored.answers["q16"]) == (3, 2, 4)
    assert stored.day_counts["q3"] == 10


@pytest.mark.parametrize("bad", [31, -1, "ten", 2.5, True])
def test_a_day_count_outside_0_to_30_is_refused(api, url, bad):
    response = post(
        api, url, {"instrument": "bam", "answers": BAM_CODES, "days": {**BAM_DAYS, "q4": bad}}
    )
    assert response.status_code == 400
    assert response.json() == {"q4": ["Enter a whole number of days from 0 to 30."]}
    assert not Assessment.objects.exists()


def test_days_for_an_item_that_is_not_a_day_count_name_the_ones_that_are(api, url):
    codes = {k: v for k, v in BAM_CODES.items() if k != "q8"}
    response = post(
        api, url, {"instrument": "bam", "answers": codes, "days": {**BAM_DAYS, "q8": 3}}
    )
    assert response.status_code == 400
    (message,) = response.json()["q8"]
    assert message.startswith("Not a day-count item of the BAM; day counts are accepted for q2,")
    assert "q16" in message and "7a" in message
    assert not Assessment.objects.exists()


def test_an_item_given_both_as_code_and_as_days_is_refused(api, url):
    response = post(
        api, url, {"instrument": "bam", "answers": {**BAM_CODES, "q4": 1}, "days": BAM_DAYS}
    )
    assert response.status_code == 400
    assert response.json() == {
        "q4": ["Give this item either as an answer code or as days, not both."]
    }


def test_item_errors_list_the_allowed_answers(api, url):
    answers = {f"q{n}": 1 for n in range(1, 8)} | {"q1": 9, "q9": 1}
    del answers["q3"]
    response = post(api, url, {"instrument": "gad7", "answers": answers})
    assert response.status_code == 400
    body = response.json()
    assert_one_shape(body)
    allowed = "0 (Not at all), 1 (Several days), 2 (More than half the days), 3 (Nearly every day)"
    assert body["q1"] == [f"Choose one of the answers: {allowed}."]
    assert body["q3"] == [f"Choose an answer: {allowed}."]
    assert body["q9"] == [
        "Not an item of the GAD-7; its items are q1, q2, q3, q4, q5, q6, q7, difficulty."
    ]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"instrument": "phq99", "answers": {}},
            {"instrument": ["Choose one of: phq9, gad7, auditc, bam."]},
        ),
        ({"answers": {}}, {"instrument": ["Choose one of: phq9, gad7, auditc, bam."]}),
        (
            {"instrument": "auditc", "answers": {"q1": 1, "q2": 1, "q3": 1}},
            {"sex": ["AUDIT-C is scored by sex: choose female or male."]},
        ),
        (
            {"instrument": "auditc", "sex": "x", "answers": {"q1": 1, "q2": 1, "q3": 1}},
            {
                "sex": [
                    "Choose female or male (the AUDIT-C is scored by sex), or leave it out for "
                    "other instruments."
                ]
            },
        ),
        (
            {"instrument": "gad7", "answers": {f"q{n}": 1.5 for n in range(1, 8)}},
            None,  # every item, each with the allowed answers
        ),
    ],
)
def test_every_error_has_one_shape_and_names_what_is_allowed(api, url, body, expected):
    response = post(api, url, body)
    assert response.status_code == 400
    assert_one_shape(response.json())
    if expected is not None:
        assert response.json() == expected
    else:
        assert set(response.json()) == {f"q{n}" for n in range(1, 8)}
        assert all("0 (Not at all)" in m[0] for m in response.json().values())
    assert not Assessment.objects.exists()


def test_the_schema_documents_item_keys_codes_and_days(client, in_org):
    schema = client.get(reverse("api_schema"), {"format": "json"}).json()
    (path,) = [p for p in schema["paths"] if p.endswith("/assessments/")]
    post_op = schema["paths"][path]["post"]
    text = post_op["description"]
    assert "**PHQ-9** (`phq9`)" in text
    assert "`q9` (item 9, required): 0 (Not at all), 1 (Several days)" in text
    assert "`difficulty` (item 10, optional, not scored)" in text
    assert "`q14` (item 14, required): 0 (No), 4 (Yes)" in text
    assert "may instead be sent in `days` as a number of days from 0 to 30" in text
    assert "Errors (400) have one shape" in text
    body = post_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "days" in schema["components"]["schemas"][body]["properties"]
