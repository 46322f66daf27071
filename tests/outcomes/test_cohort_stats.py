"""The cohort page's arithmetic, pure: the intervals against values worked by hand, and
the small-cell rule with its complement."""

from datetime import date
from types import SimpleNamespace

import pytest

from outcomes import cohort
from outcomes.models import FollowUpStatus


def test_the_wilson_interval_matches_the_hand_computed_one():
    # 18 of 40: p = 0.45, z = 1.959964, z² = 3.841459, z²/n = 0.096036.
    # centre = (0.45 + 3.841459 / 80) / 1.096036 = 0.498018 / 1.096036 = 0.454380
    # half = 1.959964 · sqrt(0.45 · 0.55 / 40 + 3.841459 / 6400) / 1.096036
    #      = 1.959964 · sqrt(0.0061875 + 0.00060023) / 1.096036
    #      = 1.959964 · 0.0823877 / 1.096036 = 0.147328
    low, high = cohort.wilson(18, 40)
    assert low == pytest.approx(0.454380 - 0.147328, abs=1e-5)
    assert high == pytest.approx(0.454380 + 0.147328, abs=1e-5)
    # None of 28: the interval still reaches above 0 (0 to z²/(n + z²) = 0.1206).
    assert cohort.wilson(0, 28) == pytest.approx((0.0, 3.841459 / 31.841459), abs=1e-5)


def test_the_t_quantile_is_the_tabled_one_where_the_page_uses_it():
    # Student's t, 97.5th percentile: 2.228139 (10 df), 2.059539 (25), 2.022691 (39).
    assert cohort.t_quantile(10) == pytest.approx(2.228139, abs=1e-3)
    assert cohort.t_quantile(25) == pytest.approx(2.059539, abs=1e-4)
    assert cohort.t_quantile(39) == pytest.approx(2.022691, abs=1e-4)


def test_a_mean_and_a_median_with_their_intervals():
    # 11, 12, ..., 21: mean 16, sd sqrt(110 / 10) = 3.3166, se 1.0, t(10) 2.2281.
    mean, low, high = cohort.mean_interval(list(range(11, 22)))
    assert (mean, low, high) == pytest.approx((16, 16 - 2.2281, 16 + 2.2281), abs=1e-3)
    # 1..11: median 6; ranks round(5.5 - 3.25) = 2 and round(1 + 5.5 + 3.25) = 10.
    assert cohort.median_interval(list(range(1, 12))) == (6, 2, 10)


def test_cells_of_1_to_10_people_are_hidden_and_11_shown():
    ten, eleven = cohort.proportion(10, 40), cohort.proportion(11, 40)
    assert (ten.text, ten.interval_text) == ("fewer than 11", "fewer than 11")
    assert eleven.text == "28% (11/40)" and eleven.interval_text == "16% to 43%"
    # A small denominator hides the share whatever its numerator.
    assert cohort.proportion(0, 9).text == "fewer than 11"
    assert cohort.proportion(0, 40).text == "0% (0/40)"
    assert cohort.Cell(cohort.MEAN, 10, values=tuple(range(10))).text == "fewer than 11"


def test_a_hidden_part_of_a_shown_total_hides_its_complement():
    total = cohort.Cell(cohort.COUNT, 40)
    answered, unreached = cohort.proportion(33, 40), cohort.proportion(7, 40)
    cohort.protect_complement(total, [answered, unreached])
    # 33 shown beside 40 due would give back the hidden 7.
    assert answered.suppressed and answered.text == "fewer than 11"
    both_shown = [cohort.proportion(20, 40), cohort.proportion(20, 40)]
    cohort.protect_complement(total, both_shown)
    assert not any(p.suppressed for p in both_shown)


def _follow_up(episode_id, offset, use):
    return SimpleNamespace(
        pk=episode_id * 10 + offset,
        episode_id=episode_id,
        offset_days=offset,
        status=FollowUpStatus.COMPLETED,
        days_of_use={"alcohol": use},
        returned_to_treatment=False,
        emergency_care=False,
        housing="own",
        work_school="school",
        barc10_total=30,
    )


def test_every_share_of_the_reached_is_hidden_when_their_number_is():
    # 40 due, 32 answered: 8 not reached is hidden, so 32 is, and every share whose
    # denominator is the 32 (it would give the 32 back).
    episodes = [SimpleNamespace(pk=i, discharge_date=date(2026, 1, 1)) for i in range(40)]
    table = cohort.cohort_build(
        episodes=episodes,
        follow_ups=[_follow_up(i, 30, 0) for i in range(32)],
        offsets=[30],
        closes_after=14,
        today=date(2026, 6, 1),
        line_figures=[],
    )
    rows = {row.key: row for row in table.sections[0].rows}
    assert rows["unreached"].everyone.text == "fewer than 11"
    assert rows["responded"].everyone.text == "fewer than 11"
    assert rows["abstinent"].reached.text == "fewer than 11"
    assert rows["barc10"].reached.text == "fewer than 11"
    # Of all 40 due, the 32 with no use stay visible: 80%.
    assert rows["abstinent"].everyone.text == "80% (32/40)"


def test_the_default_is_the_latest_complete_quarter_and_periods_list_their_months():
    assert cohort.latest_complete_quarter(date(2026, 11, 20)).value == "2026-Q3"
    assert cohort.latest_complete_quarter(date(2026, 1, 5)).value == "2025-Q4"
    found = cohort.periods_from([date(2026, 8, 1), date(2026, 4, 1)], today=date(2026, 11, 20))
    assert [p.value for p in found] == ["2026-Q3", "2026-08", "2026-Q2", "2026-04"]
    assert found[0].start == date(2026, 7, 1) and found[0].end == date(2026, 9, 30)
