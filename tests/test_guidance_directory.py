"""The guidance answers read a state's centres and victims' commission from the referral
directory, through the real actions and a real, migrated and seeded database."""

from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from actions.fallback import ActionMisunderstood
from actions.guidance import ActionMore, ActionProtection, ActionReportCrime
from actions.help_nearby import ActionHelpNearMe
from actions.sources import ActionSource
from bot.channels.outgoing_text import bodies_for, sms_segments, to_gsm7
from bot.directory import coverage, repository, seed
from bot.directory.catalogue import catalogue
from bot.directory.geo import distance_km
from bot.directory.nearest import Directory, entry
from bot.directory.validation import LOCAL_KINDS, MAX_KM_FROM_A_MUNICIPALITY, validate
from bot.guidance.compose import Composer
from bot.guidance.content import guidance
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage.database import engine_for, session_scope
from tests.test_actions import run, situation, slot, tracker

OAXACA = {"place_key": "20067"}  # Oaxaca de Juárez, named earlier in the conversation
CENTRE = {"kind": "women_justice_centre", "name": "Centro de Justicia para las Mujeres de Oaxaca (prueba)",
          "state_key": "20", "municipality_key": "20067", "phone": "951 000 0000",
          "source": "Prueba de administración", "verified_on": "2026-11-30", "active": "sí"}


def texts(messages: List[Dict[str, Any]]) -> str:
    catalogues = Catalogues.load()
    return "\n".join(render(m["response"], "es", catalogues, {"body": m.get("body"), "where": m.get("where")},
                            parts=m.get("parts") or ())["text"] for m in messages)


def edit(url: str, record: Dict[str, str], organisation_id: Optional[int] = None) -> None:
    """Saves a record as an administrator would: a new entry, or a change to `organisation_id`."""
    checked = validate(record)
    assert not checked.errors, checked.errors
    with session_scope(engine_for(url)) as session:
        repository.save(session, "admin", checked.values, organisation_id)



def test_an_administrators_new_centre_shows_in_the_protection_answer_of_the_same_conversation(seeded: str) -> None:
    _, _, before = run(ActionProtection(), tracker("protection", slots=OAXACA))
    assert "Aún no tengo registrado un Centro de Justicia para las Mujeres en Oaxaca" in texts(before)
    edit(seeded, CENTRE)
    _, events, after = run(ActionProtection(), tracker("protection", slots=OAXACA))
    answer = texts(after)
    assert ("• Centros de Justicia para las Mujeres: Centro de Justicia para las Mujeres de Oaxaca (prueba) "
            "(Oaxaca de Juárez, Oaxaca): tel. 951 000 0000.") in answer
    assert "Aún no tengo registrado un Centro" not in answer
    sources = slot(events, "answer_sources")
    assert "directory:2026-11-30:2026-11-30" in sources
    _, _, cited = run(ActionSource(), tracker("ask_source", slots={"answer_sources": sources}))
    assert "Revisé sus datos entre el 2026-11-30 y el 2026-11-30" in texts(cited)
    _, _, nearby = run(ActionHelpNearMe(), tracker("find_help", slots={**OAXACA, "topic": "protection"}))
    assert "Centro de Justicia para las Mujeres de Oaxaca (prueba)" in texts(nearby)


def test_a_deactivated_centre_leaves_the_answer_at_once(seeded: str) -> None:
    edit(seeded, {**CENTRE, "active": "no"})
    _, _, messages = run(ActionProtection(), tracker("protection", slots=OAXACA))
    assert "Aún no tengo registrado un Centro de Justicia para las Mujeres en Oaxaca" in texts(messages)


def test_a_state_commission_without_a_contact_says_so_and_another_states_entry_is_not_used(seeded: str) -> None:
    edit(seeded, {"kind": "victims_commission", "name": "Comisión de víctimas de Puebla (prueba)", "state_key": "21",
                 "municipality_key": "21114", "source": "Prueba", "verified_on": "2026-11-30", "active": "sí"})
    _, _, puebla = run(ActionProtection(), tracker("protection", slots={"place_key": "21114"}))
    assert "Comisión de víctimas de Puebla (prueba) (Puebla, Puebla): sin teléfono verificado aún" in texts(puebla)
    _, _, oaxaca = run(ActionProtection(), tracker("protection", slots=OAXACA))
    assert "Comisión de atención a víctimas de Oaxaca: aún no la tengo registrada" in texts(oaxaca)


def test_coordinates_far_from_their_municipality_are_refused() -> None:
    record = {**CENTRE, "latitude": "17.07", "longitude": "-96.72"}  # Oaxaca de Juárez
    assert validate(record).errors == []
    swapped = validate({**record, "latitude": "19.05", "longitude": "-98.21"})  # Puebla's centre, not Oaxaca
    assert [name for name, _ in swapped.errors] == ["latitude"]
    assert "de Oaxaca de Juárez, Oaxaca" in swapped.errors[0][1]


def test_every_seed_entry_is_in_its_state_and_reachable_or_says_it_is_not(seeded: str) -> None:
    with session_scope(engine_for(seeded)) as session:
        entries = [entry(o) for o in repository.all_organisations(session)]
    places = catalogue()
    for found in entries:
        if found.kind in LOCAL_KINDS:
            municipality = next(m for m in places.municipalities.values() if m.label == found.place)
            assert municipality.state_key == found.state_key, found.name
            assert found.point and distance_km(found.point, municipality.point) <= MAX_KM_FROM_A_MUNICIPALITY
        assert found.source and found.verified_on, found.name
    prosecutors = {found.state_key for found in entries if found.kind == "prosecutor"}
    assert prosecutors == set(places.states)  # every state's office, each with its website
    assert all(found.website for found in entries if found.kind == "prosecutor")


def test_help_nearby_leads_with_what_can_be_reached_and_the_lines_for_the_case(seeded: str) -> None:
    _, events, messages = run(ActionHelpNearMe(), tracker("find_help", slots={**OAXACA, "topic": "protection"}))
    text = texts(messages)
    lines = text.splitlines()
    far = next(n for n, line in enumerate(lines) if line.startswith("El observatorio más cercano está lejos"))
    assert lines[1] == "Aún no tengo registrada otra ayuda cerca de ti." and far == 2
    assert f"• {guidance().lines['women']['says']}" in lines
    assert "line:women" in slot(events, "answer_sources")
    _, _, robbery = run(ActionHelpNearMe(), tracker("find_help", slots={**OAXACA, "topic": "report_crime"}))
    reported = texts(robbery).splitlines()
    assert reported[1:3] == ["Más ayuda cerca:", "• Fiscalía General del Estado de Oaxaca (Oaxaca de Juárez, Oaxaca), a 1 km. "
                             "· https://www.fge.oaxaca.gob.mx"]
    assert guidance().lines["women"]["says"] not in texts(robbery)


def test_the_coverage_report_shows_each_state_and_an_administrators_change(seeded: str, figures: List[str]) -> None:
    def report() -> List[str]:
        return coverage.table(Directory(engine_for(seeded)).index().entries, today=date(2026, 12, 1))

    before = report()
    oaxaca = next(line for line in before if line.startswith("Oaxaca"))
    assert oaxaca.split()[1:] == ["1/1", "-", "-", "1/1", "-", "9"]  # Fiscalía, DDHH; no centre, no commission; checked 22-11
    assert len([line for line in before if line.split()[0] in ("Oaxaca", "Jalisco", "Zacatecas")]) == 3
    edit(seeded, CENTRE)
    oaxaca = next(line for line in report() if line.startswith("Oaxaca"))
    assert oaxaca.split()[1:3] == ["1/1", "1/1"]
    assert report()[-1] == "Líneas nacionales: 3, 3 con contacto."
    figures.extend(before)


def test_every_states_protection_answer_with_the_seeded_directory_fits_a_phone(seeded: str) -> None:
    index = Directory(engine_for(seeded)).index()
    for key, name in catalogue().states.items():
        origin = catalogue().capital(key).point
        answer = Composer(key, None, index.of_state(key, origin)).answer("protection")
        assert 1 <= len(answer.messages) <= 3, key
        for message in answer.messages:
            assert len(message) <= 1200 and sms_segments(to_gsm7(message)) <= 10, (key, len(message))
            assert "{" not in message
        assert f"En {name}:" in answer.messages[1]


def test_help_nearby_names_the_own_states_office_even_when_far_and_a_line_that_answers_now(seeded: str) -> None:
    _, _, messages = run(ActionHelpNearMe(), tracker("find_help", slots={"place_key": "23005"}))  # Cancún
    lines = texts(messages).splitlines()
    assert lines[1:3] == ["Más ayuda cerca:", "• Fiscalía General del Estado de Quintana Roo (Othón P. Blanco, Quintana Roo), "
                          "a 332 km. · https://www.fgeqroo.gob.mx"]  # beyond 150 km, but the person's own state's
    assert f"• {guidance().lines['citizens_council']['says']}" in lines
    _, _, tijuana = run(ActionHelpNearMe(), tracker("find_help", slots={"place_key": "02004"}))
    assert "Fiscalía General de Justicia del Estado de Sonora" not in texts(tijuana)  # another state's, 600 km away


def test_an_administrators_change_to_the_prosecutors_office_shows_in_the_reporting_answer(seeded: str) -> None:
    with session_scope(engine_for(seeded)) as session:
        office_id = next(o.id for o in repository.all_organisations(session) if o.kind == "prosecutor" and o.state_key == "20")
    record = {**seed.prosecutors()["20"], "phone": "951 000 0001", "website": "https://fiscalia.example.org",
              "verified_on": "2026-11-30"}
    _, _, before = run(ActionReportCrime(), tracker("report_crime", slots=OAXACA))
    assert "Fiscalía General del Estado de Oaxaca (https://www.fge.oaxaca.gob.mx)" in texts(before)
    edit(seeded, record, office_id)
    _, events, after = run(ActionReportCrime(), tracker("report_crime", slots=OAXACA))
    assert "Fiscalía General del Estado de Oaxaca (https://fiscalia.example.org, tel. 951 000 0001)" in texts(after)
    assert "www.fge.oaxaca.gob.mx" not in texts(after)
    assert any(ref.startswith("directory:2026-11-30") for ref in slot(events, "answer_sources"))
    _, _, nearby = run(ActionHelpNearMe(), tracker("find_help", slots={**OAXACA, "topic": "report_crime"}))
    assert "https://fiscalia.example.org" in texts(nearby)  # the same entry in every answer
    edit(seeded, {**record, "active": "no"}, office_id)
    _, _, gone = run(ActionReportCrime(), tracker("report_crime", slots=OAXACA))
    assert "Aún no tengo verificados los datos de su Fiscalía" in texts(gone) and "fiscalia.example.org" not in texts(gone)


def test_the_source_follow_up_names_each_directory_entry_an_answer_named_with_its_source(seeded: str) -> None:
    _, events, _ = run(ActionReportCrime(), tracker("report_crime", slots=OAXACA))
    _, _, cited = run(ActionSource(), tracker("ask_source", slots={"answer_sources": slot(events, "answer_sources")}))
    office = seed.prosecutors()["20"]
    assert f"• {office['name']}: {office['source']}. Revisado: {office['verified_on']}." in texts(cited)
    for key in catalogue().states:  # every state's sources, as sent, in at most three WhatsApp messages
        place = {"place_key": catalogue().capital(key).key}
        for action in (ActionReportCrime(), ActionProtection()):
            _, events, _ = run(action, tracker("report_crime", slots=place))
            _, _, cited = run(ActionSource(), tracker("ask_source", slots={"answer_sources": slot(events, "answer_sources")}))
            assert len(bodies_for(texts(cited), "whatsapp")) <= 3, key


def test_abuse_by_an_authority_names_the_states_human_rights_commission_or_says_it_is_not_registered(
        seeded: str) -> None:
    _, events, oaxaca = run(ActionReportCrime(), tracker("report_crime", "unos policías me golpearon", slots=OAXACA,
                                                         entities=[situation("authority_abuse")]))  # as the NLU reads it
    answer = texts(oaxaca)
    assert "• Si fue una autoridad de Oaxaca o de tu municipio: Defensoría de los Derechos Humanos del Pueblo" in answer
    assert guidance().lines["human_rights"]["says"] in answer and "no necesitas denunciar para ponerla" in answer
    sources = slot(events, "answer_sources")
    assert "item:authority.state" in sources and "line:human_rights" in sources
    _, _, cited = run(ActionSource(), tracker("ask_source", slots={"answer_sources": sources}))
    assert "https://sintesis.com.mx/tlaxcala/2021/11/25/la-queja-ante-la-cndh" in texts(cited)
    assert "https://accesolatino.org/en/derecho/con-esta-herramienta-puedes-enviar-tu-queja-a-la-cndh" in texts(cited)
    assert "Revisado: 2026-12-01*" in texts(cited)
    _, _, puebla = run(ActionProtection(), tracker("protection", "la guardia nacional me quitó mis cosas",
                                                   slots={"place_key": "21114"}, entities=[situation("authority_abuse")]))
    assert "la comisión de derechos humanos de Puebla. Aún no tengo registrado su contacto." in texts(puebla)


def test_a_message_the_classifier_could_not_place_still_gets_its_situations_answer(seeded: str) -> None:
    _, _, messages = run(ActionMisunderstood(), tracker("nlu_fallback", "me jaquearon el insta y amenaza con subir mi pack",
                                                        slots=OAXACA, entities=[situation("digital_violence")]))
    answer = texts(messages)
    assert "Ley Olimpia" in answer and "capturas de pantalla" in answer and "Fiscalía General del Estado de Oaxaca" in answer


def test_after_family_violence_no_trafficking_line_nor_visa_in_the_answer_its_more_or_help_nearby(seeded: str) -> None:
    trafficking, visa = guidance().lines["trafficking"]["name"], "Visitante por Razones Humanitarias"
    told = tracker("protection", "mi esposo me pega", slots=OAXACA, entities=[situation("family_violence")])
    _, events, answer = run(ActionProtection(), told)
    assert slot(events, "crime") == "family_violence"
    after = {**OAXACA, "crime": "family_violence", "topic": "protection"}
    _, _, more = run(ActionMore(), tracker("more", "más", slots={**after, "more_sections": slot(events, "more_sections")}))
    _, _, nearby = run(ActionHelpNearMe(), tracker("find_help", slots=after))
    sent = texts(answer + more + nearby)
    assert "Refugio" in sent and guidance().lines["women"]["says"] in sent
    assert trafficking not in sent and visa not in sent
    _, _, for_trafficking = run(ActionHelpNearMe(), tracker("find_help", slots={**after, "crime": "trafficking"}))
    assert trafficking in texts(for_trafficking)


def test_the_coverage_command_before_any_database_shows_the_seed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ORIENTA_DATABASE_URL", f"sqlite:///{tmp_path / 'not-yet' / 'orienta.db'}")
    assert coverage.main() == 0
    printed = capsys.readouterr().out
    assert printed.startswith("No directory database yet") and "Aguascalientes" in printed
