#![doc = include_str!("../guide/attribution/contacts.md")]

use super::attribute;
use crate::error::ReportError;
use crate::model::money::format_micros;
use crate::scope::Scope;
use crate::sources::analyse;
use crate::store::UserIx;
use crate::util::csv::guard;
use std::collections::BTreeMap;
use std::io::Write;

/// Which users to export: those of a source, of an event, or of both (see the module
/// rules). As JSON: `{"source": "meta_ad:120"}`, `{"event": "purchase"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ContactFilter {
    /// A source key.
    pub source: Option<String>,
    /// An event name (messaging or external).
    pub event: Option<String>,
}

impl ContactFilter {
    /// The users of the source `key`.
    pub fn source(key: impl Into<String>) -> ContactFilter {
        ContactFilter {
            source: Some(key.into()),
            event: None,
        }
    }

    /// The users for whom the event `name` happened.
    pub fn event(name: impl Into<String>) -> ContactFilter {
        ContactFilter {
            source: None,
            event: Some(name.into()),
        }
    }

    /// Only those who are also users of the source `key`.
    #[must_use]
    pub fn and_source(mut self, key: impl Into<String>) -> ContactFilter {
        self.source = Some(key.into());
        self
    }

    /// A filter from a JSON object with the optional keys `source` and `event`. A bad or
    /// unknown key is a [`ReportError`] of kind `option` naming it as `filter.KEY`
    /// (`filter` for the object itself).
    ///
    /// ```
    /// let f = convolens::ContactFilter::from_json(r#"{"event": "lead"}"#).unwrap();
    /// assert_eq!(f, convolens::ContactFilter::event("lead"));
    /// let e = convolens::ContactFilter::from_json(r#"{"source": 7}"#).unwrap_err();
    /// assert!(matches!(e, convolens::ReportError::Option { option, .. } if option == "filter.source"));
    /// ```
    pub fn from_json(json: &str) -> Result<ContactFilter, ReportError> {
        let named = |(e, path): (serde_json::Error, String)| ReportError::Option {
            option: if path.is_empty() {
                "filter".into()
            } else {
                format!("filter.{path}")
            },
            message: e.to_string(),
        };
        crate::util::serde::read_text_with_path(json).map_err(named)
    }

    /// Read one name as an event when a configured messaging event or some external event
    /// has that name, else as a source key (the report program's `--contacts`).
    pub(crate) fn guess(
        config: &crate::config::Config,
        store: &crate::store::Store,
        name: &str,
    ) -> ContactFilter {
        let is_event = config.events.iter().any(|e| e.name == name)
            || store.externals.iter().any(|x| &*x.name == name);
        if is_event {
            ContactFilter {
                source: None,
                event: Some(name.to_string()),
            }
        } else {
            ContactFilter {
                source: Some(name.to_string()),
                event: None,
            }
        }
    }
}

#[derive(Default)]
struct Row {
    first_seen: Option<i64>,
    source: Option<(i64, String)>,
    in_source: bool,
    in_event: bool,
    converted: bool,
    value: i64,
}

/// Write the users `filter` selects as CSV to `w`; returns the number of users written.
pub(crate) fn export_contacts<W: Write>(
    ctx: &Scope<'_>,
    filter: &ContactFilter,
    w: W,
) -> Result<usize, ReportError> {
    let rows = contact_rows(ctx, filter)?;
    let out = selected(ctx, filter, &rows);
    write_contacts(ctx, filter, &out, w)?;
    Ok(out.len())
}

/// The users `filter` selects, in export order: (first seen, key, user, row).
fn selected<'r>(
    ctx: &Scope<'r>,
    filter: &ContactFilter,
    rows: &'r BTreeMap<UserIx, Row>,
) -> Vec<(i64, &'r str, UserIx, &'r Row)> {
    let mut out: Vec<(i64, &str, UserIx, &Row)> = rows
        .iter()
        .filter(|(_, r)| {
            (filter.source.is_none() || r.in_source) && (filter.event.is_none() || r.in_event)
        })
        .map(|(u, r)| {
            let seen = first_seen(ctx, *u).or(r.first_seen).unwrap_or(0);
            (seen, ctx.store.users[*u as usize].key(), *u, r)
        })
        .collect();
    out.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    out
}

/// Write the users `filter` selects as the CSV of a Meta Custom Audience customer list:
/// a `phone` header, then one SHA-256 per user with a phone number (see
/// [`audience_phone`]). Returns (users written, users left out for having no number).
///
/// Meta: "Phone numbers must include a country code to be used for matching"; for the
/// hashed `ph` key, "Remove symbols, letters, and any leading zeros … Always include
/// the country code" (its example: `(650)555-1212` in the US is `16505551212`).
pub(crate) fn export_audience<W: Write>(
    ctx: &Scope<'_>,
    filter: &ContactFilter,
    mut w: W,
) -> Result<(usize, usize), ReportError> {
    if ctx.config.pseudonymise.is_some() {
        return Err(ReportError::Unsupported(
            "a pseudonymised engine keeps no phone numbers, so it cannot write a Meta audience"
                .into(),
        ));
    }
    let rows = contact_rows(ctx, filter)?;
    let io = |e: std::io::Error| ReportError::Write(e.to_string());
    w.write_all(b"phone\r\n").map_err(io)?;
    let (mut written, mut skipped) = (0, 0);
    for (_, _, u, _) in selected(ctx, filter, &rows) {
        let number = ctx.store.users[u as usize].wa_id.as_deref();
        match number.and_then(audience_phone) {
            Some(n) => {
                let line = crate::util::digest::sha256_hex(n.as_bytes());
                w.write_all(line.as_bytes()).map_err(io)?;
                w.write_all(b"\r\n").map_err(io)?;
                written += 1;
            }
            None => skipped += 1,
        }
    }
    w.flush().map_err(io)?;
    Ok((written, skipped))
}

/// A `wa_id` normalised as Meta's customer lists want it before hashing: its digits only
/// (no `+`, spaces or punctuation), without leading zeros. A `wa_id` already carries the
/// country code. `None` when no digit remains (e.g. a BSUID-only user).
pub(crate) fn audience_phone(wa_id: &str) -> Option<String> {
    if wa_id.contains(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let digits: String = wa_id.chars().filter(char::is_ascii_digit).collect();
    let n = digits.trim_start_matches('0');
    (!n.is_empty()).then(|| n.to_string())
}

/// Every user's row: first seen, whether they belong to the filter's source and event,
/// the source they came from, whether they converted, and their value.
fn contact_rows(
    ctx: &Scope<'_>,
    filter: &ContactFilter,
) -> Result<BTreeMap<UserIx, Row>, ReportError> {
    let analysis = analyse(ctx);
    let (from, to) = ctx.range.instants();
    let in_range = |t: i64| (from..to).contains(&t);
    let mut rows: BTreeMap<UserIx, Row> = BTreeMap::new();
    for c in &analysis.conversations {
        let r = rows.entry(c.user).or_default();
        r.first_seen = Some(r.first_seen.map_or(c.start, |f| f.min(c.start)));
        let src_ok = filter.source.as_deref().is_none_or(|s| s == &*c.source.key);
        if in_range(c.start) && src_ok {
            r.converted |= c.lead;
            r.in_source |= filter.source.is_some();
        }
        if let Some(ev) = filter.event.as_deref() {
            if let Some(h) = c.events.iter().find(|h| &*h.name == ev && in_range(h.ts)) {
                r.in_event = true;
                if r.source.as_ref().is_none_or(|(t, _)| h.ts < *t) {
                    r.source = Some((h.ts, c.source.key.to_string()));
                }
            }
        }
    }
    for t in &analysis.touches {
        let x = &ctx.store.externals[t.external as usize];
        let r = rows.entry(t.user).or_default();
        r.first_seen = Some(r.first_seen.map_or(t.ts, |f| f.min(t.ts)));
        if filter.event.as_deref() == Some(&*x.name) && in_range(t.ts) {
            r.in_event = true;
            if filter.source.is_none() {
                r.value += t.value;
            }
        }
    }
    if let Some(src) = filter.source.as_deref() {
        let att = attribute(&analysis, &ctx.range, &ctx.config.attribution, ctx.model)?;
        for e in &att.events {
            for c in &e.credits {
                let conv = &analysis.conversations[c.conversation];
                if &*conv.source.key == src {
                    rows.entry(conv.user).or_default().value += c.value;
                }
            }
        }
    }
    Ok(rows)
}

/// One exported user's fields.
struct ContactLine<'a> {
    key: &'a str,
    name: Option<&'a str>,
    country: Option<String>,
    first_seen: String,
    source: &'a str,
    converted: bool,
    value: i64,
}

fn contact_line<'a>(
    ctx: &'a Scope<'_>,
    filter: &'a ContactFilter,
    (seen, key, u, r): &(i64, &'a str, UserIx, &'a Row),
) -> ContactLine<'a> {
    let source = filter
        .source
        .as_deref()
        .or_else(|| r.source.as_ref().map(|(_, s)| &**s))
        .unwrap_or_default();
    ContactLine {
        key,
        name: ctx.store.users[*u as usize].name(),
        country: ctx.store.country_of(*u).map(|c| c.as_str().to_string()),
        first_seen: crate::util::time::local(*seen, ctx.range.tz).to_rfc3339(),
        source,
        converted: r.converted,
        value: r.value,
    }
}

/// The CSV: a header, then one line per selected user (text cells formula-guarded, see
/// `util::csv`).
fn write_contacts<W: Write>(
    ctx: &Scope<'_>,
    filter: &ContactFilter,
    out: &[(i64, &str, UserIx, &Row)],
    w: W,
) -> Result<(), ReportError> {
    let err = |e: ::csv::Error| ReportError::Write(e.to_string());
    let mut w = crate::util::csv::writer(w);
    w.write_record(CONTACT_COLUMNS).map_err(err)?;
    for line in out {
        let c = contact_line(ctx, filter, line);
        let (converted, value) = (c.converted.to_string(), format_micros(c.value, 2));
        w.write_record([
            &*guard(c.key),
            &*guard(c.name.unwrap_or("")),
            c.country.as_deref().unwrap_or(""),
            &c.first_seen,
            &*guard(c.source),
            &converted,
            &value,
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| ReportError::Write(e.to_string()))
}

/// The `contacts` table of `Engine::rows`: the export's users and columns
/// (`CONTACT_COLUMNS`), typed: `name`, `country` and `source` null when unknown,
/// `converted` a boolean, `value` a float of major units; text as is (no formula guard:
/// that belongs to CSV).
pub(crate) fn contact_values(
    ctx: &Scope<'_>,
    filter: &ContactFilter,
) -> Result<Vec<Vec<serde_json::Value>>, ReportError> {
    use serde_json::Value;
    let rows = contact_rows(ctx, filter)?;
    let out = selected(ctx, filter, &rows);
    let text = |s: Option<&str>| s.filter(|s| !s.is_empty()).map_or(Value::Null, Value::from);
    Ok(out
        .iter()
        .map(|line| {
            let c = contact_line(ctx, filter, line);
            vec![
                Value::from(c.key),
                text(c.name),
                text(c.country.as_deref()),
                Value::from(c.first_seen),
                text(Some(c.source)),
                Value::from(c.converted),
                Value::from(c.value as f64 / 1e6),
            ]
        })
        .collect())
}

/// The columns of the contacts export.
pub(crate) const CONTACT_COLUMNS: [&str; 7] = [
    "wa_id",
    "name",
    "country",
    "first_seen",
    "source",
    "converted",
    "value",
];

/// The user's first counted message on the included numbers.
fn first_seen(ctx: &Scope<'_>, u: UserIx) -> Option<i64> {
    let rec = &ctx.store.users[u as usize];
    rec.timeline
        .iter()
        .map(|ix| &ctx.store.msgs[*ix as usize])
        .filter(|m| ctx.phone_ok(m.phone))
        .find(|m| match &m.inbound {
            Some(d) => d.ty.is_user_message(),
            None => !m.status().is_failed(),
        })
        .map(|m| m.ts)
}

#[cfg(test)]
mod tests {

    #[test]
    fn audience_numbers_are_digits_without_leading_zeros() {
        use super::audience_phone;
        assert_eq!(
            audience_phone("16505551212").as_deref(),
            Some("16505551212")
        );
        assert_eq!(
            audience_phone("+1 (650) 555-1212").as_deref(),
            Some("16505551212")
        );
        assert_eq!(
            audience_phone("0044 7700 900123").as_deref(),
            Some("447700900123")
        );
        assert_eq!(audience_phone("US.13491208655302741918"), None);
        assert_eq!(audience_phone("000"), None);
    }
}
