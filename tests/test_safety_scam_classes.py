"""Scam losses built from word classes × sentence frames, not from examples.

Hand-written sets keep finding verbs and cues that no pattern holds; here every payment verb meets
every amount, receiver and frame (and every secret every verb of handing it over), so a class
word the patterns miss shows up at once. The calm twins put the same verbs in front of known, real
receivers (the landlord, one's own bank, the lender's app) or in a refusal.
"""

from __future__ import annotations

from safety_frames import fill, misses, screened

ZH_PAID = (
    *("转了", "汇了", "打了", "付了", "交了", "充了", "刷了", "给了"),
    *("微信转了", "支付宝转了", "扫码付了", "转账", "打款"),
)
ZH_AMOUNTS = ("三千", "5000块", "手续费", "一笔钱")
ZH_RECEIVERS = (
    *("自称法院的人", "冒充警察的人", "说能帮我上岸的人", "征信修复公司"),
    *("说能注销账户的客服", "一个陌生人", "那个所谓的律师", "说是网警的人"),
)
ZH_FRAMES = ("我{v}{a}给{r}", "我给{r}{v}{a}", "{r}让我交钱，我{v}{a}", "上个月{v}{a}给{r}，现在联系不上")

EN_PAID = (
    *("paid", "sent", "transferred", "wired", "zelled", "venmoed", "e-transferred", "deposited"),
    *("gave", "moved", "topped up", "loaded", "made a payment of", "handed over", "ended up sending"),
)
EN_AMOUNTS = ("$500", "3000 yuan", "the fee", "my savings")
EN_RECEIVERS = (
    *("a man who said he was from the court", "a fake lawyer", "a debt relief agent"),
    *("someone pretending to be police", "a guy on telegram", 'the "safe account"'),
    *("an impostor from the loan app", "a random account the collector sent"),
)
EN_FRAMES = ("I {v} {a} to {r}", "{r} told me to pay, so I {v} {a}", "My mum {v} {a} to {r}")

EN_SECRETS = (
    *("the code", "my OTP", "my card number", "my PIN", "a photo of my ID", "my passport scan"),
    *("the 3 digits on the back", "my login details", "my bank details", "the verification code"),
)
EN_TELL = (
    *("gave", "told", "sent", "read out", "texted"),
    *("emailed", "handed over", "provided", "shared", "whatsapped"),
)
EN_ASKERS = (
    *("a man claiming to be from the bank", "the fake customer service"),
    *("someone pretending to be police", "the caller"),
)
EN_SECRET_FRAMES = ("I {v} {s} to {r}", "I {v} {r} {s}", "{r} asked for {s} and I {v} it")
ZH_SECRETS = ("验证码", "银行卡号", "卡号和密码", "身份证正反面", "支付密码", "短信验证码", "网银密码")
ZH_TELL = ("告诉了", "发给了", "念给了", "报给了", "给了", "拍给了", "截图发给了")
ZH_ASKERS = ("自称客服的人", "冒充银行的人", "说能帮我上岸的人", "一个陌生人", "说是法院的人")
ZH_SECRET_FRAMES = ("我把{s}{v}{r}", "{r}要{s}，我就{v}他")

EN_KNOWN = (
    *("my landlord", "the lender through the app", "my own lawyer", "my mum"),
    *("my savings account", "my sister", "the school"),
)
EN_CALM_FRAMES = (
    *("I {v} {a} to {r}", "the collector kept calling, so I {v} {a} to {r}"),
    "I {v} {a} to {r}, is that normal?",
)
ZH_KNOWN = (
    *("房东", "平台官方app", "我自己请的律师", "我妈"),
    *("法院的缴费窗口", "我自己的银行卡", "学校", "物业"),
)
ZH_CALM_FRAMES = (
    *("我{v}{a}给{r}", "催收一直打电话，我就{v}{a}给{r}"),
    "有个自称警察的人要钱，我没理，{v}{a}给{r}",
)
REFUSALS = (
    "I did not send anything to the man who said he was police",
    "should I pay the fee to the credit repair agent?",
    "they told me to move money to a safe account, I refused",
    "I almost zelled the fee to a fake lawyer but my sister stopped me",
    "if I wired money to the scammer would I get it back?",
    "那个自称法院的人让我转三千，我没转",
    "要不要给那个说能上岸的人转手续费",
    "差点给骗子转了两万，被我老公拦住了",
    "如果我给他转了保证金会怎样",
    "有人冒充客服要我交一笔钱，我挂了",
)


def test_every_payment_verb_amount_and_receiver_reaches_the_scam_screen() -> None:
    messages = fill(ZH_FRAMES, v=ZH_PAID, a=ZH_AMOUNTS, r=ZH_RECEIVERS)
    messages += fill(EN_FRAMES, v=EN_PAID, a=EN_AMOUNTS, r=EN_RECEIVERS)
    missed = misses(messages, "scam_victim")
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_every_secret_handed_to_an_impostor_reaches_the_scam_screen() -> None:
    messages = fill(ZH_SECRET_FRAMES, s=ZH_SECRETS, v=ZH_TELL, r=ZH_ASKERS)
    messages += fill(EN_SECRET_FRAMES, v=EN_TELL, s=EN_SECRETS, r=EN_ASKERS)
    missed = misses(messages, "scam_victim")
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_money_to_a_known_receiver_or_refused_gets_no_screen() -> None:
    messages = fill(ZH_CALM_FRAMES, v=ZH_PAID, a=ZH_AMOUNTS[:3], r=ZH_KNOWN)
    messages += fill(EN_CALM_FRAMES, v=EN_PAID, a=EN_AMOUNTS[:3], r=EN_KNOWN)
    messages += list(REFUSALS)
    alarms = screened(messages)
    assert len(alarms) <= len(messages) * 3 // 100, (len(alarms), len(messages), alarms[:10])


# Identity papers by their national names, relatives named without "my", a learner's "already send",
# loans taken out to pay the fee, a payment confirmed on a spoofed call, the payee found out afterwards
EN_ID_PAPERS = (
    *("my aadhaar", "my PAN card", "my NRIC", "my MyKad", "my BVN", "my NIN"),
    *("my driving licence", "my passport", "my ID card", "my Aadhaar and PAN"),
)
EN_ID_VERBS = ("gave", "sent", "uploaded", "shared", "whatsapped", "provided", "handed over")
EN_ID_FRAMES = (
    *("I {v} {s} to {r}", "{v} {s} to {r} and now there are loans on my name"),
    "my brother {v} {s} to {r}",
)
EN_KIN = ("grandpa", "grandma", "mum", "dad", "nan", "auntie", "mom", "granny")
EN_KIN_RECEIVERS = (
    *('a "lawyer" on the phone', "a man who said he was police", "a fake debt relief agent"),
    *('a "grandson in jail"', "the caller who said he was from the court"),
)
EN_KIN_FRAMES = ("{k} {v} 2000 to {r}", "{k} already {v} 5,000 to {r}")
EN_KIN_PAID = ("wired", "sent", "transferred", "paid", "zelled", "gave")
EN_LEARNER_FRAMES = (
    "i already {v} 3000 to the man who say he is from {o}",
    "Sir i already {v} 25000 naira to the person who said he is from {o}",
    "i just {v} him my otp, he said he is from {o}",
)
EN_LEARNER_VERBS = ("send", "give", "pay", "transfer")
EN_CLAIMED = ("court", "EFCC", "police", "the bank", "customer service")
EN_LOAN_FOR_FEE_FRAMES = (
    "I {b} a new loan to pay the {f} and {a}",
    "{b} loans from 3 apps to pay their {f}, now {a}",
)
EN_BORROWED = ("took out", "borrowed", "got")
EN_THEIR_FEES = ('"processing fee"', "unfreezing fee", "release fee", "verification deposit", "insurance fee")
EN_AFTERMATH = ("they are gone", "the agent blocked me", "nothing came", "the scammer vanished")
EN_CONFIRMED = (
    *("confirmed the transaction", "approved the payment", "authorised the transfer"),
    *("approved the transaction in my app", "confirmed the payment"),
)
EN_CONFIRM_FRAMES = (
    "they called from a number that showed as my bank, I {v}",
    "the caller said he was from the fraud team, I {v} and lost 2000",
)
EN_FOUND_OUT = (
    "turns out it was not the lender",
    "it was not the real bank",
    "turned out it was a scam",
    "its gone",
)
EN_PAYEES = ("the whatsapp number", "the collections department number", "the account in the email")
ZH_CLAIMED_ACCOUNTS = ('"司法保全账户"', '"安全账户"', "国家监管账户")
ZH_THEN = ("就", "也", "都")
ZH_PAID_SHORT = ("转了", "交了", "付了", "汇了")
ZH_THEN_FRAMES = ("他说这个账户是{a}，我{j}{v}", "对方说是{o}的，我{j}{v}五千")
ZH_CLAIMED = ("法院", "公安", "客服")
ZH_FEES = ("手续费", "保证金", "解冻费", "验资费")
ZH_BORROWED = ("两个网贷", "一笔钱", "信用卡套现")
ZH_LOAN_AFTERMATH = ("贷款一直没到账，对方也失联了", "对方失联了", "钱一直没到账")
ZH_PHONE_TAKERS = ("那个人", "上门的工作人员", "客服", "陌生人")
ZH_PHONE_AFTERMATH = ("转了我好几笔", "钱被转走了", "卡里的钱没了")


def test_papers_relatives_learners_loans_for_fees_and_payees_found_out_reach_the_scam_screen() -> None:
    messages = fill(EN_ID_FRAMES, v=EN_ID_VERBS, s=EN_ID_PAPERS, r=EN_ASKERS)
    messages += fill(EN_KIN_FRAMES, k=EN_KIN, v=EN_KIN_PAID, r=EN_KIN_RECEIVERS)
    messages += fill(EN_LEARNER_FRAMES, v=EN_LEARNER_VERBS, o=EN_CLAIMED)
    messages += fill(EN_LOAN_FOR_FEE_FRAMES, b=EN_BORROWED, f=EN_THEIR_FEES, a=EN_AFTERMATH)
    messages += fill(EN_CONFIRM_FRAMES, v=EN_CONFIRMED)
    messages += fill(("I {v} 800 to {r}, {t}",), v=EN_KIN_PAID, r=EN_PAYEES, t=EN_FOUND_OUT)
    messages += fill(ZH_THEN_FRAMES, a=ZH_CLAIMED_ACCOUNTS, j=ZH_THEN, v=ZH_PAID_SHORT, o=ZH_CLAIMED)
    messages += fill(("为了交{f}我又借了{n}，结果{a}",), f=ZH_FEES, n=ZH_BORROWED, a=ZH_LOAN_AFTERMATH)
    messages += fill(("我把手机给{p}了，他说要帮我操作，{a}",), p=ZH_PHONE_TAKERS, a=ZH_PHONE_AFTERMATH)
    missed = misses(messages, "scam_victim")
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


# their calm twins: paying only intended, an ordinary charge paid, scams read about, warnings not to
# hand a code over, a screen shown to a colleague or remote help from one's son
EN_INTENT = ("thinking about", "considering", "planning on", "about to start", "wondering whether to start")
EN_INTENDED = ("paying", "sending money to", "giving my details to")
EN_OFFERERS = ("a credit repair company", "a debt settlement firm", "a loan agent on facebook")
EN_CHARGES = ("late fee", "overdraft fee", "annual fee", "late payment fee", "admin fee")
EN_CHARGED_ON = ("credit card", "bank account", "phone bill", "loan")
EN_HEARD = (
    "read that",
    "saw on the news that",
    "heard that",
    "watched a video about how",
    "read an article saying",
)
EN_SCAM_TRICKS = (
    *("use screen sharing to steal money", "ask for your verification code"),
    "tell people to move money to a safe account",
)
ZH_DONT = ("不要", "千万不要", "千万别", "切勿", "不能", "别")
ZH_SECRET_WORDS = ("验证码", "密码", "银行卡号", "身份证照片")
ZH_KNOWN_HELPERS = ("同事", "我儿子", "老婆", "领导", "客户", "网管")
ZH_HELPED_WITH = ("表格", "弄电脑", "装打印机", "PPT")


def test_intent_ordinary_charges_news_warnings_and_known_helpers_get_no_screen() -> None:
    messages = fill(
        ("I am {i} {p} {r}, are they legit?", "{i} {p} {r}, is it safe?"),
        i=EN_INTENT,
        p=EN_INTENDED,
        r=EN_OFFERERS,
    )
    messages += fill(
        ("I paid the {f} on my {c}", "paid the {c} {f} yesterday, annoying"), f=EN_CHARGES, c=EN_CHARGED_ON
    )
    messages += fill(
        ("I {r} scammers {s}, I would never do that", "{r} fake police {s}"), r=EN_HEARD, s=EN_SCAM_TRICKS
    )
    messages += fill(("{w}把{s}告诉任何人", "银行提醒我{w}把{s}发给别人"), w=ZH_DONT, s=ZH_SECRET_WORDS)
    messages += fill(
        ("我给{p}共享了屏幕给他看{x}", "装了个向日葵让{p}远程帮我{x}"), p=ZH_KNOWN_HELPERS, x=ZH_HELPED_WITH
    )
    alarms = screened(messages)
    assert len(alarms) <= len(messages) * 3 // 100, (len(alarms), len(messages), alarms[:10])


# Pidgin and Manglish perfects ("I don pay", "i already bank in"), relatives by their home words, a
# wallet emptied after a "helper" was let onto the laptop, 俺 for 我, secrecy demanded, money put into
# "their" card (往他们给的卡里打了), a chat group that kicked the payer out
EN_PIDGIN_FRAMES = (
    "I don {v} the man {a} make him {w}, now e no dey pick call",
    "my sister don {v} {a} to the agent wey say im fit {w}",
)
EN_PIDGIN_VERBS = ("pay", "send", "transfer", "give")
EN_PIDGIN_AMOUNTS = ("150k", "50,000 naira", "20k")
EN_PIDGIN_WISHES = ("clear my name", "remove my name for the loan app", "settle my loan")
EN_MANGLISH_FRAMES = (
    "lah the {r} say must pay {f} to his personal account, i already {v}",
    "{r} ask me pay {f}, i {v} already",
)
EN_MANGLISH_ASKERS = ("agent", "officer", "guy from bank negara")
EN_MANGLISH_FEES = ('"early settlement fee"', "clearance fee", "the unlock fee")
EN_MANGLISH_VERBS = ("bank in", "banked in", "transfer", "pay")
EN_HOME_KIN = ("aunty", "old man", "grandad", "old lady", "auntie", "hubby")
EN_IMPOSTORS = ('"customs"', "a fake lawyer", "a man who said he was police")
EN_HELPERS = ('the "tech support" guy', "the so called bank officer", "them")
EN_DEVICES = ("laptop", "phone", "computer")
EN_WALLETS = ("paypal", "bank account", "wallet", "card", "savings account")
ZH_BOOKS = ("存折", "银行卡", "工资卡")
ZH_CALLERS_AT_DOOR = ("上门的“银行工作人员”", "自称公安的人", "冒充客服的人")
ZH_SECRECY = ("保密", "别告诉家人", "不能告诉家人")
ZH_SAVINGS = ("房租钱", "存款", "工资", "学费")
ZH_THEIR_CARDS = ("他们给的", "对方的", "那个人的")
ZH_SUMS = ("五千块", "3000元", "两万")
ZH_NOT_BACK = ("说审核完退，一直没退", "现在联系不上", "后来被拉黑了")


def test_pidgin_manglish_home_words_emptied_wallets_and_secrecy_reach_the_scam_screen() -> None:
    messages = fill(EN_PIDGIN_FRAMES, v=EN_PIDGIN_VERBS, a=EN_PIDGIN_AMOUNTS, w=EN_PIDGIN_WISHES)
    messages += fill(EN_MANGLISH_FRAMES, r=EN_MANGLISH_ASKERS, f=EN_MANGLISH_FEES, v=EN_MANGLISH_VERBS)
    messages += fill(("my {k} {v} 3000 to {r}",), k=EN_HOME_KIN, v=EN_KIN_PAID[:4], r=EN_IMPOSTORS)
    messages += fill(
        ("I let {w} on my {d} and my {x} is empty now",), w=EN_HELPERS, d=EN_DEVICES, x=EN_WALLETS
    )
    messages += fill(
        ("俺把俺那张{c}的密码告诉那个{r}了，钱没了", "俺娘把{c}密码给了{r}"), c=ZH_BOOKS, r=ZH_CALLERS_AT_DOOR
    )
    messages += fill(("他一直让我{k}，我就偷偷把{m}转给他了",), k=ZH_SECRECY, m=ZH_SAVINGS)
    messages += fill(("我往{r}卡里打了{a}，{t}",), r=ZH_THEIR_CARDS, a=ZH_SUMS, t=ZH_NOT_BACK)
    messages += fill(("{x}，现在群主把我踢了",), x=("在群里刷单交了三千多", "交了会员费"))
    messages += fill(("交了钱以后被{y}踢出群了",), y=("管理员", "他们", "群主"))
    missed = misses(messages, "scam_victim")
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_vouchers_bought_and_callers_blocked_get_no_screen() -> None:
    messages = fill(
        ("I {v} {x} {c}",),
        v=("bought", "paid with", "used"),
        x=("vouchers", "a voucher", "gift vouchers"),
        c=("at tesco", "for my mum's birthday", "to pay for dinner", "from the supermarket"),
    )
    messages += fill(
        ("{r}要我给验证码，我没给，把他{b}了",),
        r=("有人自称客服", "冒充银行的", "一个陌生人"),
        b=("封锁", "拉黑", "屏蔽", "删"),
    )
    alarms = screened(messages)
    assert len(alarms) <= len(messages) * 3 // 100, (len(alarms), len(messages), alarms[:10])


# slang for paying and for being cheated, a victim talked into opening an account first, a push
# approved, money 存进去 or 打 to them, money 提走 afterwards; calm twins: the same verbs for one's own bills
EN_SLANG_PAID = ("forked over", "shelled out", "coughed up", "did a transfer of", "parted with")
EN_SLANG_RECEIVERS = (
    "a dude claiming he could get my loans forgiven",
    "a guy who swore he was with the sheriff",
)
EN_CHEATED = ("duped", "catfished", "hoodwinked", "bamboozled", "finessed")
EN_OPENED = ("open a crypto account", "set up a new wallet", "download an app", "sign a form")
EN_APPROVED = ("clicked approve", "tapped approve", "hit accept")
ZH_INTO_THEIR = ("他给的一个基金账户里", "他个人卡上", "他说的那个账户")
ZH_TAKEN_OUT = ("提走", "划走", "取走")


def test_slang_payments_cheating_words_pushes_and_money_taken_out_reach_the_scam_screen() -> None:
    messages = fill(
        ("i {v} 600 bucks to {r}, not heard from him since",), v=EN_SLANG_PAID, r=EN_SLANG_RECEIVERS
    )
    messages += fill(("I have been {c}, paid a guy to write off my loans",), c=EN_CHEATED)
    messages += fill(("they convinced my mother to {o} and transfer her savings to them",), o=EN_OPENED)
    messages += fill(
        ("I {a} on the push notification while he was on the line, 1,100 went out",), a=EN_APPROVED
    )
    messages += fill(
        ("那个客服叫我把钱{v}{r}，说是解冻用的，我{d}了",),
        v=("存到", "打到"),
        r=ZH_INTO_THEIR,
        d=("存进去", "打"),
    )
    messages += fill(("装了他的app，里面的钱全部被{t}了",), t=ZH_TAKEN_OUT)
    missed = misses(messages, "scam_victim")
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_the_same_slang_for_ones_own_bills_gets_no_screen() -> None:
    messages = fill(
        ("I {v} 600 for {b} this month, money is tight",),
        v=("forked out", "shelled out", "coughed up"),
        b=("car repairs", "the vet", "my rent"),
    )
    messages += [
        "i approved the push notification because i was logging in myself",
        "我打了过去，是银行客服，说卡没问题",
    ]
    alarms = screened(messages)
    assert len(alarms) <= len(messages) * 3 // 100, (len(alarms), len(messages), alarms[:10])


# a relative named through another's (my colleague's husband), a learner's present said of anyone (she
# give her card number), "i send it," with a time, a victim frightened or pressured into paying, a code
# sent "by sending him", conned out of a pension, accounts by the kind they were called, papers by their
# national names, Shanghainese 讲拨伊听 and a Cantonese screen shown (俾佢睇畫面)
EN_VIA = ("colleague", "friend", "neighbour", "boss", "cousin")
EN_VIA_KIN = ("husband", "mum", "dad", "son", "wife")
EN_LEARNER_SUBJECTS = ("he", "she", "my mother she", "my son", "my husband he", "my grandpa")
EN_LEARNER_PRESENT = ("give", "send", "tell", "deposit", "transfer")
EN_LEARNER_OBJECTS = ("her bank card number", "the SMS code", "the money", "his savings", "the otp")
EN_LEARNER_TAKERS = (
    "the man who say he is from court",
    'the "HSBC" caller',
    "a lady who called about her loan",
)
EN_DONE_IT = ("send it", "pay it", "transfer it", "did it", "wire it")
EN_WHEN = ("", " last night", " yesterday", " already", " this morning")
EN_PRESSED = ("scared", "pressured", "bullied", "guilted", "manipulated", "rushed", "frightened")
EN_ACCOUNT_KINDS = (
    *("secured account", "safekeeping account", "reserve account", "protected account"),
    *("supervision account", "escrow account"),
)
EN_MORE_PAPERS = (
    "cnic",
    "omang",
    "ghana card",
    "sin number",
    "tfn",
    "singpass login",
    "medicare card",
    "emirates id",
)
ZH_TOLD_ALOUD = ("讲给他听", "讲拨伊听", "说给对方听", "讲出来给他")


def test_relatives_of_others_learners_present_pressure_and_accounts_by_kind_reach_the_scam_screen() -> None:
    messages = fill(
        ("my {x}'s {k} {v} 5000 to {r}", "my {x}'s {k} already {v} his savings to {r}, what now"),
        x=EN_VIA,
        k=EN_VIA_KIN,
        v=EN_KIN_PAID[:4],
        r=EN_IMPOSTORS,
    )
    messages += fill(
        ("{s} {v} {o} to {r}",),
        s=EN_LEARNER_SUBJECTS,
        v=EN_LEARNER_PRESENT,
        o=EN_LEARNER_OBJECTS,
        r=EN_LEARNER_TAKERS,
    )
    messages += fill(
        ("the agent told me to pay {f}, i {v}{t}, now {a}",),
        f=EN_THEIR_FEES,
        v=EN_DONE_IT,
        t=EN_WHEN,
        a=EN_AFTERMATH,
    )
    messages += fill(("not gonna lie i {v} the fake bank guy 2k",), v=EN_KIN_PAID)
    messages += fill(
        (
            'my {k} was {c} into {g} money to a "lawyer"',
            "they {c} my {k} into {g} her savings to a fake officer",
        ),
        k=("uncle", "mum", "grandpa"),
        c=EN_PRESSED,
        g=("sending", "paying", "transferring", "wiring"),
    )
    messages += fill(
        ("I let a stranger verify my account by {v} him {s}, now it is empty",),
        v=("sending", "giving", "texting", "reading out"),
        s=("the login code", "my otp", "my pin", "the sms code", "my card number"),
    )
    messages += fill(
        ("they {c} {o} out of {t}",),
        c=("conned", "scammed", "cheated", "swindled", "tricked"),
        o=("my dad", "my grandma", "us", "him", "her", "my old man"),
        t=("his pension", "$5000", "her savings"),
    )
    messages += fill(
        ("the officer said to move everything to a {k}, i did it {t}",), k=EN_ACCOUNT_KINDS, t=EN_WHEN[1:]
    )
    messages += fill(
        ("i {v} my {p} and the code to the caller",), v=("gave", "sent", "give", "send"), p=EN_MORE_PAPERS
    )
    messages += fill(("我把{s}{v}了，他说是公安局的，钞票全部没了",), s=ZH_SECRETS[:4], v=ZH_TOLD_ALOUD)
    messages += fill(
        ("佢哋話我張卡有問題，叫我開咗個{a}俾佢睇{b}，而家{c}啲錢冇晒",),
        a=("app", "會議軟件"),
        b=("畫面", "屏幕", "手機屏幕"),
        c=("戶口", "卡", "銀行"),
    )
    missed = misses(messages, "scam_victim")
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_their_calm_twins_asked_refused_known_receivers_markets_and_work_screens_get_no_screen() -> None:
    messages = fill(
        (
            "my {x}'s {k} asked if he should send money to the police caller, I said no",
            "my {x}'s {k} paid the rent to the landlord",
        ),
        x=EN_VIA[:3],
        k=EN_VIA_KIN[:3],
    )
    messages += fill(
        ("{s} {v} the money to the bank at the counter",), s=EN_LEARNER_SUBJECTS[:4], v=EN_LEARNER_PRESENT
    )
    messages += fill(
        ("i lost money {p} the {m}, my own fault",),
        p=("on", "in", "during"),
        m=("crash", "market crash", "dip"),
    )
    messages += fill(
        ("{n} people in my {w} were {c} by fake police, luckily not me",),
        n=("5", "many", "some", "a lot of"),
        w=("village", "building", "church"),
        c=("scammed", "tricked", "conned"),
    )
    messages += fill(
        ("paid my {b} bill with {p} points",), b=("utility", "phone"), p=("gift card", "loyalty", "reward")
    )
    messages += fill(
        ("my grandmother asked if she should {v} the pin to the man who called, i told her never",),
        v=("give", "send", "tell"),
    )
    messages += fill(("should {w} give the code to the caller?",), w=("he", "she", "my mum", "we"))
    messages += fill(
        ("I accepted a screen share from my {w} for a {m} meeting",),
        w=("colleague", "boss"),
        m=("work", "zoom"),
    )
    messages += [
        "the pd called me about a noise complaint",
        "i transferred the money to the real lender through their website",
        "the loan officer at the real branch asked for my ID, i gave it",
        "a caller asked for my otp, i hung up",
        "i sent my tfn to my employer for payroll",
        "我把银行卡密码说给我妈听了，她帮我取钱",
        "佢叫我睇下個畫面，我冇開",
    ]
    alarms = screened(messages)
    assert len(alarms) <= len(messages) * 3 // 100, (len(alarms), len(messages), alarms[:10])
