"""``url_for`` in the templates, built once per request and endpoint, then filled in.

A member's initiative page links every step's buttons (done, up, down, remove, change): about a
hundred ``url_for`` calls, each a walk through Werkzeug's rules. Most differ only in their ids.
So the first call per (endpoint, names of the values) in a request builds the URL with stand-in
ids and keeps it as pieces; later calls put their ids between the pieces. A call with other
values (a string, an anchor) is built by Flask's own ``url_for`` once per request and
remembered; so is any URL the stand-ins do not show up in exactly once, or of an endpoint whose
rules have defaults. The result is the same string either way (``tests/web/test_fast_urls.py``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, url_for
from flask.globals import _cv_request
from werkzeug.routing import BuildError

#: the stand-in ids: ten digits each, at most ``MAX_ID`` (the id converter's limit)
_STAND_IN = 2_147_480_000

#: a URL that cannot be built from pieces (remembered so it is not tried again)
_NO_PATTERN: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


def _pattern(endpoint: str, names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The pieces of the endpoint's URL around each value, and the values' names in order."""
    rules = current_app.url_map._rules_by_endpoint.get(endpoint, ())
    if any(rule.defaults for rule in rules):
        return _NO_PATTERN  # which rule is chosen depends on the values (``page=1`` → ``/``)
    stand_ins = {name: str(_STAND_IN + n) for n, name in enumerate(names)}
    values: dict[str, Any] = {name: int(s) for name, s in stand_ins.items()}
    try:
        built = url_for(endpoint, **values)
    except BuildError:
        return _NO_PATTERN
    if any(built.count(s) != 1 for s in stand_ins.values()):
        return _NO_PATTERN
    spots = sorted((built.index(s), name) for name, s in stand_ins.items())
    pieces, order, last = [], [], 0
    for at, name in spots:
        pieces.append(built[last:at])
        order.append(name)
        last = at + len(stand_ins[name])
    pieces.append(built[last:])
    return tuple(pieces), tuple(order)


def fast_url_for(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)``, from the request's pattern when all values are ids."""
    ctx: Any = _cv_request.get(None)
    if ctx is None or endpoint[:1] == ".":
        return url_for(endpoint, **values)
    patterns = getattr(ctx, "_vb_url_patterns", None)
    if patterns is None:
        patterns = ctx._vb_url_patterns = {}
    for value in values.values():
        if type(value) is not int or value < 0:
            return _same_as_before(patterns, endpoint, values)
    if not values:
        return _same_as_before(patterns, endpoint, values)
    key = (endpoint, *values)
    found = patterns.get(key)
    if found is None:
        found = patterns[key] = _pattern(endpoint, tuple(values))
    pieces, order = found
    if not order:
        return url_for(endpoint, **values)
    parts = [pieces[0]]
    for name, piece in zip(order, pieces[1:], strict=True):
        parts.append(str(values[name]))
        parts.append(piece)
    return "".join(parts)


def _same_as_before(known: dict, endpoint: str, values: dict[str, Any]) -> str:
    """The URL as built for the same call earlier in this request (the header's links, the
    static files, a stage's links), else Flask's."""
    key = ("=", endpoint, *values.items())
    try:
        found = known.get(key)
    except TypeError:  # a value that cannot be a key
        return url_for(endpoint, **values)
    if found is None:
        found = known[key] = url_for(endpoint, **values)
    return found


def install(app: Flask) -> None:
    """Let the templates' ``url_for`` build from patterns."""
    app.jinja_env.globals["url_for"] = fast_url_for
