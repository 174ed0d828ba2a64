"""Hand-derived rule checks through the Python API (issue #26): each scenario is small
enough to work out on paper, and the expected figures are derived in the comments, not
taken from the CLI or another engine. Traffic is dated 2025 (CBP in March, PMP in
August), before the 2026-10-01 pricing change."""

from __future__ import annotations

import calendar
from typing import Any, Dict, List, Optional

import convolens

H = 3600
DAY = 86_400
USER = "4915112345678"  # Germany
OTHER = "4915199999999"


def ts(y: int, m: int, d: int, hh: int = 0) -> int:
    return calendar.timegm((y, m, d, hh, 0, 0))


def inbound(id_: str, t: int, user: str = USER, body: str = "hi",
            referral: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    msg: Dict[str, Any] = {"from": user, "id": id_, "timestamp": str(t), "type": "text",
                           "text": {"body": body}}
    if referral:
        msg["referral"] = referral
    return {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "1001"},
        "contacts": [{"wa_id": user, "profile": {"name": "U"}}],
        "messages": [msg]}}]}]}


def delivered(id_: str, t: int, user: str = USER) -> Dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "1001"},
        "statuses": [{"id": id_, "status": "delivered", "timestamp": str(t), "recipient_id": user}]}}]}]}


def template(id_: str, t: int, category: str, user: str = USER, **extra: Any) -> List[Dict[str, Any]]:
    """A template sent at t - 2 and delivered at t."""
    rec = {"type": "outbound", "id": id_, "phone_number_id": "1001", "to": user, "timestamp": t - 2,
           "kind": "template", "template": f"t_{category}", "category": category, **extra}
    return [rec, delivered(id_, t, user)]


def free_form(id_: str, t: int, user: str = USER, author: str = "agent") -> List[Dict[str, Any]]:
    """A free-form message sent at t - 2 and delivered at t."""
    rec = {"type": "outbound", "id": id_, "phone_number_id": "1001", "to": user, "timestamp": t - 2,
           "kind": "free_form", "author": author}
    return [rec, delivered(id_, t, user)]


def engine(docs: List[Dict[str, Any]], config: Optional[Dict[str, Any]] = None) -> convolens.Engine:
    e = convolens.Engine(config or {})
    out = e.ingest_many(docs)
    assert out["errors"] == []
    return e


def test_cbp_conversations_open_on_delivery_and_last_24_hours():
    t = ts(2025, 3, 3)
    docs = template("m1", t, "marketing") + template("m2", t + H, "marketing") \
        + template("m3", t + 24 * H, "marketing") + template("u1", t + 2 * H, "utility")
    b = engine(docs).report()["billing"]
    # m1 opens a marketing conversation [t, t + 24 h); m2 rides it; m3, delivered exactly
    # 24 h after m1, opens a second. u1 is another category: a concurrent utility one.
    assert b["model"] == "CBP"
    assert (b["conversations"]["marketing"], b["conversations"]["utility"]) == (2, 1)
    # CBP charges conversations, not messages.
    assert sum(b["charged_messages"].values()) == 0


def test_pmp_utility_in_the_service_window_is_free():
    t = ts(2025, 8, 4, 9)
    docs = [inbound("in1", t)] + template("u1", t + H, "utility") \
        + template("u2", t + 25 * H, "utility") + template("m1", t + 2 * H, "marketing")
    b = engine(docs).report()["billing"]
    # The window opened by in1 is [t, t + 24 h): u1 (t + 1 h) is free, u2 (t + 25 h) is
    # charged; a marketing template is charged in the window too.
    assert b["model"] == "PMP"
    assert b["free_messages"]["service_window"] == 1
    assert (b["charged_messages"]["utility"], b["charged_messages"]["marketing"]) == (1, 1)


def test_free_entry_point_frees_72_hours_from_the_reply():
    t = ts(2025, 8, 4, 9)
    ad = {"source_type": "ad", "source_id": "120", "headline": "Sale"}
    docs = [inbound("in1", t, referral=ad)] + free_form("f1", t + H) \
        + template("m1", t + 2 * H, "marketing") + template("m2", t + 73 * H, "marketing")
    b = engine(docs).report()["billing"]
    # f1 answers the ad message within 24 h: a free entry point window [t + 1 h, t + 73 h).
    # f1 and m1 are in it (free); m2, delivered exactly when it closes, is charged.
    assert b["conversations"]["free_entry_point"] == 1
    assert b["free_messages"]["free_entry_point"] == 2
    assert b["charged_messages"]["marketing"] == 1


def test_linear_attribution_splits_a_purchase_between_two_sources():
    t = ts(2025, 7, 1, 9)
    ad = {"source_type": "ad", "source_id": "120", "headline": "Sale"}
    docs = [
        # Day 0: a conversation from the ad. Day 2 (after the 24 h inactivity timeout): a
        # direct conversation. Day 3: a 90 EUR purchase, within the 7-day lookback of both.
        inbound("in1", t, referral=ad),
        inbound("in2", t + 2 * DAY, body="hello again"),
        {"type": "external_event", "id": "order-1", "contact": USER, "name": "purchase",
         "value": 90, "currency": "EUR", "timestamp": t + 3 * DAY},
    ]
    r = engine(docs, {"currency": "EUR"}).report(start="2025-07-01", end="2025-08-01", model="linear")
    rows = {s["key"]: s for s in r["sources"]}
    # Linear: two touches, half each: 0.5 conversions and 45 EUR of revenue per source.
    assert rows["meta_ad:120"]["conversions"] == 0.5
    assert rows["direct"]["conversions"] == 0.5
    assert rows["meta_ad:120"]["revenue"] == 45.0
    assert rows["direct"]["revenue"] == 45.0
    # Last touch gives it all to the direct conversation, in which the purchase happened.
    r = engine(docs, {"currency": "EUR"}).report(start="2025-07-01", end="2025-08-01", model="last_touch")
    rows = {s["key"]: s for s in r["sources"]}
    assert (rows["meta_ad:120"]["revenue"], rows["direct"]["revenue"]) == (0.0, 90.0)


def test_first_response_time_is_from_the_opening_message_to_the_first_reply():
    t = ts(2025, 8, 4, 9)
    docs = [inbound("in1", t), inbound("in2", t + 60)] + free_form("f1", t + 90, author="agent") \
        + [inbound("in3", t + 2 * DAY, user=OTHER)] + free_form("f2", t + 2 * DAY + 30, user=OTHER, author="automation")
    rt = engine(docs).report()["engagement"]["response_time"]
    # USER's conversation opened at t (in2 does not restart the clock) and was answered by
    # f1, sent at t + 88 (free_form sends 2 s before delivery): 88 s, by an agent. OTHER's:
    # sent at +28 s by automation. Median of 28 and 88 = 58.
    assert (rt["conversations"], rt["answered"]) == (2, 2)
    assert rt["by_author"]["agent"]["median_s"] == 88.0
    assert rt["by_author"]["automation"]["median_s"] == 28.0
    assert rt["first_response_median_s"] == 58.0


def test_active_users_per_day_and_unique_over_the_range():
    t = ts(2025, 8, 4, 9)
    docs = [inbound("a1", t), inbound("a2", t + DAY), inbound("b1", t + DAY, user=OTHER),
            inbound("a3", t + DAY + 60)]
    g = engine(docs).report(start="2025-08-04", end="2025-08-06")["engagement"]
    # Aug 4: USER; Aug 5: USER (twice) and OTHER. Daily 1 and 2; unique over the range 2,
    # both new (first message ever in the range).
    assert [d["users"] for d in g["daily_active"]] == [1, 2]
    assert (g["active_users"], g["new_users"], g["returning_users"]) == (2, 2, 0)
    assert g["messages_received"] == 4
    # Messages received per active user per day: 4 messages / 3 user-days.
    assert abs(g["avg_received_per_user_per_day"] - 4 / 3) < 1e-9
