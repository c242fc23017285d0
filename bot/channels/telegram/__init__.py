"""Telegram: the Bot API adapter (polling and webhook), rendering, sending, media, reminders."""
