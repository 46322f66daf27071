"""The spine's cohort_figures registry: lines' figures in position order, a line with
nothing to count left out, and the engaged filter applied lazily."""

from continuum.care import cohorts
from continuum.care.models import CareEpisode, Phase
from tests.care.factories import EpisodeFactory


def _figures(label):
    def figures(*, episodes, today):
        return [cohorts.Figure(label, label, denominator=episodes.count(), numerator=1)]

    return figures


def test_figures_come_in_position_order_and_lines_without_any_are_left_out(in_org):
    EpisodeFactory.create_batch(3, client__organization=in_org, phase=Phase.AFTERCARE)
    second = cohorts.CohortLine("b", "Second", figures=_figures("b"), position=20)
    first = cohorts.CohortLine("a", "First", figures=_figures("a"), position=10)
    silent = cohorts.CohortLine("c", "Filter only", engaged=lambda *, episodes: episodes)
    with cohorts.LINES.only(second, first, silent):
        found = cohorts.figures_for(episodes=CareEpisode.objects.all(), today=None)
        assert [(line.key, [f.denominator for f in figs]) for line, figs in found] == [
            ("a", [3]),
            ("b", [3]),
        ]
        assert [line.key for line in cohorts.engaged_lines()] == ["c"]


def test_narrowing_to_a_line_keeps_only_the_episodes_it_names(in_org):
    kept, _other = EpisodeFactory.create_batch(
        2, client__organization=in_org, phase=Phase.AFTERCARE
    )
    line = cohorts.CohortLine("x", "X", engaged=lambda *, episodes: episodes.filter(pk=kept.pk))
    with cohorts.LINES.only(line):
        narrowed = cohorts.narrow(CareEpisode.objects.all(), line_key="x")
        assert list(narrowed) == [kept]
