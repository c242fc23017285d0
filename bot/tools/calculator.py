"""The real cost of a loan: an IRR on the cash that actually changed hands.

The borrower's inflow at month 0 is what reached them (the contract amount minus any head-cut,
minus fees paid up front); each instalment is an outflow at the end of its month. The monthly
rate r solves  net_received = payment * sum((1 + r) ** -k for k in 1..months).  Thresholds from
facts.md are compared against the nominal annual rate (r * 12), the lower of the two annual
figures, so a "likely above the limit" never rests on compounding alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.tools.answers import (
    Answers,
    Text,
    ToolInputError,
    lender_type,
    loan_term,
    money,
    percent,
    yuan,
)
from bot.tools.memo import by_answers

MAX_MONTHS = 600  # 50 years: anything longer is a typing mistake, not a consumer loan
_TOLERANCE = 1e-13
_MAX_STEPS = 400

# (id, annual limit, fact ids, lender types it applies to)
_THRESHOLDS: tuple[tuple[str, float, tuple[str, ...], frozenset[str]], ...] = (
    ("four_lpr", 0.12, ("F060", "F063", "F064"), frozenset({"unlicensed", "unknown"})),
    ("licensed_24", 0.24, ("F065", "F066"), frozenset({"bank", "consumer_finance", "unknown"})),
    # card rates are negotiated freely since 2021 (F072): above 24% a court may cut the
    # charges (F065, F073), but that is not a broken rule, so it never becomes a violation
    ("card_24", 0.24, ("F065", "F072", "F073"), frozenset({"credit_card"})),
    # the 2017 court opinion (F065) speaks of financial-institution loans; for small-loan
    # companies only the regulators' 24% all-in cap (F066) is cited
    ("small_loan_24", 0.24, ("F066",), frozenset({"small_loan"})),
    ("criminal_36", 0.36, ("F067",), frozenset({"unlicensed", "unknown"})),
)


@dataclass(frozen=True, slots=True)
class LoanTerms:
    contract_amount: float
    received_amount: float
    monthly_payment: float
    months: int
    upfront_fees: float = 0.0
    days: int | None = None  # a short loan repaid once after this many days (months is then 1)


@dataclass(frozen=True, slots=True)
class ThresholdCheck:
    id: str  # four_lpr | licensed_24 | card_24 | small_loan_24 | criminal_36
    limit: float  # annual, as a fraction
    applies: bool  # relevant to this lender type
    exceeded: bool  # nominal annual rate above the limit
    fact_ids: tuple[str, ...]
    text_key: str


@dataclass(frozen=True, slots=True)
class LoanFigures:
    terms: LoanTerms
    head_cut: float  # contract - received (F068)
    net_received: float  # received - up-front fees: the real principal in cash
    total_repaid: float
    total_cost: float  # total_repaid - net_received
    monthly_rate: float
    nominal_annual_rate: float  # monthly * 12
    effective_annual_rate: float  # (1 + monthly) ** 12 - 1
    nominal_rate_if_contract_received: float  # what the rate would be without the head-cut
    checks: tuple[ThresholdCheck, ...]


def validate(terms: LoanTerms) -> None:
    values = (terms.contract_amount, terms.received_amount, terms.monthly_payment, terms.upfront_fees)
    if any(isinstance(v, bool) or not math.isfinite(v) for v in values):
        raise ToolInputError("not_a_number")
    if terms.contract_amount <= 0 or terms.received_amount <= 0:
        raise ToolInputError("amount_not_positive")
    if terms.received_amount > terms.contract_amount:
        raise ToolInputError("received_above_contract")
    if isinstance(terms.months, bool) or not isinstance(terms.months, int):
        raise ToolInputError("months_not_whole")
    if not 1 <= terms.months <= MAX_MONTHS:
        raise ToolInputError("months_out_of_range")
    if terms.monthly_payment <= 0:
        raise ToolInputError("payment_not_positive")
    if terms.upfront_fees < 0 or terms.upfront_fees >= terms.received_amount:
        raise ToolInputError("fees_out_of_range")
    if terms.days is not None and (terms.months != 1 or not 1 <= terms.days <= MAX_MONTHS * 31):
        raise ToolInputError("months_out_of_range")


def monthly_irr(net_received: float, payment: float, months: int) -> float:
    """The monthly rate at which the instalments are worth exactly what was received.

    The present value of the instalments falls strictly as r rises, so the root is unique.
    Newton's steps, kept inside a bracket that always holds the root (a step that would leave
    it bisects instead): a handful of steps where plain bisection took about fifty, and every
    screen that assesses a loan (figures, findings, the plan, the letters) solves this twice.
    """
    if net_received <= 0 or payment <= 0 or months < 1:
        raise ToolInputError("amount_not_positive")

    def annuity(rate: float) -> tuple[float, float]:
        """The annuity factor at `rate` and its slope."""
        if abs(rate) < 1e-7:  # the limits at r = 0 (the formulas below divide by r)
            return months - months * (months + 1) / 2 * rate, -months * (months + 1) / 2
        # expm1/log1p keep the factor exact near r = 0 (no 1 - 0.9999… cancellation)
        log_growth = math.log1p(rate)
        factor = -math.expm1(-months * log_growth) / rate
        return factor, (months * math.exp(-(months + 1) * log_growth) - factor) / rate

    low, high = -0.99, 1.0
    while payment * annuity(high)[0] > net_received:
        high *= 2
        if high > 1e6:
            raise ToolInputError("rate_implausible")
    rate = min(max((payment * months / net_received - 1) / months, low), high)
    for _ in range(_MAX_STEPS):
        factor, slope = annuity(rate)
        gap = payment * factor - net_received
        if gap > 0:
            low = rate
        else:
            high = rate
        newton = rate - gap / (payment * slope)
        following = newton if low < newton < high else (low + high) / 2
        if abs(following - rate) < _TOLERANCE or high - low < _TOLERANCE:
            return following
        rate = following
    return rate


def compute(terms: LoanTerms, kind: str = "unknown") -> LoanFigures:
    """All figures for one loan; `kind` is the lender type id (decides which limits apply)."""
    validate(terms)
    net = terms.received_amount - terms.upfront_fees
    total = terms.monthly_payment * terms.months
    if terms.days is not None:
        # one repayment after `days`: the period's cost, scaled to a year of 365 days
        nominal = (terms.monthly_payment / net - 1) * 365 / terms.days
        contract_rate = (terms.monthly_payment / terms.contract_amount - 1) * 365 / terms.days
        rate = nominal / 12
        effective = _compounded(terms.monthly_payment / net, 365 / terms.days)
    else:
        rate = monthly_irr(net, terms.monthly_payment, terms.months)
        nominal = rate * 12
        contract_rate = monthly_irr(terms.contract_amount, terms.monthly_payment, terms.months) * 12
        effective = (1 + rate) ** 12 - 1
    checks = tuple(
        ThresholdCheck(
            id=check_id,
            limit=limit,
            applies=kind in kinds,
            exceeded=nominal > limit + 1e-9,  # tolerance: a rate exactly at the limit is within it
            fact_ids=facts,
            text_key=_limit_key(check_id, nominal > limit + 1e-9, facts),
        )
        for check_id, limit, facts, kinds in _THRESHOLDS
    )
    return LoanFigures(
        terms=terms,
        head_cut=terms.contract_amount - terms.received_amount,
        net_received=net,
        total_repaid=total,
        total_cost=total - net,
        monthly_rate=rate,
        nominal_annual_rate=nominal,
        effective_annual_rate=effective,
        nominal_rate_if_contract_received=contract_rate,
        checks=checks,
    )


def _compounded(growth: float, periods: float) -> float:
    """growth ** periods - 1, or infinity when a week's cost compounded over a year overflows."""
    try:
        return float(growth**periods - 1)
    except OverflowError:
        return math.inf


def _limit_key(check_id: str, exceeded: bool, facts: tuple[str, ...]) -> str:
    state = "above" if exceeded else "within"
    return f"tools.calc.limit.{check_id}.{state}.{'_'.join(f.lower() for f in facts)}"


def terms_from_answers(answers: Answers) -> LoanTerms | None:
    """The loan terms if the user gave enough figures (received defaults to the contract)."""
    contract = money(answers, "contract_amount")
    received = money(answers, "received_amount")
    payment = money(answers, "monthly_payment")
    months, days = loan_term(answers)
    if payment is None or (months is None and days is None) or (contract is None and received is None):
        return None
    contract = contract if contract is not None else received
    received = received if received is not None else contract
    assert contract is not None and received is not None
    fees = money(answers, "fees") or 0.0
    if days is not None:
        return LoanTerms(contract, received, payment, 1, fees, days=days)
    assert months is not None
    return LoanTerms(contract, received, payment, months, fees)


@by_answers
def figures_from_answers(answers: Answers) -> LoanFigures | None:
    """None when figures are missing; ToolInputError when they contradict each other."""
    terms = terms_from_answers(answers)
    return None if terms is None else compute(terms, lender_type(answers))


def render_figures(answers: Answers, text: Text) -> str:
    """The calculator's result as a text block (a view); never raises on bad figures."""
    try:
        figures = figures_from_answers(answers)
    except ToolInputError as problem:
        return text(f"tools.calc.invalid.{problem.reason}")
    if figures is None:
        return text("tools.calc.incomplete")
    return "\n".join(figure_lines(figures, text))


def figure_lines(figures: LoanFigures, text: Text) -> list[str]:
    terms = figures.terms
    lines = [
        text("tools.calc.received", received=yuan(figures.net_received), contract=yuan(terms.contract_amount))
    ]
    if terms.days is not None:
        lines += [
            text("tools.calc.repaid_once", total=yuan(figures.total_repaid), days=terms.days),
            text("tools.calc.cost", cost=yuan(figures.total_cost)),
            text(
                "tools.calc.rates_short",
                days=terms.days,
                period=percent(figures.total_cost / figures.net_received),
                nominal=percent(figures.nominal_annual_rate),
            ),
        ]
    else:
        lines += [
            text(
                "tools.calc.repaid",
                total=yuan(figures.total_repaid),
                months=terms.months,
                payment=yuan(terms.monthly_payment),
            ),
            text("tools.calc.cost", cost=yuan(figures.total_cost)),
            text(
                "tools.calc.rates",
                monthly=percent(figures.monthly_rate),
                nominal=percent(figures.nominal_annual_rate),
                effective=percent(figures.effective_annual_rate),
            ),
        ]
    if figures.head_cut > 0:
        lines.append(
            text(
                "tools.calc.head_cut.f068",
                head_cut=yuan(figures.head_cut),
                received=yuan(terms.received_amount),
                claimed=percent(figures.nominal_rate_if_contract_received),
            )
        )
    if terms.upfront_fees > 0:
        lines.append(text("tools.calc.fees.f067", fees=yuan(terms.upfront_fees)))
    for check in figures.checks:
        if check.applies:
            lines.append(text(check.text_key, rate=percent(figures.nominal_annual_rate)))
    lines.append(text("tools.calc.note"))
    return lines
