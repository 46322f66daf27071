"""`continuum.packages.reexport`: what a services package offers at its top."""

import importlib
import sys

import pytest

# Every name the services packages offered when each listed its names by hand.
OFFERED_BEFORE = {
    "casemanagement.services": {
        "CARE_FIRST_CONTACT", "FIRST_CONTACT_WITHIN", "GAP_TASK_KIND",
        "MISSED_RESCHEDULE_WITHIN", "REASSESS_EVERY", "REFILL_REMINDER_AHEAD",
        "REMINDER_BEFORE", "REVIEW_TASK_AHEAD", "SAFETY_ITEM9", "adherence_report",
        "aftercare_start", "appointment_reschedule", "appointment_schedule",
        "appointment_set_status", "assessment_record", "careplan_open", "contact_record",
        "gaps_recheck", "gaps_scan", "goal_add", "goal_set_status", "medication_add",
        "medication_fill_record", "plan_acknowledge", "plan_owner", "plan_review",
        "plan_review_task_ensure", "progress_note_add", "provider_add", "reminders_scan",
        "step_add", "step_set_status",
    },
    "coaching.services": {
        "ALERT_KIND", "CERTIFICATION_WARNING", "ENGAGEMENT_SETTINGS", "HIGH_RISK_DAY_KIND",
        "HIGH_RISK_SHORT_NOTICE", "REMINDER_KIND", "SAFETY_CAUSES", "SAFETY_KIND",
        "SCANNED_CAUSES", "AccompanimentKind", "Intensity", "alert_acknowledge",
        "alert_raise", "alert_resolve", "alerts_scan", "certification_add",
        "certifications_scan", "checkin_is_safety_event", "checkin_record",
        "coach_available", "coach_profile_save", "contact_log", "engagement_propose",
        "engagement_set_status", "engagement_update", "help_request",
        "high_risk_event_add", "is_safety_alert", "local_now", "meeting_record",
        "plan_save", "sobriety_test_record",
    },
    "interventions.services": {
        "CLOSE_REASONS", "FOLLOW_UP_AFTER", "INTAKE_FIELDS", "MERGE_WINDOW",
        "NOTE_MAX_LENGTH", "PLAN_FIELDS", "PUBLIC_ACTOR", "REMIND_BEFORE", "REQUEST_FIELDS",
        "TRANSPORT_FIELDS", "TREATMENT_FIELDS", "TRIAGE_TASK_SOURCE", "OutcomeForFamily",
        "agenda_set", "family_checkin_record", "intervention_intake_update",
        "intervention_plan_update", "intervention_resume_planning",
        "intervention_transport_update", "intervention_treatment_update", "letter_review",
        "letter_save", "meeting_answer", "outcome_disclose_to_participant", "outcome_record",
        "participant_add", "participant_invite_to_portal", "participant_remove",
        "participant_rsvp", "participant_set_order", "participant_update", "request_accept",
        "request_alert_overdue", "request_close", "request_record_contact", "request_refer",
        "request_submit", "response_plan_save", "session_record_attendance",
        "session_schedule",
    },
    "referrals.services": {
        "CAPACITY_LABEL", "CAPACITY_LINK_MAX_AGE", "CAPACITY_SALT", "CAPACITY_STATES",
        "IMPORT_FORMATS", "LINK_MAX_AGE", "LINK_SALT", "LISTING_FIELDS", "MAPPING_VALUES",
        "MAX_IMPORT_BYTES", "PROGRESS_BATCH", "PROVIDER_LABEL", "PROVIDER_TRANSITIONS",
        "ArrayToString", "LinkRefused", "Unaccent", "capacity_token",
        "directory_settings_update", "import_format", "import_job_create",
        "import_job_run", "listing_capacity_link", "listing_capacity_update",
        "listing_from_capacity_token", "listing_reclassify", "listing_refresh_search",
        "listing_save", "listing_verify", "referral_create", "referral_from_token",
        "referral_link_token", "referral_packet_information", "referral_provider_respond",
        "referral_request_family", "referral_scan_stale", "referral_send",
        "referral_set_status", "taxonomy_mapping_add", "taxonomy_mapping_delete",
    },
    "continuum.care.services": {
        "TRANSITION_DETAILS", "episode_open", "episode_transition", "handoff_enqueue",
        "handoff_execute", "handoff_rerun", "on_call_rota_save", "safety_escalations_run",
        "safety_event_acknowledge", "safety_event_escalate", "safety_event_raise",
        "safety_events_acknowledge_for", "task_create", "task_reassign", "task_set_status",
    },
}  # fmt: skip


@pytest.mark.parametrize("package_name", sorted(OFFERED_BEFORE))
def test_a_services_package_still_offers_every_name_it_offered(package_name):
    package = importlib.import_module(package_name)
    # New use cases add names; none offered before may disappear unnoticed.
    assert OFFERED_BEFORE[package_name] <= set(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_the_offered_name_is_the_entity_module_s_own_object():
    from casemanagement import services
    from casemanagement.services import appointment_schedule, appointments, gaps

    assert appointment_schedule is appointments.appointment_schedule
    assert services.GAP_TASK_KIND is gaps.GAP_TASK_KIND


@pytest.fixture
def make_package(tmp_path, monkeypatch):
    """Writes a throwaway package `pkg_<n>` of the given modules and imports it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made = []

    def make(name, modules, init="from continuum.packages import reexport\n"
             "__all__ = reexport(__name__)\n"):  # fmt: skip
        root = tmp_path / name
        root.mkdir()
        (root / "__init__.py").write_text(init)
        for module, source in modules.items():
            (root / f"{module}.py").write_text(source)
        made.append(name)
        return importlib.import_module(name)

    yield make
    for name in made:
        for loaded in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[loaded]


def test_only_what_a_public_module_defines_itself_is_offered(make_package):
    package = make_package(
        "pkg_offers",
        {
            "visits": (
                "from datetime import timedelta\n"
                "import logging\n"
                "logger = logging.getLogger(__name__)\n"
                "AHEAD = timedelta(days=1)\n"
                "_HIDDEN = 2\n"
                "class Visit: pass\n"
                "def visit_book(): return AHEAD\n"
                "def _helper(): pass\n"
            ),
            "_shared": "def shared_helper(): pass\n",
        },
    )
    assert package.__all__ == ["AHEAD", "Visit", "visit_book"]
    assert package.visit_book() == package.AHEAD
    assert not hasattr(package, "timedelta")
    assert not hasattr(package, "shared_helper")


def test_two_modules_defining_one_name_are_refused_naming_both(make_package):
    with pytest.raises(ImportError) as refused:
        make_package(
            "pkg_clash",
            {"alpha": "def note_add(): pass\n", "beta": "def note_add(): pass\n"},
        )
    assert "note_add is defined in both pkg_clash.alpha and pkg_clash.beta" in str(refused.value)


def test_a_package_still_offers_what_it_imports_and_lists_itself(make_package):
    package = make_package(
        "pkg_extra",
        {"visits": "def visit_book(): pass\n"},
        init=(
            "from datetime import timedelta\n"
            "from continuum.packages import reexport\n"
            '__all__ = ["timedelta", *reexport(__name__)]\n'
        ),
    )
    assert package.__all__ == ["timedelta", "visit_book"]
