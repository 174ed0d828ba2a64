"""Writes sources-demo.jsonl and sources-demo.config.json beside this script: one week of
a shop's WhatsApp traffic (a click-to-WhatsApp ad, a window QR code with a wa.me prefilled
text, a marketing campaign, a direct chat), purchases, and spend. Deterministic.

    python3 examples/data/sources-demo.py
    cargo run -q --bin report -- --config examples/data/sources-demo.config.json examples/data/sources-demo.jsonl
"""
import json
import os
PHONE = "100200300400500"
T = 1751878800  # 2025-07-07T09:00:00Z
H, D = 3600, 86400
out = []
n = [0]
def wid(p):
    n[0] += 1
    return f"wamid.demo.{p}{n[0]:04d}"
def hook(value):
    out.append({"object": "whatsapp_business_account", "entry": [{"id": "WABA_ID", "changes": [{"field": "messages", "value": dict({"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001234", "phone_number_id": PHONE}}, **value)}]}]})
def inbound(u, name, ts, body, **extra):
    m = {"from": u, "id": wid("in"), "timestamp": str(ts)}
    m.update(body); m.update(extra)
    hook({"contacts": [{"wa_id": u, "profile": {"name": name}}], "messages": [m]})
    return m["id"]
def text(u, name, ts, t, **extra):
    return inbound(u, name, ts, {"type": "text", "text": {"body": t}}, **extra)
def status(u, mid, ts, st):
    s = {"id": mid, "status": st, "timestamp": str(ts), "recipient_id": u}
    if st == "failed":
        s["errors"] = [{"code": 131049, "title": "This message was not delivered to maintain healthy ecosystem engagement."}]
    hook({"statuses": [s]})
def outbound(u, ts, **kw):
    mid = wid("out")
    rec = {"type": "outbound", "id": mid, "phone_number_id": PHONE, "to": u, "timestamp": ts}
    rec.update(kw)
    out.append(rec)
    return mid
def agent(u, ts, delivered=True):
    mid = outbound(u, ts, kind="free_form", author="agent", author_id="agent-7")
    if delivered:
        status(u, mid, ts + 3, "delivered"); status(u, mid, ts + 40, "read")
    return mid
def offer(u, ts):
    # An interactive message with a "Buy now" button, sent by the bot.
    mid = outbound(u, ts, kind="free_form", author="automation", author_id="shop-bot")
    status(u, mid, ts + 2, "delivered"); status(u, mid, ts + 30, "read")
    return mid
def tap_buy(u, name, ts, context):
    return inbound(u, name, ts, {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "BUY_NOW", "title": "Buy now"}}}, context={"from": "15550001234", "id": context})
def purchase(u, ts, value, oid):
    out.append({"type": "external_event", "id": oid, "contact": u, "name": "purchase", "value": value, "currency": "EUR", "timestamp": ts})
ad_ref = {"source_url": "https://fb.me/demo-summer", "source_id": "120202", "source_type": "ad", "headline": "Summer sale -30%", "body": "Tap to chat with us", "media_type": "image", "image_url": "https://example.invalid/ad.jpg", "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ-demo"}

# Ad users (click-to-WhatsApp ad 120202).
ads = [("4915112340001", "Lena"), ("4915112340002", "Jonas"), ("4915112340003", "Mia"), ("4915112340004", "Paul"), ("4915112340005", "Emma")]
for i, (u, name) in enumerate(ads):
    t = T + i * D + 2 * H
    text(u, name, t, "Hi! I'd like to know more about the summer sale", referral=ad_ref)
    agent(u, t + 5 * 60)
    if i in (0, 1, 3):
        text(u, name, t + 10 * 60, "What's the price of the linen shirt?")
        o = offer(u, t + 12 * 60)
        if i in (0, 1):
            tap_buy(u, name, t + 15 * 60, o)
            purchase(u, t + 2 * H, ["49.90", "89.00"][i], f"order-10{i}")

# QR-code users: the window poster's wa.me link pre-fills the first text.
qrs = [("4915112340011", "Noah"), ("4915112340012", "Hannah"), ("4915112340013", "Felix"), ("4915112340014", "Sofia")]
for i, (u, name) in enumerate(qrs):
    t = T + i * D + 6 * H
    text(u, name, t, f"Hi! I scanned the window QR code (table {i + 1})")
    agent(u, t + 3 * 60)
    if i < 3:
        text(u, name, t + 8 * 60, "Is there a price list?")
        o = offer(u, t + 9 * 60)
        if i < 2:
            tap_buy(u, name, t + 11 * 60, o)
            purchase(u, t + 5 * H, ["25.00", "35.50"][i], f"order-20{i}")

# Campaign "summer": a marketing template with a quick-reply button, on day 2.
camp = [("4915112340021", "Ben"), ("4915112340022", "Lea"), ("4915112340023", "Elias"), ("4915112340024", "Clara"), ("4915112340025", "Luis"), ("4915112340005", "Emma")]
tc = T + 2 * D + 8 * H
for i, (u, name) in enumerate(camp):
    mid = outbound(u, tc + i * 60, kind="template", template="summer_promo", category="marketing", author="campaign", campaign="summer",
                   buttons=[{"type": "quick_reply", "text": "Buy now"}, {"type": "url", "text": "See the shop"}])
    if i == 4:
        status(u, mid, tc + i * 60 + 5, "failed")  # never delivered: opens nothing
        continue
    status(u, mid, tc + i * 60 + 4, "delivered")
    if i != 3:
        status(u, mid, tc + i * 60 + 600, "read")
    if i in (0, 1, 5):
        inbound(u, name, tc + (i + 1) * 30 * 60, {"type": "button", "button": {"payload": "BUY_NOW", "text": "Buy now"}}, context={"from": "15550001234", "id": mid})
        agent(u, tc + (i + 1) * 30 * 60 + 120)
    if i == 0:
        purchase(u, tc + 3 * H, "60.00", "order-300")
    if i == 2:
        # Replies two days later to the template: the conversation is the campaign's.
        text(u, name, tc + 2 * D + 3 * H, "Is the offer still valid?", context={"from": "15550001234", "id": mid})
        agent(u, tc + 2 * D + 3 * H + 300)
        purchase(u, tc + 2 * D + 5 * H, "30.00", "order-301")
# Emma (ad click on day 4, campaign on day 2) buys on day 5: two sources in her lookback.
purchase("4915112340005", T + 5 * D + 1 * H, "120.00", "order-400")

# A direct conversation, and a purchase with no conversation in the lookback.
text("4915112340031", "Max", T + 3 * D + 11 * H, "hello, are you open on Sunday?")
agent("4915112340031", T + 3 * D + 11 * H + 600)
purchase("4915112340032", T + 4 * D, "15.00", "order-500")
# A retried webhook and a re-sent purchase: ingested once. The re-sent purchase is the
# very record sent before (Lena's, at t + 2 h with t = T + 2 h): a re-send with other
# content would be a conflict, which the engine resolves by its rule and counts.
out.append(out[0])
purchase("4915112340001", T + 4 * H, "49.90", "order-100")

# Spend: an Ads Insights row for the week, the QR posters, the campaign's message cost.
out.append({"ad_id": "120202", "ad_name": "Summer sale — carousel", "campaign_id": "120201", "campaign_name": "Summer 2025", "spend": "87.50", "account_currency": "EUR", "date_start": "2025-07-07", "date_stop": "2025-07-12"})
out.append({"type": "spend", "source": "qr:window", "date": "2025-07-07", "amount": 40, "currency": "EUR", "name": "Window QR posters"})
out.append({"type": "spend", "source": "campaign:summer", "date": "2025-07-09", "amount": 4.2, "currency": "EUR"})

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "sources-demo.jsonl"), "w") as f:
    for o in out:
        f.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
cfg = {
    "time_zone": "Europe/Berlin",
    "currency": "EUR",
    "conversion_event": "purchase",
    "sources": [{"key": "qr:window", "name": "Window QR code", "match": "prefix", "pattern": "Hi! I scanned the window QR code"}],
    "source_names": {"campaign:summer": "Summer campaign"},
    "events": [
        {"name": "asked_price", "kind": "text_reply", "match": "contains", "pattern": "price"},
        {"name": "tapped_buy", "kind": "button_reply", "pattern": "buy_now"},
    ],
    "funnels": [{"name": "sales", "steps": ["tapped_buy", "purchase"]}],
    "attribution": {"model": "last_touch", "lookback_days": 7},
}
with open(os.path.join(HERE, "sources-demo.config.json"), "w") as f:
    json.dump(cfg, f, indent=2, ensure_ascii=False)
    f.write("\n")
