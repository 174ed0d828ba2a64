//! The config of what convolens tells Meta and what it keeps about people: the
//! Conversions API event names ([`CapiConfig`]) and pseudonymisation ([`Pseudonymise`]).
//! What they do is applied in [`crate::attribution::capi`](crate::guide::attribution::capi) and [`crate::Engine::with_secret`].

use crate::util::sorted_map::Map;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An event name Meta's Conversions API for Business Messaging accepts with
/// `action_source = business_messaging`.
///
/// Only these five are accepted; Meta rejects `Lead`, the other standard pixel events
/// and custom names for business messaging (error subcode 2804066, "Messaging Event
/// Invalid Event Type"), so a config naming another is an error that names its key.
///
/// ```
/// let err = convolens::Config::from_json(r#"{"capi": {"events": {"signup": "Lead"}}}"#).unwrap_err();
/// assert_eq!(err.key(), "capi.events.signup");
/// assert!(err.to_string().contains("LeadSubmitted"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapiEventName {
    /// A lead (use this, not `Lead`).
    LeadSubmitted,
    /// A purchase: needs a value and a currency.
    Purchase,
    /// Added to a cart.
    AddToCart,
    /// Started a checkout.
    InitiateCheckout,
    /// Viewed content.
    ViewContent,
}

impl CapiEventName {
    /// Every accepted name.
    pub const ALL: [CapiEventName; 5] = [
        CapiEventName::LeadSubmitted,
        CapiEventName::Purchase,
        CapiEventName::AddToCart,
        CapiEventName::InitiateCheckout,
        CapiEventName::ViewContent,
    ];

    /// Meta's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CapiEventName::LeadSubmitted => "LeadSubmitted",
            CapiEventName::Purchase => "Purchase",
            CapiEventName::AddToCart => "AddToCart",
            CapiEventName::InitiateCheckout => "InitiateCheckout",
            CapiEventName::ViewContent => "ViewContent",
        }
    }

    /// The name for Meta's spelling (exact, case-sensitive as Meta is).
    pub fn parse(s: &str) -> Option<CapiEventName> {
        CapiEventName::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

impl Serialize for CapiEventName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for CapiEventName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CapiEventName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = CapiEventName::ALL.iter().map(|n| n.as_str()).collect();
        schemars::json_schema!({
            "description": "An event name of Meta's Conversions API for Business Messaging.",
            "type": "string",
            "enum": names,
        })
    }
}

impl<'de> Deserialize<'de> for CapiEventName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CapiEventName::parse(&s).ok_or_else(|| {
            let hint = if s == "Lead" {
                " (for leads use `LeadSubmitted`)"
            } else {
                ""
            };
            serde::de::Error::custom(format!(
                "`{s}` is not accepted by Meta's Conversions API for Business Messaging{hint}; \
                 use LeadSubmitted, Purchase, AddToCart, InitiateCheckout or ViewContent"
            ))
        })
    }
}

/// The Conversions API for Business Messaging (see [`crate::attribution::capi`](crate::guide::attribution::capi)).
///
/// ```json
/// {"capi": {"events": {"purchase": "Purchase", "interested": "LeadSubmitted"},
///           "whatsapp_business_account_id": "102290129340398"}}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CapiConfig {
    /// Our event name (an external event's `name`, or a messaging event of `events`) →
    /// Meta's event name. Events not named here are not sent (counted as `not_mapped`).
    pub events: Map<String, CapiEventName>,
    /// The WhatsApp Business Account for business numbers whose webhooks never named one
    /// (`entry[].id`); a number's own account, when seen, wins.
    pub whatsapp_business_account_id: Option<String>,
}

/// Pseudonymisation: keep a keyed hash of every `wa_id` and BSUID instead of the
/// identifier (see [`crate::Engine::with_secret`]).
///
/// The secret itself is never in the config (nor in snapshots): `secret_env` names the
/// environment variable the program or binding reads it from, and the engine receives
/// it through [`crate::Engine::with_secret`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Pseudonymise {
    /// The environment variable that holds the secret key.
    pub secret_env: String,
}

impl CapiConfig {
    /// Check the mapping (no empty event names).
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.events.keys().any(|k| k.trim().is_empty()) {
            return Err("event names must not be empty".into());
        }
        if self
            .whatsapp_business_account_id
            .as_deref()
            .is_some_and(|w| w.trim().is_empty())
        {
            return Err("`whatsapp_business_account_id` must not be empty".into());
        }
        Ok(())
    }
}
