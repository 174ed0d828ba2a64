"""Conversions API events, the Meta audience export, erasure and pseudonymisation
(issue #24) from Python: the same results as the Rust API, with Python's own hashlib and
hmac computing the expected digests."""

import hashlib
import hmac
import pickle

import pytest

import convolens
from conftest import EXAMPLE, EXAMPLE_CONFIG

T0 = 1751450000


def inbound(user, msg_id, ts, name="Ana", clid=None, entry="WABA-1"):
    msg = {"from": user, "id": msg_id, "timestamp": str(ts), "type": "text", "text": {"body": "Hi"}}
    if clid:
        msg["referral"] = {"source_type": "ad", "source_id": "AD1", "ctwa_clid": clid}
    return {"object": "whatsapp_business_account", "entry": [{"id": entry, "changes": [
        {"field": "messages", "value": {"metadata": {"phone_number_id": "1001"},
                                        "contacts": [{"wa_id": user, "profile": {"name": name}}],
                                        "messages": [msg]}}]}]}


def purchase(order, user, ts, value=49.9):
    return {"type": "external_event", "id": order, "contact": user, "name": "purchase",
            "value": value, "currency": "EUR", "timestamp": ts}


CONFIG = {"currency": "EUR", "capi": {"events": {"purchase": "Purchase"}}}


def test_capi_events_batches_reasons_and_cursor():
    e = convolens.Engine(CONFIG)
    e.ingest_many([inbound("4915100000001", "wamid.a1", T0, clid="CLID-A"),
                   purchase("o1", "4915100000001", T0 + 3600),
                   inbound("34600111222", "wamid.b1", T0, name="Ben"),
                   purchase("o2", "34600111222", T0 + 3600, 10)])
    out = e.capi_events()
    assert out["batches"] == [{"data": [{
        "event_name": "Purchase", "event_time": T0 + 3600, "event_id": "x:o1",
        "action_source": "business_messaging", "messaging_channel": "whatsapp",
        "user_data": {"whatsapp_business_account_id": "WABA-1", "ctwa_clid": "CLID-A"},
        "custom_data": {"value": 49.9, "currency": "EUR"}}]}]
    assert out["ineligible"] == {"no_click_id": 1}
    e.ingest(purchase("o3", "4915100000001", T0 + 7200, 5))
    new = e.capi_events(since=out["cursor"])
    assert [ev["event_id"] for b in new["batches"] for ev in b["data"]] == ["x:o3"]
    # Sent eight days later, every event is too old for Meta.
    late = e.capi_events(now=T0 + 8 * 86400)
    assert late["batches"] == [] and late["ineligible"] == {"no_click_id": 1, "too_old": 2}
    with pytest.raises(convolens.ReportError) as err:
        e.capi_events(batch_size=1001)
    assert err.value.kind == "option" and err.value.option == "batch_size"


def test_capi_config_rejects_names_meta_refuses():
    with pytest.raises(convolens.ConfigError) as err:
        convolens.Engine({"capi": {"events": {"signup": "Lead"}}})
    assert err.value.key == "capi.events.signup"


def test_meta_audience_is_sha256_of_the_numbers():
    e = convolens.Engine(CONFIG)
    e.ingest_many([purchase("o1", "16505551212", T0), purchase("o2", "447700900123", T0 + 1)])
    csv = e.export_contacts("purchase", format="meta-audience")
    want = [hashlib.sha256(n.encode()).hexdigest() for n in ["16505551212", "447700900123"]]
    # Meta's documented example: 16505551212 -> e323ec62...
    assert want[0] == "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"
    assert csv == "phone\r\n" + "".join(h + "\r\n" for h in want)
    with pytest.raises(ValueError):
        e.export_contacts("purchase", format="xml")


def test_forget_removes_the_person_from_reports_and_snapshots():
    e = convolens.Engine(CONFIG)
    e.ingest_many([inbound("4915100000001", "wamid.a1", T0, clid="CLID-A"),
                   purchase("o1", "4915100000001", T0 + 3600),
                   inbound("34600111222", "wamid.b1", T0, name="Ben")])
    assert e.forget("4915100000001") == {"found": True, "identifiers": 1, "messages": 1,
                                         "external_events": 1, "closes": 0, "clicks": 0}
    assert e.forget("4915100000001")["found"] is False
    assert b"4915100000001" not in e.snapshot() and b"Ana" not in e.snapshot()
    assert e.report()["input"]["records"] == {}
    assert e.report()["engagement"]["active_users"] == 1


def test_pseudonymised_engine_reads_its_secret_and_exports_pseudonyms(monkeypatch):
    cfg = dict(CONFIG, pseudonymise={"secret_env": "CONVOLENS_TEST_SECRET"})
    monkeypatch.delenv("CONVOLENS_TEST_SECRET", raising=False)
    with pytest.raises(convolens.ConfigError) as err:
        convolens.Engine(cfg)
    assert err.value.key == "pseudonymise.secret_env"
    secret = "a secret of 32 bytes, not less.."
    monkeypatch.setenv("CONVOLENS_TEST_SECRET", secret)
    e = convolens.Engine(cfg)
    e.ingest_many([inbound("4915100000001", "wamid.a1", T0, clid="CLID-A"),
                   purchase("o1", "4915100000001", T0 + 3600)])
    pseudonym = hmac.new(secret.encode(), b"4915100000001", hashlib.sha256).hexdigest()
    rows = e.export_contacts("purchase").splitlines()
    assert rows[1].split(",")[:3] == [pseudonym, "", "DE"]
    assert b"4915100000001" not in e.snapshot()
    # pickle restores through the environment; an explicit wrong secret is refused.
    clone = pickle.loads(pickle.dumps(e))
    assert clone.report() == e.report()
    with pytest.raises(convolens.SnapshotError) as err:
        convolens.Engine.restore(e.snapshot(), secret=b"another secret of 32 bytes......")
    assert err.value.kind == "wrong_secret"
    monkeypatch.delenv("CONVOLENS_TEST_SECRET")
    with pytest.raises(convolens.ConfigError):
        convolens.Engine.restore(e.snapshot())
    assert convolens.Engine.restore(e.snapshot(), secret=secret).forget("4915100000001")["found"]


def test_pseudonymised_example_report_equals_the_plain_one(monkeypatch):
    monkeypatch.setenv("CONVOLENS_TEST_SECRET", "a secret of 32 bytes, not less..")
    plain = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    plain.ingest_jsonl(EXAMPLE)
    import json
    cfg = json.loads(EXAMPLE_CONFIG.read_text())
    cfg["rate_card"] = str(EXAMPLE_CONFIG.parent / cfg["rate_card"])
    cfg["pseudonymise"] = {"secret_env": "CONVOLENS_TEST_SECRET"}
    pseudo = convolens.Engine(cfg)
    pseudo.ingest_jsonl(EXAMPLE)
    a, b = plain.report(), pseudo.report()
    for m in a["billing"]["reconciliation"]["mismatches"]:
        for k in ("user", "message_id"):
            m[k] = hmac.new(b"a secret of 32 bytes, not less..", m[k].encode(), hashlib.sha256).hexdigest()
    assert a == b
