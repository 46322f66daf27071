"""Trend charts: points at their dates, labelled bands, thresholds, item-9 marks, SVG
numbers that no locale rewrites; and the full assessment history."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from casemanagement import charts, instruments
from casemanagement.models import Assessment
from casemanagement.selectors import assessment_trends
from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory
from tests.queries import assert_queries

JAN_1 = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)


def _assessment(client, user, when, instrument=instruments.PHQ9, **values):
    values.setdefault("total", 5)
    return Assessment.objects.create(
        organization=client.organization,
        client=client,
        instrument=instrument,
        answers={},
        source="staff",
        completed_at=when,
        entered_by=user,
        **values,
    )


def _chart(assessments, series="total"):
    trends = assessment_trends(assessments=assessments)
    return next(charts.trend_chart(t) for t in trends if t.series == series)


def _render(chart):
    return render_to_string(
        "casemanagement/_chart.html", {"chart": chart, "forloop": {"counter": 1}}
    )


def test_points_sit_at_their_dates(in_org, client_rec, members):
    user = members[Role.CASE_MANAGER]
    rows = [
        _assessment(client_rec, user, JAN_1, total=3),
        _assessment(client_rec, user, JAN_1 + timedelta(days=1), total=9),
        _assessment(
            client_rec, user, JAN_1 + timedelta(days=31), total=21, flags=["item9_positive"]
        ),
    ]
    chart = _chart(rows)
    plot = 400 - charts.LEFT - charts.RIGHT  # 270 wide, over 31 days
    # Jan 1 at the left edge, Jan 2 one 31st in, Feb 1 at the right edge: by date, not by
    # position in the list (evenly spaced would put Jan 2 in the middle).
    assert [p["x"] for p in chart["points"]] == [
        f"{charts.LEFT:.1f}",
        f"{charts.LEFT + plot / 31:.1f}",
        f"{charts.LEFT + plot:.1f}",
    ]
    assert [t["day"].isoformat() for t in chart["ticks"]][0::4] == ["2026-01-01", "2026-02-01"]
    svg = _render(chart)
    assert ">Jan 1</text>" in svg and ">Feb 1</text>" in svg


def test_severity_bands_are_labelled_and_item9_positives_marked(in_org, client_rec, members):
    user = members[Role.CASE_MANAGER]
    rows = [
        _assessment(client_rec, user, JAN_1, total=4),
        _assessment(
            client_rec, user, JAN_1 + timedelta(days=7), total=12, flags=["item9_positive"]
        ),
    ]
    svg = _render(_chart(rows))
    for label in (
        "Minimal 0-4",
        "Mild 5-9",
        "Moderate 10-14",
        "Moderately severe 15-19",
        "Severe 20-27",
    ):
        assert f">{label}</text>" in svg
    assert svg.count('class="item9"') == 1
    assert "Jan 8 12 (item 9 above 0)" in svg
    assert "Red squares: item 9" in svg


def test_bam_and_auditc_charts_draw_their_thresholds(in_org, client_rec, members):
    user = members[Role.CASE_MANAGER]
    bam = [
        _assessment(
            client_rec,
            user,
            JAN_1,
            instrument=instruments.BAM,
            total=None,
            subscales={"use": 2, "risk": 13, "protective": 10},
        )
    ]
    expected = {
        "use": "1 or more: clinically significant",
        "risk": "12 or more: high",
        "protective": "12 or below: low",
    }
    for series, label in expected.items():
        svg = _render(_chart(bam, series))
        assert svg.count('class="threshold"') == 1
        assert f">{label}</text>" in svg
    auditc = [
        _assessment(client_rec, user, JAN_1, instrument=instruments.AUDITC, total=3, sex="female")
    ]
    svg = _render(_chart(auditc))
    assert ">3+ positive (women)</text>" in svg
    # Risk 12 on a 0-24 scale sits halfway up the plot.
    (line,) = _chart(bam, "risk")["thresholds"]
    assert line["y"] == f"{charts.TOP + (180 - charts.TOP - charts.BOTTOM) / 2:.1f}"


COORDINATE = re.compile(r'\b(?:x|y|cx|cy|x1|x2|y1|y2|width|height)="([^"]*)"|points="([^"]*)"')


def test_svg_numbers_are_not_localized_in_spanish(in_org, client_rec, members):
    user = members[Role.CASE_MANAGER]
    rows = [_assessment(client_rec, user, JAN_1 + timedelta(days=n * 3), total=n) for n in range(7)]
    chart = _chart(rows)
    with translation.override("es"):
        svg = _render(chart)
    values = [a for a, _ in COORDINATE.findall(svg) if a]
    assert any("." in v for v in values)  # there are decimals to get wrong
    assert [v for v in values if "," in v] == []
    polyline = re.search(r'points="([^"]*)"', svg).group(1)
    assert all(re.fullmatch(r"\d+\.\d,\d+\.\d", pair) for pair in polyline.split())


# --- the full history ------------------------------------------------------------------


@pytest.fixture
def cm_client(client, members):
    client.force_login(members[Role.CASE_MANAGER])
    return client


def history_url(org, client):
    return reverse(
        "staff:casemgmt_assessment_history", kwargs={"org": org.slug, "client_id": client.public_id}
    )


def test_the_full_history_is_reachable_beyond_the_latest_60(cm_client, in_org, client_rec, members):
    user = members[Role.CASE_MANAGER]
    for n in range(70):
        _assessment(client_rec, user, JAN_1 + timedelta(days=n), total=n % 20)
    case = cm_client.get(
        reverse(
            "staff:casemgmt_client", kwargs={"org": in_org.slug, "client_id": client_rec.public_id}
        )
    ).content.decode()
    assert case.count('<circle cx="') == 60
    assert history_url(in_org, client_rec) in case
    history = cm_client.get(history_url(in_org, client_rec))
    assert history.status_code == 200
    page = history.content.decode()
    assert page.count('<circle cx="') == 70
    assert "70 assessments, newest first." in page
    assert "Jan 1, 2026" in page


def test_history_queries_are_fixed_and_do_not_grow(cm_client, in_org, client_rec, members):
    user = members[Role.CASE_MANAGER]
    _assessment(client_rec, user, JAN_1)
    # session, membership with organization and user; the client (visibility), its
    # assessments, the audit insert; the organization switcher's count.
    with assert_queries(6, label="one assessment"):
        assert cm_client.get(history_url(in_org, client_rec)).status_code == 200
    for n in range(1, 12):
        _assessment(client_rec, user, JAN_1 + timedelta(days=n))
    with assert_queries(6, label="twelve assessments"):
        assert cm_client.get(history_url(in_org, client_rec)).status_code == 200


def test_history_of_a_client_not_on_the_care_team_is_404(cm_client, in_org):
    assert cm_client.get(history_url(in_org, ClientFactory(organization=in_org))).status_code == 404


def test_history_for_another_organizations_member_is_404(client, in_org, outsider, client_rec):
    client.force_login(outsider)
    assert client.get(history_url(in_org, client_rec)).status_code == 404


def test_history_for_an_anonymous_visitor_asks_to_log_in(client, in_org, client_rec):
    response = client.get(history_url(in_org, client_rec))
    assert response.status_code == 302 and "login" in response["Location"]


def test_history_for_a_role_without_case_management_is_refused(client, in_org, members, client_rec):
    client.force_login(members[Role.INTERVENTIONIST])
    assert client.get(history_url(in_org, client_rec)).status_code == 403
