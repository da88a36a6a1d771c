"""A FastAPI app on cookieseal sessions for the tests, served by uvicorn on
loopback: keyring, store and cookie name come from the environment
(FASTAPI_SITE_KEYRING, FASTAPI_SITE_STORE, FASTAPI_SITE_COOKIE)."""
import os

from fastapi import FastAPI, Request

import cookieseal.starlette


def create_app(**options):
    app = FastAPI()
    app.add_middleware(cookieseal.starlette.SessionMiddleware, **options)

    @app.get("/count")
    def count(request: Request):
        request.session["n"] = request.session.get("n", 0) + 1
        return request.session["n"]

    @app.get("/login/{user}")
    def login(request: Request, user: str):
        request.session.login(user)
        return request.session.subject

    @app.get("/logout")
    def logout(request: Request):
        request.session.clear()
        return "ok"

    @app.get("/whoami")
    def whoami(request: Request):
        return request.session.subject or "-"

    @app.get("/api/state")
    def state(request: Request):
        s = request.session
        return {"user": s.subject, "visits": s.get("visits", 0),
                "cart_items": len(s.get("cart") or [])}

    @app.get("/visit")
    def visit(request: Request):
        request.session["visits"] = request.session.get("visits", 0) + 1
        return request.session["visits"]

    @app.get("/flash")
    def flash(request: Request, message: str):
        request.session.flash("notice", message)  # where Flask's flash() puts a notice
        return "ok"

    @app.get("/messages")
    def messages(request: Request):
        return request.session.take_flashes("notice")

    return app


if os.environ.get("FASTAPI_SITE_KEYRING"):
    cookie = os.environ.get("FASTAPI_SITE_COOKIE")
    app = create_app(keyring=os.environ["FASTAPI_SITE_KEYRING"],
                     store=os.environ.get("FASTAPI_SITE_STORE"),
                     **({"session_cookie": cookie, "https_only": True} if cookie else {}))
