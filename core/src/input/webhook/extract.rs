//! The `entry` array of a webhook read straight from the text into events by the
//! extractor (rules in the guide's `input::extract`): the hot objects (entries, changes,
//! values, contacts, messages, statuses) by hand, the rest by their derived types over the
//! same [`Reader`]; any doubt gives up.

use super::super::extract::Seen;
use super::super::fast::{GiveUp, R, Reader};
use super::super::{
    ContactInfo, Event, IgnoreReason, StatusUpdate, UserRef, de_ts, is_blank, normalise_contact,
};
use super::{
    Message, Origin, Profile, RawConversation, RawPricing, conversation, errors, inbound, pricing,
};
use crate::model::{AgentUsage, StatusKind};
use crate::util::sort::SortSlice as _;
use serde::Deserialize;
use smallvec::SmallVec;
use std::borrow::Cow;

type S<'a> = Cow<'a, str>;

/// The fields read by hand, per derived type, in the order the types declare them: a test
/// holds them to the derived types' own lists, so a field added there is not skipped here.
#[cfg(test)]
pub(in crate::input) const FIELDS: [(&str, &[&str]); 9] = [
    ("Entry", ENTRY_KEYS),
    ("Change", CHANGE_KEYS),
    ("Value", &["metadata", "contacts", "messages", "statuses"]),
    ("Contact", CONTACT_KEYS),
    ("Message", MESSAGE_KEYS),
    ("Status", STATUS_KEYS),
    ("RawConversation", CONVERSATION_KEYS),
    ("Origin", ORIGIN_KEYS),
    ("RawPricing", PRICING_FIELDS),
];

/// Every field of the derived `RawPricing`, in its order (the bit each has in [`Seen`]):
/// the first four are plain; the others, Meta Business Agent usage, are read by their
/// derived (lenient) type.
const PRICING_FIELDS: &[&str] = &[
    "billable",
    "pricing_model",
    "category",
    "type",
    "price",
    "cost",
    "amount",
    "currency",
    "tokens",
    "token_count",
    "total_tokens",
    "input_tokens",
    "output_tokens",
    "usage",
];

/// The keys of an `entry[]` element.
const ENTRY_KEYS: &[&str] = &["id", "changes"];

/// The keys of a `changes[]` element.
const CHANGE_KEYS: &[&str] = &["field", "value"];

/// The keys of a `contacts[]` element.
const CONTACT_KEYS: &[&str] = &["wa_id", "user_id", "profile"];

/// The keys of a status's `conversation`.
const CONVERSATION_KEYS: &[&str] = &["id", "expiration_timestamp", "origin"];

/// The keys of a conversation's `origin`.
const ORIGIN_KEYS: &[&str] = &["type"];

/// The keys of a change's `value` the reader expects (`messaging_product` is skipped).
const VALUE_KEYS: &[&str] = &[
    "metadata",
    "contacts",
    "messages",
    "statuses",
    "messaging_product",
];

/// The keys of a `messages[]` element read by hand.
const MESSAGE_KEYS: &[&str] = &[
    "from",
    "from_user_id",
    "id",
    "timestamp",
    "type",
    "text",
    "context",
    "referral",
    "button",
    "interactive",
];

/// The keys of a `statuses[]` element read by hand.
const STATUS_KEYS: &[&str] = &[
    "id",
    "status",
    "timestamp",
    "recipient_id",
    "recipient_user_id",
    "conversation",
    "pricing",
    "errors",
];

/// Read the `entry` array at the cursor, appending its events to `out`: whether it had
/// any entries (`events_from_entries` of the derived types, without building them).
pub(in crate::input) fn entries<'a>(r: &mut Reader<'a>, out: &mut Vec<Event<'a>>) -> R<bool> {
    let mut any = false;
    r.array(|r| {
        any = true;
        entry(r, out)
    })?;
    Ok(any)
}

/// One entry. The WABA id may come after the changes, so the account events are put in
/// front of their changes' events at the end.
fn entry<'a>(r: &mut Reader<'a>, out: &mut Vec<Event<'a>>) -> R<()> {
    let mut seen = Seen::default();
    let mut waba = None;
    let mut changes = 0usize;
    // Where each `messages` change's events start, and its business number.
    let mut accounts: SmallVec<[(usize, S<'a>); 2]> = SmallVec::new();
    r.object_of(ENTRY_KEYS, |r, key| match key {
        "id" => {
            seen.once(0)?;
            waba = r.opt_str()?;
            Ok(())
        }
        "changes" => {
            seen.once(1)?;
            r.array(|r| {
                changes += 1;
                change(r, out, &mut accounts)
            })
        }
        _ => r.skip_value(),
    })?;
    if changes == 0 {
        out.push(Event::Ignored(IgnoreReason::NoChanges));
    }
    if let Some(w) = waba.filter(|w| !is_blank(w)) {
        for (at, phone) in accounts.into_iter().rev() {
            let account = super::super::AccountInfo {
                phone,
                waba: w.clone(),
            };
            out.insert(at, Event::Account(account));
        }
    }
    Ok(())
}

/// One change: its value's events, or the one event that says why it was ignored.
fn change<'a>(
    r: &mut Reader<'a>,
    out: &mut Vec<Event<'a>>,
    accounts: &mut SmallVec<[(usize, S<'a>); 2]>,
) -> R<()> {
    let mark = out.len();
    let mut seen = Seen::default();
    let mut field = None;
    let mut value = None;
    r.object_of(CHANGE_KEYS, |r, key| match key {
        "field" => {
            seen.once(0)?;
            field = r.opt_str()?;
            Ok(())
        }
        "value" => {
            seen.once(1)?;
            if !r.null()? {
                value = Some(self::value(r, out)?);
            }
            Ok(())
        }
        _ => r.skip_value(),
    })?;
    let field = field.as_deref().unwrap_or("");
    if field != "messages" {
        out.truncate(mark);
        out.push(Event::Ignored(IgnoreReason::Field(field.into())));
        return Ok(());
    }
    let Some((phone, had_traffic)) = value else {
        out.push(Event::Ignored(IgnoreReason::EmptyChange));
        return Ok(());
    };
    place(&mut out[mark..], &phone);
    if !phone.is_empty() {
        accounts.push((mark, phone));
    }
    if !had_traffic {
        out.push(Event::Ignored(IgnoreReason::EmptyChange));
    }
    Ok(())
}

/// A change's events as the derived path orders them (contacts, then messages, then
/// statuses, each in input order), each message and status given the business number.
fn place<'a>(events: &mut [Event<'a>], phone: &S<'a>) {
    let rank = |e: &Event<'_>| match e {
        Event::Contact(_) => 0,
        Event::Inbound(_) => 1,
        _ => 2,
    };
    if !events.is_sorted_by_key(rank) {
        events.stable_sort_by_key(rank);
    }
    for e in events {
        match e {
            Event::Inbound(m) => m.phone.clone_from(phone),
            Event::Status(s) => s.phone.clone_from(phone),
            _ => {}
        }
    }
}

/// A change's value: its contacts, messages and statuses appended to `out` (without their
/// business number yet); its business number and whether it had messages or statuses.
fn value<'a>(r: &mut Reader<'a>, out: &mut Vec<Event<'a>>) -> R<(S<'a>, bool)> {
    let mut seen = Seen::default();
    let mut phone = None;
    let mut traffic = false;
    let none = Cow::Borrowed("");
    r.object_of(VALUE_KEYS, |r, key| match key {
        "metadata" => {
            seen.once(0)?;
            phone = metadata(r)?;
            Ok(())
        }
        "contacts" => {
            seen.once(1)?;
            r.array(|r| contact(r, out))
        }
        "messages" => {
            seen.once(2)?;
            r.array(|r| {
                traffic = true;
                out.push(Event::Inbound(inbound(message(r)?, none.clone())));
                Ok(())
            })
        }
        "statuses" => {
            seen.once(3)?;
            r.array(|r| {
                traffic = true;
                // Read into its place in `out` (an error leaves the whole document to
                // be given up, `out` cut back by the caller): no 272-byte copies.
                out.push(Event::Status(StatusUpdate {
                    id: Cow::Borrowed(""),
                    phone: none.clone(),
                    recipient: UserRef::new(None, None),
                    ts: 0,
                    status: StatusKind::Other,
                    conversation: None,
                    pricing: None,
                    agent: AgentUsage::default(),
                    errors: SmallVec::new(),
                }));
                match out.last_mut() {
                    Some(Event::Status(s)) => status_of(r, s),
                    _ => Err(GiveUp),
                }
            })
        }
        _ => r.skip_value(),
    })?;
    Ok((phone.unwrap_or(none), traffic))
}

/// `metadata`'s business number: `phone_number_id`, else `display_phone_number`.
fn metadata<'a>(r: &mut Reader<'a>) -> R<Option<S<'a>>> {
    if r.null()? {
        return Ok(None);
    }
    let mut seen = Seen::default();
    let (mut id, mut display) = (None, None);
    r.object_of(
        &["phone_number_id", "display_phone_number"],
        |r, key| match key {
            "phone_number_id" => {
                seen.once(0)?;
                id = r.opt_str()?;
                Ok(())
            }
            "display_phone_number" => {
                seen.once(1)?;
                display = r.opt_str()?;
                Ok(())
            }
            _ => r.skip_value(),
        },
    )?;
    Ok(id.or(display))
}

/// One `contacts[]` element, appended when it names a user.
fn contact<'a>(r: &mut Reader<'a>, out: &mut Vec<Event<'a>>) -> R<()> {
    let mut seen = Seen::default();
    let (mut wa_id, mut user_id, mut profile) = (None, None, None);
    r.object_of(CONTACT_KEYS, |r, key| match key {
        "wa_id" => {
            seen.once(0)?;
            wa_id = contact_id(r)?;
            Ok(())
        }
        "user_id" => {
            seen.once(1)?;
            user_id = r.opt_str()?;
            Ok(())
        }
        "profile" => {
            seen.once(2)?;
            profile = Option::<Profile<'a>>::deserialize(&mut *r)?;
            Ok(())
        }
        _ => r.skip_value(),
    })?;
    let (name, country_code) = profile.map_or((None, None), |p| (p.name, p.country_code));
    let user = UserRef::new(wa_id, user_id);
    if !user.is_empty() {
        out.push(Event::Contact(ContactInfo {
            user,
            name,
            country_code,
        }));
    }
    Ok(())
}

/// A required id that must not be blank, as `de_id` reads it.
fn id<'a>(r: &mut Reader<'a>) -> R<S<'a>> {
    let id = r.str()?;
    if is_blank(&id) {
        return Err(GiveUp);
    }
    Ok(id)
}

/// One `messages[]` element.
fn message<'a>(r: &mut Reader<'a>) -> R<Message<'a>> {
    let mut seen = Seen::default();
    let mut m = Message {
        from: None,
        from_user_id: None,
        id: Cow::Borrowed(""),
        timestamp: 0,
        ty: None,
        text: None,
        context: None,
        referral: None,
        button: None,
        interactive: None,
    };
    r.object_of(MESSAGE_KEYS, |r, key| {
        match key {
            "from" => (seen.once(0)?, m.from = contact_id(r)?),
            "from_user_id" => (seen.once(1)?, m.from_user_id = r.opt_str()?),
            "id" => (seen.once(2)?, m.id = id(r)?),
            "timestamp" => (seen.once(3)?, m.timestamp = ts(r)?),
            "type" => (seen.once(4)?, m.ty = r.opt_str()?),
            "text" => (seen.once(5)?, m.text = Deserialize::deserialize(&mut *r)?),
            "context" => (
                seen.once(6)?,
                m.context = Deserialize::deserialize(&mut *r)?,
            ),
            "referral" => (
                seen.once(7)?,
                m.referral = Deserialize::deserialize(&mut *r)?,
            ),
            "button" => (seen.once(8)?, m.button = Deserialize::deserialize(&mut *r)?),
            "interactive" => (
                seen.once(9)?,
                m.interactive = Deserialize::deserialize(&mut *r)?,
            ),
            _ => ((), r.skip_value()?),
        };
        Ok(())
    })?;
    // `id` and `timestamp` are required.
    seen.all(&[2, 3])?;
    Ok(m)
}

/// One `statuses[]` element read into `s` (a status without fields, its business number
/// set), without the derived `Status` (some 700 bytes) in between.
fn status_of<'a>(r: &mut Reader<'a>, s: &mut StatusUpdate<'a>) -> R<()> {
    let mut seen = Seen::default();
    let (mut recipient_id, mut recipient_user_id) = (None, None);
    r.object_of(STATUS_KEYS, |r, key| {
        match key {
            "id" => (seen.once(0)?, s.id = id(r)?),
            "status" => (seen.once(1)?, s.status = StatusKind::parse(&r.str()?)),
            "timestamp" => (seen.once(2)?, s.ts = ts(r)?),
            "recipient_id" => (seen.once(3)?, recipient_id = contact_id(r)?),
            "recipient_user_id" => (seen.once(4)?, recipient_user_id = r.opt_str()?),
            "conversation" => (
                seen.once(5)?,
                s.conversation = conversation(raw_conversation(r)?),
            ),
            "pricing" => (
                seen.once(6)?,
                (s.pricing, s.agent) = pricing(raw_pricing(r)?),
            ),
            "errors" => (
                seen.once(7)?,
                s.errors = errors(Deserialize::deserialize(&mut *r)?),
            ),
            _ => ((), r.skip_value()?),
        };
        Ok(())
    })?;
    // `id`, `status` and `timestamp` are required.
    seen.all(&[0, 1, 2])?;
    s.recipient = UserRef::new(recipient_id, recipient_user_id);
    Ok(())
}

/// A user identifier as `opt_contact` reads it: a string normalised by
/// [`normalise_contact`], blank or `null` as `None`; a bad one gives up.
fn contact_id<'a>(r: &mut Reader<'a>) -> R<Option<S<'a>>> {
    match r.opt_str()? {
        Some(s) if !is_blank(&s) => normalise_contact(s).map(Some).map_err(|_| GiveUp),
        _ => Ok(None),
    }
}

/// A timestamp as `de_ts` reads it: a string of digits (Meta's form) at once, any other
/// form by `de_ts` itself.
fn ts(r: &mut Reader<'_>) -> R<i64> {
    match r.digit_string() {
        // At most eighteen digits: within `i64`.
        Some(v) => {
            let v = i64::try_from(v).map_err(|_| GiveUp)?;
            crate::util::time::is_plausible(v)
                .then_some(v)
                .ok_or(GiveUp)
        }
        None => de_ts(&mut *r),
    }
}

/// `null` as `None`, or an object read member by member into `value` by `member` (given
/// the object's [`Seen`] fields), as a derived `Option` of a struct reads it.
fn opt_object<'a, T>(
    r: &mut Reader<'a>,
    keys: &[&'static str],
    mut value: T,
    mut member: impl FnMut(&mut Reader<'a>, &str, &mut Seen, &mut T) -> R<()>,
) -> R<Option<T>> {
    if r.null()? {
        return Ok(None);
    }
    let mut seen = Seen::default();
    r.object_of(keys, |r, key| member(r, key, &mut seen, &mut value))?;
    Ok(Some(value))
}

/// A status's `conversation` as the derived `Option<RawConversation>` reads it.
fn raw_conversation<'a>(r: &mut Reader<'a>) -> R<Option<RawConversation<'a>>> {
    let empty = RawConversation {
        id: None,
        expiration_timestamp: None,
        origin: None,
    };
    opt_object(r, CONVERSATION_KEYS, empty, |r, key, seen, c| {
        match key {
            "id" => (seen.once(0)?, c.id = r.opt_str()?),
            "expiration_timestamp" => (
                seen.once(1)?,
                c.expiration_timestamp = if r.null()? { None } else { Some(ts(r)?) },
            ),
            "origin" => (seen.once(2)?, c.origin = origin(r)?),
            _ => ((), r.skip_value()?),
        };
        Ok(())
    })
}

/// A conversation's `origin` as the derived `Option<Origin>` reads it.
fn origin<'a>(r: &mut Reader<'a>) -> R<Option<Origin<'a>>> {
    opt_object(
        r,
        ORIGIN_KEYS,
        Origin { ty: None },
        |r, key, seen, o| match key {
            "type" => {
                seen.once(0)?;
                o.ty = r.opt_str()?;
                Ok(())
            }
            _ => r.skip_value(),
        },
    )
}

/// A status's `pricing` as the derived `Option<RawPricing>` reads it.
fn raw_pricing<'a>(r: &mut Reader<'a>) -> R<Option<RawPricing<'a>>> {
    opt_object(
        r,
        &PRICING_FIELDS[..4],
        RawPricing::default(),
        |r, key, seen, p| {
            match key {
                "billable" => (seen.once(0)?, p.billable = r.opt_bool()?),
                "pricing_model" => (seen.once(1)?, p.pricing_model = r.opt_str()?),
                "category" => (seen.once(2)?, p.category = r.opt_str()?),
                "type" => (seen.once(3)?, p.ty = r.opt_str()?),
                _ => return agent_field(r, key, seen, p),
            };
            Ok(())
        },
    )
}

/// A member of `pricing` other than the four plain ones: an agent usage field read by its
/// derived (lenient) type, any other skipped.
fn agent_field<'a>(
    r: &mut Reader<'a>,
    key: &str,
    seen: &mut Seen,
    p: &mut RawPricing<'a>,
) -> R<()> {
    let field = match key {
        "price" => &mut p.price,
        "cost" => &mut p.cost,
        "amount" => &mut p.amount,
        "currency" => &mut p.currency,
        "tokens" => &mut p.tokens,
        "token_count" => &mut p.token_count,
        "total_tokens" => &mut p.total_tokens,
        "input_tokens" => &mut p.input_tokens,
        "output_tokens" => &mut p.output_tokens,
        "usage" => &mut p.usage,
        _ => return r.skip_value(),
    };
    let bit = PRICING_FIELDS
        .iter()
        .position(|f| *f == key)
        .ok_or(GiveUp)?;
    seen.once(u32::try_from(bit).map_err(|_| GiveUp)?)?;
    *field = Deserialize::deserialize(&mut *r)?;
    Ok(())
}
