"""Does the answer's timing tell whether an address has an account? (issue 13)

    python benchmarks/bench_signin_timing.py [--repeats 7] [--url postgresql+psycopg://…]

Through the real app (Flask test client, real password hashes, a migrated SQLite file unless
``--url``), each form is sent ``repeats`` times for an address with an account and for one
without: log in with a wrong password, ask for a reset link, register. Prints the median time of
each and the ratio slower/faster; before issue 13 the login took ~0.75 s for an existing address
against ~0.05 s for an unknown one (a ratio of ~15).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.accounts import create_person  # noqa: E402
from engine.db import make_engine, utcnow  # noqa: E402
from engine.migrate import upgrade_engine  # noqa: E402
from web import create_app  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _median(client, url: str, data: dict, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        token = CSRF.search(client.get(url).get_data(as_text=True)).group(1)
        started = time.perf_counter()
        response = client.post(url, data={"csrf_token": token, **data})
        times.append(time.perf_counter() - started)
        assert response.status_code in (302, 400), response.status_code
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.url or f"sqlite:///{tmp}/timing.db"
    engine = make_engine(url)
    upgrade_engine(engine)
    engine.dispose()
    app = create_app({
        "VERBINDING_DATABASE_URL": url, "VERBINDING_INSTANCE_PATH": str(tmp / "instance"),
        "VERBINDING_SECRET_KEY": "timing", "VERBINDING_SMTP_URL": "smtp://127.0.0.1:9",
        "VERBINDING_RATE_LIMIT_LOGIN": "100000/60", "VERBINDING_RATE_LIMIT_MAIL": "100000/60",
    })  # fmt: skip
    known = f"bestaat-{uuid.uuid4().hex[:8]}@example.nl"
    with app.extensions["verbinding"].sessions() as session:
        create_person(session, email=known, name="Anna", password="wachtwoord-123", now=utcnow())
        session.commit()
    client = app.test_client()
    print(f"{'form':<10} {'known (s)':>10} {'unknown (s)':>12} {'ratio':>6}")
    for name, url_, data in (
        ("login", "/login", lambda e: {"email": e, "password": "verkeerd-123"}),
        ("reset", "/password/reset", lambda e: {"email": e}),
        ("register", "/register", lambda e: {"email": e, "name": "X", "password": "lang-genoeg-1",
                                              "confirm": "lang-genoeg-1"}),
    ):  # fmt: skip
        a = _median(client, url_, data(known), args.repeats)
        b = _median(client, url_, data(f"niemand-{uuid.uuid4().hex[:8]}@example.nl"),
                    args.repeats) if name != "register" else statistics.median(
            _median(client, url_, data(f"nieuw-{uuid.uuid4().hex}@example.nl"), 1)
            for _ in range(args.repeats))  # fmt: skip
        print(f"{name:<10} {a:>10.3f} {b:>12.3f} {max(a, b) / min(a, b):>6.2f}")


if __name__ == "__main__":
    main()
