"""can_send_free_form: the customer service window and the free entry point window."""

import datetime
import json
import time

import pytest

import convolens
from conftest import DELIVERED, INBOUND, OUTBOUND, SAMPLE, USER

# The sample: the user writes at T from a Click-to-WhatsApp ad (a referral of source type
# `ad`); the business answers at T + 60, delivered at T + 65.
T = 1751450000
HOUR = 3600
UTC = datetime.timezone.utc


def utc(ts):
    return datetime.datetime.fromtimestamp(ts, UTC)


@pytest.fixture()
def engine():
    e = convolens.Engine()
    e.ingest_many(SAMPLE)
    return e


def test_window_open_after_the_user_writes(engine):
    w = engine.can_send_free_form(USER, at=T + HOUR)
    assert isinstance(w, convolens.FreeFormWindow)
    assert w and w.open
    # 24 h from the user's message.
    assert w.until == utc(T + 24 * HOUR)
    assert w.last_inbound == utc(T)
    assert w.at == utc(T + HOUR)
    # The reply delivered at T + 65, within 24 h of the ad referral, opened a free entry
    # point window of 72 h from that delivery; the referral is answered.
    assert w.free_entry_until == utc(T + 65 + 72 * HOUR)
    assert w.free_entry_reply_by is None


def test_window_closes_exactly_24_hours_later(engine):
    assert engine.can_send_free_form(USER, at=T + 24 * HOUR - 1).open
    w = engine.can_send_free_form(USER, at=T + 24 * HOUR)
    assert not w and not w.open
    assert w.until == utc(T + 24 * HOUR)
    # The free entry point window outlives it.
    assert w.free_entry_until == utc(T + 65 + 72 * HOUR)


def test_before_the_first_message_nothing_is_open(engine):
    w = engine.can_send_free_form(USER, at=T - 1)
    assert not w
    assert (w.until, w.last_inbound, w.free_entry_until, w.free_entry_reply_by) == (
        None, None, None, None)


def test_unanswered_referral_gives_a_reply_deadline():
    e = convolens.Engine()
    e.ingest(INBOUND)
    w = e.can_send_free_form(USER, at=T + 30)
    assert w.open and w.free_entry_until is None
    # A reply delivered within 24 h of the referral message would open the free window.
    assert w.free_entry_reply_by == utc(T + 24 * HOUR)


def test_order_of_ingestion_does_not_matter():
    a = convolens.Engine()
    a.ingest_many(SAMPLE)
    b = convolens.Engine()
    b.ingest_many([DELIVERED, OUTBOUND, INBOUND])
    for at in (T - 1, T, T + 61, T + HOUR, T + 24 * HOUR, T + 80 * HOUR):
        assert a.can_send_free_form(USER, at=at) == b.can_send_free_form(USER, at=at)


def test_instant_forms(engine):
    expected = engine.can_send_free_form(USER, at=T + HOUR)
    assert engine.can_send_free_form(USER, T + HOUR) == expected
    assert engine.can_send_free_form(USER, at=T + HOUR + 0.9) == expected
    assert engine.can_send_free_form(USER, at=utc(T + HOUR)) == expected
    # A naive datetime is UTC.
    assert engine.can_send_free_form(USER, at=utc(T + HOUR).replace(tzinfo=None)) == expected
    berlin = datetime.timezone(datetime.timedelta(hours=2))
    assert engine.can_send_free_form(USER, at=utc(T + HOUR).astimezone(berlin)) == expected


def test_default_instant_is_now(engine):
    before = int(time.time())
    w = engine.can_send_free_form(USER)
    after = time.time()
    assert before <= w.at.timestamp() <= after
    # The sample is from July 2025: long closed by now.
    assert not w and w.until == utc(T + 24 * HOUR)


def test_phone_filter(engine):
    assert engine.can_send_free_form(USER, at=T + HOUR, phone="1001").open
    assert engine.can_send_free_form(USER, at=T + HOUR, phone="9999") is None


def test_unknown_user_is_none(engine):
    assert engine.can_send_free_form("4900000000000", at=T) is None
    assert convolens.Engine().can_send_free_form(USER) is None


def test_to_dict_and_repr(engine):
    w = engine.can_send_free_form(USER, at=T + HOUR)
    # July 2025: service messages are free, so an open window is a free one.
    assert w.to_dict() == {
        "open": True, "free": True, "charged": False, "at": utc(T + HOUR),
        "until": utc(T + 24 * HOUR), "last_inbound": utc(T),
        "free_entry_until": utc(T + 65 + 72 * HOUR), "free_entry_reply_by": None,
    }
    assert w.to_dict(timestamps=True) == {
        "open": True, "free": True, "charged": False, "at": T + HOUR, "until": T + 24 * HOUR,
        "last_inbound": T, "free_entry_until": T + 65 + 72 * HOUR, "free_entry_reply_by": None,
    }
    # T = 1751450000 is 2025-07-02 09:53:20 UTC (20271 days and 35600 s); T + 24 h the
    # next day at the same time.
    assert repr(w) == (
        "<convolens.FreeFormWindow open=True charged=False until=2025-07-03T09:53:20+00:00>")


@pytest.mark.parametrize("at", ["2025-07-02", datetime.date(2025, 7, 2), True, [T]])
def test_bad_instant_is_type_error(engine, at):
    with pytest.raises(TypeError, match="`at`"):
        engine.can_send_free_form(USER, at=at)


def test_non_finite_instant_is_value_error(engine):
    with pytest.raises(ValueError, match="finite"):
        engine.can_send_free_form(USER, at=float("nan"))


def test_window_on_the_example_data(example):
    # Every user who wrote in the example data can be answered free-form one second after
    # their first message, and no user can be before anything was ingested for them.
    e = convolens.Engine()
    e.ingest_jsonl(example)
    first = {}
    for line in example.read_text().splitlines():
        doc = json.loads(line)
        for entry in doc.get("entry", []):
            for change in entry["changes"]:
                for m in change["value"].get("messages", []):
                    if m["type"] not in ("system", "unsupported"):
                        ts = int(m["timestamp"])
                        first[m["from"]] = min(ts, first.get(m["from"], ts))
    assert len(first) > 100
    for user, ts in first.items():
        assert e.can_send_free_form(user, at=ts + 1).open, user
        assert e.can_send_free_form(user, at=ts - 1).last_inbound is None, user


# 2026-11-03 09:00 UTC: service messages are charged (Meta's 2026-10-01 change, on by
# default). 1793696400 = 2026-11-03T09:00:00Z.
T26 = 1793696400


def _inbound(user, msg_id, ts, referral=False):
    msg = {"from": user, "id": msg_id, "timestamp": str(ts), "type": "text",
           "text": {"body": "hi"}}
    if referral:
        msg["referral"] = {"source_type": "ad", "source_id": "120", "headline": "Sale"}
    return {"object": "whatsapp_business_account", "entry": [{"changes": [{
        "field": "messages", "value": {"metadata": {"phone_number_id": "1001"},
                                       "messages": [msg]}}]}]}


def test_open_window_is_charged_from_2026_10_01():
    e = convolens.Engine()
    e.ingest(_inbound("4915112345678", "wamid.a", T26))
    w = e.can_send_free_form("4915112345678", at=T26 + HOUR)
    # Open (free-form may be sent), but a free-form message would be charged, not free.
    assert w and w.open and w.charged and not w.free
    assert "charged=True" in repr(w)
    # With the change switched off it is free again.
    off = convolens.Engine({"pricing_timeline": [
        {"name": "service_charged_2026_10", "enabled": False}]})
    off.ingest(_inbound("4915112345678", "wamid.a", T26))
    w = off.can_send_free_form("4915112345678", at=T26 + HOUR)
    assert w.open and w.free and not w.charged


def test_free_entry_point_keeps_free_form_free_after_2026_10_01():
    e = convolens.Engine()
    e.ingest(_inbound("4915112345678", "wamid.a", T26, referral=True))
    e.ingest({"type": "outbound", "id": "wamid.r", "phone_number_id": "1001",
              "to": "4915112345678", "timestamp": T26 + 60, "kind": "free_form"})
    e.ingest({"object": "whatsapp_business_account", "entry": [{"changes": [{
        "field": "messages", "value": {"metadata": {"phone_number_id": "1001"}, "statuses": [{
            "id": "wamid.r", "status": "delivered", "timestamp": str(T26 + 65),
            "recipient_id": "4915112345678"}]}}]}]})
    # The reply opened a 72-hour free entry point window: free-form is free inside it.
    w = e.can_send_free_form("4915112345678", at=T26 + HOUR)
    assert w.free and not w.charged
    assert w.free_entry_until == utc(T26 + 65 + 72 * HOUR)
