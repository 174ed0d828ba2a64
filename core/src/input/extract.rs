#![doc = include_str!("../guide/input/extract.md")]

use super::fast::{GiveUp, R, Reader};
use super::{
    Event, IgnoreReason, OutboundFields, de_opt_count, de_opt_ts, outbound_record, webhook,
};
use serde::Deserialize;

/// Every field of [`super::Doc`], the type of a whole document, in its order: a field the
/// extractor does not read by hand gives up when it is one of these (the derived type
/// would read and check it) and is skipped otherwise (the derived type ignores it). A test
/// holds this list to the derived type's own.
pub(crate) const DOC_FIELDS: &[&str] = &[
    "object",
    "entry",
    "type",
    "id",
    "phone_number_id",
    "to",
    "timestamp",
    "kind",
    "template",
    "category",
    "author",
    "author_id",
    "campaign",
    "buttons",
    "contact",
    "name",
    "value",
    "currency",
    "source",
    "date",
    "amount",
    "by",
    "message_id",
    "button",
    "spend",
    "date_start",
    "date_stop",
    "ad_id",
    "ad_name",
    "campaign_id",
    "campaign_name",
    "account_currency",
    "tokens",
];

/// The fields of an object seen so far, by number: a second sighting gives up, as the
/// derived types refuse a duplicate field.
#[derive(Default)]
pub(crate) struct Seen(u32);

impl Seen {
    /// Note field `bit`; give up when it was seen before.
    #[inline]
    pub(crate) fn once(&mut self, bit: u32) -> R<()> {
        let b = 1 << bit;
        if self.0 & b != 0 {
            return Err(GiveUp);
        }
        self.0 |= b;
        Ok(())
    }

    /// Give up unless every field in `bits` was seen (the required ones).
    pub(crate) fn all(&self, bits: &[u32]) -> R<()> {
        if bits.iter().all(|b| self.0 & (1 << b) != 0) {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }
}

/// Append the events of the one JSON object `text` to `out` when the extractor reads it
/// (a webhook payload or an `outbound` record it reads exactly as the derived path would,
/// with no error): `true`; else `false` with `out` as it was, and the caller parses it
/// the other ways.
pub(crate) fn document<'a>(text: &'a str, line: u64, out: &mut Vec<Event<'a>>) -> bool {
    let mark = out.len();
    let mut r = Reader::new(text);
    if top(&mut r, line, out).is_ok() && r.at_end() {
        return true;
    }
    out.truncate(mark);
    false
}

/// Field numbers of the top level, for [`Seen`].
const OBJECT: u32 = 0;
const ENTRY: u32 = 1;
const TYPE: u32 = 2;

fn top<'a>(r: &mut Reader<'a>, line: u64, out: &mut Vec<Event<'a>>) -> R<()> {
    let mark = out.len();
    let mut seen = Seen::default();
    let (mut object, mut entry, mut ty) = (None, None, None);
    let mut rec = OutboundFields::default();
    // The webhook's fields and the `outbound` record's (the first twelve).
    r.object_of(&DOC_FIELDS[..12], |r, key| {
        match key {
            "object" => {
                seen.once(OBJECT)?;
                object = r.opt_str()?;
            }
            "entry" => {
                seen.once(ENTRY)?;
                if !r.null()? {
                    entry = Some(webhook::extract_entries(r, out)?);
                }
            }
            "type" => {
                seen.once(TYPE)?;
                ty = r.opt_str()?;
            }
            _ => return outbound_field(r, key, &mut seen, &mut rec),
        }
        Ok(())
    })?;
    if object.is_some() || entry.is_some() {
        // A record's field beside a webhook's: left to the derived path.
        if seen.0 & !((1 << OBJECT) | (1 << ENTRY)) != 0 {
            return Err(GiveUp);
        }
        let object = object.as_deref().unwrap_or("whatsapp_business_account");
        if object != "whatsapp_business_account" {
            out.truncate(mark);
            out.push(Event::Ignored(IgnoreReason::Object(object.into())));
        } else if entry.is_none() {
            out.push(Event::Ignored(IgnoreReason::NoEntry));
        } else if entry == Some(false) {
            out.push(Event::Ignored(IgnoreReason::EmptyEntry));
        }
        return Ok(());
    }
    if ty.as_deref() != Some("outbound") {
        return Err(GiveUp);
    }
    let record = outbound_record(rec, line).map_err(|_| GiveUp)?;
    out.push(Event::Outbound(record));
    Ok(())
}

/// A top-level member other than `object`, `entry` and `type`: a field of an `outbound`
/// record read into `rec`, another [`DOC_FIELDS`] field given up on, any other skipped.
fn outbound_field<'a>(
    r: &mut Reader<'a>,
    key: &str,
    seen: &mut Seen,
    rec: &mut OutboundFields<'a>,
) -> R<()> {
    match key {
        "id" => (seen.once(3)?, rec.id = r.opt_str()?),
        "phone_number_id" => (seen.once(4)?, rec.phone_number_id = r.opt_str()?),
        "to" => (seen.once(5)?, rec.to = r.opt_str()?),
        "timestamp" => (seen.once(6)?, rec.timestamp = de_opt_ts(&mut *r)?),
        "kind" => (seen.once(7)?, rec.kind = r.opt_str()?),
        "template" => (seen.once(8)?, rec.template = r.opt_str()?),
        "category" => (seen.once(9)?, rec.category = r.opt_str()?),
        "author" => (seen.once(10)?, rec.author = r.opt_str()?),
        "author_id" => (seen.once(11)?, rec.author_id = r.opt_str()?),
        "campaign" => (seen.once(12)?, rec.campaign = r.opt_str()?),
        "buttons" => (
            seen.once(13)?,
            rec.buttons = Deserialize::deserialize(&mut *r)?,
        ),
        "tokens" => (seen.once(14)?, rec.tokens = de_opt_count(&mut *r)?),
        k if DOC_FIELDS.contains(&k) => return Err(GiveUp),
        _ => ((), r.skip_value()?),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::webhook::{EXTRACTED_FIELDS, field_lists};
    use super::DOC_FIELDS;

    #[test]
    fn the_extractor_knows_every_field_of_the_derived_types() {
        // A field added to a derived type and not here would be skipped by the extractor
        // while the derived path reads (and may refuse) it.
        assert_eq!(super::super::doc_fields(), DOC_FIELDS);
        let derived = field_lists();
        assert_eq!(derived.len(), EXTRACTED_FIELDS.len());
        for ((name, fields), (dname, dfields)) in EXTRACTED_FIELDS.iter().zip(derived) {
            assert_eq!((name, fields), (&dname, &dfields));
        }
    }
}
