//! Test support for the billing tests: builders for webhook payloads and convolens records,
//! an engine runner, and the proptest strategy for shuffled, duplicated input.
#![allow(dead_code)]

use chrono::NaiveDateTime;
use convolens::internals::{BillingSetup, Charges, MessageCharge, compute};
use convolens::{Config, Engine, Report};

/// The business number of every builder.
pub const PHONE: &str = "1001";
/// A German user.
pub const DE: &str = "4915112345678";
/// A second German user.
pub const DE2: &str = "4915199999999";
/// An Indian user.
pub const IN: &str = "919876543210";
/// A Dominican Republic user (+1 809).
pub const DO: &str = "18095551234";

pub const H: i64 = 3600;

/// UTC seconds of `YYYY-MM-DDTHH:MM:SS`.
pub fn ts(s: &str) -> i64 {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .unwrap()
        .and_utc()
        .timestamp()
}

fn wrap(value: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"{PHONE}"}},{value}}}}}]}}]}}"#
    )
}

/// A user's text message.
pub fn inbound(user: &str, id: &str, t: i64) -> String {
    wrap(&format!(
        r#""contacts":[{{"wa_id":"{user}","profile":{{"name":"U"}}}}],"messages":[{{"from":"{user}","id":"{id}","timestamp":"{t}","type":"text","text":{{"body":"hi"}}}}]"#
    ))
}

/// A user's message from a Click-to-WhatsApp ad.
pub fn inbound_ad(user: &str, id: &str, t: i64) -> String {
    wrap(&format!(
        r#""contacts":[{{"wa_id":"{user}","profile":{{"name":"U"}}}}],"messages":[{{"from":"{user}","id":"{id}","timestamp":"{t}","type":"text","text":{{"body":"hi"}},"referral":{{"source_type":"ad","source_id":"120","source_url":"https://fb.me/x","headline":"Sale"}}}}]"#
    ))
}

/// An outbound template record.
pub fn template(user: &str, id: &str, t: i64, category: &str) -> String {
    format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"{PHONE}","to":"{user}","timestamp":{t},"kind":"template","template":"t_{category}","category":"{category}"}}"#
    )
}

/// An outbound free-form record.
pub fn free_form(user: &str, id: &str, t: i64) -> String {
    format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"{PHONE}","to":"{user}","timestamp":{t},"kind":"free_form"}}"#
    )
}

/// A status.
pub fn status(user: &str, id: &str, st: &str, t: i64) -> String {
    wrap(&format!(
        r#""statuses":[{{"id":"{id}","status":"{st}","timestamp":"{t}","recipient_id":"{user}"}}]"#
    ))
}

/// A status with extra members (`"pricing":{...}`, `"conversation":{...}`).
pub fn status_with(user: &str, id: &str, st: &str, t: i64, extra: &str) -> String {
    wrap(&format!(
        r#""statuses":[{{"id":"{id}","status":"{st}","timestamp":"{t}","recipient_id":"{user}",{extra}}}]"#
    ))
}

/// A template sent at `t - 2` and delivered at `t`.
pub fn delivered_template(user: &str, id: &str, t: i64, category: &str) -> Vec<String> {
    vec![
        template(user, id, t - 2, category),
        status(user, id, "sent", t - 1),
        status(user, id, "delivered", t),
    ]
}

/// A free-form message sent at `t - 2` and delivered at `t`.
pub fn delivered_free_form(user: &str, id: &str, t: i64) -> Vec<String> {
    vec![
        free_form(user, id, t - 2),
        status(user, id, "sent", t - 1),
        status(user, id, "delivered", t),
    ]
}

/// The example-style test rate card (EUR), hand-picked round prices:
///
/// | market | category | CBP (from 2024-01-01) | PMP (from 2025-07-01) |
/// |---|---|---|---|
/// | germany | marketing | 0.10 | 0.12 |
/// | germany | utility | 0.04 | 0.02 for the month's 1st–2nd, 0.01 from the 3rd |
/// | germany | authentication | 0.06 | 0.05 |
/// | germany | service | 0.03 | 0.01 |
/// | india | utility | — | 0.004 for the 1st–2nd, 0.002 from the 3rd |
/// | rest_of_latin_america | marketing | — | 0.07 |
pub const CARD: &str = "market,category,price,currency,effective_from,tier_from,tier_to
germany,marketing,0.10,EUR,2024-01-01,,
germany,utility,0.04,EUR,2024-01-01,,
germany,authentication,0.06,EUR,2024-01-01,,
germany,service,0.03,EUR,2024-01-01,,
germany,marketing,0.12,EUR,2025-07-01,,
germany,utility,0.02,EUR,2025-07-01,1,2
germany,utility,0.01,EUR,2025-07-01,3,
germany,authentication,0.05,EUR,2025-07-01,,
germany,service,0.01,EUR,2025-07-01,,
india,utility,0.004,EUR,2025-07-01,1,2
india,utility,0.002,EUR,2025-07-01,3,
Rest of Latin America,marketing,0.07,EUR,2025-07-01,,
";

/// A config with [`CARD`] and the extra JSON members `extra` (`""` for none).
pub fn config(extra: &str) -> Config {
    config_with_card(CARD, extra)
}

/// A config with rate card `card` (CSV) and the extra JSON members `extra`.
pub fn config_with_card(card: &str, extra: &str) -> Config {
    let mut cfg = Config::from_json(&format!(
        "{{\"rate_card\":\"card.csv\"{}{extra}}}",
        if extra.is_empty() { "" } else { "," }
    ))
    .unwrap();
    cfg.resolve_rate_card(None, |_| Ok(card.to_string()))
        .unwrap();
    cfg
}

/// Every business message's charge keyed by message id, in a form that does not depend on
/// internal indices: (counted, category, delivered, billable, charged, free reason, opened a
/// conversation, conversation kind and opening instant, cost, tier number, free tier).
pub fn charges_by_id(e: &Engine) -> std::collections::BTreeMap<String, String> {
    let c = charges(e);
    c.messages
        .iter()
        .map(|m| {
            let conv = c
                .conversation_of(m)
                .map(|k| (k.kind, k.opened_at, k.closed_at));
            let id = convolens::internals::store(e).msgs[m.msg as usize]
                .id
                .to_string();
            let v = format!(
                "{} {} {:?} {} {} {:?} {} {:?} {} {:?} {}",
                m.counted(),
                m.category,
                m.delivered_at(),
                m.billable(),
                m.charged(),
                m.free,
                m.opened_conversation(),
                conv,
                m.cost,
                m.tier_ordinal(),
                m.free_tier()
            );
            (id, v)
        })
        .collect()
}

/// An engine fed with `lines`, in order.
pub fn engine(cfg: Config, lines: &[String]) -> Engine {
    let mut e = Engine::new(cfg).unwrap();
    for l in lines {
        e.ingest_str(l).unwrap_or_else(|err| panic!("{err}: {l}"));
    }
    e
}

/// Report over `[from, to)` (or everything).
pub fn report(e: &mut Engine, from: Option<&str>, to: Option<&str>) -> Report {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    e.report(&{
        let mut o = convolens::ReportOptions::default();
        o.from = from.map(d);
        o.to = to.map(d);
        o
    })
    .unwrap()
}

/// Every message's charge.
pub fn charges(e: &Engine) -> Charges {
    compute(
        convolens::internals::store(e),
        &BillingSetup::from_config(e.config()).unwrap(),
        None,
    )
}

/// The charge of message `id`.
pub fn charge<'a>(e: &Engine, c: &'a Charges, id: &str) -> &'a MessageCharge {
    c.get(
        convolens::internals::store(e)
            .outbound(id)
            .unwrap_or_else(|| panic!("no message {id}")),
    )
    .unwrap()
}

/// Micro-units of a decimal string.
pub fn eur(s: &str) -> i64 {
    convolens::internals::parse_decimal_micros(s).unwrap()
}
