"""The extension contract: one registry type, filled by each app's extensions.py."""

from dataclasses import dataclass
from importlib import import_module

import pytest
from django.apps import apps

from continuum.extensions import REGISTRIES, Registry
from continuum.fhir.resources import resource_types
from continuum.tenancy import areas
from continuum.tenancy.navigation import NAVIGATION

# Each line and the staff page its menu entry opens.
LINES = {
    "interventions": "staff:intervention_requests",
    "coaching": "staff:coaching_dashboard",
    "casemanagement": "staff:casemgmt_dashboard",
    "referrals": "staff:directory_search",
}


@dataclass(frozen=True)
class Entry:
    name: str
    label: str


def test_a_second_entry_under_a_taken_name_is_refused_and_the_same_one_is_a_no_op():
    registry = Registry("test_contract", key="name", holds="entries for this test")
    try:
        first = registry.register(Entry("a", "A"))
        registry.register(Entry("a", "A"))
        with pytest.raises(ValueError, match="'a' is already registered"):
            registry.register(Entry("a", "Another"))
        assert list(registry.values()) == [first]
        registry.register(Entry("a", "Another"), replace=True)
        assert registry["a"].label == "Another"
    finally:
        del REGISTRIES["test_contract"]


def test_only_holds_the_given_entries_for_the_block_and_restores_the_rest():
    registry = Registry("test_only", holds="providers for this test")
    try:
        registry.register_all(len, str)
        with registry.only(repr):
            assert list(registry) == [repr]
        assert list(registry) == [len, str]
    finally:
        del REGISTRIES["test_only"]


@pytest.mark.parametrize(("line", "menu_page"), LINES.items())
def test_every_line_adds_its_urls_and_menu_through_its_extensions_module(line, menu_page):
    extensions = import_module(f"{line}.extensions")
    assert apps.get_app_config(line).name == line
    assert f"{line}.urls" in areas.URL_MODULES
    assert NAVIGATION[("staff", menu_page)].url_name == menu_page
    assert extensions.__file__.endswith(f"{line}/extensions.py")


def test_the_lines_fill_the_fhir_core_in_the_order_the_api_has_always_served():
    served = "Patient EpisodeOfCare CarePlan Appointment Consent ServiceRequest"
    assert " ".join(resource_types()) == served


def test_every_registry_is_filled():
    empty = {name for name, registry in REGISTRIES.items() if not len(registry)}
    assert empty == set()
