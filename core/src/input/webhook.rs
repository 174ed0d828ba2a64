#![doc = include_str!("../guide/input/webhook.md")]

use super::{
    AccountInfo, ContactInfo, Event, IgnoreReason, InboundMsg, StatusUpdate, UserRef, de_opt_ts,
    de_ts, is_blank, nonempty,
};
use crate::model::money::{Currency, Money, parse_decimal_micros};
use crate::model::{
    AgentUsage, Category, DeliveryError, InboundType, MetaConversation, MetaPricing, PricingModel,
    PricingType, Referral, ReferralSource, Reply, ReplyKind, StatusKind,
};
use serde::Deserialize;
use smallvec::SmallVec;
use std::borrow::Cow;

type S<'a> = Cow<'a, str>;

mod extract;
#[cfg(test)]
pub(super) use extract::FIELDS as EXTRACTED_FIELDS;
pub(super) use extract::entries as extract_entries;

#[derive(Deserialize)]
pub(crate) struct Entry<'a> {
    /// The WhatsApp Business Account (WABA) id.
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    id: Option<S<'a>>,
    #[serde(default, borrow)]
    changes: Vec<Change<'a>>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    field: Option<S<'a>>,
    #[serde(default, borrow)]
    value: Option<Value<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Value<'a> {
    #[serde(borrow)]
    metadata: Option<Metadata<'a>>,
    #[serde(borrow)]
    contacts: Vec<Contact<'a>>,
    #[serde(borrow)]
    messages: Vec<Message<'a>>,
    #[serde(borrow)]
    statuses: Vec<Status<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    phone_number_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    display_phone_number: Option<S<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Contact<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_contact")]
    wa_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    user_id: Option<S<'a>>,
    #[serde(borrow)]
    profile: Option<Profile<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Profile<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    name: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    country_code: Option<S<'a>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_contact")]
    from: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    from_user_id: Option<S<'a>>,
    #[serde(borrow, deserialize_with = "super::de_id")]
    id: S<'a>,
    #[serde(deserialize_with = "de_ts")]
    timestamp: i64,
    #[serde(rename = "type", default, borrow, deserialize_with = "super::opt_str")]
    ty: Option<S<'a>>,
    #[serde(default, borrow)]
    text: Option<Text<'a>>,
    #[serde(default, borrow)]
    context: Option<Context<'a>>,
    #[serde(default, borrow)]
    referral: Option<RawReferral<'a>>,
    #[serde(default, borrow)]
    button: Option<TemplateButtonReply<'a>>,
    #[serde(default, borrow)]
    interactive: Option<Interactive<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Text<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    body: Option<S<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Context<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    id: Option<S<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawReferral<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    source_type: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    source_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    source_url: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    headline: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    ctwa_clid: Option<S<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TemplateButtonReply<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    payload: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    text: Option<S<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(clippy::struct_field_names)] // Meta's names
struct Interactive<'a> {
    #[serde(borrow)]
    button_reply: Option<IdTitle<'a>>,
    #[serde(borrow)]
    list_reply: Option<IdTitle<'a>>,
    #[serde(borrow)]
    nfm_reply: Option<NfmReply<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IdTitle<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    title: Option<S<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NfmReply<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    name: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    body: Option<S<'a>>,
}

#[derive(Deserialize)]
#[allow(clippy::struct_field_names)] // Meta's names
struct Status<'a> {
    #[serde(borrow, deserialize_with = "super::de_id")]
    id: S<'a>,
    #[serde(borrow)]
    status: S<'a>,
    #[serde(deserialize_with = "de_ts")]
    timestamp: i64,
    #[serde(default, borrow, deserialize_with = "super::opt_contact")]
    recipient_id: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    recipient_user_id: Option<S<'a>>,
    #[serde(default, borrow)]
    conversation: Option<RawConversation<'a>>,
    #[serde(default, borrow)]
    pricing: Option<RawPricing<'a>>,
    #[serde(default, borrow)]
    errors: Vec<RawError<'a>>,
}

#[derive(Deserialize)]
struct RawConversation<'a> {
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    id: Option<S<'a>>,
    #[serde(default, deserialize_with = "de_opt_ts")]
    expiration_timestamp: Option<i64>,
    #[serde(default, borrow)]
    origin: Option<Origin<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Origin<'a> {
    #[serde(rename = "type", default, borrow, deserialize_with = "super::opt_str")]
    ty: Option<S<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPricing<'a> {
    billable: Option<bool>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    pricing_model: Option<S<'a>>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    category: Option<S<'a>>,
    #[serde(rename = "type", default, borrow, deserialize_with = "super::opt_str")]
    ty: Option<S<'a>>,
    // Meta Business Agent messages: undocumented, read leniently (see the module docs of
    // `input`): an unexpected shape is ignored, never an error.
    #[serde(borrow)]
    price: Option<Lenient<'a>>,
    #[serde(borrow)]
    cost: Option<Lenient<'a>>,
    #[serde(borrow)]
    amount: Option<Lenient<'a>>,
    #[serde(borrow)]
    currency: Option<Lenient<'a>>,
    #[serde(borrow)]
    tokens: Option<Lenient<'a>>,
    #[serde(borrow)]
    token_count: Option<Lenient<'a>>,
    #[serde(borrow)]
    total_tokens: Option<Lenient<'a>>,
    #[serde(borrow)]
    input_tokens: Option<Lenient<'a>>,
    #[serde(borrow)]
    output_tokens: Option<Lenient<'a>>,
    #[serde(borrow)]
    usage: Option<Lenient<'a>>,
}

/// A JSON value read leniently: a number or string as its text, an object as its members;
/// arrays, booleans and nulls as nothing. Reading one never fails on its shape. (Smaller
/// than `serde_json::Value` in the WebAssembly build.)
#[derive(Default)]
struct Lenient<'a> {
    text: Option<S<'a>>,
    members: Vec<(S<'a>, Lenient<'a>)>,
}

impl<'a> Lenient<'a> {
    fn get(&self, key: &str) -> Option<&Lenient<'a>> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A whole number from a JSON number or a string of digits.
    fn count(&self) -> Option<u64> {
        self.text.as_deref()?.trim().parse().ok()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor(std::marker::PhantomData))
    }
}

struct LenientVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for LenientVisitor<'a> {
    type Value = Lenient<'a>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Lenient<'a>, E> {
        Ok(Lenient {
            text: Some(Cow::Borrowed(v)),
            members: Vec::new(),
        })
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Lenient<'a>, E> {
        Ok(Lenient {
            text: Some(Cow::Owned(v.to_string())),
            members: Vec::new(),
        })
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Lenient<'a>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Lenient<'a>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Lenient<'a>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Lenient<'a>, E> {
        Ok(Lenient::default())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Lenient<'a>, E> {
        Ok(Lenient::default())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Lenient<'a>, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Lenient::default())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Lenient<'a>, A::Error> {
        let mut members = Vec::new();
        while let Some(k) = map.next_key::<Cow<'a, str>>()? {
            members.push((k, map.next_value::<Lenient<'a>>()?));
        }
        Ok(Lenient {
            text: None,
            members,
        })
    }
}

/// Tokens in an object with `tokens`, `token_count`, `total_tokens`, or `input_tokens` +
/// `output_tokens` (the first that reads as a whole number).
fn tokens_in<'v>(get: impl Fn(&str) -> Option<&'v Lenient<'v>>) -> Option<u64> {
    ["tokens", "token_count", "total_tokens"]
        .iter()
        .find_map(|k| get(k)?.count())
        .or_else(|| {
            let i = get("input_tokens").and_then(Lenient::count);
            let o = get("output_tokens").and_then(Lenient::count);
            match (i, o) {
                (None, None) => None,
                (i, o) => i.unwrap_or(0).checked_add(o.unwrap_or(0)),
            }
        })
}

/// A price: a decimal number or string in major units with a currency beside it, or an
/// object `{"amount"|"value": …, "currency": …}`. Negative or unreadable prices are `None`.
fn lenient_price(v: &Lenient<'_>, currency: Option<&Lenient<'_>>) -> Option<Money> {
    let (amount, currency) = if v.members.is_empty() {
        (v, currency?)
    } else {
        (
            v.get("amount").or_else(|| v.get("value"))?,
            v.get("currency").or(currency)?,
        )
    };
    let micros = parse_decimal_micros(amount.text.as_deref()?.trim())
        .ok()
        .filter(|m| *m >= 0)?;
    let currency = Currency::new(currency.text.as_deref()?.trim())?;
    Some(Money::from_micros(micros, currency))
}

impl RawPricing<'_> {
    fn agent_usage(&self) -> AgentUsage {
        let top = |k: &str| {
            match k {
                "tokens" => &self.tokens,
                "token_count" => &self.token_count,
                "total_tokens" => &self.total_tokens,
                "input_tokens" => &self.input_tokens,
                _ => &self.output_tokens,
            }
            .as_ref()
        };
        let tokens = tokens_in(top).or_else(|| {
            let u = self.usage.as_ref()?;
            tokens_in(|k| u.get(k))
        });
        let price = [&self.price, &self.cost, &self.amount]
            .into_iter()
            .find_map(|v| lenient_price(v.as_ref()?, self.currency.as_ref()));
        AgentUsage { tokens, price }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawError<'a> {
    code: Option<i64>,
    #[serde(default, borrow, deserialize_with = "super::opt_str")]
    title: Option<S<'a>>,
}

fn owned(s: Option<&S<'_>>) -> Option<Box<str>> {
    s.and_then(|s| nonempty(s)).map(Into::into)
}

/// Turn the `entry` array of a webhook payload into events, appending to `out`. Every
/// part of the payload is counted: an entry without changes, like a change that is not
/// about messages or carries none, becomes an [`Event::Ignored`].
pub(crate) fn events_from_entries<'a>(entries: Vec<Entry<'a>>, out: &mut Vec<Event<'a>>) {
    for entry in entries {
        if entry.changes.is_empty() {
            // Counted, so that every part of a payload is accounted for.
            out.push(Event::Ignored(IgnoreReason::NoChanges));
        }
        let waba = entry.id.filter(|w| !w.trim().is_empty());
        for change in entry.changes {
            let field = change.field.as_deref().unwrap_or("");
            if field != "messages" {
                out.push(Event::Ignored(IgnoreReason::Field(field.into())));
                continue;
            }
            let Some(value) = change.value else {
                out.push(Event::Ignored(IgnoreReason::EmptyChange));
                continue;
            };
            let phone: S<'a> = value
                .metadata
                .as_ref()
                .and_then(|m| {
                    m.phone_number_id
                        .clone()
                        .or_else(|| m.display_phone_number.clone())
                })
                .unwrap_or(Cow::Borrowed(""));
            let had_traffic = !value.messages.is_empty() || !value.statuses.is_empty();
            if let Some(w) = waba.as_ref().filter(|_| !phone.is_empty()) {
                out.push(Event::Account(AccountInfo {
                    phone: phone.clone(),
                    waba: w.clone(),
                }));
            }
            for c in value.contacts {
                let (name, country_code) = match c.profile {
                    Some(p) => (p.name, p.country_code),
                    None => (None, None),
                };
                let user = UserRef::new(c.wa_id, c.user_id);
                if !user.is_empty() {
                    out.push(Event::Contact(ContactInfo {
                        user,
                        name,
                        country_code,
                    }));
                }
            }
            for m in value.messages {
                out.push(Event::Inbound(inbound(m, phone.clone())));
            }
            for s in value.statuses {
                out.push(Event::Status(status(s, phone.clone())));
            }
            if !had_traffic {
                out.push(Event::Ignored(IgnoreReason::EmptyChange));
            }
        }
    }
}

fn inbound<'a>(m: Message<'a>, phone: S<'a>) -> InboundMsg<'a> {
    let ty_s = m.ty.as_deref().unwrap_or("");
    let ty = InboundType::parse(ty_s);
    let reply = match (&m.interactive, &m.button) {
        (Some(i), _) => {
            if let Some(b) = &i.button_reply {
                Some(Reply {
                    kind: ReplyKind::Button,
                    id: owned(b.id.as_ref()),
                    title: owned(b.title.as_ref()),
                })
            } else if let Some(l) = &i.list_reply {
                Some(Reply {
                    kind: ReplyKind::List,
                    id: owned(l.id.as_ref()),
                    title: owned(l.title.as_ref()),
                })
            } else {
                i.nfm_reply.as_ref().map(|n| Reply {
                    kind: ReplyKind::Flow,
                    id: owned(n.name.as_ref()),
                    title: owned(n.body.as_ref()),
                })
            }
        }
        (None, Some(b)) => Some(Reply {
            kind: ReplyKind::Button,
            id: owned(b.payload.as_ref()),
            title: owned(b.text.as_ref()),
        }),
        (None, None) => None,
    };
    let referral = m.referral.and_then(|r| {
        let id = owned(r.source_id.as_ref())?;
        Some(Referral {
            source: ReferralSource::parse(r.source_type.as_deref().unwrap_or("")),
            source_id: id,
            headline: owned(r.headline.as_ref()),
            source_url: owned(r.source_url.as_ref()),
            ctwa_clid: owned(r.ctwa_clid.as_ref()),
        })
    });
    InboundMsg {
        id: m.id,
        phone,
        from: UserRef::new(m.from, m.from_user_id),
        ts: m.timestamp,
        ty,
        text: m.text.and_then(|t| t.body),
        context_id: m.context.and_then(|c| c.id).filter(|c| !c.is_empty()),
        referral,
        reply,
        text_sum: 0,
    }
}

fn status<'a>(s: Status<'a>, phone: S<'a>) -> StatusUpdate<'a> {
    let (pricing, agent) = pricing(s.pricing);
    StatusUpdate {
        id: s.id,
        phone,
        recipient: UserRef::new(s.recipient_id, s.recipient_user_id),
        ts: s.timestamp,
        status: StatusKind::parse(&s.status),
        conversation: conversation(s.conversation),
        pricing,
        agent,
        errors: errors(s.errors),
    }
}

/// A status's `conversation` object as kept: `None` without an id.
fn conversation(c: Option<RawConversation<'_>>) -> Option<MetaConversation<S<'_>>> {
    c.and_then(|c| {
        Some(MetaConversation {
            id: c.id.filter(|id| !is_blank(id))?,
            expires: c.expiration_timestamp,
            origin: c.origin.and_then(|o| o.ty).map(|t| Category::parse(&t)),
        })
    })
}

/// A status's `pricing` object as kept, and the agent usage it reports.
fn pricing(p: Option<RawPricing<'_>>) -> (Option<MetaPricing>, AgentUsage) {
    let Some(p) = p else {
        return (None, AgentUsage::default());
    };
    let agent = p.agent_usage();
    let pricing = MetaPricing {
        billable: p.billable,
        model: p.pricing_model.as_deref().and_then(|m| match m {
            "CBP" | "cbp" => Some(PricingModel::Cbp),
            "PMP" | "pmp" => Some(PricingModel::Pmp),
            _ => None,
        }),
        category: p.category.as_deref().map(Category::parse),
        pricing_type: p.ty.as_deref().map(PricingType::parse),
    };
    (Some(pricing), agent)
}

/// A status's `errors` as kept.
fn errors(errors: Vec<RawError<'_>>) -> SmallVec<[DeliveryError; 1]> {
    errors
        .into_iter()
        .map(|e| DeliveryError {
            code: e.code.unwrap_or(0),
            title: owned(e.title.as_ref()),
        })
        .collect()
}

/// The derived types' field lists, named, in the order of [`EXTRACTED_FIELDS`].
#[cfg(test)]
pub(super) fn field_lists() -> Vec<(&'static str, &'static [&'static str])> {
    use super::fields_of;
    vec![
        ("Entry", fields_of::<Entry<'_>>()),
        ("Change", fields_of::<Change<'_>>()),
        ("Value", fields_of::<Value<'_>>()),
        ("Contact", fields_of::<Contact<'_>>()),
        ("Message", fields_of::<Message<'_>>()),
        ("Status", fields_of::<Status<'_>>()),
        ("RawConversation", fields_of::<RawConversation<'_>>()),
        ("Origin", fields_of::<Origin<'_>>()),
        ("RawPricing", fields_of::<RawPricing<'_>>()),
    ]
}
