"""The templates' url_for (web/fast_urls.py) gives Flask's own URL for every route."""

from __future__ import annotations

from flask import url_for

from web.fast_urls import fast_url_for


def test_every_route_with_ids_gives_flasks_own_url(web_app):
    rules = [r for r in web_app.url_map.iter_rules() if r.endpoint != "static"]
    compared = 0
    with web_app.test_request_context("/"):
        for rule in rules:
            names = sorted(rule.arguments)
            for ids in ((1, 2, 3), (2147483647, 40, 7), (1, 1, 1), (0, 99, 12)):
                values = dict(zip(names, ids, strict=False))
                for extra in ({}, {"page": ids[1]}):
                    wanted = url_for(rule.endpoint, **values, **extra)
                    assert fast_url_for(rule.endpoint, **values, **extra) == wanted, rule
                    assert fast_url_for(rule.endpoint, **values, **extra) == wanted, rule
                    compared += 1
    assert compared > 400  # every route, each twice (built, then from its pattern)


def test_other_values_go_to_flask(web_app):
    with web_app.test_request_context("/"):
        assert fast_url_for("main.home", q="a b") == url_for("main.home", q="a b")
        assert fast_url_for("main.home", page=2, _anchor="x") == url_for(
            "main.home", page=2, _anchor="x"
        )
        assert fast_url_for("main.home", flag=True) == url_for("main.home", flag=True)


def test_the_same_call_twice_gives_the_same_url(web_app):
    with web_app.test_request_context("/"):
        for _ in range(2):
            assert fast_url_for("static", filename="css/site.css") == url_for(
                "static", filename="css/site.css"
            )
            assert fast_url_for("main.home") == url_for("main.home")
            assert fast_url_for("main.home", q=["a", "b"]) == url_for("main.home", q=["a", "b"])
