"""The load benchmark's peer: the Flask example's GET routes on Flask's own
SecureCookieSession (itsdangerous: signed, not encrypted), so bench/load/run.py
compares cookieseal with what a Flask user has without it, under the same
gunicorn in the same run.

    gunicorn --chdir bench/load 'flask_own_sessions:create_app()'
"""
import os

from flask import Flask, jsonify, redirect, request, session


def create_app():
    app = Flask(__name__)
    app.secret_key = os.urandom(32)  # per run: the benchmark logs in afresh
    # The same cookie attributes as cookieseal's defaults (__Host-session).
    app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")

    @app.get("/")
    def index():
        session["visits"] = session.get("visits", 0) + 1
        return f"<!doctype html><title>flask</title><p>Visits: {session['visits']}</p>"

    @app.get("/api/state")
    def state():
        items = [i for i in session.get("cart", []) if isinstance(i, str)]
        return jsonify(user=session.get("user", ""), visits=session.get("visits", 0),
                       cart_items=len(items), cart_bytes=sum(len(i) for i in items),
                       new=session.new, refused="")

    @app.post("/login")
    def login():
        session.clear()
        session["user"] = request.form.get("user", "")[:64]
        return redirect("/", 303)

    return app
