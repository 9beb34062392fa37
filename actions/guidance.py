"""The four services of the main menu."""

from actions.conversation import PENDING_REPLIES, ReplyAction


class ActionReportCrime(ReplyAction):
    replies = PENDING_REPLIES["report_crime"]

    def name(self) -> str:
        return "action_report_crime"


class ActionProtection(ReplyAction):
    replies = PENDING_REPLIES["protection"]

    def name(self) -> str:
        return "action_protection"


class ActionFindHelp(ReplyAction):
    replies = PENDING_REPLIES["find_help"]

    def name(self) -> str:
        return "action_find_help"


class ActionHumanHandoff(ReplyAction):
    replies = PENDING_REPLIES["human_handoff"]

    def name(self) -> str:
        return "action_human_handoff"


class ActionMediaReceived(ReplyAction):
    """A voice note or photo: the assistant cannot take it in, a person can."""

    replies = ("utter_media_received",)

    def name(self) -> str:
        return "action_media_received"
