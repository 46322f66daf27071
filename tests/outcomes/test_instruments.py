"""BARC-10 scoring against answer sets totalled by hand."""

import pytest

from outcomes import instruments


def _answers(*values):
    return {f"q{n}": v for n, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    ("values", "total"),
    [
        # Every item at the bottom and the top of the scale: the published range.
        ((1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 10),
        ((6, 6, 6, 6, 6, 6, 6, 6, 6, 6), 60),
        # 6+5+4+3+2+1+2+3+4+5 = 35
        ((6, 5, 4, 3, 2, 1, 2, 3, 4, 5), 35),
        # 5+5+4+4+6+3+5+6+4+5 = 47
        ((5, 5, 4, 4, 6, 3, 5, 6, 4, 5), 47),
        # Answers as a form posts them (strings): 2+3+2+1+2+2+3+4+2+3 = 24
        (("2", "3", "2", "1", "2", "2", "3", "4", "2", "3"), 24),
    ],
)
def test_the_total_is_the_sum_of_the_ten_items(values, total):
    result = instruments.score_barc10(_answers(*values))
    assert result.total == total
    assert result.answers == {f"q{n}": int(v) for n, v in enumerate(values, start=1)}


def test_every_item_is_required_and_the_message_names_the_answers():
    answers = _answers(4, 4, 4, 4, 4, 4, 4, 4, 4)  # q10 left out
    with pytest.raises(instruments.AnswerError) as caught:
        instruments.score_barc10(answers)
    assert set(caught.value.errors) == {"q10"}
    assert "1 (Strongly disagree)" in caught.value.errors["q10"]
    assert "6 (Strongly agree)" in caught.value.errors["q10"]


@pytest.mark.parametrize("bad", [0, 7, "x", 4.0, True, -1])
def test_an_answer_off_the_scale_is_refused(bad):
    with pytest.raises(instruments.AnswerError) as caught:
        instruments.score_barc10(_answers(4, 4, 4, 4, bad, 4, 4, 4, 4, 4))
    assert set(caught.value.errors) == {"q5"}


def test_an_unknown_item_is_refused():
    with pytest.raises(instruments.AnswerError) as caught:
        instruments.score_barc10({**_answers(*[4] * 10), "q11": 4})
    assert "q11" in caught.value.errors


def test_the_items_are_the_published_wording_in_order():
    texts = [str(item.text) for item in instruments.BARC10_INSTRUMENT.items]
    assert len(texts) == 10
    assert texts[0] == "There are more important things to me in life than using substances."
    assert texts[5] == (
        "I regard my life as challenging and fulfilling without the need for using drugs "
        "or alcohol."
    )
    assert texts[9] == "I am making good progress on my recovery journey."
    assert [c.value for c in instruments.AGREEMENT] == [1, 2, 3, 4, 5, 6]
