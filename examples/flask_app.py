"""The example shop's twin in Flask, on cookieseal sessions: it shares the
keyring file (and store) with the C++ cookieseal-shop, so a user logged in on
one is logged in on the other, with the same cart, visits and flash messages.

    python3 examples/flask_app.py --keyring STATE/keyring --store STATE/store [--port 8081]

Needs Debian's python3-flask and the cookieseal Python package
(bindings/python on PYTHONPATH, libcookieseal-c.so.1 installed or named by
COOKIESEAL_LIBRARY).

Run this way it is Flask's development server. In production a WSGI server
serves create_app(), with worker processes for the cores (Python runs one
thread at a time per process), as bench/load measures it:

    gunicorn --workers 5 --bind 127.0.0.1:8081 --chdir examples \
        'flask_app:create_app("STATE/keyring", "STATE/store")'
"""
import argparse
import html

from flask import Flask, get_flashed_messages, jsonify, redirect, request, session, flash

import cookieseal.flask


def create_app(keyring, store=None, **codec_options):
    app = Flask(__name__)
    # The cookie the C++ shop and the Go server use: Flask's settings name it.
    app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True,
                      SESSION_COOKIE_SAMESITE="Lax")
    interface = cookieseal.flask.CookiesealSessionInterface(keyring=keyring, store=store,
                                                            **codec_options)
    app.session_interface = interface

    def cart():
        return session.get("cart") or []

    @app.get("/")
    def index():
        session["visits"] = session.get("visits", 0) + 1
        notes = "".join(f'<p class="flash" id="flash">{html.escape(str(m))}</p>'
                        for _, m in get_flashed_messages(with_categories=True))
        user = session.subject
        who = (f'<p id="user">Logged in as <b>{html.escape(user)}</b></p>' if user
               else '<p id="user">Not logged in.</p>')
        return (f"<!doctype html><title>cookieseal flask</title><h1>cookieseal on Flask</h1>"
                f"{notes}{who}<p>Visits: <span id=\"visits\">{session['visits']}</span></p>"
                f"<p>Cart: <span id=\"cart-items\">{len(cart())}</span> items</p>")

    @app.get("/api/state")
    def state():
        items = [i for i in cart() if isinstance(i, str)]
        return jsonify(user=session.subject, visits=session.get("visits", 0),
                       cart_items=len(items), cart_bytes=sum(len(i) for i in items),
                       new=session.new,
                       refused=session.refused.name if session.refused else "")

    @app.post("/login")
    def login():
        user = request.form.get("user", "")
        if not user or len(user) > 64:
            flash("Please enter a name (up to 64 characters).", "notice")
        else:
            try:
                session.login(user)
                flash(f"Welcome, {user}!", "notice")
            except cookieseal.InvalidArgument:
                flash("Log out first to switch users.", "notice")
        return redirect("/", 303)

    @app.post("/cart/add")
    def add():
        item = (request.form.get("item") or "item")[:2000]
        items = cart()
        if len(items) < 1000:
            items.append(item)
        session["cart"] = items
        return redirect("/", 303)

    @app.post("/flash")
    def add_flash():
        flash(request.form.get("message", ""), "notice")
        return redirect("/", 303)

    @app.post("/logout")
    def logout():
        session.destroy()
        flash("You are logged out.", "notice")
        return redirect("/", 303)

    @app.post("/logout-everywhere")
    def logout_everywhere():
        if session.subject:
            interface.revoke_subject(session.subject)
        session.destroy()
        flash("You are logged out everywhere.", "notice")
        return redirect("/", 303)

    return app


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--keyring", required=True, help="the keyring file shared with the other servers")
    p.add_argument("--store", help="overflow and revocation store: a directory or redis:// URL")
    p.add_argument("--port", type=int, default=8081)
    args = p.parse_args()
    app = create_app(args.keyring, args.store)
    print(f"cookieseal flask: http://127.0.0.1:{args.port}/", flush=True)
    app.run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
