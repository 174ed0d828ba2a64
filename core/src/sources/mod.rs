#![doc = include_str!("../guide/sources.md")]

pub(crate) mod conversation;
pub(crate) mod events;
mod matcher;
mod names;
mod source_days;
mod spend;

pub(crate) use conversation::ExternalTouch;
pub(crate) use conversation::{Analysis, Conversation, analyse, analyse_one};
pub(crate) use events::EventDays;
pub use events::EventRow;
pub(crate) use matcher::Matchers;
pub use matcher::{ConversionEvent, ConversionKind};
pub(crate) use names::Names;
pub(crate) use source_days::slot;
pub(crate) use source_days::{SourceDay, SourceDays, SourceMeta, SourceRefs};
pub(crate) use spend::{Spend, left_in_range, spend_in_range};

use serde::{Deserialize, Serialize};

/// The kind of a source (semantics §3). Incoming custom rules and outgoing notification
/// templates are both `custom`; [`SourceDirection`] tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceKind {
    /// A Click-to-WhatsApp ad (`meta_ad:<source_id>`).
    MetaAd,
    /// A Facebook or Instagram post (`meta_post:<source_id>`).
    MetaPost,
    /// A configured rule on the first inbound text (incoming), or a business-initiated
    /// template without a campaign (`template:<name>`, outgoing).
    Custom,
    /// A delivered template with a campaign (`campaign:<name>`).
    Campaign,
    /// A Meta ad campaign (`meta_campaign:<id>`): the roll-up of its Click-to-WhatsApp ads
    /// with the campaign's spend.
    MetaCampaign,
    /// None of the above (`direct`).
    Direct,
}

impl SourceKind {
    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::MetaAd => "meta_ad",
            SourceKind::MetaPost => "meta_post",
            SourceKind::Custom => "custom",
            SourceKind::Campaign => "campaign",
            SourceKind::MetaCampaign => "meta_campaign",
            SourceKind::Direct => "direct",
        }
    }
}

/// Who started a source's conversations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceDirection {
    /// The user wrote first.
    Incoming,
    /// The business wrote first.
    Outgoing,
}

impl SourceDirection {
    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceDirection::Incoming => "incoming",
            SourceDirection::Outgoing => "outgoing",
        }
    }
}

/// A source: its key, kind and direction.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct Source {
    /// The key (`meta_ad:120`, `campaign:spring`, `template:welcome`, `qr:shop`, `direct`).
    pub(crate) key: Box<str>,
    /// The kind.
    pub(crate) kind: SourceKind,
    /// The direction.
    pub(crate) direction: SourceDirection,
}

impl Source {
    /// The `direct` source.
    pub(crate) fn direct() -> Source {
        Source {
            key: "direct".into(),
            kind: SourceKind::Direct,
            direction: SourceDirection::Incoming,
        }
    }

    /// A source from its key alone (for keys seen only in spend data or config): the kind
    /// is read from the prefix; any other key is an incoming custom source.
    pub(crate) fn from_key(key: &str) -> Source {
        let (kind, direction) = if key.starts_with("meta_ad:") {
            (SourceKind::MetaAd, SourceDirection::Incoming)
        } else if key.starts_with("meta_post:") {
            (SourceKind::MetaPost, SourceDirection::Incoming)
        } else if key.starts_with("meta_campaign:") {
            (SourceKind::MetaCampaign, SourceDirection::Incoming)
        } else if key.starts_with("campaign:") {
            (SourceKind::Campaign, SourceDirection::Outgoing)
        } else if key.starts_with("template:") {
            (SourceKind::Custom, SourceDirection::Outgoing)
        } else if key == "direct" {
            (SourceKind::Direct, SourceDirection::Incoming)
        } else {
            (SourceKind::Custom, SourceDirection::Incoming)
        };
        Source {
            key: key.into(),
            kind,
            direction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_seen_only_in_spend_or_config_gets_its_kind_from_its_prefix() {
        use SourceDirection::{Incoming, Outgoing};
        // The module rules: `meta_ad:`, `meta_post:`, `meta_campaign:` incoming;
        // `campaign:` an outgoing campaign, `template:` an outgoing custom source; `direct`
        // direct; any other key an incoming custom source.
        let cases = [
            ("meta_ad:120", SourceKind::MetaAd, Incoming),
            ("meta_post:9", SourceKind::MetaPost, Incoming),
            ("meta_campaign:900", SourceKind::MetaCampaign, Incoming),
            ("campaign:spring", SourceKind::Campaign, Outgoing),
            ("template:welcome", SourceKind::Custom, Outgoing),
            ("direct", SourceKind::Direct, Incoming),
            ("qr:shop", SourceKind::Custom, Incoming),
            ("directly", SourceKind::Custom, Incoming),
        ];
        for (key, kind, direction) in cases {
            let s = Source::from_key(key);
            assert_eq!((&*s.key, s.kind, s.direction), (key, kind, direction));
        }
        assert_eq!(Source::direct(), Source::from_key("direct"));
    }

    #[test]
    fn kinds_and_directions_are_named_as_the_report_spells_them() {
        // `as_str` is the snake_case name the serialised report uses.
        let kinds = [
            (SourceKind::MetaAd, "meta_ad"),
            (SourceKind::MetaPost, "meta_post"),
            (SourceKind::Custom, "custom"),
            (SourceKind::Campaign, "campaign"),
            (SourceKind::MetaCampaign, "meta_campaign"),
            (SourceKind::Direct, "direct"),
        ];
        for (k, name) in kinds {
            assert_eq!(k.as_str(), name);
            assert_eq!(serde_json::to_value(k).unwrap(), name);
        }
        for (d, name) in [
            (SourceDirection::Incoming, "incoming"),
            (SourceDirection::Outgoing, "outgoing"),
        ] {
            assert_eq!(d.as_str(), name);
            assert_eq!(serde_json::to_value(d).unwrap(), name);
        }
    }
}
