"""The one-line reason of each action: the rule's condition with the numbers that met it."""

from __future__ import annotations

from typing import Any


def _date(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value or "")


def reason(trigger: str, n: dict[str, Any], row: dict[str, Any], currency: str) -> str:
    """The rule's reason, plus what the seller's own outcomes added to the value."""
    text = _rule_reason(trigger, n, row, currency)
    if n.get("p_order") is not None:
        text += f"; chance of an order {n['p_order']:.0%} (from the {row.get('valued_by', 'rules')})"
    if n.get("cross_sell_value"):
        top = (row.get("recommendations") or [{}])[0]
        text += f"; could also order {top.get('product')} ({n['cross_sell_value']:,.2f} {currency} expected)"
    return text


def _rule_reason(trigger: str, n: dict[str, Any], row: dict[str, Any], currency: str) -> str:
    about = f" about {row['product']}" if row.get("product") else ""
    if trigger == "unanswered_inquiry":
        return (f"inquiry received {_date(row['event_at'])}{about} has had no reply for "
                f"{n['hours_open']:.0f} h (rule: more than {n['threshold_hours']:g} h)")
    if trigger == "quote_no_order":
        return (f"inquiry of {_date(row['event_at'])}{about} was answered {n['days_since_answer']:.0f} days ago "
                f"and no order followed (rule: {n['threshold_days']:g}+ days)")
    if trigger == "overdue_repeat":
        return (f"{n['days_since_last_order']:.0f} days since the last order; usually orders every "
                f"{n['median_gap_days']:g} days ({n['order_days']:.0f} order days) - rule: more than "
                f"{n['factor']:g} x the usual gap")
    if trigger == "clv_at_risk":
        return (f"#{n['revenue_rank']:.0f} buyer by past revenue ({n['past_revenue']:,.2f} {currency}); "
                f"P(alive) {n['p_alive']:.0%} is below {n['max_p_alive']:.0%}; expected future value "
                f"{n['clv']:,.2f} {currency}")
    if trigger == "migration_invite":
        via = f" via {row['platform']}" if row.get("platform") else ""
        return (f"buys{via} at a fee share of {n['fee_share']:.1%}; moving them saves {n['value_of_moving']:,.2f} "
                f"{currency} of platform fees; {n['orders']:.0f} order(s), never on an owned channel, not invited yet")
    if trigger == "first_order_thanks":
        return (f"first order {n['days_since_order']:.0f} days ago ({n['order_value']:,.2f} {currency}); "
                "a thank-you now makes a second order more likely")
    raise ValueError(f"unknown trigger {trigger!r}")
