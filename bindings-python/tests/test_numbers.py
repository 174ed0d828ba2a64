"""The numbers of issue #20 from Python, the same as from Rust and the `report` program:
the conversion event per report, overall, events, compare, warnings, unknown numbers.
Expected values are derived by hand from conftest's SAMPLE: a user writes "Hi!" from ad
120 on 2025-07-02, is answered, and buys for 49.90 EUR the same day."""

import pytest

import convolens
from conftest import SAMPLE

CONFIG = {"currency": "EUR",
          "events": [{"name": "hi", "kind": "text_reply", "pattern": "hi!"}]}


@pytest.fixture()
def engine():
    e = convolens.Engine(CONFIG)
    e.ingest_many(SAMPLE)
    return e


def test_the_conversion_event_is_chosen_per_report(engine):
    # Default: the external purchase. One conversation (ad 120), a lead worth 49.90.
    report = engine.report()
    row = report["sources"][0]
    assert (row["key"], row["leads"], row["revenue"]) == ("meta_ad:120", 1, 49.9)
    assert report["overall"] == {
        "conversations": 1, "leads": 1, "conversion_rate": 1.0, "conversions": 1.0,
        "invested": 0.0, "conversion_cost": 0.0, "revenue": 49.9, "roas": None}
    # conversion_event="hi": the text reply. Still one lead, one occurrence; a reply has
    # no value: revenue and ROAS are None, not the purchase's 49.90.
    report = engine.report(conversion_event="hi")
    row = report["sources"][0]
    assert (row["leads"], row["conversions"], row["revenue"], row["roas"]) == (1, 1.0, None, None)
    assert report["overall"]["revenue"] is None
    assert report["attribution"]["conversion_event"] == {"name": "hi", "kind": "text_reply"}
    # A name neither configured nor seen: ReportError naming the option.
    with pytest.raises(convolens.ReportError) as e:
        engine.report(conversion_event="hello")
    assert e.value.option == "conversion_event"
    assert "known events: hi, purchase" in str(e.value)


def test_events_view(engine):
    # "Hi!" matched the text event once; the purchase happened in the same conversation.
    assert engine.report()["events"] == [
        {"name": "hi", "kind": "text_reply", "occurrences": 1, "users": 1,
         "conversations": 1, "value": None, "by_source": {"meta_ad:120": 1}},
        {"name": "purchase", "kind": "external", "occurrences": 1, "users": 1,
         "conversations": 1, "value": 49.9, "by_source": {"meta_ad:120": 1}},
    ]


def test_compare_gives_previous_current_change_and_percent(engine):
    # The range is 2025-07-02 (the only day with data); the previous day had nothing.
    figures = engine.report(compare=True)["compare"]["figures"]
    assert figures[0] == {"section": "overall", "row": None, "figure": "conversations",
                          "previous": 0, "current": 1, "change": 1, "change_pct": None}
    revenue = [f for f in figures if f["section"] == "sources" and f["figure"] == "revenue"]
    assert revenue == [{"section": "sources", "row": "meta_ad:120", "figure": "revenue",
                        "previous": 0.0, "current": 49.9, "change": 49.9, "change_pct": None}]


def test_money_in_another_currency_is_never_silently_zero():
    # No currency configured, one EUR and one GBP purchase: a tie, broken alphabetically
    # (EUR); the GBP value is left out and both facts are warnings.
    e = convolens.Engine()
    e.ingest_many(SAMPLE + [{"type": "external_event", "id": "order-2", "contact": SAMPLE[0][
        "entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"], "name": "purchase",
        "value": 12, "currency": "GBP", "timestamp": 1751460100}])
    report = e.report()
    assert report["attribution"]["currency"] == "EUR"
    assert report["sources"][0]["revenue"] == 49.9
    assert len(report["warnings"]) == 2
    assert report["warnings"][0].startswith("no currency configured: the report is in EUR")
    assert report["warnings"][1].startswith("12.00 GBP of external event values left out")


def test_an_unknown_number_is_an_option_error(engine):
    with pytest.raises(convolens.ReportError) as e:
        engine.report(phone="9999")
    assert (e.value.kind, e.value.option) == ("option", "phone")
    assert str(e.value).endswith("known numbers: 1001")


def test_new_shapes(engine):
    report = engine.report()
    # One business message sent and delivered, one received, on 2025-07-02; the user is
    # new that day.
    assert report["engagement"]["daily_volume"] == [
        {"date": "2025-07-02", "sent": 1, "delivered": 1, "received": 1}]
    assert report["engagement"]["daily_active"] == [
        {"date": "2025-07-02", "users": 1, "new": 1, "returning": 0}]
    # No template was charged: the paid heatmap is 7 x 24 zeros.
    heat = report["billing"]["heatmap"]
    assert len(heat) == 7 and all(len(r) == 24 and not any(r) for r in heat)
