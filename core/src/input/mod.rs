#![doc = include_str!("../guide/input.md")]

pub(crate) mod extract;
pub(crate) mod fast;
pub(crate) mod pseudonym;
pub(crate) mod stream;
mod webhook;

use crate::error::{ParseError, ParseErrorKind};
use crate::model::money::{Currency, Money, parse_decimal_micros};
use crate::model::{
    AgentUsage, AuthorKind, ButtonKind, Category, DeliveryError, InboundType, MetaConversation,
    MetaPricing, OutboundKind, Referral, Reply, StatusKind, TemplateButton,
};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, de};
use smallvec::SmallVec;
use std::borrow::Cow;

type S<'a> = Cow<'a, str>;

/// The default longest document accepted: 16 MiB. Meta's payloads are far smaller; a
/// longer document (or array element, or line of other text) is a
/// [`ParseErrorKind::TooLong`] error rather than an allocation bomb.
pub(crate) const DEFAULT_MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// A user as named by one input: the phone-number `wa_id` and/or the business-scoped user id.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[doc(hidden)]
pub(crate) struct UserRef<'a> {
    /// The `wa_id` (E.164 digits), when present and non-empty.
    pub(crate) wa_id: Option<S<'a>>,
    /// The business-scoped user id (BSUID), when present and non-empty.
    pub(crate) bsuid: Option<S<'a>>,
}

impl<'a> UserRef<'a> {
    /// Build from optional strings, dropping empty ones.
    pub(crate) fn new(wa_id: Option<S<'a>>, bsuid: Option<S<'a>>) -> Self {
        UserRef {
            wa_id: wa_id.filter(|s| !is_blank(s)),
            bsuid: bsuid.filter(|s| !is_blank(s)),
        }
    }

    /// A reference from a single identifier as a record names a user (`to`, `contact`),
    /// read by the rules of [`normalise_contact`]: a BSUID has a `.`, a phone number is
    /// normalised to digits. Errors say why the identifier is not one.
    pub(crate) fn parse_contact(id: S<'a>) -> Result<Self, String> {
        let id = normalise_contact(id)?;
        Ok(UserRef::from_any(id))
    }

    /// A reference from a single identifier whose form decides what it is: a BSUID has a
    /// `.` (`US.123…`, `user.ab…`), a `wa_id` is digits. Taken as given (see
    /// [`UserRef::parse_contact`] for input).
    pub(crate) fn from_any(id: S<'a>) -> Self {
        if id.contains('.') {
            UserRef::new(None, Some(id))
        } else {
            UserRef::new(Some(id), None)
        }
    }

    /// True when neither identifier is known.
    pub(crate) fn is_empty(&self) -> bool {
        self.wa_id.is_none() && self.bsuid.is_none()
    }

    /// The user's key: the `wa_id`, else the BSUID (as [`crate::store::UserRec::key`]).
    pub(crate) fn key(&self) -> Option<&str> {
        self.wa_id.as_deref().or(self.bsuid.as_deref())
    }
}

/// Profile information about a user from a webhook's `contacts[]`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct ContactInfo<'a> {
    /// Who.
    pub(crate) user: UserRef<'a>,
    /// `profile.name`.
    pub(crate) name: Option<S<'a>>,
    /// `profile.country_code` (sent with usernames).
    pub(crate) country_code: Option<S<'a>>,
}

/// A business number's WhatsApp Business Account, from a webhook's `entry[].id`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct AccountInfo<'a> {
    /// The business number (`metadata.phone_number_id`).
    pub(crate) phone: S<'a>,
    /// The WABA id (`entry[].id`).
    pub(crate) waba: S<'a>,
}

/// An inbound user message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct InboundMsg<'a> {
    /// `messages[].id`.
    pub(crate) id: S<'a>,
    /// The business number (`metadata.phone_number_id`).
    pub(crate) phone: S<'a>,
    /// The sender.
    pub(crate) from: UserRef<'a>,
    /// `messages[].timestamp`.
    pub(crate) ts: i64,
    /// `messages[].type`.
    pub(crate) ty: InboundType,
    /// `text.body` for text messages.
    pub(crate) text: Option<S<'a>>,
    /// `context.id`: the business message this replies to.
    pub(crate) context_id: Option<S<'a>>,
    /// The CTWA referral, if any.
    pub(crate) referral: Option<Referral>,
    /// The button/list/flow reply, if any.
    pub(crate) reply: Option<Reply>,
    /// A 32-bit digest of `text` as it arrived, set by the engine when it replaces the
    /// text by what the config's rules matched in it (0: no text, not set yet, or a
    /// pseudonymised engine, which keeps no trace of texts). The store compares it to
    /// tell two versions of a message apart (see [`crate::store`](crate::guide::store)'s conflict rule).
    pub(crate) text_sum: u32,
}

/// A status update for a business message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct StatusUpdate<'a> {
    /// The business message's id.
    pub(crate) id: S<'a>,
    /// The business number.
    pub(crate) phone: S<'a>,
    /// The recipient.
    pub(crate) recipient: UserRef<'a>,
    /// When the status happened.
    pub(crate) ts: i64,
    /// sent, delivered, read, played, failed, ...
    pub(crate) status: StatusKind,
    /// Meta's `conversation` object.
    pub(crate) conversation: Option<MetaConversation<S<'a>>>,
    /// Meta's `pricing` object.
    pub(crate) pricing: Option<MetaPricing>,
    /// Tokens and price of a Meta Business Agent message read from the `pricing` object
    /// (see the module docs; empty for every other message).
    pub(crate) agent: AgentUsage,
    /// Errors of a failed message.
    pub(crate) errors: SmallVec<[DeliveryError; 1]>,
}

/// A business message, as told by the host application (`"type":"outbound"`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct OutboundRecord<'a> {
    /// The message id (`wamid…`), the key statuses refer to.
    pub(crate) id: S<'a>,
    /// The business number, when given.
    pub(crate) phone: Option<S<'a>>,
    /// The recipient.
    pub(crate) to: UserRef<'a>,
    /// When it was sent.
    pub(crate) ts: i64,
    /// Template or free-form (default: template when `template` is given, else free-form).
    pub(crate) kind: OutboundKind,
    /// Template name.
    pub(crate) template: Option<S<'a>>,
    /// Template category; free-form messages are `service`, Meta Business Agent messages
    /// `meta_business_agent` whatever their kind.
    pub(crate) category: Category,
    /// Tokens of a Meta Business Agent message, when the host knows them.
    pub(crate) tokens: Option<u64>,
    /// Author kind.
    pub(crate) author: AuthorKind,
    /// Author id (agent id, bot name, ...).
    pub(crate) author_id: Option<S<'a>>,
    /// Campaign name.
    pub(crate) campaign: Option<S<'a>>,
    /// Buttons on the template.
    pub(crate) buttons: Vec<TemplateButton>,
}

/// A conversion outside the chat (`"type":"external_event"`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct ExternalRecord<'a> {
    /// Event id, for idempotency.
    pub(crate) id: S<'a>,
    /// The user (`wa_id` or BSUID).
    pub(crate) contact: UserRef<'a>,
    /// Event name: `purchase`, `subscription`, or custom.
    pub(crate) name: S<'a>,
    /// Value of the conversion, if any.
    pub(crate) value: Option<Money>,
    /// When it happened.
    pub(crate) ts: i64,
}

/// Money invested in a source over one or more days (`"type":"spend"` or an Ads Insights row).
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct SpendRecord<'a> {
    /// Optional record id; without one, the key is `(source, first day)`.
    pub(crate) id: Option<S<'a>>,
    /// The source key (`meta_ad:<ad id>`, `campaign:<name>`, a custom rule key).
    pub(crate) source: S<'a>,
    /// A display name for the source (e.g. the ad name from Ads Insights).
    pub(crate) name: Option<S<'a>>,
    /// First day (inclusive).
    pub(crate) from: NaiveDate,
    /// Last day (inclusive); equal to `from` for a daily record.
    pub(crate) to: NaiveDate,
    /// The amount over the whole period.
    pub(crate) amount: Money,
    /// The business number the money was spent for (`phone_number_id`), when given.
    pub(crate) phone: Option<S<'a>>,
    /// For an Ads Insights ad-level row, the Meta campaign of the ad (`campaign_id`, else
    /// `campaign_name`).
    pub(crate) campaign: Option<S<'a>>,
    /// For an Ads Insights row, the Meta campaign's name (`campaign_name`).
    pub(crate) campaign_name: Option<S<'a>>,
}

/// An agent closed (`"type":"close"`) or reopened (`"type":"reopen"`) a support
/// conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct CloseRecord<'a> {
    /// The user.
    pub(crate) contact: UserRef<'a>,
    /// The business number, when given.
    pub(crate) phone: Option<S<'a>>,
    /// When.
    pub(crate) ts: i64,
    /// Who closed (or reopened) it.
    pub(crate) by: Option<S<'a>>,
}

/// A URL-button click on a business message, reported by the host (`"type":"click"`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub struct ClickRecord<'a> {
    /// Optional click id; without one, the key is `(message_id, button, timestamp)`.
    pub(crate) id: Option<S<'a>>,
    /// The business message whose button was clicked.
    pub(crate) message_id: S<'a>,
    /// The button's text.
    pub(crate) button: S<'a>,
    /// When.
    pub(crate) ts: i64,
}

/// Why part of an input was accepted but not used.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[doc(hidden)]
pub enum IgnoreReason {
    /// A webhook change whose `field` is not `messages` (template updates, account updates, ...).
    Field(Box<str>),
    /// A webhook whose `object` is not `whatsapp_business_account`.
    Object(Box<str>),
    /// A `messages` change with neither messages nor statuses (e.g. only `errors`).
    EmptyChange,
    /// A status whose message has no id or recipient that could be resolved.
    Unresolvable,
    /// A webhook payload without `entry` (`{"object":"whatsapp_business_account"}`).
    NoEntry,
    /// A webhook payload whose `entry` is an empty array.
    EmptyEntry,
    /// A webhook entry without `changes` (or with none in it).
    NoChanges,
    /// An empty top-level JSON array.
    EmptyArray,
}

impl IgnoreReason {
    /// A stable key for counting (`field:account_update`, `object:page`, `empty_change`,
    /// `no_entry`, `empty_entry`, `no_changes`, `empty_array`).
    pub(crate) fn key(&self) -> String {
        match self {
            IgnoreReason::Field(f) => format!("field:{f}"),
            IgnoreReason::Object(o) => format!("object:{o}"),
            IgnoreReason::EmptyChange => "empty_change".into(),
            IgnoreReason::Unresolvable => "unresolvable".into(),
            IgnoreReason::NoEntry => "no_entry".into(),
            IgnoreReason::EmptyEntry => "empty_entry".into(),
            IgnoreReason::NoChanges => "no_changes".into(),
            IgnoreReason::EmptyArray => "empty_array".into(),
        }
    }
}

/// A normalised input event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[doc(hidden)]
pub enum Event<'a> {
    /// A user's profile (name, identifiers, country).
    Contact(ContactInfo<'a>),
    /// The WhatsApp Business Account of a business number.
    Account(AccountInfo<'a>),
    /// An inbound message.
    Inbound(InboundMsg<'a>),
    /// A status of a business message.
    Status(StatusUpdate<'a>),
    /// A business message record.
    Outbound(OutboundRecord<'a>),
    /// An external conversion.
    External(ExternalRecord<'a>),
    /// Spend on a source.
    Spend(SpendRecord<'a>),
    /// A support conversation closed.
    Close(CloseRecord<'a>),
    /// A closed support conversation reopened by an agent.
    Reopen(CloseRecord<'a>),
    /// A URL-button click.
    Click(ClickRecord<'a>),
    /// Accepted and counted, not used.
    Ignored(IgnoreReason),
}

impl Event<'_> {
    /// The instant the event happened, for the kinds that carry one (profiles, spend and
    /// ignored items do not).
    pub(crate) fn ts(&self) -> Option<i64> {
        match self {
            Event::Inbound(m) => Some(m.ts),
            Event::Status(s) => Some(s.ts),
            Event::Outbound(o) => Some(o.ts),
            Event::External(x) => Some(x.ts),
            Event::Close(c) | Event::Reopen(c) => Some(c.ts),
            Event::Click(c) => Some(c.ts),
            Event::Contact(_) | Event::Account(_) | Event::Spend(_) | Event::Ignored(_) => None,
        }
    }

    /// The user the event names, for the kinds that name one (spend, clicks and ignored
    /// items do not).
    pub(crate) fn user(&self) -> Option<&UserRef<'_>> {
        match self {
            Event::Contact(c) => Some(&c.user),
            Event::Inbound(m) => Some(&m.from),
            Event::Status(s) => Some(&s.recipient),
            Event::Outbound(o) => Some(&o.to),
            Event::External(x) => Some(&x.contact),
            Event::Close(c) | Event::Reopen(c) => Some(&c.contact),
            Event::Account(_) | Event::Spend(_) | Event::Click(_) | Event::Ignored(_) => None,
        }
    }
}

/// A user's identifier as input names it, normalised (rules in the [module docs](self)):
/// a BSUID or an opaque id is kept (trimmed); a phone number (starting with a digit, `+`
/// or `(`) loses `+`, spaces, dashes and parentheses and must then be digits. Borrows
/// unless something was dropped.
pub(crate) fn normalise_contact(id: S<'_>) -> Result<S<'_>, String> {
    // Digits alone (nearly every wa_id) are their own normal form.
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(id);
    }
    let t = id.trim();
    let phone_like = t
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'+' || b == b'(');
    if !phone_like || t.contains('.') {
        return Ok(if t.len() == id.len() {
            id
        } else {
            Cow::Owned(t.to_string())
        });
    }
    let separator = |b: u8| matches!(b, b'+' | b' ' | b'-' | b'(' | b')');
    let bad = || {
        format!(
            "`{t}` is not a phone number (a wa_id is digits, optionally written with +, spaces, dashes and parentheses)"
        )
    };
    if t.bytes().any(|b| !b.is_ascii_digit() && !separator(b))
        || !t.bytes().any(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    if t.len() == id.len() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(id);
    }
    Ok(Cow::Owned(
        t.bytes()
            .filter(u8::is_ascii_digit)
            .map(char::from)
            .collect(),
    ))
}

/// `Some(s)` when `s` is not blank.
pub(crate) fn nonempty<'s>(s: &'s S<'_>) -> Option<&'s str> {
    let t: &str = s;
    if is_blank(t) { None } else { Some(t) }
}

/// Whether `s` is empty or white space alone (`s.trim().is_empty()`), decided at the first
/// byte when that is printable ASCII (the usual case) instead of by trimming.
#[inline]
pub(crate) fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        None => true,
        Some(b'!'..=b'~') => false,
        Some(_) => s.trim().is_empty(),
    }
}

/// A JSON scalar that may carry a number: an integer, a float, or a string.
enum Scalar<'a> {
    Int(i128),
    Float(f64),
    Str(Cow<'a, str>),
}

/// Visits numbers and strings without buffering (an `untagged` enum would buffer the value
/// and build an error per failed variant on every timestamp).
struct ScalarVisitor;

impl<'de> de::Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number or a string of digits")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(i128::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(i128::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
}

/// An optional string field, borrowed from the input when it has no escapes. serde's
/// `#[serde(borrow)]` borrows only fields typed `Cow<str>` itself: on an `Option<Cow<str>>`
/// it still copies every string (about eight allocations per webhook line), so optional
/// string fields go through this.
pub(crate) fn opt_str<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    #[derive(Deserialize)]
    struct W<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<W<'a>>::deserialize(d)?.map(|w| w.0))
}

/// An optional user identifier (`wa_id`, `from`, `recipient_id`), normalised by
/// [`normalise_contact`]; blank is absent.
pub(crate) fn opt_contact<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    match opt_str(d)? {
        Some(s) if !is_blank(&s) => normalise_contact(s).map(Some).map_err(de::Error::custom),
        _ => Ok(None),
    }
}

/// A required id that must not be blank (`messages[].id`, `statuses[].id`).
pub(crate) fn de_id<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Cow<'a, str>, D::Error> {
    #[derive(Deserialize)]
    struct W<'a>(#[serde(borrow)] Cow<'a, str>);
    let id = W::deserialize(d)?.0;
    if id.trim().is_empty() {
        return Err(de::Error::custom("the id is empty"));
    }
    Ok(id)
}

/// A timestamp: JSON integer or string of digits, within [`crate::util::time::MIN_TS`, `MAX_TS`).
pub(crate) fn de_ts<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let out_of_range = |shown: &dyn std::fmt::Display| {
        de::Error::custom(format!(
            "timestamp {shown} is out of range: outside 2000-01-01..2100-01-01 (expected UTC Unix seconds)"
        ))
    };
    let v = match d.deserialize_any(ScalarVisitor)? {
        Scalar::Int(i) => i64::try_from(i).map_err(|_| out_of_range(&i))?,
        Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => f as i64,
        // A whole number too large for an integer (serde_json reads it as a float).
        Scalar::Float(f) if f.is_finite() && f.fract() == 0.0 => {
            return Err(out_of_range(&format_args!("{f:e}")));
        }
        Scalar::Float(f) => {
            return Err(de::Error::custom(format!(
                "timestamp {f} is not a whole number of seconds"
            )));
        }
        Scalar::Str(s) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            match t.parse::<i64>() {
                Ok(v) => v,
                Err(_) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(out_of_range(&format_args!("`{t}`")));
                }
                Err(_) => {
                    return Err(de::Error::custom(format!(
                        "timestamp `{s}` is not a Unix time in seconds"
                    )));
                }
            }
        }
    };
    if !crate::util::time::is_plausible(v) {
        return Err(out_of_range(&v));
    }
    Ok(v)
}

pub(crate) fn de_opt_ts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "de_ts")] i64);
    Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
}

/// A count (JSON integer or string of digits), when present.
fn de_opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "de_count")] u64);
    Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
}

fn de_count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let bad = |v: &dyn std::fmt::Display| {
        de::Error::custom(format!("`{v}` is not a whole number of tokens"))
    };
    match d.deserialize_any(ScalarVisitor)? {
        Scalar::Int(i) => u64::try_from(i).map_err(|_| bad(&i)),
        Scalar::Float(f) => Err(bad(&f)),
        Scalar::Str(s) => s.trim().parse::<u64>().map_err(|_| bad(&s)),
    }
}

/// A non-negative amount in major units (JSON number or decimal string), as micro-units.
fn de_opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "de_amount")] i64);
    Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
}

fn de_amount<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let text = match d.deserialize_any(ScalarVisitor)? {
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) if f.is_finite() => format!("{f}"),
        Scalar::Float(_) => return Err(de::Error::custom("amount is not a finite number")),
        Scalar::Str(s) => s.into_owned(),
    };
    let micros =
        parse_decimal_micros(&text).map_err(|e| de::Error::custom(format!("`{text}`: {e}")))?;
    if micros < 0 {
        return Err(de::Error::custom(format!(
            "`{text}`: amount must not be negative"
        )));
    }
    Ok(micros)
}

#[derive(Deserialize)]
struct RawButton<'a> {
    #[serde(rename = "type", default, borrow, deserialize_with = "opt_str")]
    ty: Option<S<'a>>,
    #[serde(borrow)]
    text: S<'a>,
}

/// Every top-level key of every accepted document, so one pass parses any of them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Doc<'a> {
    #[serde(default, borrow, deserialize_with = "opt_str")]
    object: Option<S<'a>>,
    #[serde(borrow)]
    entry: Option<Vec<webhook::Entry<'a>>>,
    #[serde(rename = "type", default, borrow, deserialize_with = "opt_str")]
    ty: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    phone_number_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    to: Option<S<'a>>,
    #[serde(deserialize_with = "de_opt_ts")]
    timestamp: Option<i64>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    kind: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    template: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    category: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    author: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    author_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    campaign: Option<S<'a>>,
    #[serde(borrow)]
    buttons: Option<Vec<RawButton<'a>>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    contact: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    name: Option<S<'a>>,
    #[serde(deserialize_with = "de_opt_amount")]
    value: Option<i64>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    currency: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    source: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    date: Option<S<'a>>,
    #[serde(deserialize_with = "de_opt_amount")]
    amount: Option<i64>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    by: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    message_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    button: Option<S<'a>>,
    // Meta Ads Insights rows.
    #[serde(deserialize_with = "de_opt_amount")]
    spend: Option<i64>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    date_start: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    date_stop: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    ad_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    ad_name: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    campaign_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    campaign_name: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_str")]
    account_currency: Option<S<'a>>,
    // Outbound records of Meta Business Agent messages.
    #[serde(deserialize_with = "de_opt_count")]
    tokens: Option<u64>,
}

/// The fields of a [`Doc`] an `outbound` record reads, moved out of it (or read by the
/// [`extract`]or alone).
#[derive(Default)]
struct OutboundFields<'a> {
    id: Option<S<'a>>,
    phone_number_id: Option<S<'a>>,
    to: Option<S<'a>>,
    timestamp: Option<i64>,
    kind: Option<S<'a>>,
    template: Option<S<'a>>,
    category: Option<S<'a>>,
    author: Option<S<'a>>,
    author_id: Option<S<'a>>,
    campaign: Option<S<'a>>,
    buttons: Option<Vec<RawButton<'a>>>,
    tokens: Option<u64>,
}

impl<'a> Doc<'a> {
    /// The fields an `outbound` record reads.
    fn outbound(self) -> OutboundFields<'a> {
        OutboundFields {
            id: self.id,
            phone_number_id: self.phone_number_id,
            to: self.to,
            timestamp: self.timestamp,
            kind: self.kind,
            template: self.template,
            category: self.category,
            author: self.author,
            author_id: self.author_id,
            campaign: self.campaign,
            buttons: self.buttons,
            tokens: self.tokens,
        }
    }
}

/// Options that affect parsing.
#[derive(Clone, Copy, Debug)]
#[doc(hidden)]
pub struct ParseOptions {
    /// Currency for records that do not name one.
    pub(crate) default_currency: Currency,
    /// Longest accepted document, in bytes (one element, for a JSON array read by
    /// [`stream::DocumentSplitter`]).
    pub(crate) max_bytes: usize,
    /// Whether documents are read by the [`fast`] path first (serde_json when it gives
    /// up); off, serde_json reads every document.
    pub(crate) fast: bool,
}

impl ParseOptions {
    /// These options with the [`fast`] path on or off: for tests and benches that compare
    /// the two (the results are the same).
    #[must_use]
    pub fn with_fast(mut self, on: bool) -> Self {
        self.fast = on;
        self
    }
}

/// The document in `text` read by the [`fast`] path when `opts` has it on and it does not
/// give up, else `None`.
fn read_fast<'a>(text: &'a str, opts: &ParseOptions) -> Option<Doc<'a>> {
    // The compact build (the .wasm) leaves the fast reader out: it would add its own copy
    // of the `Doc` visitors to the module, and size counts there more than parse speed.
    if cfg!(feature = "compact") {
        let _ = (text, opts);
        return None;
    }
    if opts.fast {
        fast::from_str(text)
    } else {
        None
    }
}

/// Whether the [`extract`]or read the object `text` (when `opts` has the fast path on),
/// its events appended to `out`; else nothing appended.
fn extracted<'a>(text: &'a str, line: u64, opts: &ParseOptions, out: &mut Vec<Event<'a>>) -> bool {
    opts.fast && extract::document(text, line, out)
}

/// The events of the object `bytes` read by the [`extract`]or alone: `None` when it gives
/// up (or `bytes` is not UTF-8), for tests comparing it with the derived path.
pub(crate) fn parse_extract_only(bytes: &[u8], line: u64) -> Option<Vec<Event<'_>>> {
    let mut out = Vec::new();
    extract::document(std::str::from_utf8(bytes).ok()?, line, &mut out).then_some(out)
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            default_currency: Currency::USD,
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            fast: true,
        }
    }
}

/// Parse one document (a JSON object or an array of them) into events, appending to
/// `out`. `line` is the 1-based line at which the document starts, used in errors.
/// On error `out` is left as it was.
#[doc(hidden)]
pub fn parse_document<'a>(
    bytes: &'a [u8],
    line: u64,
    opts: &ParseOptions,
    out: &mut Vec<Event<'a>>,
) -> Result<(), ParseError> {
    let mark = out.len();
    let r = parse_document_inner(bytes, line, opts, out);
    if let Err(e) = r {
        out.truncate(mark);
        return Err(utf8_error(bytes, line).unwrap_or(e));
    }
    Ok(())
}

/// The UTF-8 error of `bytes`, if any, as a positioned parse error. Only called once a
/// parse has failed: serde_json validates every string it reads, and bytes outside strings
/// must be ASCII JSON syntax anyway.
fn utf8_error(bytes: &[u8], line: u64) -> Option<ParseError> {
    let e = std::str::from_utf8(bytes).err()?;
    let (l, c) = line_col(bytes, e.valid_up_to());
    Some(ParseError {
        kind: ParseErrorKind::Utf8,
        line: line + l - 1,
        column: c,
        field: String::new(),
        message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
    })
}

fn parse_document_inner<'a>(
    bytes: &'a [u8],
    line: u64,
    opts: &ParseOptions,
    out: &mut Vec<Event<'a>>,
) -> Result<(), ParseError> {
    if bytes.len() > opts.max_bytes {
        return Err(too_long(bytes.len(), line, opts));
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => Err(ParseError::new(
            ParseErrorKind::Empty,
            line,
            "",
            "empty document",
        )),
        Some(b'[') => {
            let items: Vec<&'a serde_json::value::RawValue> =
                serde_json::from_slice(bytes).map_err(|e| json_error(&e, bytes, line, ""))?;
            if items.is_empty() {
                // Nothing to count but the document itself.
                out.push(Event::Ignored(IgnoreReason::EmptyArray));
            }
            for (i, raw) in items.iter().enumerate() {
                let sub = raw.get().as_bytes();
                // Line and column of the element inside the file, for error messages.
                let offset = sub.as_ptr() as usize - bytes.as_ptr() as usize;
                let (l, c) = line_col(bytes, offset);
                parse_object(sub, line + l - 1, opts, out)
                    .map_err(|e| element_error(e, i, line + l - 1, c))?;
            }
            Ok(())
        }
        Some(_) => parse_object(bytes, line, opts, out),
    }
}

/// The events of the object `bytes` read by the [`fast`] path alone: `None` when it gives
/// up (or `bytes` is not UTF-8), else what [`parse_document`] gives for the document read
/// (for tests comparing the two paths).
pub(crate) fn parse_fast_only<'a>(
    bytes: &'a [u8],
    line: u64,
    opts: &ParseOptions,
) -> Option<Result<Vec<Event<'a>>, ParseError>> {
    let doc: Doc<'a> = fast::from_str(std::str::from_utf8(bytes).ok()?)?;
    let mut out = Vec::new();
    Some(doc_to_events(doc, line, opts, &mut out).map(|()| out))
}

/// Parse `bytes` as one whole document when it is one well-formed JSON object with nothing
/// after it (white space aside), as [`parse_document`] would: `Some(Ok)` with the events
/// appended, or `Some(Err)` when the object is not an acceptable document (the same error
/// `parse_document` gives). `None`, at once and with nothing appended, when the bytes are
/// not one well-formed object (a syntax error, an incomplete or an invalid value, text
/// after it): the caller splits them instead ([`stream::Piece::Line`]).
pub(crate) fn try_parse_whole<'a>(
    bytes: &'a [u8],
    line: u64,
    opts: &ParseOptions,
    out: &mut Vec<Event<'a>>,
) -> Option<Result<(), ParseError>> {
    if bytes.len() > opts.max_bytes || bytes.first() != Some(&b'{') {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    if extracted(text, line, opts, out) {
        return Some(Ok(()));
    }
    let doc: Doc<'a> = match read_fast(text, opts) {
        Some(doc) => doc,
        None => read_doc(bytes, Some(text)).ok()?,
    };
    let mark = out.len();
    let r = doc_to_events(doc, line, opts, out);
    if r.is_err() {
        out.truncate(mark);
    }
    Some(r)
}

/// An empty event list with the room of `events`, for events that borrow from another
/// document: one list serves document after document instead of one allocation (and its
/// growth) per document. Collecting a list's own iterator into a list of a type of the
/// same size reuses its allocation; the events left in `events` are dropped.
#[allow(clippy::unnecessary_filter_map)] // the point is the item type `filter` cannot change
pub(crate) fn recycle<'b>(events: Vec<Event<'_>>) -> Vec<Event<'b>> {
    events.into_iter().filter_map(|_| None).collect()
}

/// Parse one element of a top-level JSON array (read element by element by
/// [`stream::DocumentSplitter`]): an object, as one document of the array would be in
/// [`parse_document`], with errors naming the field `[index]`. `line` and `column` are
/// where the element starts. On error `out` is left as it was.
pub(crate) fn parse_element<'a>(
    bytes: &'a [u8],
    line: u64,
    column: u64,
    index: usize,
    opts: &ParseOptions,
    out: &mut Vec<Event<'a>>,
) -> Result<(), ParseError> {
    let mark = out.len();
    let r = if bytes.len() > opts.max_bytes {
        Err(too_long(bytes.len(), line, opts))
    } else {
        parse_object(bytes, line, opts, out)
    };
    r.map_err(|e| {
        out.truncate(mark);
        element_error(utf8_error(bytes, line).unwrap_or(e), index, line, column)
    })
}

/// Parse one document handed over by [`stream::DocumentSplitter`] ([`stream::Piece::Doc`]):
/// an array element by [`parse_element`], else by [`parse_document`], its errors' columns
/// counted on the stream's line. `line` is the engine line it starts on.
pub(crate) fn parse_stream_doc<'a>(
    d: &stream::StreamDoc<'a>,
    line: u64,
    opts: &ParseOptions,
) -> Result<Vec<Event<'a>>, ParseError> {
    let mut events = Vec::new();
    match d.element {
        Some(i) => parse_element(d.bytes, line, d.column, i, opts, &mut events),
        None => parse_document(d.bytes, line, opts, &mut events)
            .map_err(|e| e.at_column(line, d.column)),
    }
    .map(|()| events)
}

/// An element's error: the field path starts with `[index]`, and a column on the
/// element's first line counts from the start of that line.
fn element_error(mut e: ParseError, index: usize, line: u64, column: u64) -> ParseError {
    e.field = if e.field.is_empty() {
        format!("[{index}]")
    } else {
        format!("[{index}].{}", e.field)
    };
    e.at_column(line, column)
}

fn too_long(len: usize, line: u64, opts: &ParseOptions) -> ParseError {
    ParseError::new(
        ParseErrorKind::TooLong,
        line,
        "",
        format!(
            "document is {len} bytes, over the {} byte limit",
            opts.max_bytes
        ),
    )
}

fn parse_object<'a>(
    bytes: &'a [u8],
    line: u64,
    opts: &ParseOptions,
    out: &mut Vec<Event<'a>>,
) -> Result<(), ParseError> {
    // One UTF-8 check of the whole document (a fast pass over mostly ASCII bytes) costs
    // far less than serde_json's check of each string it reads from a byte slice (a call
    // per string, about a tenth of the parse); invalid UTF-8 takes the byte path, whose
    // error is reported as before.
    let text = std::str::from_utf8(bytes).ok();
    if text.is_some_and(|t| extracted(t, line, opts, out)) {
        return Ok(());
    }
    if let Some(doc) = text.and_then(|t| read_fast(t, opts)) {
        return doc_to_events(doc, line, opts, out);
    }
    let doc = match read_doc(bytes, text) {
        Ok(d) => d,
        Err((e, path)) => {
            let out_of_range = e.to_string().starts_with("number out of range");
            // A syntax error is about no field.
            let path = if (e.is_syntax() || e.is_eof()) && !out_of_range {
                String::new()
            } else {
                path
            };
            return Err(json_error(&e, bytes, line, &path));
        }
    };
    doc_to_events(doc, line, opts, out)
}

/// `bytes` as a [`Doc`]; `text` is the same bytes when they are valid UTF-8. On error, the
/// error and the path of the field it is at (`serde_path_to_error`'s notation, found from
/// the error's position: [`crate::util::json_path`]).
///
/// serde_json's text reader skips the UTF-8 check of each string its byte reader makes; the
/// `compact` build (the .wasm) reads bytes only, which keeps one copy of the `Doc` parser
/// instead of two (one per reader). The same document or error either way.
fn read_doc<'a>(
    bytes: &'a [u8],
    text: Option<&'a str>,
) -> Result<Doc<'a>, (serde_json::Error, String)> {
    use crate::util::serde::read_with_path;
    #[cfg(not(feature = "compact"))]
    if let Some(text) = text {
        return read_with_path(&mut serde_json::Deserializer::from_str(text), bytes);
    }
    let _ = text;
    read_with_path(&mut serde_json::Deserializer::from_slice(bytes), bytes)
}

fn json_error(e: &serde_json::Error, _bytes: &[u8], line: u64, path: &str) -> ParseError {
    use serde_json::error::Category as C;
    let kind = match e.classify() {
        // A syntactically valid number too large for any type is a bad value, not bad JSON.
        C::Syntax if e.to_string().starts_with("number out of range") => ParseErrorKind::Value,
        C::Eof => ParseErrorKind::Truncated,
        C::Syntax | C::Io => ParseErrorKind::Syntax,
        C::Data => {
            let m = e.to_string();
            if m.contains("timestamp")
                || m.contains("amount")
                || m.contains("currency")
                || m.contains("date")
                || m.contains("is not a phone number")
            {
                ParseErrorKind::Value
            } else {
                ParseErrorKind::Schema
            }
        }
    };
    // serde_json appends " at line L column C"; keep only the explanation.
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    ParseError {
        kind,
        line: line + e.line() as u64 - 1,
        column: e.column() as u64,
        field: path.to_string(),
        message,
    }
}

/// 1-based (line, column) of byte `offset` in `bytes`.
fn line_col(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let col = before.iter().rev().take_while(|b| **b != b'\n').count() as u64 + 1;
    (line, col)
}

fn missing(line: u64, field: &str, what: &str) -> ParseError {
    ParseError::new(
        ParseErrorKind::Schema,
        line,
        field,
        format!("{what} record needs `{field}`"),
    )
}

/// A user named by a record's `field` (`to`, `contact`), read by [`UserRef::parse_contact`].
fn contact<'a>(v: S<'a>, line: u64, field: &str) -> Result<UserRef<'a>, ParseError> {
    UserRef::parse_contact(v).map_err(|m| ParseError::new(ParseErrorKind::Value, line, field, m))
}

/// An optional record id: absent is fine, blank is an error.
fn opt_id<'a>(v: Option<S<'a>>, line: u64, what: &str) -> Result<Option<S<'a>>, ParseError> {
    match v {
        Some(s) if s.trim().is_empty() => Err(ParseError::new(
            ParseErrorKind::Schema,
            line,
            "id",
            format!("{what} record has an empty `id` (give one, or leave it out)"),
        )),
        v => Ok(v),
    }
}

fn req<'a>(v: Option<S<'a>>, line: u64, field: &str, what: &str) -> Result<S<'a>, ParseError> {
    match v {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(missing(line, field, what)),
    }
}

fn currency(
    v: Option<&S<'_>>,
    line: u64,
    field: &str,
    opts: &ParseOptions,
) -> Result<Currency, ParseError> {
    match v {
        None => Ok(opts.default_currency),
        Some(s) => Currency::new(s).ok_or_else(|| {
            ParseError::new(
                ParseErrorKind::Value,
                line,
                field,
                format!("`{s}` is not a three-letter ISO 4217 currency code"),
            )
        }),
    }
}

fn date(v: &str, line: u64, field: &str) -> Result<NaiveDate, ParseError> {
    crate::util::time::parse_ymd(v.trim())
        .ok()
        .filter(|d| {
            let ts = d
                .and_hms_opt(0, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp());
            crate::util::time::is_plausible(ts)
        })
        .ok_or_else(|| {
            ParseError::new(
                ParseErrorKind::Value,
                line,
                field,
                format!("`{v}` is not a date YYYY-MM-DD in 2000..2099"),
            )
        })
}

fn doc_to_events<'a>(
    doc: Doc<'a>,
    line: u64,
    opts: &ParseOptions,
    out: &mut Vec<Event<'a>>,
) -> Result<(), ParseError> {
    if doc.object.is_some() || doc.entry.is_some() {
        let object = doc.object.as_deref().unwrap_or("whatsapp_business_account");
        if object != "whatsapp_business_account" {
            out.push(Event::Ignored(IgnoreReason::Object(object.into())));
            return Ok(());
        }
        match doc.entry {
            None => out.push(Event::Ignored(IgnoreReason::NoEntry)),
            Some(entries) if entries.is_empty() => {
                out.push(Event::Ignored(IgnoreReason::EmptyEntry));
            }
            Some(entries) => webhook::events_from_entries(entries, out),
        }
        return Ok(());
    }
    let Some(ty) = doc.ty.as_deref() else {
        if doc.spend.is_some() && doc.date_start.is_some() {
            return ads_insights_row(doc, line, opts, out);
        }
        return Err(ParseError::new(
            ParseErrorKind::UnknownRecord,
            line,
            "type",
            "neither a webhook payload (`object`/`entry`) nor a convolens record with a `type`",
        ));
    };
    match ty {
        "outbound" => out.push(Event::Outbound(outbound_record(doc.outbound(), line)?)),
        "external_event" => out.push(Event::External(external_record(doc, line, opts)?)),
        "spend" => spend_record(doc, line, opts, out)?,
        "close" => out.push(Event::Close(close_record(doc, line, "close")?)),
        "reopen" => out.push(Event::Reopen(close_record(doc, line, "reopen")?)),
        "click" => out.push(Event::Click(click_record(doc, line)?)),
        other => {
            return Err(ParseError::new(
                ParseErrorKind::UnknownRecord,
                line,
                "type",
                format!(
                    "unknown record type `{other}` (expected outbound, external_event, spend, close, reopen or click)"
                ),
            ));
        }
    }
    Ok(())
}

/// The required `timestamp` of a convolens record of type `what`.
fn timestamp(ts: Option<i64>, line: u64, what: &str) -> Result<i64, ParseError> {
    ts.ok_or_else(|| missing(line, "timestamp", what))
}

/// An `outbound` record: what the business sent.
fn outbound_record(doc: OutboundFields<'_>, line: u64) -> Result<OutboundRecord<'_>, ParseError> {
    let what = "outbound";
    let id = req(doc.id, line, "id", what)?;
    let to = req(doc.to, line, "to", what)?;
    let ts = timestamp(doc.timestamp, line, what)?;
    let template = doc.template.filter(|t| !t.trim().is_empty());
    let kind = outbound_kind(doc.kind.as_deref(), template.is_some(), line)?;
    let category = outbound_category(kind, doc.category.as_deref(), line)?;
    let buttons = doc
        .buttons
        .unwrap_or_default()
        .into_iter()
        .map(|b| TemplateButton {
            kind: match b.ty.as_deref() {
                Some("quick_reply") => ButtonKind::QuickReply,
                Some("url") => ButtonKind::Url,
                _ => ButtonKind::Other,
            },
            text: b.text.as_ref().into(),
        })
        .collect();
    Ok(OutboundRecord {
        id,
        phone: doc.phone_number_id.filter(|p| !p.is_empty()),
        to: contact(to, line, "to")?,
        ts,
        kind,
        template,
        category,
        author: doc
            .author
            .as_deref()
            .map_or(AuthorKind::Unknown, AuthorKind::parse),
        author_id: doc.author_id.filter(|a| !a.is_empty()),
        campaign: doc.campaign.filter(|c| !c.trim().is_empty()),
        buttons,
        tokens: doc.tokens,
    })
}

/// An outbound record's `kind`; without one, a record naming a template is a template.
fn outbound_kind(
    kind: Option<&str>,
    has_template: bool,
    line: u64,
) -> Result<OutboundKind, ParseError> {
    match kind {
        Some("template") => Ok(OutboundKind::Template),
        None if has_template => Ok(OutboundKind::Template),
        Some("free_form" | "freeform" | "session" | "text") | None => Ok(OutboundKind::FreeForm),
        Some(k) => Err(ParseError::new(
            ParseErrorKind::Value,
            line,
            "kind",
            format!("`{k}` is not `template` or `free_form`"),
        )),
    }
}

/// An outbound record's pricing category: free-form messages are service, templates carry
/// their own category, and an agent message is a business-agent message either way.
fn outbound_category(
    kind: OutboundKind,
    category: Option<&str>,
    line: u64,
) -> Result<Category, ParseError> {
    match (kind, category) {
        (_, Some(c)) if Category::parse(c) == Category::BusinessAgent => {
            Ok(Category::BusinessAgent)
        }
        (OutboundKind::FreeForm, _) => Ok(Category::Service),
        (OutboundKind::Template, Some(c)) => match Category::parse(c) {
            Category::Other => Err(ParseError::new(
                ParseErrorKind::Value,
                line,
                "category",
                format!("`{c}` is not marketing, utility, authentication or meta_business_agent"),
            )),
            cat => Ok(cat),
        },
        // Meta's default for an unlabelled template is the most expensive category a
        // business would send; we assume marketing and say so in the docs.
        (OutboundKind::Template, None) => Ok(Category::Marketing),
    }
}

/// An `external_event` record: a conversion or event that happened elsewhere.
fn external_record<'a>(
    doc: Doc<'a>,
    line: u64,
    opts: &ParseOptions,
) -> Result<ExternalRecord<'a>, ParseError> {
    let what = "external_event";
    let id = req(doc.id, line, "id", what)?;
    let who = contact(req(doc.contact, line, "contact", what)?, line, "contact")?;
    let name = req(doc.name, line, "name", what)?;
    let ts = timestamp(doc.timestamp, line, what)?;
    let cur = currency(doc.currency.as_ref(), line, "currency", opts)?;
    Ok(ExternalRecord {
        id,
        contact: who,
        name,
        value: doc.value.map(|m| Money::from_micros(m, cur)),
        ts,
    })
}

/// A `close` or `reopen` record (`what` names which) of a support conversation.
fn close_record<'a>(doc: Doc<'a>, line: u64, what: &str) -> Result<CloseRecord<'a>, ParseError> {
    let who = contact(req(doc.contact, line, "contact", what)?, line, "contact")?;
    let ts = timestamp(doc.timestamp, line, what)?;
    Ok(CloseRecord {
        contact: who,
        phone: doc.phone_number_id.filter(|p| !p.is_empty()),
        ts,
        by: doc.by.filter(|b| !b.is_empty()),
    })
}

/// A `click` record: a tap on a template button.
fn click_record(doc: Doc<'_>, line: u64) -> Result<ClickRecord<'_>, ParseError> {
    let what = "click";
    let message_id = req(doc.message_id, line, "message_id", what)?;
    let button = req(doc.button, line, "button", what)?;
    let ts = timestamp(doc.timestamp, line, what)?;
    Ok(ClickRecord {
        id: opt_id(doc.id, line, what)?,
        message_id,
        button,
        ts,
    })
}

/// A spend row's days: `start` (read from the field `start_key`) through `date_stop`,
/// which defaults to the start and may not come before it.
fn date_span(
    start: &str,
    start_key: &'static str,
    stop: Option<&str>,
    line: u64,
) -> Result<(NaiveDate, NaiveDate), ParseError> {
    let from = date(start, line, start_key)?;
    let to = match stop {
        Some(s) => date(s, line, "date_stop")?,
        None => from,
    };
    if to < from {
        return Err(ParseError::new(
            ParseErrorKind::Value,
            line,
            "date_stop",
            format!("date_stop is before {start_key}"),
        ));
    }
    Ok((from, to))
}

/// A `"type":"spend"` record.
fn spend_record<'a>(
    doc: Doc<'a>,
    line: u64,
    opts: &ParseOptions,
    out: &mut Vec<Event<'a>>,
) -> Result<(), ParseError> {
    let what = "spend";
    let source = req(doc.source, line, "source", what)?;
    let d = req(doc.date.or(doc.date_start.clone()), line, "date", what)?;
    let (from, to) = date_span(&d, "date", doc.date_stop.as_deref(), line)?;
    let micros = doc
        .amount
        .or(doc.spend)
        .ok_or_else(|| missing(line, "amount", what))?;
    let cur = currency(doc.currency.as_ref(), line, "currency", opts)?;
    out.push(Event::Spend(SpendRecord {
        id: opt_id(doc.id, line, what)?,
        source,
        name: doc.name.filter(|n| !n.is_empty()),
        from,
        to,
        amount: Money::from_micros(micros, cur),
        phone: doc.phone_number_id.filter(|p| !p.is_empty()),
        campaign: None,
        campaign_name: None,
    }));
    Ok(())
}

/// A Meta Ads Insights row: `{"ad_id":"…","ad_name":"…","campaign_id":"…","spend":"12.34","date_start":"…","date_stop":"…"}`.
/// The source is `meta_ad:<ad_id>`, else (a campaign-level row) `meta_campaign:<campaign_id
/// or campaign_name>`; never a WhatsApp `campaign:` (see the module rules).
fn ads_insights_row<'a>(
    doc: Doc<'a>,
    line: u64,
    opts: &ParseOptions,
    out: &mut Vec<Event<'a>>,
) -> Result<(), ParseError> {
    let nonblank = |v: Option<S<'a>>| v.filter(|c| !c.trim().is_empty());
    let campaign_name = nonblank(doc.campaign_name);
    let campaign = nonblank(doc.campaign_id).or_else(|| campaign_name.clone());
    let (source, name, campaign): (S<'a>, Option<S<'a>>, Option<S<'a>>) =
        if let Some(ad) = nonblank(doc.ad_id) {
            (Cow::Owned(format!("meta_ad:{ad}")), doc.ad_name, campaign)
        } else if let Some(c) = campaign {
            let key = Cow::Owned(format!("meta_campaign:{c}"));
            (key, campaign_name.clone(), None)
        } else {
            return Err(missing(line, "ad_id", "Ads Insights"));
        };
    let start = doc.date_start.as_deref().unwrap_or("");
    let (from, to) = date_span(start, "date_start", doc.date_stop.as_deref(), line)?;
    let cur = currency(
        doc.account_currency.as_ref().or(doc.currency.as_ref()),
        line,
        "account_currency",
        opts,
    )?;
    out.push(Event::Spend(SpendRecord {
        id: None,
        source,
        name,
        from,
        to,
        amount: Money::from_micros(doc.spend.unwrap_or(0), cur),
        phone: nonblank(doc.phone_number_id),
        campaign,
        campaign_name,
    }));
    Ok(())
}

/// The field names a derived type asks serde_json for: the `fields` of its
/// `deserialize_struct` call, caught by a deserializer that reads nothing else.
#[cfg(test)]
pub(crate) fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    #[derive(Debug)]
    struct Fields(&'static [&'static str]);
    impl std::fmt::Display for Fields {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{:?}", self.0)
        }
    }
    impl std::error::Error for Fields {}
    impl de::Error for Fields {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Fields(&[])
        }
    }
    struct Probe;
    impl<'de> Deserializer<'de> for Probe {
        type Error = Fields;
        fn deserialize_any<V: de::Visitor<'de>>(self, _: V) -> Result<V::Value, Fields> {
            Err(Fields(&[]))
        }
        fn deserialize_struct<V: de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Fields> {
            Err(Fields(fields))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    match T::deserialize(Probe) {
        Err(Fields(f)) => f,
        Ok(_) => &[],
    }
}

/// [`Doc`]'s field names, for the extractor's test.
#[cfg(test)]
pub(crate) fn doc_fields() -> &'static [&'static str] {
    fields_of::<Doc<'_>>()
}

#[cfg(test)]
mod tests {

    //! One test per message type and status kind, on the real payload shapes in
    //! `testdata/shared/webhooks/` (a copy of the project's shared test data).
    use super::*;

    #[test]
    fn contacts_normalise_as_documented() {
        assert_eq!(
            normalise_contact("+44 7223 201674".into()).unwrap(),
            "447223201674"
        );
        assert_eq!(
            normalise_contact("+1 (650) 555-1234".into()).unwrap(),
            "16505551234"
        );
        assert_eq!(
            normalise_contact("US.13491208655302741918".into()).unwrap(),
            "US.13491208655302741918"
        );
        assert_eq!(
            normalise_contact("WHATSAPP_ID".into()).unwrap(),
            "WHATSAPP_ID"
        );
        assert!(normalise_contact("+44 72x3".into()).is_err());
    }
    use crate::model::{Category, PricingModel, PricingType, ReferralSource, ReplyKind};

    fn fixture(path: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata/shared/webhooks")
            .join(path);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn events(bytes: &[u8]) -> Vec<Event<'_>> {
        let mut out = Vec::new();
        parse_document(bytes, 1, &ParseOptions::default(), &mut out).unwrap();
        out
    }

    #[test]
    fn optional_strings_borrow_from_the_input_unless_escaped() {
        // `template` and `campaign` are optional fields: without escapes they point into the
        // line (no copy); with an escape they are decoded into an owned string.
        let line = br#"{"type":"outbound","id":"wamid.X","to":"4915","timestamp":1748765500,"kind":"template","template":"welcome","campaign":"spr\u0069ng"}"#;
        let evs = events(line);
        let Some(Event::Outbound(o)) = evs.iter().find(|e| matches!(e, Event::Outbound(_))) else {
            panic!("no outbound record in {:?}", evs.len());
        };
        assert!(matches!(o.template, Some(Cow::Borrowed("welcome"))));
        assert!(matches!(&o.campaign, Some(Cow::Owned(c)) if c == "spring"));
        // The same inside a webhook: `text.body` and `metadata.phone_number_id`.
        let hook = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106"},"messages":[{"from":"4915","id":"wamid.I","timestamp":"1748765379","type":"text","text":{"body":"Hi"}}]}}]}]}"#;
        let m = only_inbound(hook);
        assert!(matches!(m.text, Some(Cow::Borrowed("Hi"))));
        assert_eq!(m.phone, "106");
    }

    fn only_inbound(bytes: &[u8]) -> InboundMsg<'_> {
        let mut msgs: Vec<InboundMsg<'_>> = events(bytes)
            .into_iter()
            .filter_map(|e| {
                if let Event::Inbound(m) = e {
                    Some(m)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(msgs.len(), 1);
        msgs.remove(0)
    }

    fn only_status(bytes: &[u8]) -> StatusUpdate<'_> {
        let mut st: Vec<StatusUpdate<'_>> = events(bytes)
            .into_iter()
            .filter_map(|e| {
                if let Event::Status(s) = e {
                    Some(s)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(st.len(), 1);
        st.remove(0)
    }

    #[test]
    fn media_and_plain_types() {
        for (file, ty) in [
            ("meta-docs/audio__01.json", InboundType::Audio),
            ("pywa/message__voice.json", InboundType::Audio),
            ("meta-docs/image__01.json", InboundType::Image),
            ("meta-docs/video__01.json", InboundType::Video),
            ("meta-docs/document__01.json", InboundType::Document),
            ("meta-docs/sticker__01.json", InboundType::Sticker),
            ("meta-docs/location__01.json", InboundType::Location),
            ("meta-docs/contacts__01.json", InboundType::Contacts),
            ("meta-docs/reaction__01.json", InboundType::Reaction),
            ("meta-docs/order__01.json", InboundType::Order),
            ("meta-docs/system__01.json", InboundType::System),
            ("meta-docs/unsupported__01.json", InboundType::Unsupported),
            ("pywa/deleted_message__revoke.json", InboundType::Revoke),
            ("pywa/edited_message__image.json", InboundType::Edit),
        ] {
            let b = fixture(file);
            let m = only_inbound(&b);
            assert_eq!(m.ty, ty, "{file}");
            assert!(m.reply.is_none() && m.referral.is_none(), "{file}");
        }
    }

    #[test]
    fn text_with_context_and_referral() {
        let b = fixture("meta-docs/text__01.json");
        let m = only_inbound(&b);
        assert_eq!(m.ty, InboundType::Text);
        assert!(m.context_id.is_some());
        assert!(m.text.as_deref().is_some_and(|t| !t.is_empty()));
        let b = fixture("pywa/message__referral.json");
        let m = only_inbound(&b);
        let r = m.referral.expect("referral");
        // pywa's fixture literally says "ad or post": treated as an ad.
        assert_eq!(r.source, ReferralSource::Ad);
        assert_eq!(&*r.source_id, "ADID");
        assert_eq!(r.headline.as_deref(), Some("AD_TITLE"));
        assert_eq!(r.ctwa_clid.as_deref(), Some("CTWA_CLID"));
        assert_eq!(m.text.as_deref(), Some("BODY"));
        assert_eq!(m.ts, 1_697_045_000);
        assert_eq!(m.from.wa_id.as_deref(), Some("972987654321"));
    }

    #[test]
    fn replies_button_list_flow_and_template_button() {
        let b = fixture("meta-docs/interactive-reply-buttons-messages__01.json");
        let r = only_inbound(&b).reply.expect("button reply");
        assert_eq!(r.kind, ReplyKind::Button);
        assert!(r.id.is_some() && r.title.is_some());
        let b = fixture("meta-docs/interactive-list-messages__01.json");
        let r = only_inbound(&b).reply.expect("list reply");
        assert_eq!(r.kind, ReplyKind::List);
        let b = fixture("pywa/flow_completion__completion.json");
        assert_eq!(only_inbound(&b).reply.expect("flow").kind, ReplyKind::Flow);
        let b = fixture("meta-docs/button__01.json");
        let m = only_inbound(&b);
        assert_eq!(m.ty, InboundType::Button);
        let r = m.reply.expect("template quick reply");
        assert_eq!(r.kind, ReplyKind::Button);
        assert!(r.title.is_some());
        assert!(
            m.context_id.is_some(),
            "a quick reply names the template message"
        );
    }

    #[test]
    fn statuses_sent_delivered_read_failed_played() {
        let b = fixture("pywa/message_status__sent.json");
        let s = only_status(&b);
        assert_eq!(s.status, StatusKind::Sent);
        let b = fixture("pywa/message_status__delivered.json");
        let s = only_status(&b);
        assert_eq!(s.status, StatusKind::Delivered);
        let b = fixture("pywa/message_status__read.json");
        let s = only_status(&b);
        assert_eq!(s.status, StatusKind::Read);
        let b = fixture("pywa/message_status__played.json");
        let s = only_status(&b);
        assert_eq!(s.status, StatusKind::Played);
        let b = fixture("pywa/message_status__failed.json");
        let s = only_status(&b);
        assert_eq!(s.status, StatusKind::Failed);
        assert_eq!(s.errors[0].code, 130_472);
    }

    #[test]
    fn status_pricing_and_conversation_objects() {
        let b = fixture("whatsapp-api-js/sent.json");
        let s = only_status(&b);
        let p = s.pricing.expect("pricing");
        assert_eq!(p.model, Some(PricingModel::Pmp));
        assert_eq!(p.pricing_type, Some(PricingType::Regular));
        assert_eq!(p.category, Some(Category::Marketing));
        assert!(p.is_billable());
        let c = s.conversation.expect("conversation");
        assert_eq!(&*c.id, "CONVERSATION_ID");
        assert_eq!(c.expires, Some(1_504_903_988));
        assert_eq!(c.origin, Some(Category::Marketing));
        // The recipient is named by both ids.
        assert_eq!(
            s.recipient.bsuid.as_deref(),
            Some("US.13491208655302741918")
        );
        // Meta spells it with a hyphen in pricing.category.
        assert_eq!(
            Category::parse("authentication-international"),
            Category::AuthenticationInternational
        );
        let free = MetaPricing {
            billable: None,
            model: Some(PricingModel::Pmp),
            category: Some(Category::Utility),
            pricing_type: Some(PricingType::FreeCustomerService),
        };
        assert!(
            !free.is_billable(),
            "billable derived from type when absent"
        );
    }

    #[test]
    fn bsuid_only_sender() {
        let b = fixture("meta-docs/business-scoped-user-ids__03.json");
        let m = only_inbound(&b);
        assert_eq!(m.from.wa_id, None, "empty wa_id dropped");
        assert_eq!(m.from.bsuid.as_deref(), Some("user.93737..."));
    }

    #[test]
    fn records_parse_with_defaults() {
        let mut out = Vec::new();
        let doc = br#"{"type":"outbound","id":"w1","to":"US.123","timestamp":"1751450000","template":"t"}"#;
        parse_document(doc, 1, &ParseOptions::default(), &mut out).unwrap();
        let Event::Outbound(o) = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(
            o.kind,
            OutboundKind::Template,
            "a template name implies a template"
        );
        assert_eq!(
            o.category,
            Category::Marketing,
            "an unlabelled template is assumed marketing"
        );
        assert_eq!(
            o.to.bsuid.as_deref(),
            Some("US.123"),
            "a dotted id is a BSUID"
        );
        let mut out = Vec::new();
        let doc = br#"{"ad_id":"9","ad_name":"Carousel","spend":"12.34","date_start":"2025-07-01","date_stop":"2025-07-07","account_currency":"EUR"}"#;
        parse_document(doc, 1, &ParseOptions::default(), &mut out).unwrap();
        let Event::Spend(s) = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(&*s.source, "meta_ad:9");
        assert_eq!(s.amount, Money::from_micros(12_340_000, Currency::EUR));
        assert_eq!((s.to - s.from).num_days(), 6);
    }

    #[test]
    fn ads_insights_rows_name_their_campaign_and_campaign_rows_are_meta_campaigns() {
        let parse = |doc: &str| {
            let mut out = Vec::new();
            parse_document(doc.as_bytes(), 1, &ParseOptions::default(), &mut out).unwrap();
            match out.pop() {
                Some(Event::Spend(s)) => (
                    s.source.to_string(),
                    s.campaign.map(|c| c.to_string()),
                    s.campaign_name.map(|c| c.to_string()),
                    s.phone.map(|p| p.to_string()),
                ),
                other => panic!("{other:?}"),
            }
        };
        // An ad-level row: the ad's source, and the campaign it belongs to.
        let ad = r#"{"ad_id":"9","campaign_id":"900","campaign_name":"Spring","adset_id":"55","spend":"1","date_start":"2025-07-01"}"#;
        assert_eq!(
            parse(ad),
            (
                "meta_ad:9".into(),
                Some("900".into()),
                Some("Spring".into()),
                None
            )
        );
        // A campaign-level row (no ad): a Meta campaign, never a WhatsApp `campaign:`; by
        // id, else by name.
        let c = r#"{"campaign_id":"900","campaign_name":"Spring","spend":"1","date_start":"2025-07-01"}"#;
        assert_eq!(parse(c).0, "meta_campaign:900");
        let c = r#"{"campaign_name":"Spring","spend":"1","date_start":"2025-07-01","phone_number_id":"1001"}"#;
        assert_eq!(
            parse(c),
            (
                "meta_campaign:Spring".into(),
                None,
                Some("Spring".into()),
                Some("1001".into())
            )
        );
        // A spend record names its number too.
        let s = r#"{"type":"spend","source":"qr:x","date":"2025-07-01","amount":1,"phone_number_id":"2002"}"#;
        assert_eq!(parse(s).3.as_deref(), Some("2002"));
    }
}
