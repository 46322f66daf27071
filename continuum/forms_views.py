"""How every page handles a form, and how every button that changes one thing answers.

A page parses its form, calls one service with the cleaned data and either redirects
with a message or shows the form again with what to fix. The service is atomic, so a
refusal leaves nothing half-saved; its `ValidationError` lands on the form field it
names, or above the form when it names none, and the page answers 400 so that nothing
(a browser test, a proxy, a screen reader's status) mistakes a refusal for success."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise

# A URL, a ready response, or a function of what the service returned giving either.
Done = str | HttpResponse | Callable[[Any], "str | HttpResponse"]
Message = str | Promise | Callable[[Any], str] | None


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: field errors by field, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def bind(request, form_class, **form_kwargs):
    """The form bound to this request's POST and files, unbound on GET. Every POST is a
    submission, even an empty one: a form of unticked boxes sends nothing and must still
    be validated."""
    if request.method != "POST":
        return form_class(**form_kwargs)
    return form_class(request.POST, request.FILES, **form_kwargs)


def form_status(request) -> int:
    """A form shown again after a submission was refused or not valid answers 400."""
    return 400 if request.method == "POST" else 200


def _go(done: Done, result):
    target = done(result) if callable(done) else done
    return target if isinstance(target, HttpResponse) else redirect(target)


def answer(request, done: Done, result=None, *, success: Message = None) -> HttpResponse:
    """The answer after a use case succeeded: its message, then the page to go to."""
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return _go(done, result)


def try_save(form, save: Callable[[dict], Any]) -> tuple[bool, Any]:
    """Validate the bound form and call the service: (saved, what it returned)."""
    if not form.is_bound or not form.is_valid():
        return False, None
    try:
        return True, save(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False, None


def form_view(
    request,
    form,
    *,
    save: Callable[[dict], Any],
    done: Done,
    template: str,
    context: dict | None = None,
    success: Message = None,
) -> HttpResponse:
    """GET shows the form; POST validates it and calls `save(cleaned_data)`, then
    redirects to `done` with the `success` message, or shows the form again (400)."""
    saved, result = try_save(form, save)
    if saved:
        return answer(request, done, result, success=success)
    context = {**(context or {}), "form": form}
    return render(request, template, context, status=form_status(request))


def action_view(
    request, act: Callable[[], Any], *, done: Done, success: Message = None
) -> HttpResponse:
    """A button that changes one thing: call the service, then go back to `done` with
    its success message, or with the service's refusal as an error message."""
    try:
        result = act()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _go(done, None)
    return answer(request, done, result, success=success)
