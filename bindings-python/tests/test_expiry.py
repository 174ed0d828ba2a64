"""Engine.expire(): sealed days, dropped history, refusals, and state that survives
snapshots. Expected values are worked out from the rules in the core's `expiry` module:
days before (latest event - lateness 7d - lookback 7d - 4d) are sealed."""

import copy
import pickle

import pytest

import convolens
from conftest import EXAMPLE_CONFIG, SAMPLE

DAY = 86_400
T0 = 1_751_450_000  # 2025-07-02 10:33:20 UTC
USER = "4915112345678"
OTHER = "4917000000001"


def inbound(mid, ts, user=USER, phone="1001"):
    return {"object": "whatsapp_business_account", "entry": [{"changes": [{
        "field": "messages", "value": {
            "metadata": {"phone_number_id": phone},
            "contacts": [{"wa_id": user}],
            "messages": [{"from": user, "id": mid, "timestamp": str(ts), "type": "text",
                          "text": {"body": "Hi"}}]}}]}]}


def two_months():
    """USER writes on day 0 and day 60, OTHER on day 1 and day 59."""
    engine = convolens.Engine()
    engine.ingest_many([inbound("wamid.a", T0), inbound("wamid.b", T0 + 60 * DAY),
                        inbound("wamid.c", T0 + DAY, OTHER),
                        inbound("wamid.d", T0 + 59 * DAY, OTHER)])
    return engine


def test_expire_seals_and_drops_history():
    engine = two_months()
    assert engine.expired is None
    before = engine.report(start="2025-07-01", end="2025-09-05")
    out = engine.expire()
    # Latest event 2025-08-31 10:33 UTC; minus 18 days is 2025-08-13.
    assert out == {"sealed_until": "2025-08-13", "users": 2, "messages": 2,
                   "external_events": 0, "closes": 0}
    assert engine.expired == out
    after = engine.report(start="2025-07-01", end="2025-09-05")
    assert after == before
    assert after["engagement"]["daily_active"][0] == {"date": "2025-07-01", "users": 0,
                                                         "new": 0, "returning": 0}
    assert after["engagement"]["new_users"] == 2


def test_expire_again_does_nothing_until_time_moves():
    engine = two_months()
    first = engine.expire()
    assert engine.expire() == {"sealed_until": "2025-08-13", "users": 0, "messages": 0,
                               "external_events": 0, "closes": 0}
    assert engine.expired == first
    # Three days later the horizon moves three days; nothing else is old enough to drop.
    engine.ingest(inbound("wamid.e", T0 + 63 * DAY))
    assert engine.expire() == {"sealed_until": "2025-08-16", "users": 0, "messages": 0,
                               "external_events": 0, "closes": 0}
    assert engine.expired == dict(first, sealed_until="2025-08-16")


def test_empty_engine_expires_nothing():
    engine = convolens.Engine()
    assert engine.expire() == {"sealed_until": None, "users": 0, "messages": 0,
                               "external_events": 0, "closes": 0}
    assert engine.expired is None


def test_late_input_is_ignored_and_counted():
    engine = two_months()
    engine.expire()
    reference = engine.report(start="2025-07-01", end="2025-09-05")
    assert engine.ingest(inbound("wamid.late", T0 + 2 * DAY)) == {
        "ingested": 0, "duplicates": 0, "ignored": ["late"]}
    report = engine.report(start="2025-07-01", end="2025-09-05")
    assert report["input"]["ignored_reasons"] == {"late": 1}
    assert report["input"]["ignored"] == reference["input"]["ignored"] + 1
    report["input"] = reference["input"]
    assert report == reference


@pytest.mark.parametrize("options", [{"phone": "1001"}, {"time_zone": "Asia/Tokyo"},
                                     {"model": "linear"}, {"compare_models": True}])
def test_reports_over_sealed_days_need_the_sealed_form(options):
    engine = two_months()
    engine.expire()
    with pytest.raises(convolens.ReportError, match="2025-08-13") as info:
        engine.report(start="2025-07-01", end="2025-09-05", **options)
    assert info.value.kind == "expired"
    assert info.value.option == ""
    # Ranges after the horizon answer every option (a Tokyo day starts 9 hours earlier,
    # so the first Tokyo range after 2025-08-13 00:00 UTC starts a day later).
    later = engine.report(start="2025-08-14", end="2025-09-05", **options)
    assert later["engagement"]["new_users"] == 0


def test_data_driven_models_cannot_expire():
    engine = convolens.Engine({"attribution": {"model": "markov"}})
    engine.ingest_many(SAMPLE)
    with pytest.raises(convolens.ReportError, match="rule-based") as info:
        engine.expire()
    assert info.value.kind == "unsupported"
    assert engine.expired is None


def test_expired_engines_refuse_to_merge():
    engine = two_months()
    engine.expire()
    other = convolens.Engine()
    other.ingest(inbound("wamid.z", T0, "4917000000099"))
    for a, b in ((engine, other), (other, engine)):
        with pytest.raises(convolens.ConfigError, match="expired"):
            a.merge(b)


def test_expired_state_survives_snapshot_and_pickle():
    engine = two_months()
    engine.expire()
    for clone in (convolens.Engine.restore(engine.snapshot()),
                  pickle.loads(pickle.dumps(engine)), copy.deepcopy(engine)):
        assert clone.expired == engine.expired
        assert clone.report(start="2025-07-01") == engine.report(start="2025-07-01")
        # The clone still ignores late input and still refuses sealed-day phone filters.
        assert clone.ingest(inbound("wamid.late", T0))["ignored"] == ["late"]
        with pytest.raises(convolens.ReportError):
            clone.report(start="2025-07-01", phone="1001")


def test_example_data_reports_equal_after_expiry(example):
    keep = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    keep.ingest_jsonl(example)
    expiring = convolens.Engine.restore(keep.snapshot())
    out = expiring.expire()
    assert out["sealed_until"] is not None and out["messages"] > 0
    assert expiring.report() == keep.report()
    first = keep.report(last="6m")["range"]["from"]
    assert expiring.report(start=first) == keep.report(start=first)
