//! The rules convolens applies, by topic: what each part of the engine does with its
//! input, in the words of the product contract. These pages carry no code; the types they
//! describe are at the crate root.
//!
//! The same text is the documentation of the module that applies the rule inside the
//! crate, so the two cannot drift.

#[doc = include_str!("guide/attribution.md")]
pub mod attribution {
    #[doc = include_str!("guide/attribution/capi.md")]
    pub mod capi {}
    #[doc = include_str!("guide/attribution/contacts.md")]
    pub mod contacts {}
    #[doc = include_str!("guide/attribution/markov.md")]
    pub mod markov {}
    #[doc = include_str!("guide/attribution/section.md")]
    pub mod section {}
}
#[doc = include_str!("guide/billing.md")]
pub mod billing {
    #[doc = include_str!("guide/billing/charges.md")]
    pub mod charges {}
    #[doc = include_str!("guide/billing/live.md")]
    pub mod live {}
    #[doc = include_str!("guide/billing/reconcile.md")]
    pub mod reconcile {}
    #[doc = include_str!("guide/billing/sections.md")]
    pub mod sections {}
    #[doc = include_str!("guide/billing/windows.md")]
    pub mod windows {}
}
#[doc = include_str!("guide/config.md")]
pub mod config {}
#[doc = include_str!("guide/engagement.md")]
pub mod engagement {
    #[doc = include_str!("guide/engagement/activity.md")]
    pub mod activity {}
    #[doc = include_str!("guide/engagement/authors.md")]
    pub mod authors {}
    #[doc = include_str!("guide/engagement/day_store.md")]
    pub mod day_store {}
    #[doc = include_str!("guide/engagement/support.md")]
    pub mod support {}
    #[doc = include_str!("guide/engagement/templates.md")]
    pub mod templates {}
}
#[doc = include_str!("guide/expiry.md")]
pub mod expiry {}
#[doc = include_str!("guide/input.md")]
pub mod input {
    #[doc = include_str!("guide/input/extract.md")]
    pub mod extract {}
    #[doc = include_str!("guide/input/fast.md")]
    pub mod fast {}
    #[doc = include_str!("guide/input/pseudonym.md")]
    pub mod pseudonym {}
    #[doc = include_str!("guide/input/stream.md")]
    pub mod stream {}
    #[doc = include_str!("guide/input/webhook.md")]
    pub mod webhook {}
}
#[doc = include_str!("guide/model.md")]
pub mod model {
    #[doc = include_str!("guide/model/country.md")]
    pub mod country {}
    #[doc = include_str!("guide/model/pricing.md")]
    pub mod pricing {}
    #[doc = include_str!("guide/model/rates.md")]
    pub mod rates {}
}
#[doc = include_str!("guide/report.md")]
pub mod report {
    #[doc = include_str!("guide/report/compare.md")]
    pub mod compare {}
    #[doc = include_str!("guide/report/csv.md")]
    pub mod csv {}
    #[doc = include_str!("guide/report/prepared.md")]
    pub mod prepared {}
    #[doc = include_str!("guide/report/text.md")]
    pub mod text {}
}
#[doc = include_str!("guide/scope.md")]
pub mod scope {}
#[doc = include_str!("guide/snapshot.md")]
pub mod snapshot {}
#[doc = include_str!("guide/sources.md")]
pub mod sources {
    #[doc = include_str!("guide/sources/events.md")]
    pub mod events {}
    #[doc = include_str!("guide/sources/source_days.md")]
    pub mod source_days {}
    #[doc = include_str!("guide/sources/spend.md")]
    pub mod spend {}
}
#[doc = include_str!("guide/store.md")]
pub mod store {
    #[doc = include_str!("guide/store/forget.md")]
    pub mod forget {}
}
