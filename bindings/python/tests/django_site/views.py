"""Views that use request.session and django.contrib.auth as Django apps do."""
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpResponse, JsonResponse

import cookieseal.django


def count(request):
    request.session["n"] = request.session.get("n", 0) + 1
    return HttpResponse(str(request.session["n"]))


def read(request):
    return HttpResponse(str(request.session.get("n", 0)))


def static(request):
    return HttpResponse("no session here")


def nested(request):
    request.session.setdefault("items", []).append("x")  # only a new key marks it modified
    return HttpResponse(str(len(request.session["items"])))


def nested_marked(request):
    request.session.setdefault("items", []).append("x")
    request.session.modified = True
    return HttpResponse(str(len(request.session["items"])))


def length(request):
    return HttpResponse(str(len(request.session.get("items", []))))


def do_login(request, user):
    u, _ = get_user_model().objects.get_or_create(username=user)
    login(request, u)
    return HttpResponse(request.session.subject)


def do_logout(request):
    logout(request)
    messages.info(request, "bye", extra_tags="notice")  # after the logout: still shown
    return HttpResponse("ok")


def flash(request):
    messages.success(request, "saved")
    messages.info(request, request.GET.get("text", "hi"), extra_tags="notice")
    return HttpResponse("ok")


def shown(request):
    return HttpResponse(",".join(f"{m.level_tag}|{m.extra_tags}|{m}"
                                 for m in messages.get_messages(request)))


def everywhere(request):
    cookieseal.django.revoke_subject(str(request.user.pk))
    logout(request)
    return HttpResponse("ok")


def whoami(request):
    return HttpResponse(request.user.username if request.user.is_authenticated else "-")


def expiry(request, seconds):
    request.session["x"] = 1
    request.session.set_expiry(seconds)
    return JsonResponse({"age": request.session.get_expiry_age(),
                         "browser": request.session.get_expire_at_browser_close()})


def bad_value(request):
    request.session["when"] = object()
    return HttpResponse("unreachable")


def state(request):
    """What the interop test compares across servers."""
    s = request.session
    return JsonResponse({"user": s.subject, "visits": s.get("visits", 0),
                         "cart_items": len(s.get("cart") or [])})


def visit(request):
    request.session["visits"] = request.session.get("visits", 0) + 1
    return HttpResponse(str(request.session["visits"]))


ROUTES = {
    "count": count, "read": read, "static": static, "nested": nested,
    "nested-marked": nested_marked, "len": length, "login/<str:user>": do_login,
    "logout": do_logout, "everywhere": everywhere, "whoami": whoami,
    "expiry/<int:seconds>": expiry, "bad-value": bad_value, "api/state": state,
    "visit": visit, "flash": flash, "messages": shown,
}
