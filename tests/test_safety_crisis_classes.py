"""Crisis messages built from word classes × sentence frames, not from examples.

Each construction the crisis patterns hold (someone else's act done or under way, self-harm started
again, a means beside me, being here tomorrow not promised, a passive wish, a farewell followed by
silence, the means typed as emoji, a belt at someone's neck, reasons to stay run out; and for
danger, a relative to be "picked up", bones broken by their men) meets every word of its class in
several frames, so a class word the patterns miss shows up at once. The calm twins put the same
words in ordinary money talk. A crisis message counts when it reaches the crisis screen or the
screening question.
"""

from __future__ import annotations

from safety_frames import detector, fill, misses

THIRD = ("my sister", "my husband", "my son", "she", "he", "my flatmate", "my best friend", "my mum")
EN_THIRD_FRAMES = (
    "{p} cut her wrists last night",
    "{p} slit his wrists because of the loan app",
    "{p} took an overdose this morning",
    "{p} locked herself in the bathroom with a blade",
    "{p} locked himself in the garage with the car running",
    "{p} is in the garage and the engine is still running",
)
SELF_HARM = (
    "cutting",
    "self harming",
    "self-harming",
    "burning myself",
    "hurting myself",
    "scratching myself",
)
EN_AGAIN_FRAMES = ("I've started {v} again", "i relapsed with {v}", "started {v} again because of the calls")
FAMILY = ("mother", "father", "mum", "dad", "children", "kids", "wife", "girlfriend", "grandma", "parents")
EN_FAMILY_FRAMES = ("please tell my {f} i'm sorry", "tell my {f} i love them")
MEANS = ("knife", "blade", "razor", "pills", "rope")
EN_MEANS_FRAMES = ("the {m} is next to me", "the {m} is right beside me", "the {m} is in my hand")
EN_HERE = ("here", "around", "alive")
EN_HERE_FRAMES = (
    "i can't promise i'll still be {w} tomorrow",
    "cannot promise that i will be {w} by morning",
)
EN_SWERVE = ("swerving", "steering", "driving", "crashing")
EN_POISON = ("sniper", "dichlorvos", "gramoxone", "rat poison", "insecticide")
EN_POISON_FRAMES = ("my cousin says she will drink {x}", "i drank {x}", "thinking of drinking {x} tonight")
EN_HIT = ("get hit by a bus", "get run over", "get killed in a crash", "got hit by a truck")
EN_HIT_FRAMES = ("i hope i {x} on the way home", "honestly i pray i {x} tomorrow")
ZH_WAKE = ("醒来", "起床", "睁开眼")
ZH_NOT = ("不醒", "别醒", "没出生", "永远不醒")
ZH_WAKE_FRAMES = ("{a}，还不如{b}", "每天{a}都觉得还不如{b}")
ZH_WHO = ("儿子", "女儿", "我弟", "朋友")
ZH_SILENT = ("联系不上", "不接电话", "关机了", "找不到人")
ZH_SILENT_FRAMES = ("{p}给我发了对不起妈妈，现在{x}", "{p}朋友圈发了告别的话，现在{x}")
ZH_GARAGE_FRAMES = ("{p}把自己关在车库里，车没熄火", "{p}在车库里，车一直发动着")
ZH_MEDS = ("糖尿病", "降压", "胰岛素", "心脏病")
ZH_NIGHT = ("琴晚", "昨晚", "今晚")
ZH_CUT = ("𠝹", "割", "划")
EMOJI = ("💊", "🔪🩸", "🪢")
ZH_EMOJI_FRAMES = ("{e}{e} 全吃了", "{e} 今晚又来了", "{e} 准备好了")
ZH_PLACES = ("公司门口", "办公室", "面前", "楼下")
ZH_BODY = ("手腕", "手臂", "大腿", "伤口")
NECK = ("belt", "rope", "cable", "scarf")
EN_NOTHING = ("nothing", "no one", "nobody")
EN_SCARED = ("scared", "afraid", "worried", "terrified")
ZH_HEAT = ("打火机", "烟头", "开水")
ZH_MACHINE = ("机器", "冲床", "搅拌机", "传送带")
ZH_STAY = ("留在这里", "留下来", "活下去", "撑下去")
ZH_BURDEN = ("麻烦", "负担", "累赘", "拖累")
ZH_ROOM = ("浴室", "厕所", "卫生间", "房间")
ZH_ROOM_MEANS = ("刀片", "刀", "药", "绳子")
KIN = ("wife", "son", "daughter", "mum")
# hopelessness without a plan: never the screen alone, but always the screening question
EN_HOPELESS = (
    *("i'm so tired of everything", "nothing matters anymore", "i feel empty", "everything is pointless"),
    *("i don't care what happens to me anymore", "i'm a failure at everything", "why even bother anymore"),
    *("nobody would even care", "i'm losing the will to carry on", "i just want to sleep for a long time"),
    "i don't know how much longer i can do this",
)
ZH_HOPELESS = (
    *("算了吧，都无所谓了", "这辈子完了", "什么时候是个头啊", "我不知道还能撑多久", "活得好痛苦"),
    *("我真的好没用", "我对什么都不在乎了", "每天都好煎熬", "我受够了这一切", "人生好灰暗"),
)
EN_HOPELESS_FRAMES = (
    "{h}",
    "{h}. the collectors called my mum again",
    "the app added another fee today. {h}",
)
ZH_HOPELESS_FRAMES = ("{h}", "{h}，催收又打给我妈了", "今天又被加了一笔费用，{h}")
BONES = ("ribs", "nose", "arm", "jaw")

CALM = (
    "started cutting back on coffee again",
    "the collector told me to kill myself, can I report that?",
    "they said I should go die, is that legal?",
    "a man from the app told me to kill myself, can I report that?",
    "i hope i don't get hit by more late fees",
    "i hope i get hit with a refund soon",
    "这么贵，还不如一次还清",
    "分期这么多，还不如不借",
    "我爸说他死了以后房子给我",
    "决定了，明天就去银保监会投诉",
    "想好了，下周就去消协投诉",
    "旧手机送人了，因为他们一直打那个号",
    "这是我最后一次回复催收的短信",
    "作业多得要淹死我了",
    "工资全拿去还信用卡了",
    "I'm done paying these crazy fees",
    "注意安全别出车祸就好了",
    "我查了一下这个平台有多少用户",
    "i can't continue paying this",
    "waiting for the right time to call the lender",
    "i'll be joining my dad for dinner soon",
    "i wrote a letter to the lender",
    "gonna jump on a short call with the bank",
    "this is the only way to pay it off?",
    "这游戏太难了，我要死了哈哈",
    "my mum will pick up my son from school today",
    "i ran out of reasons to keep paying this app",
    "nothing is keeping me here in this job, i'll find another",
    "i'm afraid i'll do something stupid like sign another loan",
    "that's when i'll do it: call the lender on monday",
    "我写好了给平台的信，放在桌上",
    "my ribs were broken in a football match last year, can that count as hardship?",
    "I'm so tired of these calls, how do I block them?",
    "受够了这些电话，怎么拉黑",
    "我放弃了协商，直接等起诉吧",
)


def _crisis_messages() -> list[str]:
    return [
        *fill(EN_THIRD_FRAMES, p=THIRD),
        *fill(EN_AGAIN_FRAMES, v=SELF_HARM),
        *fill(EN_FAMILY_FRAMES, f=FAMILY),
        *fill(EN_MEANS_FRAMES, m=MEANS),
        *fill(("i {v} wanting to {e}",), v=("stopped", "have stopped"), e=("live", "be alive", "exist")),
        *fill(EN_HERE_FRAMES, w=EN_HERE),
        *fill(("thinking of {v} into oncoming traffic",), v=EN_SWERVE),
        *fill(("{e} took them all", "{e}{e} swallowed them all"), e=("💊", "pills")),
        *fill(EN_POISON_FRAMES, x=EN_POISON),
        *fill(EN_HIT_FRAMES, x=EN_HIT),
        *fill(ZH_WAKE_FRAMES, a=ZH_WAKE, b=ZH_NOT),
        *fill(("{p}说他死了比活着值钱",), p=("我爸", "我老公", "我哥", "他")),
        *fill(ZH_SILENT_FRAMES, p=ZH_WHO, x=ZH_SILENT),
        *fill(ZH_GARAGE_FRAMES, p=("我老公", "我爸", "我哥", "他")),
        *fill(("{d}的药我停了，随便吧",), d=ZH_MEDS),
        *fill(("{t}又{v}手了",), t=ZH_NIGHT, v=ZH_CUT),
        *fill(ZH_EMOJI_FRAMES, e=EMOJI),
        *fill(("他们再打一次我就死在他们{w}",), w=ZH_PLACES),
        *fill(("{b}上的血{v}",), b=ZH_BODY, v=("止不住", "一直流")),
        *fill(("I found {p} with a {m} around his neck",), p=("him", "my husband", "my son"), m=NECK),
        *fill(("i've {v} reasons to {w}",), v=("run out of", "no more"), w=("stay", "live", "keep going")),
        *fill(("there's {n} keeping me here anymore",), n=EN_NOTHING),
        *fill(("i'm {a} i'll do something stupid tonight",), a=EN_SCARED),
        *("cannae go on anymore", "am no gonnae be around much longer", "wants tae just no wake up ever"),
        *fill(("{p}把皮带往脖子上{v}",), p=("他", "我老公", "我"), v=("套", "勒", "绕")),
        *fill(("我用{t}烫{b}",), t=ZH_HEAT, b=("胳膊", "大腿", "自己")),
        *fill(("干脆把手伸进{m}里算了",), m=ZH_MACHINE),
        *fill(("真的没有什么{x}能让我{y}了",), x=("东西", "人", "理由"), y=ZH_STAY),
        *fill(("下个礼拜我就不是{w}的{n}了",), w=("谁", "任何人", "家里"), n=ZH_BURDEN),
        *fill(("{p}在{r}里拿着{m}不让我进去",), p=("我老婆", "她"), r=ZH_ROOM, m=ZH_ROOM_MEANS),
        *fill(("我写好了给{w}的信，放在抽屉里",), w=("每个人", "爸妈", "孩子", "你们")),
    ]


def _danger_messages() -> list[str]:
    return [
        *fill(("they said they'll pick up my {k} from her office today",), k=KIN),
        *fill(("they took my {k}'s bike and said they'll take him next",), k=("little brother", "son")),
        *fill(("my husband came home with his {b} broken, their men did it",), b=BONES),
        *fill(("{s} have beaten my {k}",), s=("they", "them", "the collectors"), k=("boy", "girl", *KIN)),
    ]


def test_every_construction_with_every_class_word_reaches_the_crisis_screen_or_the_question() -> None:
    messages = _crisis_messages()
    caught = [m for m in messages if (v := detector().scan(m)).label == "crisis" or "crisis" in v.soft]
    missed = sorted(set(messages) - set(caught))
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_hopelessness_without_a_plan_gets_at_least_the_screening_question() -> None:
    messages = fill(EN_HOPELESS_FRAMES, h=EN_HOPELESS) + fill(ZH_HOPELESS_FRAMES, h=ZH_HOPELESS)
    missed = [m for m in messages if (v := detector().scan(m)).label != "crisis" and "crisis" not in v.soft]
    assert not missed, missed


def test_every_harm_to_a_relative_reaches_the_danger_screen() -> None:
    missed = misses(_danger_messages(), "danger")
    assert not missed, missed


def test_the_calm_twins_get_no_screen() -> None:
    alarms = [(m, v.label) for m in CALM if (v := detector().scan(m)).label is not None]
    assert not alarms, alarms
