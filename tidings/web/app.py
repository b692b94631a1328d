"""The ASGI app: routes, and the HTML / JSON / CSV renderings of each view.

Every page at `/path` has a JSON twin at `/path.json` rendering the same view dict, and every
list has its whole content as CSV at `/list.csv` (same filters, streamed). Article text is
untrusted input: templates autoescape, the article body is escaped by `highlight`, JSON is
served as `application/json`, and a Content-Security-Policy allows only tidings' own scripts,
styles and images (no inline script, nothing from another origin).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.errors import StoreError
from tidings.web import views, views_stories
from tidings.web.db import Reader
from tidings.web.highlight import HIDDEN_REASONS
from tidings.web.params import BadRequest, NotFound, Params
from tidings.web.worldmap import VIEWBOX, point_radius, world_svg

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
"""Sent with every response: the browser runs only tidings' own files and calls no one else."""

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A CSV text cell starting with one of these is prefixed with `'` so that a spreadsheet shows
it as text instead of running it as a formula (article text is untrusted)."""


class SecurityHeaders:
    """ASGI middleware adding `SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- URLs --------------------------------------------------------------------------------------


def actor_url(name: str) -> str:
    """The page of the actor with canonical name `name`."""
    return "/actors/" + quote(name, safe="")


def story_url(story_id: str) -> str:
    """The page of the story `story_id`."""
    return "/stories/" + quote(story_id, safe="")


def incident_url(incident_id: str) -> str:
    """The page of the incident `incident_id`."""
    return "/incidents/" + quote(incident_id, safe="")


def place_url(key: str) -> str:
    """The page of the place keyed `key` (its gazetteer id)."""
    return "/places/" + quote(key, safe=":")


def article_url(article_id: str, ref: str | None = None) -> str:
    """The page of an article, optionally at one span (`entities-3`, `quotes-0`)."""
    return "/articles/" + quote(article_id, safe="") + (f"#{ref}" if ref else "")


def list_url(path: str, **params: Any) -> str:
    """`path` with the non-empty `params` as its query string."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return path + ("?" + query if query else "")


def link_url(link: Mapping[str, str]) -> str:
    """The href of a span link from `views._span_links`."""
    if link["kind"] == "actor":
        return actor_url(link["key"])
    if link["kind"] == "place":
        return place_url(link["key"])
    return list_url("/quotes", speaker=link["key"])


def http_url(url: str | None) -> str | None:
    """`url` when it is an http(s) address, else None (an article's url is untrusted input:
    a `javascript:` link must never be rendered)."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


def marked(text: str, matches: list[list[int]]) -> Markup:
    """`text` escaped, with each `[start, end]` of `matches` wrapped in `<mark>`."""
    out: list[str] = []
    at = 0
    for start, end in sorted(matches):
        if start < at or end > len(text):
            continue
        out += [str(escape(text[at:start])), "<mark>", str(escape(text[start:end])), "</mark>"]
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def split_format(value: str, allowed: tuple[str, ...] = ("json",)) -> tuple[str, str]:
    """`("x", "json")` for `"x.json"`; `("x", "html")` when `value` has no allowed suffix."""
    for fmt in allowed:
        if value.endswith("." + fmt):
            return value[: -len(fmt) - 1], fmt
    return value, "html"


# --- rendering ---------------------------------------------------------------------------------


def make_templates() -> Environment:
    """The Jinja2 environment: autoescaping on for every template, URL helpers as globals."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(actor_url=actor_url, place_url=place_url, story_url=story_url, article_url=article_url,
                       incident_url=incident_url,
                       list_url=list_url, link_url=link_url, point_radius=point_radius,
                       http_url=http_url, marked=marked, hidden_reasons=HIDDEN_REASONS,
                       viewbox=VIEWBOX)
    return env


def public(view: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-able part of a view dict (keys starting with `_` are HTML-only)."""
    return {k: v for k, v in view.items() if not k.startswith("_")}


def add_page_urls(view: dict[str, Any], request: Request, path: str) -> None:
    """Add `next_url` / `prev_url` (same format, same filters) to the view's pagination."""
    pagination = view.get("pagination")
    if not pagination:
        return
    query = dict(request.query_params)
    for key, step, flag in (("next_url", 1, "has_next"), ("prev_url", -1, "has_prev")):
        if pagination.get(flag):
            query["page"] = str(pagination["page"] + step)
            pagination[key] = path + "?" + urlencode(query)
        else:
            pagination[key] = None


def csv_cell(value: Any) -> Any:
    """A value made safe for spreadsheets (see `CSV_FORMULA_START`)."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(header: list[str], rows: Iterator[list[Any]], batch: int = 500) -> Iterator[str]:
    """A CSV document in chunks of `batch` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    n = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        n += 1
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# --- the app -----------------------------------------------------------------------------------


def make_app(db_path: str | Path, *, allowed_hosts: list[str] | None = None) -> Starlette:
    """The web app over the store at `db_path`, read-only.

    `allowed_hosts` limits the Host header (guards a local server against DNS rebinding);
    None allows any. Raises StoreError when the store is absent, not a tidings store, or lacks
    the web tables (the message says how to upgrade it).
    """
    reader = Reader(db_path)
    env = make_templates()

    def render(request: Request, template: str, view: dict[str, Any], fmt: str,
               base: str, status: int = 200) -> Response:
        add_page_urls(view, request, base + (".json" if fmt == "json" else ""))
        if fmt == "json":
            return JSONResponse(public(view), status_code=status)
        query = ("?" + request.url.query) if request.url.query else ""
        twin = ("/index" if base == "/" else base) + ".json" + query
        html = env.get_template(template).render(
            **view, view=view, path=base, query=dict(request.query_params), json_url=twin,
            store_name=reader.path.name)
        return HTMLResponse(html, status_code=status)

    def guarded(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            try:
                return endpoint(request)
            except (BadRequest, NotFound, StoreError) as exc:
                status = 400 if isinstance(exc, BadRequest) else 404 if isinstance(
                    exc, NotFound) else 500
                if status == 500:
                    log.error("%s %s: %s", request.method, request.url.path, exc)
                return error_response(request, status, str(exc))
        run.__name__ = endpoint.__name__
        return run

    def error_response(request: Request, status: int, message: str) -> Response:
        if request.url.path.endswith((".json", ".csv")):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        html = env.get_template("error.html").render(
            status=status, message=message, path=request.url.path, query={},
            json_url=None, store_name=reader.path.name)
        return HTMLResponse(html, status_code=status)

    def home(request: Request) -> Response:
        fmt = "json" if request.url.path.endswith(".json") else "html"
        return render(request, "home.html", views.home_view(reader), fmt, "/")

    def listing(name: str, view_fn: Callable[[Reader, Params], dict[str, Any]]
                ) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            _, fmt = split_format(request.url.path, ("json", "csv"))
            params = Params(request.query_params)
            if fmt == "csv":
                header, rows = (views_stories.export_rows(reader, params) if name == "stories"
                                else views.export_rows(reader, name, params))
                return StreamingResponse(
                    csv_chunks(header, rows), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}.csv"'})
            return render(request, f"{name}.html", view_fn(reader, params), fmt, f"/{name}")
        endpoint.__name__ = name
        return endpoint

    def article(request: Request) -> Response:
        article_id, fmt = split_format(request.path_params["article_id"])
        view = views.article_view(reader, article_id)
        return render(request, "article.html", view, fmt, article_url(article_id))

    def actor(request: Request) -> Response:
        name, fmt = split_format(request.path_params["name"])
        view = views.actor_view(reader, name, Params(request.query_params))
        return render(request, "actor.html", view, fmt, actor_url(name))

    def place(request: Request) -> Response:
        key, fmt = split_format(request.path_params["key"])
        view = views.place_view(reader, key, Params(request.query_params))
        return render(request, "place.html", view, fmt, place_url(key))

    def story(request: Request) -> Response:
        story_id, fmt = split_format(request.path_params["story_id"])
        view = views_stories.story_view(reader, story_id)
        return render(request, "story.html", view, fmt, story_url(story_id))

    def incident(request: Request) -> Response:
        incident_id, fmt = split_format(request.path_params["incident_id"])
        view = views_stories.incident_view(reader, incident_id)
        return render(request, "incident.html", view, fmt, incident_url(incident_id))

    def world(request: Request) -> Response:
        return Response(world_svg(), media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})

    routes = [
        Route("/", guarded(home)),
        Route("/index.json", guarded(home)),
        Route("/.json", guarded(home)),
        Route("/world.svg", world),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    for name, view_fn in (("articles", views.articles_view), ("actors", views.actors_view),
                          ("quotes", views.quotes_view), ("places", views.places_view),
                          ("stories", views_stories.stories_view)):
        endpoint = guarded(listing(name, view_fn))
        routes += [Route(f"/{name}", endpoint), Route(f"/{name}.json", endpoint),
                   Route(f"/{name}.csv", endpoint)]
    routes += [
        Route("/articles/{article_id}", guarded(article)),
        Route("/actors/{name:path}", guarded(actor)),
        Route("/places/{key:path}", guarded(place)),
        Route("/stories/{story_id}", guarded(story)),
        Route("/incidents/{incident_id}", guarded(incident)),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = (f"no page at {request.url.path}; start from / (pages: /articles, /actors, "
                   f"/quotes, /places, /stories)" if status == 404 else str(getattr(exc, "detail", exc)))
        return error_response(request, status, message)

    middleware = [Middleware(SecurityHeaders)]
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={404: not_found, 405: not_found})
    app.state.reader = reader
    return app
