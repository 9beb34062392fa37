"""The guidance content: its schema, its sources, and the answers it makes for every state."""

import datetime as dt
import shutil
from pathlib import Path
from typing import List, Optional

import pytest
import yaml

from bot.channels.outgoing_text import sms_segments, to_gsm7
from bot.directory import seed
from bot.directory.catalogue import catalogue
from bot.directory.nearest import Directory
from bot.guidance import review
from bot.guidance.compose import (LOCAL, Answer, Composer, all_named_in_words, named_in_words, what_happened,
                                   who_is_affected)
from bot.guidance.content import CONTENT_DIR, Guidance, guidance
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage.database import engine_for
from tests.test_catalogue import SENSITIVE, preview

WHATSAPP_LIMIT = 1600
STATES = sorted(catalogue().states)
CRIMES = [crime for crime in guidance().crimes if not guidance().has_answer(crime)]  # answered with the reporting steps
OWN_ANSWERS = [name for name in guidance().national["answers"] if name not in ("report_crime", "protection")]
# Wording that would make protection depend on reporting.
PRESSURE = ("debes denunciar", "tienes que denunciar", "primero denuncia", "necesitas denunciar",
            "solo si denuncias", "sólo si denuncias")


def edited_copy(tmp_path: Path, file_name: str, edit) -> Guidance:
    """The shipped content with one file edited."""
    copy = tmp_path / "guidance"
    shutil.copytree(CONTENT_DIR, copy)
    path = copy / file_name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Guidance.load(copy)


def test_the_shipped_content_passes_its_schema_and_references() -> None:
    assert Guidance.load().problems() == []


def test_every_state_has_its_prosecutors_office_with_a_website_in_the_directory_seed() -> None:
    offices = seed.prosecutors()
    assert sorted(offices) == STATES
    for key, office in offices.items():
        assert office["name"].startswith(("Fiscalía", "Procuraduría")), key
        assert office["website"].startswith("http") and office["source"] and office["verified_on"], key


def test_an_item_without_a_source_fails_validation(tmp_path: Path) -> None:
    broken = edited_copy(tmp_path, "national.yml", lambda data: data["items"]["report.where"].update(cites=[]))
    assert any("report.where" in problem for problem in broken.problems())


def test_a_state_fact_without_a_check_date_fails_validation(tmp_path: Path) -> None:
    broken = edited_copy(tmp_path, "states.yml", lambda data: data["09"]["online_reporting"].pop("checked"))
    assert any("checked" in problem for problem in broken.problems())


def test_an_unknown_source_or_item_is_named(tmp_path: Path) -> None:
    def edit(data):
        data["items"]["report.how"]["cites"] = [{"source": "ley_inventada"}]
        data["answers"]["report_crime"]["more"].append(["no.existe"])
    problems = edited_copy(tmp_path, "national.yml", edit).problems()
    assert "item report.how: unknown source 'ley_inventada'" in problems
    assert "answer report_crime: unknown item 'no.existe'" in problems



@pytest.mark.parametrize("state", [*STATES, None])
def test_every_answer_for_every_state_fits_whatsapp_and_reads_as_sms(state: Optional[str]) -> None:
    """Whole answers for each state; before the state is known (None), what holds anywhere,
    and for each state what it adds afterwards (LOCAL) — each part on its own."""
    for topic, crime, general in [("report_crime", None, True), ("protection", None, True)] + [
            ("report_crime", crime, general) for crime in CRIMES for general in (True, False)] + [
            (name, None, True) for name in OWN_ANSWERS]:
        answer = Composer(state, crime).answer(topic, general)
        assert 1 <= len(answer.messages) <= 3
        local = Composer(state, crime, part=LOCAL).answer(topic, general) if state else Answer()
        assert len(local.messages) <= 3 and (bool(local.messages) or not state
                                             or not Composer(None, crime).depends_on_state(topic, general))
        for message in answer.messages + local.messages + [
                m for s in answer.more for m in Composer(state).more(s).messages]:
            assert len(message) <= WHATSAPP_LIMIT - 400  # room for the sources line and the options
            assert sms_segments(to_gsm7(message)) <= 10
            assert "{" not in message and "}" not in message
            shown = preview(message)
            assert not any(word in shown for word in SENSITIVE), shown


def test_the_reporting_answer_names_each_states_office_and_website_from_the_directory(seeded: str) -> None:
    index = Directory(engine_for(seeded)).index()
    for state in STATES:
        office = next(entry for entry in index.of_state(state) if entry.kind == "prosecutor")
        answer = Composer(state, local=index.of_state(state)).answer("report_crime")
        first = answer.messages[0]
        assert f"{office.name} ({office.website}" in first and catalogue().states[state] in first, state
        assert any(ref.startswith("directory:") for ref in answer.refs), state


def test_a_state_without_an_office_in_the_directory_is_told_so() -> None:
    first = Composer("20").answer("report_crime").messages[0]
    assert "• Dónde: en cualquier Ministerio Público (la oficina donde se denuncia) de Oaxaca." in first
    assert "Aún no tengo verificados los datos de su Fiscalía" in first and "Fiscalía General" not in first


@pytest.mark.parametrize("state", STATES)
def test_protection_never_asks_for_a_complaint(state: str) -> None:
    text = "\n".join(Composer(state).answer("protection").messages).lower()
    assert "tú decides si denuncias y cuándo. esto no necesita denuncia:" in text
    assert not any(phrase in text for phrase in PRESSURE)


def test_protection_tells_women_and_men_what_applies_to_each() -> None:
    first = Composer("20").answer("protection").messages[0]
    without_complaint, after = first.split("Esto no necesita denuncia:")[1].split("Si eres hombre")
    assert "Si eres mujer, adolescente o niña: puedes pedir una orden de protección" in without_complaint
    assert "medidas de protección" in after and "dentro de una investigación" in after
    refs = Composer("20").answer("protection").refs
    assert "item:protection.measures" in refs
    cited = {cite.get("articles") for cite in guidance().items["protection.measures"]["cites"]}
    assert "137" in cited


def test_the_humanitarian_visa_is_not_offered_as_needing_no_complaint() -> None:
    protection = Composer("07").answer("protection")
    assert not any("Razones Humanitarias" in message for message in protection.messages)
    more = "\n".join(Composer("07").more(section).messages[0] for section in protection.more)
    assert "Visitante por Razones Humanitarias" in more and "copia de tu denuncia" in more


VISA = "Visitante por Razones Humanitarias"


def every_text(case: Optional[str]) -> str:
    """Everything an answer to `case` can send in Oaxaca: each topic, its "más" sections, and the
    case's own answer if it has one."""
    own = bool(case and guidance().has_answer(case))  # as actions/guidance.py answers it: its own answer, no steps
    texts = []
    for topic in ("report_crime", "protection", *([case] if own else [])):
        composer = Composer("20", None if own else case, case=case)
        answer = composer.answer(topic)
        texts += answer.messages + [m for section in answer.more for m in composer.more(section).messages]
    return "\n".join(texts)


@pytest.mark.parametrize("case", [None, *guidance().crimes, *guidance().situations])
def test_the_trafficking_line_and_the_visa_only_where_the_persons_words_call_for_them(case: Optional[str]) -> None:
    trafficking = guidance().lines["trafficking"]["says"]
    text = every_text(case)
    called_for = case in (None, "trafficking", "migrants")  # None: nothing named yet, the general answer
    assert (trafficking in text) == called_for and (VISA in text) == called_for, case


def test_each_national_line_shows_where_it_fits_and_lives_in_one_place() -> None:
    lines = guidance().lines
    family = "\n".join(Composer("20", "family_violence").answer("report_crime").messages)
    disappearance = "\n".join(Composer("20", "disappearance").answer("report_crime").messages)
    robbery = "\n".join(Composer("20", "robbery").answer("report_crime").messages)
    assert lines["women"]["says"] in family and lines["women"]["says"] not in robbery
    assert lines["search"]["says"] in disappearance and lines["search"]["says"] not in family
    assert "line:search" in Composer("20", "disappearance").answer("report_crime").refs
    digits = {line.get("phone") or line.get("whatsapp") for line in lines.values()} - {None}
    national = yaml.safe_load((CONTENT_DIR / "national.yml").read_text(encoding="utf-8"))
    written = " ".join(item["text"] for item in national["items"].values()).replace(" ", "")
    assert not any(number in written for number in digits if len(number) == 10)


def test_a_line_without_a_source_or_an_unknown_line_fails_validation(tmp_path: Path) -> None:
    broken = edited_copy(tmp_path / "sourceless", "lines.yml", lambda data: data["women"].update(sources=[]))
    assert any("lines.yml" in problem for problem in broken.problems())
    unknown = edited_copy(tmp_path / "unknown", "national.yml",
                          lambda data: data["items"]["report.how"].update(text="{line_inventada}"))
    assert "item report.how: unknown line 'inventada'" in unknown.problems()


def test_online_reporting_is_offered_only_where_and_for_what_a_source_says() -> None:
    cdmx_robbery = Composer("09", "robbery").answer("report_crime").messages[0]
    assert "Denuncia Digital de la Fiscalía (www.denunciadigital.cdmx.gob.mx)" in cdmx_robbery
    cdmx_disappearance = Composer("09", "disappearance").answer("report_crime").messages[0]
    assert "no tengo verificado que en Ciudad de México se pueda denunciar por internet" in cdmx_disappearance
    oaxaca = Composer("20").answer("report_crime").messages[0]
    assert "no tengo verificado" in oaxaca
    tamaulipas_robbery = Composer("28", "robbery").answer("report_crime").messages[0]
    assert "16 delitos" in tamaulipas_robbery
    tabasco_extortion = Composer("27", "extortion").answer("report_crime").messages[0]
    assert "www.fiscaliatabasco.gob.mx/RepExtorsionSecuestro, para extorsión y secuestro" in tabasco_extortion
    assert "no tengo verificado que en Tabasco" in Composer("27", "robbery").answer("report_crime").messages[0]
    tamaulipas_disappearance = Composer("28", "disappearance").answer("report_crime").messages[0]
    assert "no tengo verificado que en Tamaulipas se pueda denunciar por internet" in tamaulipas_disappearance
    baja_california = Composer("02", "robbery").answer("report_crime").messages[0]
    assert "video denuncia del Centro de Denuncia Tecnológica de la Fiscalía (búscala en fgebc.gob.mx)" in baja_california


def test_every_answer_lists_the_facts_it_rests_on() -> None:
    answer = Composer("09", "robbery").answer("report_crime")
    assert "state:09:online_reporting" in answer.refs
    assert "item:crime.robbery" in answer.refs
    assert all(guidance().fact(ref) for ref in answer.refs)
    assert "CNPP" in answer.source_names and answer.checked


@pytest.mark.parametrize("message,crime", [
    ("me robaron el celular, ¿cómo denuncio?", "robbery"),
    ("mi esposo me pega, quiero denunciarlo", "family_violence"),
    ("mi hijo desapareció ayer", "disappearance"),
    ("me están extorsionando por teléfono", "extortion"),
    ("me pasó algo feo", None),
    ("quiero denunciar", None),
])
def test_a_crime_named_in_the_message_is_recognised(message: str, crime: str) -> None:
    assert named_in_words(message) == crime


def test_review_lists_every_fact_and_counts_the_stale(capsys: pytest.CaptureFixture) -> None:
    assert review.main(["--max-age-days", "180"]) == 0
    out = capsys.readouterr().out
    assert "Ciudad de México: online_reporting" in out
    assert "Acuerdo FGJCDMX/12/2021 (Agencia de Denuncia Digital), en vLex https://vlex.com.mx/vid/acuerdo-fgjcdmx-12-2021-863150411" in out
    facts = list(guidance().facts())
    in_a_year = dt.date.today() + dt.timedelta(days=365)
    assert len(review.stale(facts, 180, today=in_a_year)) == len(facts)
    newest_check = max(fact.checked for fact in facts)
    assert review.stale(facts, 180, today=newest_check) == []
    assert review.main(["--summary", "--max-age-days", "100000"]) == 0
    assert f"Guidance: {len(facts)} facts; 0 checked more than" in capsys.readouterr().out


@pytest.mark.parametrize("reply,line", [("utter_danger_self_harm", "crisis"), ("utter_danger_trafficking", "trafficking"),
                                        ("utter_human_handoff", "trafficking")])
def test_replies_name_a_line_as_lines_yml_says_it(reply: str, line: str) -> None:
    text = render(reply, "es", Catalogues.load(), {})["text"]
    assert guidance().lines[line]["says"] in text and "{" not in text


@pytest.mark.parametrize("text, situation", [
    ("unos policias me quitaron mi dinero en un reten", "authority_abuse"),
    ("un policía me robó la cartera", "authority_abuse"),  # before the robbery
    ("la guardia nacional me golpeo", "authority_abuse"),
    ("anoche me violaron saliendo de una fiesta", "sexual_violence"),
    ("mi cuñado le pega a mi hija de 6 años", "child_abuse"),
    ("me hackearon el face y me piden dinero para no subir mis fotos", "digital_violence"),
    ("amenaza con publicar mis fotos íntimas", "digital_violence"),
    ("vi quién fue pero tengo miedo de denunciar", "witness"),
    ("soy hondureño y me asaltaron en el tren", "migrants"),
    ("me violo y me grabo, amenaza con subir el video", "sexual_violence"),  # health care cannot wait
    ("soy migrante y mi hermano no ha regresado", "disappearance"),  # the search starts first
    ("mi esposo me pega", "family_violence"),  # a crime: the reporting or protection steps, for that case
    ("me robaron el celular", "robbery"),
])
def test_a_situation_is_told_by_the_words_people_use(text: str, situation: Optional[str]) -> None:
    """Of what the words name, a situation with an answer of its own, else the crime: on the
    protection path too, as the case the answer fits (only a situation has an answer of its own)."""
    assert what_happened([named_in_words(text) or ""]) == situation


@pytest.mark.parametrize("text, named", [
    ("me acaban de asaltar para robarme el celular", ["robbery"]),  # an infinitive with its pronoun
    ("migracion me amenazo con deportarme", ["migrants"]),
    ("soy de ecuador y me violaron en el camino", ["sexual_violence", "migrants"]),  # urgent first
    ("unos policias me extorsionaron porque no tengo papeles", ["authority_abuse", "migrants", "extortion"]),
    ("mi esposo me trata mal", ["family_violence"]),  # the verb is not trafficking
    ("me metieron en la trata, donde denuncio", ["trafficking"]),  # the noun is
    ("me robaron mis papeles y me obligan a trabajar en un bar", ["trafficking", "robbery"]),  # urgent first
    ("creo que es trata de personas", ["trafficking"]),
    ("mi pareja me pega y tengo miedo de denunciar", ["family_violence"]),  # a victim afraid, not a witness
    ("mi mama tiene miedo de denunciarlo, mi papa la golpea", []),  # the aggressor, read as written
    ("vi quien fue y me da miedo denunciar", ["witness"]),
    ("mi marido me dice que no vaya pero fui testigo de un asesinato", ["witness", "family_violence"]),
])
def test_every_crime_and_situation_a_message_names_is_read(text: str, named: list) -> None:
    assert all_named_in_words(text) == named


@pytest.mark.parametrize("text, said, denied", [
    ("soy de ecuador y me violaron en el camino", ["migrants"], []),
    ("somos hondureños y nos asaltaron", ["migrants"], []),
    ("no tengo papeles, me pueden deportar?", ["migrants"], []),
    ("no soy migrante, soy de aqui", [], ["migrants"]),  # taken back
    ("unos migrantes me robaron el celular", [], []),  # others, not the person
    ("mi vecino es cubano y me robo la cartera", [], []),
    ("un coyote me cobro por el tramite de la licencia", [], []),
])
def test_who_is_affected_is_what_people_say_of_themselves(text: str, said: list, denied: list) -> None:
    assert who_is_affected(text) == (said, denied)


@pytest.mark.parametrize("named, told", [
    (["sexual_violence", "migrants"], "sexual_violence"),  # health care cannot wait
    (["disappearance", "migrants"], "disappearance"),  # the search starts first
    (["authority_abuse", "migrants", "extortion"], "authority_abuse"),
    (["migrants", "robbery"], "migrants"),  # the migrant's answer tells where to report too
    (["robbery", "fraud"], "robbery"),
    ([], None),
])
def test_what_happened_puts_an_urgent_crime_then_an_answer_of_its_own_first(named: list, told: str) -> None:
    assert what_happened(named) == told


@pytest.mark.parametrize("topic, crime", [("report_crime", "robbery"), ("sexual_violence", None),
                                          ("authority_abuse", None), ("protection", None)])
@pytest.mark.parametrize("state", [None, "21"])
def test_a_migrant_hears_of_the_humanitarian_visa_in_any_answer(topic: str, crime: str, state: str) -> None:
    """Who is affected is told once and every later answer adds what applies to them, before the
    state is known too (it holds in any state), once, within the answer's size."""
    visa = guidance().items[guidance().affected["migrants"]["item"]]["text"]
    answer = Composer(state, crime, affected=["migrants"]).answer(topic)
    assert sum(message.count(visa) for message in answer.messages) == 1 and len(answer.messages) <= 3
    assert visa in answer.messages[-1]  # the answer's end, with its sources after it
    assert all(len(m) <= WHATSAPP_LIMIT - 400 and sms_segments(to_gsm7(m)) <= 10 for m in answer.messages)
    assert f"item:{guidance().affected['migrants']['item']}" in answer.refs
    assert visa not in "\n".join(Composer(state, crime).answer(topic).messages)
    assert "\n".join(Composer(state, affected=["migrants"]).answer("migrants").messages).count(visa) == 1


def test_sexual_violence_puts_urgent_health_care_first_free_and_without_a_complaint() -> None:
    first, then = Composer("21").answer("sexual_violence").messages
    assert first.startswith("Primero, tu salud:")
    assert "120 horas" in first and "72 horas" in first and "VIH" in first
    assert "gratis y sin pedirte denuncia" in first and "NOM-046" in first
    assert "Ministerio Público" not in first and "Ministerio Público" in then and "Centros de Justicia" in then


def test_a_situation_without_its_answer_fails_validation(tmp_path: Path) -> None:
    broken = edited_copy(tmp_path, "national.yml", lambda data: data["answers"].pop("witness"))
    assert "situation witness: no answer of its own" in broken.problems()
