//! Row-level billing: the `charges` table of [`crate::Engine::rows`], one row per
//! business message whose billing day is in the range (and on the included number), so
//! that an invoice can be reconciled line by line.
//!
//! Columns (`CHARGE_COLUMNS`): `message_id`, `user` (wa_id or BSUID), `phone`
//! (phone_number_id), `sent_at` and `delivered_at` (RFC 3339 in the report zone),
//! `billing_day` (the day whose rules, market and rate apply), `category`, `template`,
//! `model` (`cbp`/`pmp`, null when not delivered), `billable` (what Meta's
//! `pricing.billable` says), `charged` (a billable unit), `free_reason`, `conversation`
//! (the id of the message that opened the conversation or free entry point window it
//! opened or rode), `conversation_kind`, `opened_conversation`, `country`, `market`,
//! `cost` (major units of `currency`, a float; zero unless charged), `currency`,
//! `unpriced`, `tier` (its number among the month's charged messages of its market and
//! category), `price_source`, `tokens`, `meta_price` and `meta_currency` (Meta's `pricing`
//! object, for Meta Business Agent messages). Rows are in order of billing day, sending time and id.

use super::charges::{Charges, MessageCharge};
use crate::scope::Scope;
use crate::util::sort::SortSlice as _;
use serde_json::Value;

/// The columns of the `charges` table.
pub(crate) const CHARGE_COLUMNS: [&str; 25] = [
    "message_id",
    "user",
    "phone",
    "sent_at",
    "delivered_at",
    "billing_day",
    "category",
    "template",
    "model",
    "billable",
    "charged",
    "free_reason",
    "conversation",
    "conversation_kind",
    "opened_conversation",
    "country",
    "market",
    "cost",
    "currency",
    "unpriced",
    "tier",
    "price_source",
    "tokens",
    "meta_price",
    "meta_currency",
];

/// A serde value as JSON (`null` when it cannot be one, which a plain enum never is).
fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Micro-units as a float of major units.
pub(crate) fn major(micros: i64) -> Value {
    Value::from(micros as f64 / 1e6)
}

/// The rows of the `charges` table (see the module docs), aligned with `CHARGE_COLUMNS`.
pub(crate) fn charge_rows(ctx: &Scope<'_>, charges: &Charges) -> Vec<Vec<Value>> {
    let range = ctx.range;
    let mut picked: Vec<&MessageCharge> = charges
        .messages
        .iter()
        .filter(|m| (range.from..range.to).contains(&m.billing_day) && ctx.phone_ok(m.phone))
        .collect();
    let id = |m: &MessageCharge| &*ctx.store.msgs[m.msg as usize].id;
    picked.stable_sort_by(|a, b| {
        (a.billing_day, a.sent_at(), id(a)).cmp(&(b.billing_day, b.sent_at(), id(b)))
    });
    picked
        .into_iter()
        .map(|m| charge_row(ctx, charges, m))
        .collect()
}

fn charge_row(ctx: &Scope<'_>, charges: &Charges, m: &MessageCharge) -> Vec<Value> {
    let store = ctx.store;
    let time = |ts: i64| Value::from(crate::util::time::local(ts, ctx.range.tz).to_rfc3339());
    let conv = charges.conversation_of(m);
    vec![
        Value::from(&*store.msgs[m.msg as usize].id),
        Value::from(store.users[m.user(store) as usize].key()),
        Value::from(&*store.phones[m.phone as usize]),
        time(m.sent_at()),
        m.delivered_at().map_or(Value::Null, time),
        Value::from(m.billing_day.to_string()),
        json(&m.category),
        Value::from(m.template()),
        m.model.as_ref().map_or(Value::Null, json),
        Value::from(m.billable()),
        Value::from(m.charged()),
        m.free.as_ref().map_or(Value::Null, json),
        conv.map_or(Value::Null, |c| {
            Value::from(&*store.msgs[c.opened_by as usize].id)
        }),
        conv.map_or(Value::Null, |c| Value::from(c.kind.as_str())),
        Value::from(m.opened_conversation()),
        m.country.as_ref().map_or(Value::Null, json),
        json(&m.market),
        major(m.cost),
        json(&charges.currency),
        Value::from(m.unpriced()),
        m.tier_ordinal().map_or(Value::Null, Value::from),
        m.price_source.as_ref().map_or(Value::Null, json),
        m.tokens().map_or(Value::Null, Value::from),
        m.meta_price().map_or(Value::Null, |p| major(p.micros)),
        m.meta_price().map_or(Value::Null, |p| json(&p.currency)),
    ]
}
