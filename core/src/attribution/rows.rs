//! Row-level attribution: the `conversations` table of [`crate::Engine::rows`], one row
//! per analytic conversation that started in the range (semantics §3), to join to a CRM.
//!
//! Columns (`CONVERSATION_COLUMNS`): `user` (wa_id or BSUID), `phone`
//! (phone_number_id), `start` and `last` (its first and latest message, RFC 3339 in the
//! report zone), `source`, `source_kind`, `direction`, `opening_message` (the id of the
//! message that opened it), `messages` (counted messages in it), `events` (the names of
//! the events that happened in it, in order), `lead` (the conversion event happened in
//! it), `conversions` and `attributed_value` (what the report's model credits it with:
//! conversions as a float, value in major units of `currency`), `currency`, `model`,
//! `headline` (the opening referral's). Summed over every row, the credited value is the
//! report's `overall.revenue` and the leads its `overall.leads`. Rows are in order of
//! start and user.

use super::attribute_window;
use crate::error::ReportError;
use crate::model::UNIT;
use crate::scope::Scope;
use crate::sources::{Conversation, analyse};
use crate::util::sort::SortSlice as _;
use serde_json::Value;

/// The columns of the `conversations` table.
pub(crate) const CONVERSATION_COLUMNS: [&str; 16] = [
    "user",
    "phone",
    "start",
    "last",
    "source",
    "source_kind",
    "direction",
    "opening_message",
    "messages",
    "events",
    "lead",
    "conversions",
    "attributed_value",
    "currency",
    "model",
    "headline",
];

fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The rows of the `conversations` table (see the module docs).
pub(crate) fn conversation_rows(ctx: &Scope<'_>) -> Result<Vec<Vec<Value>>, ReportError> {
    let a = analyse(ctx);
    let att = attribute_window(&a, &ctx.range, &ctx.config.attribution, ctx.model)?;
    // (micro-conversions, micro-units) credited to each conversation.
    let mut credit = vec![(0i64, 0i64); a.conversations.len()];
    for c in att.events.iter().flat_map(|e| &e.credits) {
        credit[c.conversation].0 += c.count;
        credit[c.conversation].1 += c.value;
    }
    let (from, to) = ctx.range.instants();
    let key = |c: &Conversation| ctx.store.users[c.user as usize].key();
    let mut picked: Vec<(&Conversation, (i64, i64))> = a
        .conversations
        .iter()
        .zip(credit)
        .filter(|(c, _)| (from..to).contains(&c.start) && ctx.phone_ok(c.phone))
        .collect();
    picked.stable_sort_by(|x, y| (x.0.start, key(x.0)).cmp(&(y.0.start, key(y.0))));
    Ok(picked
        .into_iter()
        .map(|(c, credit)| conversation_row(ctx, c, credit))
        .collect())
}

fn conversation_row(ctx: &Scope<'_>, c: &Conversation, (count, value): (i64, i64)) -> Vec<Value> {
    let store = ctx.store;
    let time = |ts: i64| Value::from(crate::util::time::local(ts, ctx.range.tz).to_rfc3339());
    let events: Vec<Value> = c.events.iter().map(|e| Value::from(&*e.name)).collect();
    vec![
        Value::from(store.users[c.user as usize].key()),
        Value::from(&*store.phones[c.phone as usize]),
        time(c.start),
        time(c.last),
        Value::from(&*c.source.key),
        json(&c.source.kind),
        json(&c.source.direction),
        Value::from(&*store.msgs[c.opening as usize].id),
        Value::from(c.messages),
        Value::Array(events),
        Value::from(c.lead),
        Value::from(count as f64 / UNIT as f64),
        Value::from(value as f64 / 1e6),
        json(&ctx.currency),
        json(&ctx.model),
        c.headline.as_deref().map_or(Value::Null, Value::from),
    ]
}
