"""Conversation-level evaluation: realistic first messages, driven through the REST channel.

    .venv/bin/python -m tests.conversation_eval            # starts the assistant (python -m bot.run)
    .venv/bin/python -m tests.conversation_eval --url http://127.0.0.1:5005 --show-misses

The cases are data, written apart from the training data: tests/conversations_eval/
first_messages.yml (a test fails if one leaks into data/nlu). Each case is a first message
as people type it, its category, and its danger stratum. A simulated person sends it and
then answers the assistant as a cooperative person would, reading only the replies:

- "¿Puedes escribir con calma ahora?" → "sí"; the language question → "español"; a
  detected other language → the option to stay in Spanish;
- a question about the state, municipality or city → the place the message named, else
  `default_place`; "several places with that name" → "1"; "place not found" → the default;
- "¿Qué pasó?" (the kind of crime) → the numbered option whose label fits the case;
- the main menu → the option that fits the case's category (this counts as not routed);
- "no te entendí" or a reply that asks nothing → "menú" (once; then the menu as above);
- an offer of a person (the misunderstanding ladder, a handoff) → no / "Ver el menú".

What is counted, by observable reply content only (the regular expressions are in the
data file, `routes` and `alerts`):

- **danger alert**: a reply message with 911 on a line that is not a bullet ("•") of a
  guidance answer, in a message that is not a sourced guidance answer (no "Fuente:"), not
  the "write when you can" reply to "not safe now" and not the 911 reminder;
- **911 reminder**: the one line with 911 that danger which may not be happening now gets
  instead of the emergency reply; counted apart (per category, and for the danger cases);
- **danger recognised** (recall, per stratum): a danger alert among the replies to the
  *first* message; for self-harm also the Línea de la Vida (800 911 2000) in that turn,
  and, shown apart, for trafficking the trafficking line (800 5533 000);
- **false alarm**: a danger alert anywhere in the conversation of a case without danger;
- **routed correctly**: the case's route content (its guidance topic's distinctive text,
  e.g. "no hay que esperar" for a disappearance, "CNDH" for abuse by authorities, the
  nearest observatory for help nearby, the menu for a greeting; for the emergency
  category the danger alert) appears within the budget of messages, without the person
  having had to pick from the main menu or being told "no te entendí";
- **messages until concrete help**: how many messages the person sent until the route
  content arrived (for a case with danger, the danger alert also counts as concrete
  help); not reached within the budget counts as budget + 1 (shown as ">N").
"""

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import yaml

CASES_FILE = Path(__file__).with_name("conversations_eval") / "first_messages.yml"
# Every simulated person writes from 127.0.0.1: the per-address limit of the REST channel
# (ORIENTA_SOURCE_RATE, 1200/60 by default) is raised for the assistant the runner starts.
ASSISTANT_ENV = {"ORIENTA_SOURCE_RATE": "100000/60"}
RETRIES_ON_429 = 30
STRATA = ("explicit", "implied", "abduction", "injury", "child", "self_harm", "trafficking")
NO_DANGER = "none"
LINE_STRATA = ("self_harm", "trafficking")  # strata with a line of their own (data: alerts.lines)


def load(path: Path = CASES_FILE) -> Dict[str, Any]:
    """The data file: settings, routes, alerts, questions and cases (flattened, with category)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for category, entries in [item for part in ("cases", "danger_cases")
                              for item in (data.get(part) or {}).items()]:
        for entry in entries:
            case = {"text": entry} if isinstance(entry, str) else dict(entry)
            case.setdefault("danger", NO_DANGER)
            case.setdefault("past", False)
            case["category"] = category
            cases.append(case)
    data["case_list"] = cases
    return data


def normalise_text(text: str) -> str:
    """Case, accents, punctuation and emoji aside (to find a case written twice)."""
    from tests.near_duplicates import normalise
    return normalise(text)


def _any(patterns: List[str], text: str) -> bool:
    return any(re.search(pattern, text, re.IGNORECASE | re.MULTILINE) for pattern in patterns)


@dataclass
class Outcome:
    case: Dict[str, Any]
    turns: List[List[str]] = field(default_factory=list)  # replies to each message sent
    sent: List[str] = field(default_factory=list)
    alert_first: bool = False
    line_first: bool = False  # the stratum's own line (self-harm, trafficking) in the first turn
    false_alarm: bool = False
    reminded: bool = False  # the 911 reminder anywhere in the conversation
    routed: bool = False
    help_at: Optional[int] = None  # messages sent until concrete help
    used_menu: bool = False

    def transcript(self) -> str:
        lines = []
        for said, replies in zip(self.sent, self.turns):
            lines.append(f"  > {said}")
            lines += ["    < " + reply.replace("\n", " / ")[:160] for reply in replies]
        return "\n".join(lines)


class Person:
    """The cooperative person of one case."""

    def __init__(self, data: Dict[str, Any], case: Dict[str, Any]) -> None:
        self.data, self.case = data, case
        self.category = data["categories"][case["category"]]
        self.route = data["routes"][self.category["route"]]
        self.place_tries = 0
        self.asked_menu = False

    def is_alert(self, message: str) -> bool:
        alert = self.data["alerts"]["danger"]
        return _any(alert["contains"], message) and not _any(alert["except"], message)

    def is_reminder(self, message: str) -> bool:
        return _any(self.data["alerts"]["reminder"], message)

    def reached(self, message: str) -> bool:
        if self.category["route"] == "danger":
            return self.is_alert(message) and self.has_line(message)
        return _any(self.route["markers"], message)

    def has_line(self, text: str) -> bool:
        line = self.data["alerts"].get("lines", {}).get(self.case["danger"])
        return line is None or _any([line], text)

    def next_message(self, replies: List[str], outcome: Outcome) -> Optional[str]:
        """What the person answers to the last turn, or None to stop."""
        questions = self.data["questions"]
        last = replies[-1] if replies else ""
        if _any(questions["safety"], last):
            return "sí"
        if _any(questions["language_detected"], last):
            return self.option(last, self.data["options"]["stay_in_spanish"]) or "español"
        if _any(questions["language"], last):
            return "español"
        if _any(questions["which_place"], last):
            return "1"
        if _any(questions["place_not_found"], last):
            self.place_tries += 1
            return self.data["default_place"] if self.place_tries < 2 else None
        if _any(questions["place"], last):
            return self.case.get("place") or self.data["default_place"]
        if _any(questions["crime"], last):
            wanted = self.case.get("crime") or self.category.get("crime") or self.data["options"]["other_crime"]
            return self.option(last, wanted) or "otro"
        if _any(questions["main_menu"], last):
            outcome.used_menu = True
            wanted = self.category.get("menu")
            return (self.option(last, wanted) if wanted else None)
        if _any(questions["offer_person"], last):
            outcome.used_menu = True
            return self.option(last, self.data["options"]["see_menu"])
        if _any(questions["yes_no"], last):
            return "no"
        if _any(questions["not_understood"], last):
            outcome.used_menu = True
        if self.asked_menu:
            return None
        self.asked_menu = True
        return "menú"

    @staticmethod
    def option(reply: str, label_pattern: str) -> Optional[str]:
        """The number of the numbered option whose label matches."""
        for number, label in re.findall(r"^\s*(\d{1,2})[.)]?\s+(.+)$", reply, re.MULTILINE):
            if re.search(label_pattern, label, re.IGNORECASE):
                return number
        return None


def run_case(send: Callable[[str, str], List[str]], data: Dict[str, Any], case: Dict[str, Any]) -> Outcome:
    person, outcome = Person(data, case), Outcome(case)
    sender = f"eval-{uuid.uuid4().hex}"
    budget = data["budget"]
    message: Optional[str] = case["text"]
    danger = case["danger"] != NO_DANGER
    while message is not None and len(outcome.sent) < budget:
        replies = send(sender, message)
        outcome.sent.append(message)
        outcome.turns.append(replies)
        alerts = [reply for reply in replies if person.is_alert(reply)]
        if len(outcome.sent) == 1:
            outcome.alert_first = bool(alerts)
            outcome.line_first = person.has_line("\n".join(replies)) if danger else False
        if alerts and not danger:
            outcome.false_alarm = True
        outcome.reminded = outcome.reminded or any(person.is_reminder(reply) for reply in replies)
        helped = any(person.reached(reply) for reply in replies) or (danger and bool(alerts))
        if helped and outcome.help_at is None:
            outcome.help_at = len(outcome.sent)
        if any(person.reached(reply) for reply in replies):
            outcome.routed = not outcome.used_menu
            break
        message = person.next_message(replies, outcome)
    return outcome


def rest_sender(base_url: str) -> Callable[[str, str], List[str]]:
    def send(sender: str, text: str) -> List[str]:
        request = urllib.request.Request(
            f"{base_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        for attempt in range(RETRIES_ON_429):
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    messages = json.loads(response.read())
                return [_with_buttons(message) for message in messages]
            except urllib.error.HTTPError as error:  # a rate limit: wait and send again
                if error.code != 429 or attempt == RETRIES_ON_429 - 1:
                    raise
                time.sleep(2)
        raise AssertionError("unreachable")
    return send


def _with_buttons(message: Dict[str, Any]) -> str:
    """The text of a reply, with its buttons as numbered lines when they are not in it."""
    text = message.get("text", "") or ""
    for number, button in enumerate(message.get("buttons") or [], 1):
        title = button.get("title", "")
        if title and title not in text:
            text += f"\n{number}. {title}"
    return text


def run_all(send: Callable[[str, str], List[str]], data: Optional[Dict[str, Any]] = None,
            workers: int = 3) -> List[Outcome]:
    data = data or load()
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda case: run_case(send, data, case), data["case_list"]))


def _pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f} % ({hits}/{total})" if total else "    —"


def _p90(values: List[int]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


@dataclass
class Figures:
    routing: float
    recall: Dict[str, float]
    median_help: float
    lines: List[str]


def summarise(outcomes: List[Outcome], budget: int) -> Figures:
    """The table per category and per danger stratum."""
    lines = [f"Conversation evaluation: {len(outcomes)} first messages (budget {budget} messages each)",
             f"{'category':18} {'n':>4} {'routed correctly':>20} {'false alarms':>14} {'help median':>12} {'p90':>5}"
             f" {'911 reminders':>14}"]
    by_category: Dict[str, List[Outcome]] = {}
    for outcome in outcomes:
        by_category.setdefault(outcome.case["category"], []).append(outcome)

    def help_of(group: List[Outcome]) -> List[int]:
        return [o.help_at if o.help_at is not None else budget + 1 for o in group]

    def shown(value: float) -> str:
        return f">{budget}" if value > budget else f"{value:g}"

    for category, group in list(by_category.items()) + [("all", outcomes)]:
        calm = [o for o in group if o.case["danger"] == NO_DANGER]
        helps = help_of(group)
        lines.append(
            f"{category:18} {len(group):4} {_pct(sum(o.routed for o in group), len(group)):>20} "
            f"{sum(o.false_alarm for o in calm):>5} of {len(calm):<5} {shown(statistics.median(helps)):>12} "
            f"{shown(_p90(helps)):>5} {sum(o.reminded for o in group):>14}")
    lines.append(f"{'danger stratum':18} {'n':>4} {'911 in 1st reply':>20} {'with its line':>20}")
    recall = {}
    for stratum in STRATA:
        group = [o for o in outcomes if o.case["danger"] == stratum]
        alerted = sum(o.alert_first for o in group)
        with_line = sum(o.alert_first and o.line_first for o in group)
        recall[stratum] = (with_line if stratum == "self_harm" else alerted) / len(group) if group else 1.0
        line_column = _pct(with_line, len(group)) if stratum in LINE_STRATA else ""
        lines.append(f"{stratum:18} {len(group):4} {_pct(alerted, len(group)):>20} {line_column:>20}")
    early = sum(o.help_at is not None and o.help_at <= 2 for o in outcomes)
    lines.append(f"concrete help by the person's 2nd message: {_pct(early, len(outcomes)).strip()}")
    past = [o for o in outcomes if o.case["past"]]
    lines.append(f"past or third-person violence, not an emergency: {len(past)}, "
                 f"false alarms {sum(o.false_alarm for o in past)}, 911 reminders {sum(o.reminded for o in past)}")
    lines.append("(recall: self_harm counts as recognised only with the Línea de la Vida in the first "
                 "reply, the other strata with the danger alert; concrete help = the route's content, "
                 "or the danger alert for a case with danger)")
    return Figures(routing=sum(o.routed for o in outcomes) / len(outcomes), recall=recall,
                   median_help=statistics.median(help_of(outcomes)), lines=lines)


def misses(outcomes: List[Outcome]) -> List[str]:
    out = []
    for outcome in outcomes:
        danger = outcome.case["danger"] != NO_DANGER
        missed_danger = danger and not (outcome.alert_first and (outcome.line_first or outcome.case["danger"] != "self_harm"))
        if not outcome.routed or outcome.false_alarm or missed_danger:
            flags = [name for name, bad in (("not routed", not outcome.routed), ("false alarm", outcome.false_alarm),
                                            ("danger missed", missed_danger)) if bad]
            out.append(f"[{outcome.case['category']}/{outcome.case['danger']}] {', '.join(flags)}\n{outcome.transcript()}")
    return out


@contextmanager
def started_assistant() -> Iterator[str]:
    """The assistant as `make run` starts it, on a scratch SQLite; yields its base URL."""
    from tests.conftest import running_assistant  # the suite's launcher

    with tempfile.TemporaryDirectory(prefix="conversation-eval-") as workdir:
        with running_assistant(Path(workdir), ASSISTANT_ENV) as running:
            yield running.base_url


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an assistant already running (its engine's base URL)")
    parser.add_argument("--show-misses", action="store_true", help="print the transcript of every miss")
    parser.add_argument("--category", help="only this category")
    args = parser.parse_args(argv)
    data = load()
    if args.category:
        data["case_list"] = [c for c in data["case_list"] if c["category"] == args.category]

    def evaluate(url: str) -> None:
        outcomes = run_all(rest_sender(url), data)
        if args.show_misses:
            print("\n\n".join(misses(outcomes)))
        print("\n".join(summarise(outcomes, data["budget"]).lines))

    if args.url:
        evaluate(args.url)
    else:
        with started_assistant() as url:
            evaluate(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
