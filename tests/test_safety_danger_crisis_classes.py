"""Danger and crisis wordings found by the `fresh30/`–`fresh31/` scam round, built from word classes × frames.

People sent to "collect" or "escort" someone, an address posted with a reward for a visit, a
collector who "says he is already downstairs", blows counted (打了我一顿) against money sent
(往卡里打了五千块); cleaning chemicals named as the means. Calm twins: a relative collecting a child,
cleaning with the same chemicals.
"""

from __future__ import annotations

from safety_frames import fill, misses, screened

FETCH = ("collect", "fetch", "pick up", "escort")
FETCHED = ("me", "my son", "you")
SENT = ("someone", "some guys", "their boys")
POSTED = ("posted", "shared", "leaked")
WHERE_POSTED = ("online", "in the group", "on facebook")
REWARDS = (
    '"whoever visits him gets a reward"',
    "there is a reward for anyone who finds me",
    "a bounty for whoever pays him a visit",
)
ZH_THERE = ("我家楼下", "我家门口", "我单位门口", "你家楼下")
ZH_HITTERS = ("他们", "催收的", "那几个人")
ZH_BLOWS = ("好几下", "一顿", "两拳", "一巴掌")
CHEMICALS = ("cleaning chemical", "toilet cleaner", "detergent", "kerosene", "zonrox", "drain cleaner")


def test_people_sent_to_fetch_someone_addresses_with_rewards_and_presence_reported_are_danger() -> None:
    messages = fill(
        ('they said they are sending someone to "{v}" {o} tonight', "they are sending {w} to {v} {o}"),
        v=FETCH,
        o=FETCHED,
        w=SENT,
    )
    messages += fill(("they {v} my address {o} and said {q}",), v=POSTED, o=WHERE_POSTED, q=REWARDS)
    messages += fill(("催收的刚打电话{s}已经到{p}了",), s=("说", "说他们"), p=ZH_THERE)
    messages += fill(("{p}打了我{n}",), p=ZH_HITTERS, n=ZH_BLOWS)
    missed = misses(messages, "danger")
    assert len(missed) <= len(messages) // 50, (len(missed), len(messages), missed[:10])


def test_a_relative_collecting_a_child_is_not_danger() -> None:
    messages = fill(
        ("{w} is coming to {v} {o} from school", "can you {v} {o} from the station"),
        w=("my mum", "the bus", "my husband"),
        v=("collect", "pick up", "fetch"),
        o=("me", "my son"),
    )
    assert not screened(messages)


def test_cleaning_chemicals_named_as_the_means_are_crisis_and_cleaning_with_them_is_not() -> None:
    crisis = fill(
        ("tonight i will {v} the {c}", "im going to {v} {c} in the {l}"),
        v=("drink", "swallow"),
        c=CHEMICALS,
        l=("bathroom", "villa", "kitchen"),
    )
    assert not misses(crisis, "crisis")
    calm = fill(
        ("i was {v} the {c} and {x}",),
        v=("cleaning the bathroom with", "buying"),
        c=("cleaning chemicals", "toilet cleaner", "detergent"),
        x=("the collector called", "I thought about my debt"),
    )
    assert not screened(calm)
