"""Delivery: every reply is stored before it is sent (the outbox) and sent by the courier."""
