"""Scoring on known answer sets: every band boundary, AUDIT-C by sex, the BAM subscales
and day-count mapping, and the PHQ-9 item 9 safety rule."""

import pytest

from casemanagement import instruments as ins


def _answers(code, values, **extra):
    items = [i for i in ins.INSTRUMENTS[code].items if i.scored]
    return {item.key: value for item, value in zip(items, values, strict=True)} | extra


def _phq9_total(total, item9=0):
    """PHQ-9 answers adding up to `total`, with item 9 as given."""
    values = [0] * 9
    values[8] = item9
    remaining = total - item9
    for i in range(8):
        values[i] = min(3, remaining)
        remaining -= values[i]
    assert remaining == 0
    return _answers(ins.PHQ9, values)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (24, "severe"),
    ],
)
def test_phq9_band_boundaries(total, band):
    result = ins.score_phq9(_phq9_total(total))
    assert (result.total, result.band) == (total, band)
    assert result.urgent is False


def test_phq9_maximum_is_27_severe_and_urgent():
    result = ins.score_phq9(_answers(ins.PHQ9, [3] * 9))
    assert (result.total, result.band, result.urgent) == (27, "severe", True)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_zero_is_urgent_whatever_the_total(item9):
    result = ins.score_phq9(_phq9_total(item9, item9=item9))
    assert result.total == item9
    assert result.band == "minimal"
    assert result.urgent is True
    assert "item9_positive" in result.flags


def test_phq9_difficulty_question_is_stored_but_not_scored():
    answers = _phq9_total(5) | {"difficulty": 3}
    assert ins.score_phq9(answers).total == 5
    assert ins.validate_answers(ins.PHQ9, answers)["difficulty"] == 3


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ([0] * 7, 0, "minimal"),
        ([1, 1, 1, 1, 0, 0, 0], 4, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "mild"),
        ([3, 3, 3, 0, 0, 0, 0], 9, "mild"),
        ([3, 3, 3, 1, 0, 0, 0], 10, "moderate"),
        ([2, 2, 2, 2, 2, 2, 2], 14, "moderate"),
        ([3, 3, 3, 3, 3, 0, 0], 15, "severe"),
        ([3] * 7, 21, "severe"),
    ],
)
def test_gad7_band_boundaries(values, total, band):
    result = ins.score_gad7(_answers(ins.GAD7, values))
    assert (result.total, result.band) == (total, band)
    assert ("gad7_further_evaluation" in result.flags) is (total >= 10)


@pytest.mark.parametrize(
    ("values", "sex", "positive"),
    [
        ([1, 1, 1], "male", False),  # 3
        ([2, 1, 1], "male", True),  # 4
        ([1, 1, 0], "female", False),  # 2
        ([1, 1, 1], "female", True),  # 3
        ([0, 0, 0], "female", False),
        ([4, 4, 4], "male", True),  # 12
    ],
)
def test_auditc_positive_by_sex(values, sex, positive):
    result = ins.score_auditc(_answers(ins.AUDITC, values), sex=sex)
    assert result.total == sum(values)
    assert result.positive is positive


def test_auditc_needs_sex():
    with pytest.raises(ins.AnswerError) as exc:
        ins.score_auditc(_answers(ins.AUDITC, [1, 1, 1]), sex="")
    assert "sex" in exc.value.errors


@pytest.mark.parametrize(
    ("days", "score"),
    [(0, 0), (1, 1), (3, 1), (4, 2), (8, 2), (9, 3), (15, 3), (16, 4), (30, 4)],
)
def test_bam_day_count_mapping(days, score):
    assert ins.bam_days_score(days) == score


@pytest.mark.parametrize("days", [-1, 31, 2.5, True])
def test_bam_day_count_outside_0_to_30_is_refused(days):
    with pytest.raises(ValueError):
        ins.bam_days_score(days)


def _bam(**overrides):
    answers = {item.key: 0 for item in ins.INSTRUMENTS[ins.BAM].items if item.required}
    answers.update(overrides)
    return answers


def test_bam_has_17_numbered_items_with_7a_to_7g():
    numbers = [i.number for i in ins.INSTRUMENTS[ins.BAM].items]
    assert numbers == [
        "1", "2", "3", "4", "5", "6", "7A", "7B", "7C", "7D", "7E", "7F", "7G",
        "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
    ]  # fmt: skip


def test_bam_subscales_and_no_total():
    answers = _bam(
        q1=3, q2=2, q3=1, q8=4, q11=1, q15=1,  # risk 12
        q4=1, q5=0, q6=2,  # use 3
        q9=4, q10=4, q12=4, q13=4, q14=4, q16=4,  # protective 24
        q17=2, **{"7a": 4, "7e": 3},  # not in any subscale
    )  # fmt: skip
    result = ins.score_bam(answers)
    assert result.total is None
    assert result.subscales == {"use": 3, "risk": 12, "protective": 24}
    assert set(result.flags) == {"use_clinically_significant", "risk_high"}


def test_bam_subscale_thresholds():
    low = ins.score_bam(_bam(q1=4, q2=4, q3=3, q9=4, q10=4, q12=4))  # risk 11, prot 12
    assert low.subscales == {"use": 0, "risk": 11, "protective": 12}
    assert low.flags == ("protective_low",)
    high = ins.score_bam(_bam(q9=4, q10=4, q12=4, q13=1))  # protective 13
    assert "protective_low" not in high.flags
    assert "use_clinically_significant" not in high.flags


def test_bam_item14_income_is_no_0_or_yes_4():
    labels = {c.value: c.label for c in ins.INSTRUMENTS[ins.BAM].item("q14").choices}
    assert labels == {0: "No", 4: "Yes"}
    with pytest.raises(ins.AnswerError) as exc:
        ins.score_bam(_bam(q14=2))
    assert "q14" in exc.value.errors


def test_missing_and_unknown_answers_are_refused_item_by_item():
    answers = _answers(ins.GAD7, [1] * 7)
    del answers["q3"]
    answers["q9"] = 1
    answers["q1"] = 4
    with pytest.raises(ins.AnswerError) as exc:
        ins.score_gad7(answers)
    assert set(exc.value.errors) == {"q1", "q3", "q9"}


def test_published_wording_and_labels():
    phq9 = ins.INSTRUMENTS[ins.PHQ9]
    assert phq9.item("q9").text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert [c.label for c in phq9.item("q1").choices] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert ins.INSTRUMENTS[ins.GAD7].item("q1").text == "Feeling nervous, anxious or on edge"
    assert [c.label for c in ins.INSTRUMENTS[ins.AUDITC].item("q2").choices] == [
        "1 or 2",
        "3 or 4",
        "5 or 6",
        "7 to 9",
        "10 or more",
    ]
