"""WeChat Official Account: the callback endpoint, API client, turns, media, reminders."""
