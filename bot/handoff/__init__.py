"""Human handoff: a person from an observatory takes over a conversation, then hands it back."""
