"""The coach's screens name each template's stages as that template does, and count across
templates by kind of stage, never with one template's names for all."""

from __future__ import annotations

import re
import uuid

from engine.db import utcnow
from tests import factories
from tests.factories import browse_as


def _stage_select(page: str) -> str:
    return re.search(r'<select[^>]*id="stage"[^>]*>(.*?)</select>', page, re.S).group(1)


def test_the_stage_filter_per_template_and_by_kind(client, db_session):
    now = utcnow()
    tag = f"Fasen{uuid.uuid4().hex[:6]}"
    coach = factories.staff(db_session, now)
    green = factories.initiative(db_session, now, workflow="vergroening", title=f"{tag} groen")
    vision = factories.initiative(db_session, now, workflow="wijkvisie", title=f"{tag} visie")
    db_session.commit()
    browse_as(client, coach, locale="nl")

    options = _stage_select(client.get("/coach/").get_data(as_text=True))
    greening = re.search(r'<optgroup label="Vergroening[^"]*">(.*?)</optgroup>', options, re.S)
    assert (
        greening
        and "Samen ontwerpen" in greening.group(1)
        and "Visievorming" not in greening.group(1)
    )
    assert 'value="vergroening:visioning"' in options and 'value="wijkvisie:visioning"' in options
    kinds = re.search(r'<optgroup label="Elk procesjabloon[^"]*">(.*?)</optgroup>', options, re.S)
    assert kinds and ">Visie en ontwerp<" in kinds.group(1) and "Visievorming" not in kinds.group(1)

    # one template chosen: only its own stages, with its own names
    options = _stage_select(client.get("/coach/?template=vergroening").get_data(as_text=True))
    assert (
        "Aanleg" in options and "Visievorming" not in options and "Wijkraadpleging" not in options
    )

    # a stage of one template filters on both
    page = client.get(f"/coach/?q={tag}&stage=vergroening:proposal").get_data(as_text=True)
    assert f"{tag} groen" in page and f"{tag} visie" not in page
    assert re.search(r'<option value="vergroening:proposal" selected>', page)
    page = client.get(f"/coach/?q={tag}&stage=proposal").get_data(as_text=True)
    assert f"{tag} groen" in page and f"{tag} visie" in page
    assert green.id and vision.id


def test_the_city_overview_counts_by_kind_of_stage(client, db_session):
    coach = factories.staff(db_session, utcnow())
    db_session.commit()
    browse_as(client, coach, locale="nl")
    page = client.get("/coach/overview").get_data(as_text=True)
    table = page[page.index("Initiatieven per fase en stadsdeel") :]
    assert "Visie en ontwerp" in table and "Voorbereiding met de gemeente" in table
    assert "Visievorming" not in table and "Gemeentelijke ondersteuning" not in table
