"""Writes the hostile inputs timed by `benches/hostile/run` into the directory given.

    python3 benches/hostile/gen.py DIR

Deterministic. Files:

* `statuses-<N>.log` for N in 1000, 4000, 16000: one webhook with N statuses,
  pretty-printed (`json.dumps(..., indent=2)`) into a JSONL-named file, so the stream reader
  must join its lines into one document;
* `open-brace.log`: `{` followed by 40,000 lines of ` "a":1,` (never closed);
* `open-brace-50mb.log`: the same, about 50 MB;
* `glued.log`: every file under `testdata/shared/webhooks/*/` concatenated as `cat` does
  (most have no final newline, so one document's `}` meets the next one's `{`);
* `array-50k.json`: a JSON array of 50,000 outbound records, 18.3 MB on one line
  (over the default 16 MiB document limit as a whole; each element is about 370 bytes);
* `range-40.jsonl`: the first 40 lines of `examples/data/example.jsonl`.
"""
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T = 1751450000


def statuses(n):
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "PN1"},
        "statuses": [{"id": f"wamid.out.{i}", "status": "delivered", "timestamp": str(T + i),
                      "recipient_id": "4915112345678",
                      "pricing": {"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"}}
                     for i in range(n)]}}]}]}


def main(out):
    os.makedirs(out, exist_ok=True)
    for n in (1000, 4000, 16000):
        with open(os.path.join(out, f"statuses-{n}.log"), "w") as f:
            f.write(json.dumps(statuses(n), indent=2) + "\n")
    with open(os.path.join(out, "open-brace.log"), "w") as f:
        f.write("{\n" + ' "a":1,\n' * 40000)
    with open(os.path.join(out, "open-brace-50mb.log"), "w") as f:
        f.write("{\n" + ' "a":1,\n' * (50_000_000 // 8))
    with open(os.path.join(out, "glued.log"), "wb") as f:
        for p in sorted(glob.glob(os.path.join(ROOT, "testdata/shared/webhooks/*/*.json"))):
            with open(p, "rb") as src:
                f.write(src.read())
    docs = [{"type": "outbound", "id": f"wamid.arr.{i:06d}", "phone_number_id": "PN1000000001",
             "to": f"49151{i % 5000:07d}",
             "timestamp": T + i, "kind": "template", "template": "summer_promo", "category": "marketing",
             "author": "campaign", "author_id": f"bulk-sender-{i:06d}", "campaign": "summer-sale-2025-wave-1",
             "buttons": [{"type": "quick_reply", "text": "Buy now"}, {"type": "url", "text": "See the shop"}]}
            for i in range(50_000)]
    with open(os.path.join(out, "array-50k.json"), "w") as f:
        json.dump(docs, f, separators=(",", ":"))
    with open(os.path.join(ROOT, "examples/data/example.jsonl")) as src, \
            open(os.path.join(out, "range-40.jsonl"), "w") as f:
        for i, line in enumerate(src):
            if i == 40:
                break
            f.write(line)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/hostile")
