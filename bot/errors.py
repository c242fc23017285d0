"""The small error hierarchy; each transport turns these into a status code or an apology."""


class BotError(Exception):
    """Base of every error weiquan raises on purpose."""


class FlowError(BotError):
    """The dialogs or locales are invalid (raised at load, with file and line)."""


class ChannelError(BotError):
    """A channel payload or platform API call failed."""


class StoreError(BotError):
    """The database could not complete an operation."""


class ConflictError(StoreError):
    """Another worker changed the session first (optimistic concurrency)."""
