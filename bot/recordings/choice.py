"""The person's choice of recorded audio: the intents that set it, the slot that keeps it,
and the reply argument that overrides it in the turn that changes it."""

AUDIO_ON, AUDIO_OFF = "audio_on", "audio_off"
AUDIO_SLOT = "audio"
AUDIO_OVERRIDE = "with_audio"  # an action's reply follows this instead of the slot
