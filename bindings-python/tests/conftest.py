"""Shared fixtures: paths to the bundled example data and the shared webhook payloads,
sample documents, and the `report` program for comparisons."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "data" / "example.jsonl"
EXAMPLE_CONFIG = ROOT / "examples" / "data" / "config.json"
SHARED = Path(os.environ.get("CONVOLENS_SHARED_DATA", ROOT / "testdata" / "shared"))

USER = "4915112345678"
INBOUND = {
    "object": "whatsapp_business_account",
    "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "1001"},
        "contacts": [{"wa_id": USER, "profile": {"name": "Ana"}}],
        "messages": [{"from": USER, "id": "wamid.in1", "timestamp": "1751450000", "type": "text",
                      "text": {"body": "Hi!"},
                      "referral": {"source_type": "ad", "source_id": "120", "headline": "Summer sale"}}],
    }}]}],
}
OUTBOUND = {"type": "outbound", "id": "wamid.out1", "phone_number_id": "1001", "to": USER,
            "timestamp": 1751450060, "kind": "free_form", "author": "agent"}
DELIVERED = {
    "object": "whatsapp_business_account",
    "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "1001"},
        "statuses": [{"id": "wamid.out1", "status": "delivered", "timestamp": "1751450065",
                      "recipient_id": USER}],
    }}]}],
}
PURCHASE = {"type": "external_event", "id": "order-1", "contact": USER, "name": "purchase",
            "value": 49.90, "currency": "EUR", "timestamp": 1751460000}
SAMPLE = [INBOUND, OUTBOUND, DELIVERED, PURCHASE]


def jsonl(docs: List[Any]) -> str:
    """Documents as JSON lines."""
    return "".join(json.dumps(d) + "\n" for d in docs)


def run_report(*args: str) -> "subprocess.CompletedProcess[bytes]":
    """The `report` program run with ARGS (its output as bytes); cargo builds it on first
    use."""
    out = subprocess.run(
        ["cargo", "run", "--release", "-q", "--bin", "report", "--", *args],
        cwd=ROOT, capture_output=True, check=False,
    )
    assert out.returncode in (0, 1), out.stderr.decode(errors="replace")
    return out


def run_cli(*args: str) -> Dict[str, Any]:
    """`report --json ARGS`: its text and the text parsed."""
    text = run_report("--json", *args).stdout.decode()
    return {"text": text, "json": json.loads(text)}


@pytest.fixture(scope="session")
def example() -> Path:
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} does not exist (generate it with gen_data)")
    return EXAMPLE


@pytest.fixture(scope="session")
def shared_payloads() -> List[Path]:
    files = sorted((SHARED / "webhooks").glob("**/*.json"))
    assert files, f"no shared webhook payloads under {SHARED}"
    return files
