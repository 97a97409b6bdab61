"""Security headers on every response: a strict Content-Security-Policy (no
inline script or style, no eval: behaviour is in static/app.js, styles in
static/app.css), no framing, no MIME sniffing, and no caching of anything
but static files, since every page and download may hold personal data."""

from __future__ import annotations

from flask import Flask, request

CSP = ("default-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; "
       "frame-ancestors 'none'")

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        response.headers.update(HEADERS)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
