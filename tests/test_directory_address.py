"""An organisation's address has a column of its own: migrated out of `services`, validated,
named in the answers and in help nearby where a source gives it. Real SQLite, no server."""

from pathlib import Path

import sqlalchemy as sa

from actions.help_nearby import ActionHelpNearMe
from bot.directory import seed
from bot.directory.catalogue import catalogue
from bot.directory.nearest import Directory
from bot.directory.validation import validate
from bot.guidance.compose import Composer
from bot.storage.database import engine_for
from bot.storage.migrate import upgrade
from tests.test_actions import run, tracker
from tests.test_guidance_directory import texts

AZCAPOTZALCO = "Av. San Pablo 396, col. San Martín Xochináhuac"  # the seed's CJM of Azcapotzalco


def test_the_migration_moves_an_address_out_of_services(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'address.db'}"
    upgrade(url, "0010")
    with engine_for(url).begin() as connection:
        for name, services in (("Con dirección", "Dirección: Calle 5 núm. 10, col. Centro; atención gratuita"),
                               ("Solo dirección", "Dirección: Av. Juárez 1"), ("Sin dirección", "Orientación")):
            connection.execute(sa.text(
                "INSERT INTO organisations (kind, name, state_key, services, onc_network, source, verified_on, "
                "active, updated_at) VALUES ('other', :name, '09', :services, '', 'Prueba', '2026-12-01', 1, "
                "'2026-12-01 00:00:00')"), {"name": name, "services": services})
    upgrade(url)
    with engine_for(url).connect() as connection:
        rows = dict(connection.execute(sa.text("SELECT name, address || ' | ' || coalesce(services, '') "
                                               "FROM organisations WHERE address IS NOT NULL")).all())
        untouched = connection.execute(sa.text("SELECT address, services FROM organisations "
                                               "WHERE name = 'Sin dirección'")).one()
    assert rows == {"Con dirección": "Calle 5 núm. 10, col. Centro | atención gratuita", "Solo dirección": "Av. Juárez 1 | "}
    assert tuple(untouched) == (None, "Orientación")


def test_a_shelter_line_never_has_an_address_and_an_address_has_a_limit() -> None:
    line = {"kind": "shelter_line", "name": "Red de refugios (prueba)", "state_key": "15", "phone": "800 000 0000",
            "address": "Calle del refugio 1", "source": "Prueba", "verified_on": "2026-12-01", "active": "sí"}
    assert [name for name, _ in validate(line).errors] == ["latitude"]
    centre = {**line, "kind": "women_justice_centre", "municipality_key": "15106", "address": "x" * 301}
    assert [name for name, _ in validate(centre).errors] == ["address"]
    assert validate({**centre, "address": "Calle 1"}).values["address"] == "Calle 1"


def test_the_answers_and_help_nearby_name_the_address_where_a_source_gives_it(seeded: str) -> None:
    assert all("Dirección:" not in (record.get("services") or "") for record in seed.records())
    index = Directory(engine_for(seeded)).index()
    origin = catalogue().municipalities["09002"].point  # Azcapotzalco: its centre is the nearest
    protection = "\n".join(Composer("09", None, index.of_state("09", origin)).answer("protection").messages)
    assert f"Centro de Justicia para las Mujeres Azcapotzalco (Azcapotzalco, Ciudad de México): en {AZCAPOTZALCO}" in protection
    _, _, nearby = run(ActionHelpNearMe(), tracker("find_help", slots={"place_key": "09002", "topic": "protection"}))
    assert f"Dirección: {AZCAPOTZALCO}" in texts(nearby)
