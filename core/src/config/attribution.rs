//! The attribution settings as the config writes them (semantics §4). The models are
//! applied in [`crate::attribution`](crate::guide::attribution).

use crate::error::ConfigError;
use serde::{Deserialize, Serialize};

/// An attribution model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ModelName {
    /// All credit to the latest conversation in the lookback (default).
    #[default]
    LastTouch,
    /// All credit to the earliest conversation in the lookback.
    FirstTouch,
    /// Equal credit to every conversation in the lookback.
    Linear,
    /// Credit halves every `half_life_days` before the event.
    TimeDecay,
    /// 40% first, 40% last, 20% shared by the middle (weights configurable).
    PositionBased,
    /// Markov-chain removal effect, computed analytically.
    Markov,
    /// Exact Shapley values (at most 15 sources).
    Shapley,
}

impl ModelName {
    /// Every model, in the order reports list them.
    pub const ALL: [ModelName; 7] = [
        ModelName::LastTouch,
        ModelName::FirstTouch,
        ModelName::Linear,
        ModelName::TimeDecay,
        ModelName::PositionBased,
        ModelName::Markov,
        ModelName::Shapley,
    ];

    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelName::LastTouch => "last_touch",
            ModelName::FirstTouch => "first_touch",
            ModelName::Linear => "linear",
            ModelName::TimeDecay => "time_decay",
            ModelName::PositionBased => "position_based",
            ModelName::Markov => "markov",
            ModelName::Shapley => "shapley",
        }
    }

    /// Whether an event's credit under this model depends only on its own candidates, not
    /// on the report range: true for the rule-based models. The data-driven ones (Markov's
    /// removal effects, Shapley's source limit) look at every path of the range.
    pub fn range_independent(self) -> bool {
        !matches!(self, ModelName::Markov | ModelName::Shapley)
    }

    /// Parse a `snake_case` name (`-` accepted for `_`).
    pub fn parse(s: &str) -> Option<ModelName> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        ModelName::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How external events are attributed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AttributionConfig {
    /// The model. Default `last_touch`.
    pub model: ModelName,
    /// Conversations that started at most this many days before the event are candidates.
    /// Default 7 (Meta's CTWA click window).
    pub lookback_days: u32,
    /// Half-life of the time-decay model, in days. Default 7.
    pub half_life_days: f64,
    /// Position-based weights: first, middle (shared), last. Default `[0.4, 0.2, 0.4]`.
    pub position_weights: [f64; 3],
}

impl Default for AttributionConfig {
    fn default() -> Self {
        AttributionConfig {
            model: ModelName::LastTouch,
            lookback_days: 7,
            half_life_days: 7.0,
            position_weights: [0.4, 0.2, 0.4],
        }
    }
}

impl AttributionConfig {
    /// Check ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.lookback_days == 0 || self.lookback_days > 366 {
            return Err(ConfigError::value(
                "attribution.lookback_days",
                "must be between 1 and 366",
            ));
        }
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(ConfigError::value(
                "attribution.half_life_days",
                "must be a positive number",
            ));
        }
        let w = self.position_weights;
        if w.iter().any(|x| !x.is_finite() || *x < 0.0)
            || (w.iter().sum::<f64>() - 1.0).abs() > 1e-9
        {
            return Err(ConfigError::value(
                "attribution.position_weights",
                "must be three non-negative numbers summing to 1",
            ));
        }
        Ok(())
    }
}
