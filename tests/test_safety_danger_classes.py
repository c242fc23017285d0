"""Danger built from word classes × sentence frames, not from examples.

The seventh danger round's first looks (`fresh26/`, `fresh27/`) missed whole classes at once: a
beating told in the passive with a word no rule held ("I got roughed up"), family called by the
names people use (lola, amma, hubby), homes in slang (crib, digs, rumah), the vehicle a person
drives, an aid taken until payment. Here every class word meets every frame, so a word the patterns
miss shows up at once; the calm twins put the same words where nobody is threatened (fees "slapped"
on the user, family coming over to help, the user's own trip home).
"""

from __future__ import annotations

from safety_frames import fill, misses, screened

EN_BEATEN = (
    *("roughed up", "beaten up", "smacked around", "knocked about", "manhandled", "bashed"),
    *("battered", "worked over", "jumped", "stomped on", "pistol-whipped", "headbutted"),
    *("pepper sprayed", "punched", "kicked", "slapped", "choked", "stabbed", "assaulted"),
)
EN_BEATEN_FRAMES = (
    "i got {w} by two of their guys last night",
    "my brother was {w} outside his shop because of my loan",
    "my wife has been {w} by the collectors",
)
EN_KIN = (
    *("lola", "lolo", "nanay", "tatay", "amma", "appa", "nani", "gran", "grandad", "mama", "papa"),
    *("bro", "sis", "hubby", "wifey", "gf", "bf", "grandkids", "stepdad", "in-laws", "cousins"),
)
EN_KIN_FRAMES = (
    "the collector said they will hurt my {k} if i don't pay",
    "they said they'd beat up my {k} tonight",
    "two men are at my {k}'s place right now shouting",
)
EN_HOMES = (
    *("crib", "pad", "digs", "bedsit", "condo"),
    *("hostel", "hdb flat", "rumah", "hometown", "boarding house"),
)
EN_HOME_FRAMES = (
    "they said they're sending the boys to my {h} tonight",
    "two guys showed up at my {h} and won't leave",
    "tonight at 9pm they will reach my {h}",
)
EN_VEHICLES = ("car", "truck", "rig", "lorry", "van", "ute", "motorbike", "scooter", "cab", "taxi", "jeepney")
EN_VEHICLE_FRAMES = (
    "two guys from the lender pulled up behind my {v} at the lights",
    "they put a tracker on my {v} and keep texting me my location",
    "they said they'll smash my {v} if i don't pay by friday",
)
EN_AIDS = ("wheelchair", "crutches", "walker", "hearing aid", "glasses", "insulin", "inhaler", "meds", "cane")
EN_AID_FRAMES = ("they took my {a} and said i get it back when i pay",)

ZH_WAIT = ("五分钟", "十分钟", "半小时", "两个小时", "20分钟")
ZH_WAIT_FRAMES = ("他们说还有{t}到我家", "催收说再过{t}就到你家楼下", "那帮人说{t}之内到门口")
ZH_AIDS = ("轮椅", "拐杖", "助听器", "眼镜", "胰岛素", "药")
ZH_AID_FRAMES = ("他们把我爸的{a}抢走了，说还清才还", "他们拿走了我的{a}，说还钱才给")

CALM = (
    *(f"i got {w} with fees this month" for w in ("slapped", "hit", "roughed up", "battered", "jumped")),
    *(f"my {k} is coming over tonight to help me with the forms" for k in EN_KIN[:12]),
    *(f"i am going to my {k}'s place tonight to sleep" for k in EN_KIN[:12]),
    *(f"will they send agents to my {h}?" for h in EN_HOMES),
    *(f"i'm heading to my {h} tonight" for h in EN_HOMES),
    *(f"wheelchair repairs and a new {a} cost me a lot this month" for a in EN_AIDS[1:5]),
    "my mechanic pulled up behind my truck to help",
    "the app keeps sending me my location for the delivery jobs",
    "my husband will pick up my son from school tomorrow",
    "my parents said they'll pick up my daughter from kindergarten",
    "the doctor said my dad won't make it to new year, and the collectors keep calling",
    "my boss is not letting me go early",
    "i have to pay 500 to get my account back",
    "they sent me my payment schedule",
    "no one has threatened to hurt me, they're just rude",
    "in my game the guild leader said he'd hunt me down lol",
    "我妈说还有十分钟到家",
    "老公说他还有十分钟到楼下接我",
    "我把我爸的拐杖修好了",
    "我怕他们哪天会找到我老家",
    "电视剧里放高利贷的都砍人，现实中不会吧",
    "我看了个视频讲高利贷打断人腿，现实中不会这样吧",
    "气得我想把电脑摔了",
    "他们用不同号码轮流打",
    "没有人威胁过我",
    "工资被砍了一半",
    "门锁坏了，想找人修",
    "我把自己关在屋里一整天",
    "医生说孩子踢得厉害是正常的",
)


def test_every_class_word_in_every_frame_reaches_the_danger_screen() -> None:
    messages = fill(EN_BEATEN_FRAMES, w=EN_BEATEN)
    messages += fill(EN_KIN_FRAMES, k=EN_KIN)
    messages += fill(EN_HOME_FRAMES, h=EN_HOMES)
    messages += fill(EN_VEHICLE_FRAMES, v=EN_VEHICLES)
    messages += fill(EN_AID_FRAMES, a=EN_AIDS)
    messages += fill(ZH_WAIT_FRAMES, t=ZH_WAIT)
    messages += fill(ZH_AID_FRAMES, a=ZH_AIDS)
    missed = misses(messages, "danger")
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_the_same_words_where_nobody_is_threatened_get_no_screen() -> None:
    alarms = screened(CALM)
    assert len(alarms) <= len(CALM) * 3 // 100, (len(alarms), len(CALM), alarms[:10])
