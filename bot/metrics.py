"""Prometheus metrics: turns, turn latency, errors by channel, outbox backlog."""

from __future__ import annotations

import functools

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

registry = CollectorRegistry()
turns = Counter(
    "weiquan_turns",
    "Conversation turns processed, by kind of turn",
    ["channel", "kind"],
    registry=registry,
)
duplicates = Counter(
    "weiquan_duplicate_inbound", "Inbound messages seen before", ["channel"], registry=registry
)
errors = Counter("weiquan_errors", "Errors by channel", ["channel", "kind"], registry=registry)
turn_seconds = Histogram(
    "weiquan_turn_seconds",
    "Time from receiving a message to its committed reply",
    ["channel"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=registry,
)
outbox_backlog = Gauge(
    "weiquan_outbox_backlog", "Replies committed but not yet delivered", ["channel"], registry=registry
)


# A labelled child is looked up on every turn; prometheus_client checks and hashes the labels on
# each `.labels()` call, a measurable share of the event loop's time per turn. Channels and kinds
# are a small fixed set, so each child is kept once found.
@functools.cache
def turn_counter(channel: str, kind: str) -> Counter:
    return turns.labels(channel, kind)


@functools.cache
def turn_timer(channel: str) -> Histogram:
    return turn_seconds.labels(channel)
