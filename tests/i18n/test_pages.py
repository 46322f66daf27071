"""Every page under the `public` and `portal` URL namespaces, fetched with Spanish chosen,
comes in Spanish: `<html lang="es">` and a sentence of the page in Spanish. A new page in
either namespace fails `test_every_family_and_client_page_is_listed` until it is added
here with what it says in Spanish."""

import json

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django_scopes import scope

from continuum.notifications.models import CalendarFeed
from continuum.tenancy.models import Role
from tests.consent.factories import ConsentFactory
from tests.isolation.objects import URL_OBJECTS
from tests.notifications.factories import calendar_feed_with_token

CLIENT, FAMILY = Role.CLIENT, Role.FAMILY_MEMBER


def _portal_routes() -> list[str]:
    names = []
    for top in get_resolver().url_patterns:
        if isinstance(top, URLResolver) and top.namespace in ("public", "portal"):
            names += [f"{top.namespace}:{pattern.name}" for pattern in top.url_patterns]
    return names


def _signed_consent(world, org) -> str:
    return str(ConsentFactory(client=world.client_record).public_id)


def _own(attribute):
    return lambda world, org: str(getattr(world, attribute).public_id)


def _own_questionnaire(world, org) -> str:
    from tests.casemanagement.factories import QuestionnaireAssignmentFactory

    return str(QuestionnaireAssignmentFactory(client=world.client_record).public_id)


def _own_thread(world, org) -> str:
    from tests.messaging.factories import ParticipantFactory, ThreadFactory

    client = world.client_record
    thread = ThreadFactory(client=client, organization=org, created_by=client.portal_user)
    ParticipantFactory(thread=thread, organization=org, user=client.portal_user, side="counterpart")
    return str(thread.public_id)


def _own_meeting(world, org) -> str:
    from tests.interventions.factories import SessionFactory

    return str(SessionFactory(intervention=world.intervention).public_id)


def _own_follow_up(world, org) -> str:
    from continuum.care.models import CareEpisode
    from tests.outcomes.factories import FollowUpFactory

    episode = CareEpisode.objects.get(client=world.client_record)
    return str(FollowUpFactory(episode=episode).public_id)


def _as_alumnus(world, org) -> None:
    """Not a URL keyword: moves the client on to the alumni phase, whose pages these are."""
    from continuum.care.models import CareEpisode, Phase

    CareEpisode.objects.filter(client=world.client_record).update(phase=Phase.ALUMNI)


def _own_help_request(world, org) -> str:
    from tests.alumni.factories import HelpRequestFactory

    return str(HelpRequestFactory(client=world.client_record, organization=org).public_id)


ALUMNUS = {"_alumnus": _as_alumnus}

# name: (who, URL keywords, method and form data, what the Spanish page says).
# Keywords starting with "_" prepare the world and are no part of the URL.
# `who` None is an anonymous visitor. Keywords are taken from the world where the object
# must be the visitor's own, else from the isolation matrix's factories.
PAGES = {
    "public:landing": (None, {}, "get", "Pedir ayuda para alguien"),
    "public:invitation_accept": (None, {"token": None}, "get", "Aceptar la invitación"),
    "public:find": (None, {}, "get", "Encuentre ayuda cerca de usted"),
    "public:listing_public": (
        None,
        {"listing_id": _own("listing")},
        "get",
        "Pídanos que le pongamos en contacto",
    ),
    "public:referral_respond": (None, {"response_token": None}, "get", "Enviar respuesta"),
    "public:listing_capacity": (
        None,
        {"capacity_token": None},
        "get",
        "¿Está recibiendo clientes nuevos?",
    ),
    "public:intervention_help": (None, {}, "get", "Enviar mi solicitud"),
    "public:intervention_help_thanks": (None, {}, "get", "Ir a su página familiar"),
    "portal:home": (CLIENT, {}, "get", "Este es su espacio privado"),
    "portal:consent_list": (CLIENT, {}, "get", "Dar un nuevo consentimiento"),
    "portal:consent_new": (CLIENT, {}, "get", "Revisar y firmar"),
    "portal:consent_detail": (
        CLIENT,
        {"consent_id": _own("consent")},
        "get",
        "Escriba su nombre completo para firmar",
    ),
    "portal:consent_revoke": (
        CLIENT,
        {"consent_id": lambda world, org: _signed_consent(world, org)},
        ("post", {}),
        "El consentimiento quedó revocado. Ya no se compartirá nada con base en él.",
    ),
    "portal:disclosure_list": (CLIENT, {}, "get", "Lo que se ha compartido"),
    "portal:notification_inbox": (FAMILY, {}, "get", "1 notificación sin leer."),
    "portal:notification_read_all": (
        FAMILY,
        {},
        ("post", {}),
        "1 notificación marcada como leída.",
    ),
    "portal:notification_read": (
        FAMILY,
        {"notification_id": _own("family_notification")},
        ("post", {}),
        "No tiene notificaciones sin leer.",
    ),
    "portal:notification_preferences": (FAMILY, {}, "get", "Guardar preferencias"),
    "portal:calendar_link": (CLIENT, {}, "get", "Crear un enlace de calendario"),
    "portal:calendar_link_rotate": (
        CLIENT,
        {},
        ("post", {}),
        "Su nuevo enlace de calendario",
    ),
    "portal:calendar_link_revoke": (
        CLIENT,
        {},
        ("post", {}),
        "No tiene un enlace de calendario.",
    ),
    "portal:language": (
        FAMILY,
        {},
        ("post", {"language": "es", "next": "/harbor/portal/"}),
        "Hola,",
    ),
    "portal:my_care": (CLIENT, {}, "get", "Su equipo de atención"),
    "portal:referrals": (FAMILY, {}, "get", "Sus solicitudes de derivación"),
    "portal:coaching_home": (CLIENT, {}, "get", "Necesito ayuda ahora"),
    "portal:coaching_checkin": (
        CLIENT,
        {},
        ("post", {"sober": "yes", "craving": "2", "mood": "4", "sleep": "good"}),
        "Registro guardado. Gracias, nos vemos mañana.",
    ),
    "portal:coaching_plan": (CLIENT, {}, "get", "Mi plan de prevención de recaídas"),
    "portal:coaching_help": (CLIENT, {}, "get", "Avisar a mi coach ahora"),
    "portal:coaching_event_new": (CLIENT, {}, "get", "Un día difícil que se acerca"),
    # One intervention: the list goes straight to it.
    "portal:interventions": (FAMILY, {}, "get", "Su intervencionista es"),
    "portal:intervention_family": (
        FAMILY,
        {"intervention_id": _own("intervention")},
        "get",
        "¿Cómo está usted?",
    ),
    "portal:intervention_letter": (
        FAMILY,
        {"intervention_id": _own("intervention")},
        "get",
        "Guardar borrador",
    ),
    "portal:intervention_answer": (
        FAMILY,
        {"intervention_id": _own("intervention")},
        "get",
        "Enviar mi respuesta",
    ),
    "portal:intervention_meeting_answer": (
        FAMILY,
        {"intervention_id": _own("intervention"), "session_id": _own_meeting},
        "get",
        "Volver a su página",
    ),
    "portal:family_checkin": (FAMILY, {}, "get", "¿Cómo está su ánimo hoy?"),
    "portal:casemgmt_portal_plan": (CLIENT, {}, "get", "Ya leí mi plan"),
    "portal:casemgmt_portal_plan_acknowledge": (
        CLIENT,
        {},
        ("post", {}),
        "Gracias: su gestor de casos puede ver que usted leyó su plan.",
    ),
    "portal:casemgmt_portal_appointments": (CLIENT, {}, "get", "Mis citas"),
    "portal:casemgmt_portal_medications": (CLIENT, {}, "get", "Informar sobre esta semana"),
    "portal:casemgmt_portal_assessment": (
        CLIENT,
        {"cm_instrument": lambda world, org: "phq9"},
        "get",
        # The items keep their validated wording; the page says why, in Spanish.
        "Las preguntas aparecen con la redacción con la que se validó",
    ),
    "portal:casemgmt_portal_questionnaire": (
        CLIENT,
        {"cm_questionnaire_id": _own_questionnaire},
        "get",
        "Su equipo de atención le pidió responderlo a más tardar el",
    ),
    "portal:messaging_inbox": (CLIENT, {}, "get", "Escribir a su equipo"),
    "portal:outcomes_portal_answer": (
        CLIENT,
        {"follow_up_id": _own_follow_up},
        "get",
        "Cada pregunta necesita una respuesta (marcada con *).",
    ),
    "portal:outcomes_portal_agreement": (
        CLIENT,
        {},
        "get",
        "Contacto de seguimiento después del tratamiento",
    ),
    # The link's client reads English; the visitor chose Spanish with the switcher.
    "public:outcomes_survey": (
        None,
        {"follow_up_token": None},
        "get",
        "Cada pregunta necesita una respuesta (marcada con *).",
    ),
    "portal:alumni_profile": (CLIENT, ALUMNUS, "get", "Su fecha de sobriedad y sus mensajes"),
    "portal:alumni_events": (CLIENT, ALUMNUS, "get", "Aún no hay eventos previstos"),
    "portal:alumni_rsvp": (
        CLIENT,
        {**ALUMNUS, "event_id": None},
        "get",
        "¿Asistirá?",
    ),
    "portal:alumni_checkin": (CLIENT, ALUMNUS, "get", "¿Sigue sobrio desde su fecha de sobriedad?"),
    "portal:alumni_help": (CLIENT, ALUMNUS, "get", "Lo estoy pasando mal ahora"),
    "portal:alumni_help_next": (
        CLIENT,
        {"help_request_id": _own_help_request},
        "get",
        "Qué pasa ahora",
    ),
    "portal:messaging_start": (
        CLIENT,
        {"client_id": _own("client_record")},
        "get",
        "Abrir la conversación",
    ),
    "portal:messaging_thread": (
        CLIENT,
        {"thread_id": _own_thread},
        "get",
        "Todavía no hay mensajes. Escriba el primero abajo.",
    ),
}

# Not pages: answered in a format without a language of its own, checked below.
NOT_PAGES = {
    "public:find_api": "JSON; its messages are checked in Spanish below",
    "public:calendar_feed_ics": "an iCalendar feed for calendar apps",
    "portal:notification_badge": "an unread count fragment, checked in Spanish below",
    "portal:messaging_badge": "an unread count fragment, the same words as the inbox's",
}


def test_every_family_and_client_page_is_listed():
    missing = set(_portal_routes()) - set(PAGES) - set(NOT_PAGES)
    assert not missing, f"say what these pages show in Spanish: {sorted(missing)}"


def _url(name, keywords, world, org):
    kwargs = {"org": org.slug}
    with scope(organization=org.pk):
        for key, build in keywords.items():
            kwargs[key] = build(world, org) if build else URL_OBJECTS[key](org)
    return reverse(name, kwargs={k: v for k, v in kwargs.items() if not k.startswith("_")})


@pytest.mark.parametrize("name", sorted(PAGES), ids=str)
def test_page_comes_in_spanish(spanish, org, members, world, name):
    who, keywords, method, text = PAGES[name]
    if who is not None:
        spanish.force_login(members[who])
    url = _url(name, keywords, world, org)
    if method == "get":
        response = spanish.get(url, follow=True)
    else:
        response = spanish.post(url, method[1], follow=True)
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert text in body, f"{name}: '{text}' not on the page"


def test_directory_search_api_answers_in_spanish(spanish, org):
    url = reverse("public:find_api", kwargs={"org": org.slug})
    assert spanish.get(url).json()["detail"] == "Indique un código postal u otro criterio."
    refused = spanish.get(url, {"zip_code": "1"})
    assert refused.status_code == 400
    assert json.loads(refused.content)["errors"]["zip_code"][0]["message"] == (
        "Escriba un código postal de EE. UU. de 5 dígitos, por ejemplo 33139."
    )


def test_unread_badge_reads_in_spanish(spanish, org, members, world):
    spanish.force_login(members[FAMILY])
    response = spanish.get(reverse("portal:notification_badge", kwargs={"org": org.slug}))
    assert response.content.decode() == '1<span class="visually-hidden"> sin leer</span>'


def test_calendar_feed_is_not_a_page(client, org, members, world):
    """The feed is for calendar apps; what it carries is the organization's own data."""
    token = calendar_feed_with_token(org, members[CLIENT])
    url = reverse("public:calendar_feed_ics", kwargs={"org": org.slug, "feed_token": token})
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    with scope(organization=org.pk):
        assert CalendarFeed.objects.filter(user=members[CLIENT]).exists()


def test_the_same_pages_stay_english_without_a_choice(client, org, members, world):
    client.force_login(members[CLIENT])
    body = client.get(reverse("portal:coaching_home", kwargs={"org": org.slug})).content.decode()
    assert '<html lang="en">' in body and "I need help now" in body


def test_preference_errors_come_in_spanish(spanish, org, members, world):
    spanish.force_login(members[FAMILY])
    url = reverse("portal:notification_preferences", kwargs={"org": org.slug})
    response = spanish.post(url, {"kind_general": ["sms"], "sms_number": ""})
    assert response.status_code == 400
    assert "Agregue un número de celular para recibir mensajes de texto." in (
        response.content.decode()
    )
