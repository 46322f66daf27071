"""Bad input never gives a 500.

Every URL pattern (the resolver is walked, so a new URL is covered by itself) is
requested as each role: anonymous, family member, client, each staff role, org admin
and another organization's member. Path parameters are filled with real ids of the test
organization's objects and then, one at a time, with garbage. Every query and form
parameter a view reads (recorded while it answers a first request) is then sent each
value of the corpus: huge and negative numbers, NUL bytes, invalid UUIDs, over-long
strings, right-to-left marks and emoji. No answer may be 5xx, and no view may raise.

What it still proves, and the requests it no longer sends because they could not reach
anything the others do not:

- Every parameter a view reads meets every corpus value, all of them at once in one
  request per value (as a form validates them together).
- Each parameter also meets a huge number and an invalid UUID on its own, so a view that
  stops at the first bad parameter still meets the others -- unless, in the request that
  sent that value to every parameter, the parameter was read only by a form field (or a
  DRF serializer) and that field's own clean refused it. A field cleans its value
  whatever the others hold, so alone it is refused the same way, and the form around it
  then holds less than the empty first request already showed.
- Every path segment meets the path corpus, as does the organization slug on every URL.
  When the first GET is refused at the door (sign in, another organization, a role from
  another area: `continuum.tenancy.middleware`, which decides on the area, the
  organization and the role only), its POST is not sent, and garbage in the other path
  segments is sent for the first URL of each (area, refusal) only: beyond the door it
  meets nothing but the refusal's audit record, which stores the path alone.
- Requests go through the full test client and middleware stack, each in a savepoint
  rolled back after it; only the test runner's template instrumentation (the copies of
  every context kept for `response.context`) is off, as it is in production.

Runs in the default suite (not behind the `fuzz` marker): it is fast enough."""

import re
import sys
import traceback
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import QueryDict
from django.template.base import Template
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django_scopes import scope

from continuum.tenancy.models import Role
from tests.isolation.objects import URL_OBJECTS

HUGE = "99999999999999999999"
# Query and form values.
CORPUS = [
    HUGE,
    "-1",
    "a\x00b",
    "not-a-uuid",
    "x" * 3000,
    "\u202eevil\u202c \u05e9\u05dc\u05d5\u05dd \U0001f600\U0001f525",  # RTL and emoji
    "1e309",
]
# Path segments (fewer: most do not get past the URL converters).
PATH_CORPUS = [HUGE, "-1", "\x00", "not-a-uuid", "x" * 300, "\u202e\U0001f600"]
# Parameters worth trying on every page even if the first answer did not read them.
ALWAYS = ("page",)
# A first answer that refuses (log in, not yours, not your role, wrong method) before
# reading any parameter will refuse the garbage the same way.
REFUSED = {302, 401, 403, 404, 405}
# Read on every request by the frameworks (DRF's content negotiation, allauth's redirect).
FRAMEWORK_KEYS = {"format", "next"}
# Generated documents that read no user input but cost a second each: asked once.
FIRST_ONLY = {"api_schema"}

ROLES = ["anonymous", *sorted(Role.values), "outsider"]
# URLs that are not the application's to answer for bad input.
SKIPPED_NAMES = {"logout", "account_logout", "session_keep_alive"}


@dataclass(frozen=True)
class Pattern:
    parts: tuple
    name: str

    def __str__(self) -> str:
        return "".join(_template(part)[0] for part in self.parts)

    @property
    def keywords(self) -> list[str]:
        names: list[str] = []
        for part in self.parts:
            names += _template(part)[1]
        return names

    def build(self, values: dict[str, str]) -> str:
        path = "/" + str(self)
        for name, value in values.items():
            path = path.replace("{" + name + "}", quote(value, safe=""), 1)
        return path


def _template(part) -> tuple[str, list[str]]:
    """A pattern piece as text with `{name}` holes, and the names."""
    if isinstance(part, RoutePattern):
        text = str(part)
        names = list(part.converters)
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text), names
    assert isinstance(part, RegexPattern)
    text = str(part).lstrip("^").rstrip("$")
    names = list(part.regex.groupindex)
    for name in names:
        # Replace the group (balanced parentheses) by its hole.
        start = text.index(f"(?P<{name}>")
        depth, end = 0, start
        for end in range(start, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        text = text[:start] + "{" + name + "}" + text[end + 1 :]
    return text.replace("\\", ""), names


def _patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, (*prefix, entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name not in SKIPPED_NAMES:
                found.append(Pattern(parts=(*prefix, entry.pattern), name=entry.name or ""))

    walk(get_resolver().url_patterns, ())
    return found


PATTERNS = _patterns()

# --- recording the parameters a view reads ------------------------------------------------


class Reads:
    """What one request did with its parameters: every key looked up (`keys`), those looked
    up by the view's own code rather than by a form or serializer (`by_hand`), and those a
    form field turned away in its own clean (`rejected`). Keys are (source, name)."""

    def __init__(self):
        self.keys: set[tuple[str, str]] = set()
        self.by_hand: set[tuple[str, str]] = set()
        self.rejected: set[tuple[str, str]] = set()
        self.depth = 0
        # Whether the request got past the middleware to the URL's view.
        self.reached_view = False

    def clear(self):
        self.keys, self.by_hand, self.rejected = set(), set(), set()
        self.reached_view = False

    def of(self, source: str, which: set) -> set[str]:
        return {key for kind, key in which if kind == source}


READS = Reads()
# Lookups made by these packages go through a form's or serializer's fields, which clean
# every field whatever the others hold: nothing there stops at the first bad value.
_FIELD_CODE = ("/django/forms/", "/rest_framework/fields.py", "/rest_framework/serializers.py")


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes each key looked up, so the corpus reaches what views read."""

    def _looked_up(self, key, lookup, *args):
        # get() calls __getitem__: only the outermost lookup is the caller's.
        READS.depth += 1
        try:
            if READS.depth == 1:
                entry = (getattr(self, "_fuzz_source", "GET"), str(key))
                READS.keys.add(entry)
                caller = sys._getframe(2).f_code.co_filename
                if not any(part in caller for part in _FIELD_CODE):
                    READS.by_hand.add(entry)
            return lookup(key, *args)
        finally:
            READS.depth -= 1

    def get(self, key, default=None):
        return self._looked_up(key, super().get, default)

    def __getitem__(self, key):
        return self._looked_up(key, super().__getitem__)

    def getlist(self, key, default=None):
        return self._looked_up(key, super().getlist, default)

    def __contains__(self, key):
        return self._looked_up(key, super().__contains__)


def _recording(querydict, source):
    if type(querydict) is QueryDict:
        querydict.__class__ = RecordingQueryDict
        querydict._fuzz_source = source
    return querydict


@pytest.fixture
def recording_requests(monkeypatch):
    original_get = WSGIRequest.__dict__["GET"].func
    original_clean = forms.Field._clean_bound_field
    original_get_response = BaseHandler._get_response

    def get(self):
        if "_fuzz_get" not in self.__dict__:
            self.__dict__["_fuzz_get"] = _recording(original_get(self), "GET")
        return self.__dict__["_fuzz_get"]

    def set_get(self, value):
        self.__dict__["_fuzz_get"] = value

    def post(self):
        if not hasattr(self, "_post"):
            self._load_post_and_files()
        return _recording(self._post, "POST")

    def set_post(self, value):
        self._post = value

    def clean_bound_field(field, bound):
        try:
            return original_clean(field, bound)
        except ValidationError:
            source = getattr(bound.form.data, "_fuzz_source", None)
            if source is not None:
                READS.rejected.add((source, bound.html_name))
            raise

    def get_response(handler, request):
        READS.reached_view = True
        return original_get_response(handler, request)

    monkeypatch.setattr(BaseHandler, "_get_response", get_response)
    monkeypatch.setattr(WSGIRequest, "GET", property(get, set_get))
    monkeypatch.setattr(WSGIRequest, "POST", property(post, set_post))
    monkeypatch.setattr(forms.Field, "_clean_bound_field", clean_bound_field)
    # The test runner's template instrumentation copies every context for the test
    # client's `response.context`, which this test never reads: plain rendering, as served.
    monkeypatch.setattr(Template, "_render", lambda self, context: self.nodelist.render(context))
    yield


# --- the run -------------------------------------------------------------------------------


@pytest.fixture
def world(org, other_org, members, outsider):
    """Real ids for every URL keyword, made once in the test organization."""
    values = {"org": org.slug}
    keywords = {k for p in PATTERNS for k in p.keywords} - {"org"}
    with scope(organization=org.pk):
        for keyword in sorted(keywords & set(URL_OBJECTS)):
            values[keyword] = URL_OBJECTS[keyword](org)
    return values


def _user(role, members, outsider):
    if role == "anonymous":
        return None
    if role == "outsider":
        return outsider
    return members[role]


class Run:
    def __init__(self, client):
        self.client = client
        self.failures: list[str] = []
        self.requests = 0

    def send(self, method: str, url: str, data=None):
        READS.clear()
        self.requests += 1
        try:
            # Each request in a savepoint rolled back after it, so one request's writes
            # (or a failed statement) do not change the next one's world.
            with transaction.atomic():
                if method == "get":
                    response = self.client.get(url, data or None)
                else:
                    response = self.client.post(url, data or {})
                transaction.set_rollback(True)
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.failures.append(
                f"{method.upper()} {url[:200]!r} {data!r:.200}: {type(exc).__name__}: "
                f"{str(exc)[:200]} at {where.filename}:{where.lineno}"
            )
            return None
        if response.status_code >= 500:
            self.failures.append(
                f"{method.upper()} {url[:200]!r} {data!r:.200}: {response.status_code}"
            )
        return response


def _free_text(pattern: Pattern, name: str) -> bool:
    """Whether the keyword's converter lets arbitrary text through to the view (str,
    path, a regex group); a uuid, int or slug converter turns garbage away itself, so
    one garbage value is enough there."""
    for part in pattern.parts:
        if isinstance(part, RoutePattern) and name in part.converters:
            return type(part.converters[name]).__name__ in {"StringConverter", "PathConverter"}
    return True


def _fill(pattern: Pattern, world: dict) -> dict[str, str]:
    return {name: str(world.get(name, "x")) for name in pattern.keywords}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_bad_input_never_gives_a_server_error(role, world, members, outsider, recording_requests):
    client = Client()
    user = _user(role, members, outsider)
    if user is not None:
        client.force_login(user)
    run = Run(client)
    # (area, status) of the refusals made at the door whose path corpus has been sent.
    doors_walked: set[tuple[str, int]] = set()
    for pattern in PATTERNS:
        real = _fill(pattern, world)
        url = pattern.build(real)
        door = None
        for method in ("get", "post"):
            first = run.send(method, url)
            if (
                method == "get"
                and first is not None
                and not READS.reached_view
                and (first.status_code in REFUSED)
            ):
                # Refused at the door (sign in, not a member, not this area's role): the
                # middleware decides on the area, the organization and the role alone, so
                # a POST is refused the same way and garbage in the other path segments
                # meets only the door and the refusal's audit record, once per door.
                door = (resolve(url).namespaces[:1] or [""])[0], first.status_code
                break
            source = method.upper()
            read = READS.of(source, READS.keys)
            if first is None or pattern.name in FIRST_ONLY:
                continue
            if first.status_code in REFUSED and read <= FRAMEWORK_KEYS:
                continue  # refused before the view read anything: nothing more to reach
            keys = sorted({*read, *ALWAYS}) if method == "get" else sorted(read)
            if not keys:
                continue
            turned_away = {}
            for value in CORPUS:
                # Every parameter at once (a form validates them together) ...
                run.send(method, url, dict.fromkeys(keys, value))
                turned_away[value] = READS.of(source, READS.rejected) - READS.of(
                    source, READS.by_hand
                )
            if len(keys) > 1:
                # ... and each alone with the values that overflow or fail to parse,
                # so a view that stops at the first bad one still meets the others. A key
                # its own form field refused among the others is refused alone the same
                # way (a field cleans its value whatever the other fields hold), and the
                # rest of that form then meets nothing the empty first request did not.
                for key in keys:
                    for value in (HUGE, "not-a-uuid"):
                        if key in turned_away[value]:
                            continue
                        run.send(method, url, {key: value})
        for name in pattern.keywords:
            if door in doors_walked and name != "org":
                continue
            corpus = PATH_CORPUS if _free_text(pattern, name) else PATH_CORPUS[-1:]
            for value in corpus:
                run.send("get", pattern.build({**real, name: value}))
        if door is not None and any(name != "org" for name in pattern.keywords):
            doors_walked.add(door)
    assert not run.failures, f"{len(run.failures)} of {run.requests} requests failed:\n" + (
        "\n".join(run.failures[:80])
    )
