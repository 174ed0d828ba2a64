"""Row-level tables (Engine.rows), contacts_frame, keyword-only options and typed frames."""

import inspect

import pytest

import convolens
from conftest import USER

CONFIG = {
    "conversion_event": "purchase",
    "rate_card": [{"market": "germany", "category": "marketing", "price": 0.1365,
                   "currency": "EUR", "effective_from": "2025-07-01"}],
}


def status(msg_id, ts):
    return {"object": "whatsapp_business_account", "entry": [{"changes": [{
        "field": "messages", "value": {
            "metadata": {"phone_number_id": "1001"},
            "statuses": [{"id": msg_id, "status": "delivered", "timestamp": str(ts),
                          "recipient_id": USER}]}}]}]}


def engine(name="Ana"):
    """2025-07-02 (per-message pricing), UTC: a marketing template w1 delivered, the user's
    reply, a free-form answer w2 delivered in the customer service window, a purchase."""
    e = convolens.Engine(CONFIG)
    e.ingest_many([
        {"type": "outbound", "id": "w1", "phone_number_id": "1001", "to": USER,
         "timestamp": 1751450000, "template": "promo", "category": "marketing"},
        status("w1", 1751450005),
        {"object": "whatsapp_business_account", "entry": [{"changes": [{
            "field": "messages", "value": {
                "metadata": {"phone_number_id": "1001"},
                "contacts": [{"wa_id": USER, "profile": {"name": name}}],
                "messages": [{"from": USER, "id": "in1", "timestamp": "1751450100",
                              "type": "text", "text": {"body": "Price?"}}]}}]}]},
        {"type": "outbound", "id": "w2", "phone_number_id": "1001", "to": USER,
         "timestamp": 1751450200, "kind": "free_form"},
        status("w2", 1751450205),
        {"type": "external_event", "id": "o1", "contact": USER, "name": "purchase",
         "value": 49.90, "currency": "EUR", "timestamp": 1751460000},
    ], strict=True)
    return e


def test_charges_rows_hand_checked():
    rows = engine().rows("charges")
    assert isinstance(rows, convolens.Rows) and len(rows) == 2
    w1, w2 = rows.to_records()
    # w1: a marketing template delivered under PMP: Germany's marketing rate, 0.1365 EUR.
    assert (w1["message_id"], w1["category"], w1["charged"], w1["cost"], w1["currency"]) == \
        ("w1", "marketing", True, 0.1365, "EUR")
    assert w1["billing_day"] == "2025-07-02" and w1["free_reason"] is None
    # w2: free-form in the open window: free under PMP before 2026-10-01.
    assert (w2["message_id"], w2["charged"], w2["billable"], w2["cost"]) == \
        ("w2", False, False, 0.0)
    assert w2["free_reason"]


def test_rows_as_pandas_polars_and_arrow():
    rows = engine().rows("charges")
    pd = pytest.importorskip("pandas")
    df = rows.to_pandas()
    assert str(df["sent_at"].dtype) == "datetime64[us, UTC]"
    # 1751450000 = 2025-07-02 09:53:20 UTC.
    assert df["sent_at"][0] == pd.Timestamp("2025-07-02 09:53:20", tz="UTC")
    assert df["cost"].dtype == "float64" and df["cost"].sum() == pytest.approx(0.1365)
    assert str(df["billing_day"].dtype).startswith("datetime64")
    pa = pytest.importorskip("pyarrow")
    table = pa.table(rows)  # the Arrow PyCapsule interface
    assert table.num_rows == 2
    assert table.schema.field("billing_day").type == pa.date32()
    assert table.schema.field("cost").type == pa.float64()
    assert table.schema.field("tokens").type == pa.int64()  # null in every row, still typed
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(rows)  # also through the PyCapsule
    assert frame.schema["sent_at"] == pl.Datetime("us", "UTC")
    assert rows.to_polars().schema["billing_day"] == pl.Date


def test_conversations_rows_credit_the_purchase():
    (conv,) = engine().rows("conversations").to_records()
    # One conversation opened by w1; the purchase 2.8 h later is its lead, credited whole
    # under last touch: 1 conversion, 49.90 EUR.
    assert (conv["opening_message"], conv["lead"], conv["conversions"],
            conv["attributed_value"]) == ("w1", True, 1.0, 49.9)
    assert conv["start"] == "2025-07-02T09:53:20+00:00"


def test_unknown_table_names_the_known_ones():
    with pytest.raises(convolens.ReportError) as e:
        engine().rows("invoices")
    assert e.value.option == "table" and "charges, conversations, contacts" in str(e.value)


def test_contacts_frame_is_typed_and_keeps_the_real_name():
    pd = pytest.importorskip("pandas")
    formula = '=HYPERLINK("http://x.test","Ana")'
    e = engine(name=formula)
    df = e.contacts_frame("purchase")
    assert list(df.columns) == ["wa_id", "name", "country", "first_seen", "source",
                                "converted", "value"]
    assert df["name"][0] == formula
    assert df["value"].dtype == "float64" and df["value"][0] == pytest.approx(49.9)
    assert df["converted"].dtype == bool and bool(df["converted"][0])
    # 1751450000 is Ana's first counted message (w1, delivered).
    assert df["first_seen"][0] == pd.Timestamp("2025-07-02 09:53:20", tz="UTC")
    # The CSV guards the same name against formula injection.
    csv = e.export_contacts("purchase")
    assert "\"'=HYPERLINK(\"\"http://x.test\"\",\"\"Ana\"\")\"" in csv
    pl = pytest.importorskip("polars")
    assert e.contacts_frame("purchase", library="polars")["name"][0] == formula
    with pytest.raises(ValueError, match="pandas"):
        e.contacts_frame(library="excel")


def test_options_are_keyword_only():
    e = engine()
    with pytest.raises(TypeError):
        e.report("2025-07-01", "2025-07-03", "7d")  # `last` cannot be positional
    assert e.report(last="7d", phone="1001")["range"]["phone"] == "1001"
    assert e.rows("charges", phone="1001", start="2025-07-03").rows == []
    assert "time_zone" in inspect.signature(e.contacts_frame).parameters
