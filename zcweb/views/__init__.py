"""One blueprint per area: auth, home, uploads, review, exports, admin,
batches, reconciliation."""

from __future__ import annotations

import io
import mimetypes

from flask import redirect, render_template, request, send_file, url_for
from htmx_flask import make_response
from jinja2_fragments.flask import render_block

from ..access.hygiene import safe_filename
from ..access.safeurl import local_target


def render(template: str, block: str | None = None, **context):
    """The whole page, or one named block of it for an htmx request, so the
    markup exists once. The response varies with HX-Request."""
    if block and request.htmx:
        response = make_response(render_block(template, block, **context))
    else:
        response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def back(default: str, **values):
    """Redirect after a plain form POST: to `next` when it is local."""
    target = local_target(request.form.get("next") or request.args.get("next"))
    if target:
        return redirect(target, code=303)
    return redirect(url_for(default, **values), code=303)


def send_download(data: bytes, name: str):
    """Bytes as an attachment; Werkzeug writes a Chinese name as an RFC 5987
    ``filename*`` with an ASCII fallback. A name stored before the input
    hygiene may hold control characters: the answer's name never does."""
    name = safe_filename(name)
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name, mimetype=mimetype)
