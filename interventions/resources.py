"""Family-support resources offered whatever the outcome. National programs that every
family can reach; the organization's own directory listings are added on the pages that
have them."""

from django.utils.translation import gettext_lazy as _

FAMILY_RESOURCES = [
    {
        "name": "Al-Anon Family Groups",
        "kind": _("Mutual-help meetings for families and friends of people who drink"),
        "url": "https://al-anon.org/",
    },
    {
        "name": "Nar-Anon Family Groups",
        "kind": _("Mutual-help meetings for families and friends of people who use drugs"),
        "url": "https://www.nar-anon.org/",
    },
    {
        "name": "SMART Recovery Family & Friends",
        "kind": _("CRAFT-based groups that teach skills to help a loved one"),
        "url": "https://smartrecovery.org/family-and-friends",
    },
    {
        "name": "SAMHSA National Helpline",
        "kind": _("Free, confidential treatment referral, 24/7: 1-800-662-4357"),
        "url": "https://www.samhsa.gov/find-help/national-helpline",
    },
    {
        "name": "988 Suicide & Crisis Lifeline",
        "kind": _("Call or text 988 in a crisis, for you or your loved one"),
        "url": "https://988lifeline.org/",
    },
]
