"""A local stand-in for Twilio: try the SMS and WhatsApp channel with no Twilio account."""
