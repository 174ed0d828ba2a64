"""Write a small JSONL file of hand-made edge cases for the rules the peers reimplement.

Usage: edge_cases.py OUT

`run edge` compares convolens and the peers on it (as on generated data): the generator
never produces most of these situations (window edges, status-only messages, failed and
undelivered templates, repeated referrals, purchases outside the lookback), so this file
is what checks the peers' rules there. Every case is a different user; all in June 2025.
"""

import json
import sys

T0 = 1_748_779_200  # 2025-06-01T12:00:00Z
H = 3600
P1, P2 = "106540352242922", "106540352242999"
lines = []
seq = [0]


def hook(phone, value):
    value = dict(value, messaging_product="whatsapp", metadata={"phone_number_id": phone})
    lines.append({"object": "whatsapp_business_account",
                  "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]})


def inbound(user, ts, phone=P1, text=None, referral=None, ty="text", context=None):
    seq[0] += 1
    m = {"from": user, "id": f"wamid.in{seq[0]:06d}", "timestamp": str(ts), "type": ty}
    if text is not None:
        m["text"] = {"body": text}
    if referral:
        m["referral"] = {"source_type": referral[0], "source_id": referral[1], "headline": "h"}
    if context:
        m["context"] = {"id": context}
    if ty == "reaction":
        m["reaction"] = {"message_id": "x", "emoji": "+"}
    hook(phone, {"contacts": [{"wa_id": user, "profile": {"name": "N"}}], "messages": [m]})


def status(user, mid, st, ts, phone=P1):
    hook(phone, {"statuses": [{"id": mid, "status": st, "timestamp": str(ts), "recipient_id": user}]})


def outbound(user, ts, phone=P1, template=None, category=None, campaign=None,
             deliver=1, failed=False, record=True):
    """A business message; `deliver`: seconds to delivery (None: never delivered)."""
    seq[0] += 1
    mid = f"wamid.out{seq[0]:06d}"
    if record:
        r = {"type": "outbound", "id": mid, "phone_number_id": phone, "to": user, "timestamp": ts}
        if template:
            r.update(kind="template", template=template, category=category)
            if campaign:
                r["campaign"] = campaign
        else:
            r["kind"] = "free_form"
        lines.append(r)
    status(user, mid, "sent", ts + 1, phone)
    if failed:
        status(user, mid, "failed", ts + 2, phone)
    elif deliver is not None:
        status(user, mid, "delivered", ts + deliver, phone)
    return mid


def purchase(user, ts, name="purchase"):
    seq[0] += 1
    lines.append({"type": "external_event", "id": f"ev{seq[0]}", "contact": user, "name": name,
                  "value": 10, "currency": "EUR", "timestamp": ts})


# A: CTWA entry, free entry point, templates after it, windows at their edges.
a = "4915100000001"
inbound(a, T0, text="Hi", referral=("ad", "AD1"))
outbound(a, T0 + 10, deliver=10)                                      # opens the free entry point
outbound(a, T0 + H, template="promo", category="marketing", campaign="c1")  # inside it
outbound(a, T0 + 80 * H, template="promo", category="marketing", campaign="c1")  # new marketing
outbound(a, T0 + 82 * H)                                              # free-form rides marketing
outbound(a, T0 + 103 * H, template="promo", category="marketing")     # 23 h on: rides
outbound(a, T0 + 104 * H + 10, template="promo", category="marketing")  # 24 h on: new
outbound(a, T0 + 104 * H + 20, template="code", category="authentication")  # concurrent auth
purchase(a, T0 + 6 * 24 * H)                                          # lead of the AD1 conversation
# A, later: free-form with nothing open (service), then an inbound text (wa.me rule).
outbound(a, T0 + 200 * H)
inbound(a, T0 + 201 * H, text="  hello, I WANT the summer offer please")
purchase(a, T0 + 201 * H + 8 * 24 * H)                                # 8 days later: no lead

# B: a message known only from its statuses, delivered (template:unknown), then a reply.
b = "4915100000002"
outbound(b, T0 + 5 * H, record=False)
inbound(b, T0 + 6 * H, text="what is this?")

# C: a failed template (ignored), an undelivered one (opens nothing), then a text.
c = "4915100000003"
outbound(c, T0 + 2 * H, template="promo", category="marketing", campaign="c2", failed=True)
outbound(c, T0 + 3 * H, template="promo", category="marketing", campaign="c3", deliver=None)
inbound(c, T0 + 4 * H, text="QR-billboard-a seen")                  # contains rule
purchase(c, T0 + 4 * H)                                              # same second: lead

# D: two referrals before one reply; the later one counts (within 24 h).
d = "4915100000004"
inbound(d, T0, text="a", referral=("post", "POST1"))
inbound(d, T0 + 25 * H, text="b", referral=("ad", "AD2"))
outbound(d, T0 + 26 * H)                                              # free entry point
# D on the second number: a referral answered 25 h later (no free entry point).
inbound(d, T0 + 30 * H, phone=P2, text="c", referral=("ad", "AD3"))
outbound(d, T0 + 55 * H, phone=P2)
outbound(d, T0 + 56 * H, phone=P2, template="receipt", category="utility")
outbound(d, T0 + 57 * H, phone=P2, template="receipt", category="marketing_lite")

# E: a system notice (not a user message), a reaction (one), a 24 h gap exactly.
e = "4915100000005"
inbound(e, T0, ty="system")
inbound(e, T0 + H, ty="reaction")
outbound(e, T0 + H + 5)
inbound(e, T0 + 25 * H + 5, text="next day")                          # exactly 24 h later: new
outbound(e, T0 + 30 * H, template="welcome", category="utility")
purchase(e, T0 + 31 * H)

# F: retries: the same inbound message and status twice; a duplicate outbound record.
f = "4915100000006"
inbound(f, T0 + 7 * H, text="Hi")
lines.append(lines[-1])
mid = outbound(f, T0 + 8 * H, template="promo", category="marketing", campaign="c1")
lines.append(lines[-1])
lines.append(next(x for x in lines if x.get("id") == mid))

# Spend: daily records, a restatement (the larger amount wins), an Ads Insights row.
lines.append({"type": "spend", "source": "meta_ad:AD1", "date": "2025-06-01", "amount": 10, "currency": "EUR"})
lines.append({"type": "spend", "source": "meta_ad:AD1", "date": "2025-06-01", "amount": 12.5, "currency": "EUR"})
lines.append({"type": "spend", "source": "meta_ad:AD1", "date": "2025-06-02", "amount": 3.25, "currency": "EUR"})
lines.append({"type": "spend", "source": "wame:summer-link", "date": "2025-06-03", "amount": 7, "currency": "EUR"})
lines.append({"ad_id": "AD2", "ad_name": "two", "spend": "20.10", "account_currency": "EUR",
              "date_start": "2025-06-01", "date_stop": "2025-06-07"})
# A campaign-level Ads Insights row (no ad_id): convolens keys it meta_campaign:<campaign_id>.
lines.append({"campaign_id": "C7", "campaign_name": "Spring", "spend": "4.00", "account_currency": "EUR",
              "date_start": "2025-06-02", "date_stop": "2025-06-02"})
lines.append({"type": "spend", "source": "meta_ad:AD9", "date": "2025-06-04", "amount": 5, "currency": "USD"})

with open(sys.argv[1], "w") as out:
    for x in lines:
        out.write(json.dumps(x, ensure_ascii=False) + "\n")
