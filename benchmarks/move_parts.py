"""Where a move through the site spends its CPU (issue 17's "POST + redirected page <= 20 ms"):
the POST and the page after it, each with its statements, and what each part of the member's
initiative page costs to render (the page with that part left out, against the whole page).

    python benchmarks/move_parts.py [--url postgresql+psycopg://…/empty_db] [--moves 60]
                                    [--rounds 5] [--city 500]

The resident group of bench_pages (12 members, dated steps in two stages) in a small city
(the move and its page do not grow with the city: bench_pages measures that); the Flask test
client, CPU time of this process. Run it in two trees alternately to compare them (the
working directory's tree is what runs).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import RESIDENT, City, add_group, grow, logged_in, make_app  # noqa: E402
from jinja2 import ChoiceLoader, DictLoader  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from engine.models import Step  # noqa: E402
from engine.serving import settle_gc  # noqa: E402

SHOW = "initiatives/show.html"
#: the parts of initiatives/show.html, as it includes them
PARTS = {
    "header": '{% include "initiatives/_header.html" %}',
    "stepper": '{% include "initiatives/_stepper.html" %}',
    "now (the stage's checklist)": '{% include "initiatives/_now.html" %}',
    "moves": '{% include "initiatives/_moves.html" %}',
    "main panels (plan, support, maintenance)": "{% for panel in panels.main %}"
    "{% set panel_data = panel.data %}{% include panel.template %}{% endfor %}",
    "side panels": "{% for panel in panels.side %}"
    "{% set panel_data = panel.data %}{% include panel.template %}{% endfor %}",
    "settings": '{% include "initiatives/_settings.html" %}',
    "history": '{% include "initiatives/_history.html" %}',
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--city", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("VERBINDING_RATE_LIMIT_POST", "100000/600")  # many moves, one person
    tmp = Path(tempfile.mkdtemp(prefix="move-parts-"))
    city = City(args.url or f"sqlite:///{tmp / 'moves.db'}")
    facts = add_group(city)
    with city.sessions() as s:
        last_step = s.scalar(select(Step.id).order_by(Step.id.desc()).limit(1)) or 0
    grow(city, args.city - city.initiatives, last_step)
    app = make_app(city, tmp / "instance")
    client = logged_in(app, RESIDENT)
    settle_gc()  # as `verbinding serve` does once its app is built (engine/serving.py)
    page_url = f"/initiatives/{facts['item']}"
    sent = [0]
    engine = app.extensions["verbinding"].engine
    event.listen(engine, "before_cursor_execute", lambda *_: sent.__setitem__(0, sent[0] + 1))
    triggers = (
        ["forth", "back"] if "/moves/forth" in client.get(page_url).text else ["back", "forth"]
    )

    post_ms, page_ms, post_sent, page_sent = [], [], 0, 0
    for n in range(args.moves + 4):
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(page_url).text)
        assert token, "no form on the member's page"
        sent[0] = 0
        start = time.process_time()
        posted = client.post(f"{page_url}/moves/{triggers[n % 2]}", data={"csrf_token": token[1]})
        middle, post_sent = time.process_time(), sent[0]
        assert posted.status_code == 302, posted.status_code
        assert client.get(posted.headers["Location"]).status_code == 200
        if n >= 4:  # warm
            post_ms.append((middle - start) * 1000)
            page_ms.append((time.process_time() - middle) * 1000)
        page_sent = sent[0] - post_sent
    both = [a + b for a, b in zip(post_ms, page_ms, strict=True)]
    print(f"{city.engine.dialect.name}: a move, median of {args.moves} (CPU ms)")
    print(f"  POST {statistics.median(post_ms):6.2f}  ({post_sent} statements)")
    print(f"  page {statistics.median(page_ms):6.2f}  ({page_sent} statements)")
    print(f"  both {statistics.median(both):6.2f}  (target <= 20)")

    whole = Path(app.root_path, "templates", SHOW).read_text()
    variants = {"the whole page": whole} | {name: whole.replace(p, "") for name, p in PARTS.items()}
    variants["no content at all"] = re.sub(
        r"{% block content %}.*{% endblock %}",
        "{% block content %}{% endblock %}",
        whole,
        flags=re.S,
    )
    assert all(v != whole for name, v in variants.items() if name != "the whole page")
    loader = app.jinja_loader
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    size: dict[str, int] = {}
    for _ in range(args.rounds):  # the variants take turns
        for name, template in variants.items():
            app.jinja_env.loader = ChoiceLoader([DictLoader({SHOW: template}), loader])
            app.jinja_env.cache.clear()
            client.get(page_url)
            times = []
            for _ in range(25):
                start = time.process_time()
                body = client.get(page_url).data
                times.append((time.process_time() - start) * 1000)
            cpu[name].append(statistics.median(times))
            size[name] = len(body)
    full = statistics.median(cpu["the whole page"])
    print(f"\nthe member's page without one part (median of {args.rounds} rounds x 25, CPU ms)")
    for name, values in cpu.items():
        left = statistics.median(values)
        print(f"  {name:42s} {left:6.2f}   the part: {full - left:5.2f} ms, "
              f"{size['the whole page'] - size[name]:7,d} bytes")  # fmt: skip
    engine.dispose()
    city.engine.dispose()


if __name__ == "__main__":
    main()
