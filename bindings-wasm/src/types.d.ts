// ---------------------------------------------------------------------------------------
// convolens types: the JSON shapes of the core's serde types (`Config`, `Report` and every
// type they hold), of the engine's options, ingestion outcomes, windows and errors.
// Appended to the generated `convolens.d.ts` (both builds).
//
// Two parts:
// - hand-kept (above the `@generated-begin` line): the engine's options and outcomes,
//   the error classes, `ResolvedConfig`;
// - generated (between the markers) by `python3 tools/gen-types.py` from
//   schema/config.schema.json and schema/report.schema.json, which the core writes from
//   its Rust types (`UPDATE_SCHEMA=1 cargo test -p convolens --test schema`). Do not edit
//   it by hand: change the Rust type and its doc comment, then regenerate.
// Rust `Option<T>` is `T | null`; a field serde skips when empty or `None`, or a config
// field with a default, is optional (`?`); maps are `Record<string, T>`; dates
// (`NaiveDate`) are `IsoDate` strings; instants are UTC seconds; money is a decimal number
// in major units. bindings-wasm/tests/types.test.js runs `tsc --noEmit --strict` over a
// usage file and over the example data's real report and config written as typed object
// literals (checked for missing and excess keys); `tools/gen-types.py --check` fails when
// this file is not what the schemas generate.
// ---------------------------------------------------------------------------------------

/** A calendar day, `YYYY-MM-DD`. */
export type IsoDate = string;

/** A calendar month, `YYYY-MM`. */
export type IsoMonth = string;

/** UTC seconds since the Unix epoch. */
export type UnixSeconds = number;

// --- options, outcomes and errors (hand-kept) -------------------------------------------

/** Options of `engine.capiEvents` (`CapiOptions`). */
export interface CapiOptions {
  /** A `cursor` of an earlier call: only what became sendable since. */
  since?: string | null;
  /** Sending time (UTC seconds): events over 7 days older are left out (`too_old`). */
  now?: number | null;
  /** 1 to 1000; default 1000. */
  batch_size?: number | null;
}

/** One event of a Conversions API request's `data`. */
export interface CapiEvent {
  event_name: CapiEventName;
  event_time: number;
  event_id: string;
  action_source: "business_messaging";
  messaging_channel: "whatsapp";
  user_data: { whatsapp_business_account_id: string; ctwa_clid: string };
  /** Present when the event has a value (always for `Purchase`). */
  custom_data?: { value: number; currency: CurrencyCode };
}

/** What `engine.capiEvents` returns. */
export interface CapiEvents {
  /** Request bodies of at most 1,000 events. */
  batches: Array<{ data: CapiEvent[] }>;
  /** Left out, by reason: `not_mapped`, `no_click_id`, `too_late`, `no_value`, `no_account`, `too_old`. */
  ineligible: Record<string, number>;
  /** Pass as `since` next time. */
  cursor: string;
}

/** What `engine.forget` removed. */
export interface ForgetOutcome {
  found: boolean;
  identifiers: number;
  messages: number;
  external_events: number;
  closes: number;
  clicks: number;
}

/** The configuration as `engine.config()` returns it: every key present, defaults filled
 * in, and a rate card given as a path already read. */
export interface ResolvedConfig {
  time_zone: string;
  currency: CurrencyCode;
  conversion_event: string | null;
  events: Array<Required<EventDef>>;
  attribution: Required<AttributionConfig>;
  sources: Array<Required<SourceRule>>;
  source_names: Record<string, string>;
  funnels: FunnelDef[];
  rate_card: RateRow[] | null;
  pricing_timeline: TimelineEntry[];
  markets: MarketOverride[];
  inactivity_timeout_hours: number;
  quota: number | null;
  external_events: string[];
  lateness_days: number;
  capi: { events: Record<string, CapiEventName>; whatsapp_business_account_id: string | null };
  pseudonymise: { secret_env: string } | null;
}

/** What to report on (`ReportOptions`); every key is optional. Use either `last` or
 * `start`/`end`. The names are Python's keywords too; `from`/`to` and `tz` are accepted as
 * aliases of `start`/`end` and `time_zone`. */
export interface ReportOptions {
  /** First day, inclusive (report time zone). */
  start?: IsoDate | null;
  /** Last day, exclusive. */
  end?: IsoDate | null;
  /** Alias of `start`. */
  from?: IsoDate | null;
  /** Alias of `end`. */
  to?: IsoDate | null;
  /** `7d`, `14d`, `30d`, `6m`, `12m` (any `Nd`, `Nw`, `Nm`, `Ny`) ending at the last day
   * with a message (inbound or outbound; a later status or spend does not count). */
  last?: string | null;
  /** Only this business number (`phone_number_id`). */
  phone?: string | null;
  /** Override the config's time zone (IANA name). */
  time_zone?: string | null;
  /** Alias of `time_zone`. */
  tz?: string | null;
  /** Override the config's attribution model. */
  model?: ModelName | null;
  /** Every attribution model side by side (`attribution.comparison`). */
  compare_models?: boolean;
  /** Also the previous period of equal length and every figure's change (`compare`). */
  compare?: boolean;
  /** The conversion event of this report (a configured messaging event or an external
   * event name), overriding the config's `conversion_event`. */
  conversion_event?: string | null;
  /** Alias of `conversion_event`. */
  conversionEvent?: string | null;
}

/** A table of `Engine.tables` (every list and keyed map of a report, by the core's rule:
 * what `report --csv` writes) or `Engine.rows` (`charges`, `conversations`, `contacts`). */
export interface Table {
  /** The CSV file's stem (`billing_cost_by_day`). */
  name: string;
  /** Where it is in the report: keys joined by `.`, `[]` after a list whose rows hold it
   * (`usage.months[].by_country`); a row-level table's name. */
  path: string;
  /** Column names, in order. */
  columns: string[];
  /** One object per row, column name → value (numbers, text, booleans, null). */
  rows: Record<string, unknown>[];
}

/** Which users `exportContacts` writes (`sources::ContactFilter`): a source key, an event
 * name (messaging or external), or both. */
export interface ContactFilter {
  source?: string | null;
  event?: string | null;
}

// --- ingestion --------------------------------------------------------------------------

/** What one `ingest` call did (`IngestOutcome`). */
export interface IngestOutcome {
  ingested: number;
  duplicates: number;
  /** Items accepted but not used, with reasons (`field:account_update`, ...). */
  ignored: string[];
}

/** Kinds of parse errors (`ParseErrorKind`). */
export type ParseErrorKind =
  | "syntax"
  | "truncated"
  | "utf8"
  | "schema"
  | "value"
  | "unknown_record"
  | "too_long"
  | "empty";

/** A line that could not be ingested (an entry of `StreamOutcome.errors`). */
export interface ParseErrorInfo {
  kind: ParseErrorKind;
  /** 1-based line within the text given to `ingestJsonl`. */
  line: number;
  /** 1-based column, 0 when unknown. */
  column: number;
  /** JSON path of the offending field (`""` for the document itself). */
  field: string;
  message: string;
}

/** What one `ingestJsonl` call did (`StreamOutcome`). */
export interface StreamOutcome {
  /** Lines read, blank lines included. */
  lines: number;
  outcome: IngestOutcome;
  errors: ParseErrorInfo[];
}

/** What one `expire()` did, or with `expired()` every expiry so far (`ExpiryOutcome`). */
export interface ExpiryOutcome {
  /** Days before this one (engine time zone) are sealed; `null` while none is. */
  sealed_until: IsoDate | null;
  /** Users whose history was cut. */
  users: number;
  /** Messages dropped. */
  messages: number;
  /** External events dropped. */
  external_events: number;
  /** Close records dropped. */
  closes: number;
}

/** Can the business send free-form now, and until when (`billing::WindowState`)? */
export interface WindowState {
  /** The customer service window is open: free-form messages may be sent — not
   * necessarily for free (see `charged`). */
  open: boolean;
  /** Open, and a free-form message delivered now costs nothing (service messages free
   * under the rules in force, or a free entry point window is open). */
  free: boolean;
  /** Open, and a free-form message delivered now is charged at the service rate (from
   * 2026-10-01 by default, outside a free entry point window). */
  charged: boolean;
  /** When the customer service window closes (or last closed); `null` if the user never wrote. */
  until: UnixSeconds | null;
  /** The user's latest message at or before the instant. */
  last_inbound: UnixSeconds | null;
  /** A free entry point window is open until then: every message delivered before it is free. */
  free_entry_until: UnixSeconds | null;
  /** A reply delivered before this instant opens a free entry point window. */
  free_entry_reply_by: UnixSeconds | null;
}

// --- errors -----------------------------------------------------------------------------

/**
 * Base class of every error the package throws (besides `TypeError` for a JS value of the
 * wrong type): `err instanceof ConvolensError`. Exported by the package, with its
 * subclasses.
 */
export class ConvolensError extends Error {
  constructor(message?: string);
}

/** Thrown by `ingest` for a document that cannot be ingested. */
export class ParseError extends ConvolensError {
  name: "ParseError";
  kind: ParseErrorKind;
  line: number;
  column: number;
  field: string;
}

/** Thrown by the constructor (and by `report` when the configuration cannot be used). */
export class ConfigError extends ConvolensError {
  name: "ConfigError";
  /** The offending key (`attribution.lookback_days`). */
  key: string;
}

/**
 * Thrown by `report` and `exportContacts` for options that cannot be used (`expired`: the
 * range starts in sealed days with an option they cannot answer), and by `expire` for a
 * data-driven model (`unsupported`).
 */
export class ReportError extends ConvolensError {
  name: "ReportError";
  kind: "range" | "option" | "unsupported" | "write" | "expired";
  /** The offending option, for `kind: "option"` (else `""`). */
  option: string;
}

/** Thrown by `Engine.restore` for bytes that are not a valid snapshot. */
export class SnapshotError extends ConvolensError {
  name: "SnapshotError";
  kind: "bad_magic" | "newer_version" | "corrupt" | "needs_secret" | "wrong_secret";
}
// --- configuration and report (generated) ------------------------------------------------

// @generated-begin schema (tools/gen-types.py from schema/*.schema.json; do not edit)
/** An attribution model. */
export type ModelName = "last_touch" | "first_touch" | "linear" | "time_decay" | "position_based" | "markov" | "shapley";

/** How external events are attributed. */
export interface AttributionConfig {
  /** Half-life of the time-decay model, in days. Default 7. */
  half_life_days?: number;
  /**
   * Conversations that started at most this many days before the event are candidates.
   * Default 7 (Meta's CTWA click window).
   */
  lookback_days?: number;
  /** The model. Default `last_touch`. */
  model?: ModelName;
  /** Position-based weights: first, middle (shared), last. Default `[0.4, 0.2, 0.4]`. */
  position_weights?: [number, number, number];
}

/** An event name of Meta's Conversions API for Business Messaging. */
export type CapiEventName = "LeadSubmitted" | "Purchase" | "AddToCart" | "InitiateCheckout" | "ViewContent";

/**
 * The Conversions API for Business Messaging (see `convolens::attribution::capi`).
 *
 * ```json
 * {"capi": {"events": {"purchase": "Purchase", "interested": "LeadSubmitted"},
 *           "whatsapp_business_account_id": "102290129340398"}}
 * ```
 */
export interface CapiConfig {
  /**
   * Our event name (an external event's `name`, or a messaging event of `events`) →
   * Meta's event name. Events not named here are not sent (counted as `not_mapped`).
   */
  events?: Record<string, CapiEventName>;
  /**
   * The WhatsApp Business Account for business numbers whose webhooks never named one
   * (`entry[].id`); a number's own account, when seen, wins.
   */
  whatsapp_business_account_id?: string | null;
}

/** A three-letter ISO 4217 currency code (`"EUR"`). */
export type CurrencyCode = string;

/** What a messaging event matches. */
export type MessagingEventKind = "button_reply" | "list_reply" | "text_reply";

/** How a pattern matches text (case-insensitive unless `case_sensitive`). */
export type MatchKind = "exact" | "prefix" | "contains" | "regex";

/** A messaging event: a named pattern on inbound messages. */
export interface EventDef {
  /** The event's name (used by `conversion_event` and funnels). */
  name: string;
  /** What kind of message it matches. */
  kind: MessagingEventKind;
  /** The pattern, compared with the id/payload and the title/text of replies, or the text. */
  pattern: string;
  /** How to match. Default `exact` (case-insensitive). */
  match?: MatchKind;
}

/** A funnel: an ordered list of event names. */
export interface FunnelDef {
  /** The funnel's name. */
  name: string;
  /** Event names (messaging or external), in order. */
  steps: string[];
}

/** A dated country→market override. */
export interface MarketOverride {
  /** ISO 3166 alpha-2 country code. */
  country: string;
  /** Market name. */
  market: string;
  /** First day the override applies. */
  effective_from: IsoDate;
}

/** Meta's pricing model, from `pricing.pricing_model`. */
export type PricingModel = "CBP" | "PMP";

/**
 * Pseudonymisation: keep a keyed hash of every `wa_id` and BSUID instead of the
 * identifier (see `convolens::Engine::with_secret`).
 *
 * The secret itself is never in the config (nor in snapshots): `secret_env` names the
 * environment variable the program or binding reads it from, and the engine receives
 * it through `convolens::Engine::with_secret`.
 */
export interface Pseudonymise {
  /** The environment variable that holds the secret key. */
  secret_env: string;
}

/**
 * One rate: the price of one charged unit (a CBP conversation or a PMP message) of a
 * category in a market, from a date on, optionally for one volume-tier band.
 */
export interface RateRow {
  /** Market name (`north_america`, `India`, `Rest of Africa`, ...). */
  market: string;
  /**
   * Category (`marketing`, `marketing_lite`, `utility`, `authentication`,
   * `authentication_international`, `service`).
   */
  category: string;
  /** Price in major units, stored as micro-units. */
  price: number | string;
  /** Currency of the price. */
  currency: CurrencyCode;
  /** First day the price applies (business time zone). */
  effective_from: IsoDate;
  /** First charged message of the month in this band (1 = the first). Default 1. */
  tier_from?: number | null;
  /** Last charged message of the month in this band (inclusive). Default: no end. */
  tier_to?: number | null;
  /**
   * What one `price` buys: `message` (default) or, for `meta_business_agent` rows only
   * and required there, `token`, `1k_tokens` or `1m_tokens`.
   */
  unit?: string | null;
}

/** A rate card in the config: an inline list, or a path for the caller to resolve. */
export type RateCardSpec = string | RateRow[];

/**
 * What a timeline entry changes: each rule it names, the others untouched. The JSON keys are
 * the field names of `Rules`.
 */
export interface RulePatch {
  /** See `Rules::business_agent_charged`. */
  business_agent_charged?: boolean | null;
  /** See `Rules::conversation_hours`. */
  conversation_hours?: number | null;
  /** See `Rules::free_entry_hours`. */
  free_entry_hours?: number | null;
  /** See `Rules::free_entry_reply_hours`. */
  free_entry_reply_hours?: number | null;
  /** See `Rules::model` (`"CBP"` or `"PMP"`). */
  model?: PricingModel | null;
  /** See `Rules::service_free`. */
  service_free?: boolean | null;
  /** See `Rules::service_free_tier`. */
  service_free_tier?: number | null;
  /** See `Rules::service_window_hours`. */
  service_window_hours?: number | null;
  /** See `Rules::utility_free_in_service_window`. */
  utility_free_in_service_window?: boolean | null;
  /** See `Rules::volume_tiers`. */
  volume_tiers?: boolean | null;
}

/**
 * A custom incoming source: the first inbound text of a conversation matching `pattern`
 * (e.g. a wa.me prefilled text or a QR code ref) opens a conversation of this source.
 */
export interface SourceRule {
  /** The source key reported (`qr:billboard-a`). */
  key: string;
  /** The pattern. */
  pattern: string;
  /** Match case-sensitively. Default false. */
  case_sensitive?: boolean;
  /** How to match. */
  match?: MatchKind;
  /** Display name. */
  name?: string | null;
}

/**
 * A `pricing_timeline` entry of the config: changes a built-in entry (by `name`) or adds one.
 *
 * ```json
 * {"name": "service_charged_2026_10", "enabled": false}
 * {"name": "meta_2027_01", "effective_from": "2027-01-01", "set": {"volume_tiers": false}}
 * ```
 */
export interface TimelineEntry {
  /** First day the entry applies (business time zone). Required for a new entry. */
  effective_from?: IsoDate | null;
  /**
   * Whether the entry applies. Default: true for a new entry and for a built-in entry the
   * config names, unless given.
   */
  enabled?: boolean | null;
  /** A built-in entry's name to change it, or a name for a new entry (optional). */
  name?: string | null;
  /** The rules it sets. Required for a new entry; replaces a built-in entry's. */
  set?: RulePatch | null;
}

/** Engine and report configuration. Every field has a default; `{}` is a valid config. */
export interface Config {
  /** Attribution of external events to conversations (semantics §4). */
  attribution?: AttributionConfig;
  /**
   * Meta's Conversions API for Business Messaging: which events to send under which
   * name (see `convolens::attribution::capi`).
   */
  capi?: CapiConfig;
  /**
   * The conversion event that makes a conversation a lead: an external event name
   * (`purchase`), or the name of a messaging event in `events`. Default: chosen in the
   * order external event, button reply, list reply, text reply (semantics §4).
   */
  conversion_event?: string | null;
  /**
   * The report currency: money in it is summed, money in another currency is left out
   * (and said so in the report's `warnings`); also the currency of records that do not
   * name one. Default: the rate card's currency, else the single currency of the money
   * records (external event values and spend), else the most frequent of them; records
   * without a currency are then read as USD. See `Config::report_currency`.
   */
  currency?: CurrencyCode | null;
  /** Messaging events: patterns on inbound messages (semantics §4). */
  events?: EventDef[];
  /**
   * Names of custom external events (besides `purchase` and `subscription`) that funnel
   * steps may name. A funnel step must name a messaging event of `events`, `purchase`,
   * `subscription`, the `conversion_event` or one of these, so a misspelt step is an
   * error rather than a funnel nobody ever reaches.
   */
  external_events?: string[];
  /** Funnels: ordered event names, reported per source. */
  funnels?: FunnelDef[];
  /** Analytic conversations end after this many hours without messages. Default 24. */
  inactivity_timeout_hours?: number;
  /** How late (in days) input may arrive and still be placed in order. Default 7. */
  lateness_days?: number;
  /** Dated country→market overrides on top of Meta's table. */
  markets?: MarketOverride[];
  /**
   * Edits of the pricing timeline: switch a built-in entry on or off, move it, or add
   * Meta's next change (see `convolens::model::pricing`).
   */
  pricing_timeline?: TimelineEntry[];
  /**
   * Keep keyed hashes of user identifiers instead of the identifiers, and no names or
   * message text (see `convolens::Engine::with_secret`). Default off.
   */
  pseudonymise?: Pseudonymise | null;
  /**
   * Monthly quota of billable units (CBP conversations, PMP charged messages) for the
   * `usage` section (seed 004).
   */
  quota?: number | null;
  /**
   * Rate card: an inline list of rates, or a path the caller resolves
   * (see `Config::resolve_rate_card`).
   */
  rate_card?: RateCardSpec | null;
  /** Display names for source keys (`{"meta_ad:123": "Summer sale"}`). */
  source_names?: Record<string, string>;
  /** Custom incoming source rules on the first inbound text (wa.me prefilled text, QR refs). */
  sources?: SourceRule[];
  /** IANA time zone for calendar days, weekdays and hours in reports. Default `"UTC"`. */
  time_zone?: string;
}

/** Meta Business Agent messages over the range (delivered ones). */
export interface AgentSummary {
  /** Delivered agent messages. */
  delivered: number;
  /** Of those, charged (from 2026-08-01 with the default timeline). */
  charged: number;
  /** Tokens of the delivered ones whose count is known. */
  tokens: number;
  /** Delivered ones whose token count is not known. */
  without_tokens: number;
  /** Charged ones priced from Meta's `pricing` object. */
  priced_by_meta: number;
  /** Charged ones priced as tokens × the rate card's per-token rate. */
  priced_by_tokens: number;
  /** Charged ones without a price (cost zero; the report warns). */
  unpriced: number;
  /** Of the unpriced, those Meta priced in a currency other than the report's. */
  other_currency: number;
  /** Their cost. */
  cost: number;
}

/** What one model credits one source. */
export interface ModelCredit {
  /** The model. */
  model: ModelName;
  /** Attributed count. */
  conversions: number;
  /** Attributed value (micro-units in Rust, major units in JSON). */
  revenue: number;
}

/** Every model's credit for one source (`report --compare-models`). */
export interface ComparisonRow {
  /** The source key. */
  key: string;
  /** Display name. */
  name: string;
  /** One entry per model that could be computed, in `ModelName::ALL` order. */
  models: ModelCredit[];
}

/** What kind of event the conversion event is. */
export type EventKind = "external" | "button_reply" | "list_reply" | "text_reply";

/** The event that makes a conversation a lead. */
export interface ConversionEvent {
  /**
   * The event's name; `null` for "any external event" (the default when external
   * events exist and none is configured).
   */
  name: string | null;
  /** External or which messaging kind. */
  kind: EventKind;
}

/** The attribution summary: what was attributed, and what could not be. */
export interface AttributionSummary {
  /** The model the `sources` rows use. */
  model: ModelName;
  /** The lookback window, in days. */
  lookback_days: number;
  /** The conversion event in effect (`null`: none, so no leads). */
  conversion_event: ConversionEvent | null;
  /** The currency of every amount. */
  currency: CurrencyCode;
  /** Attributed events in the range. */
  events: number;
  /** Their value. */
  value: number;
  /** Of those, events credited to some conversation. */
  attributed_events: number;
  /** Their value. */
  attributed_value: number;
  /** Events with no conversation in the lookback window. */
  unattributed_events: number;
  /** Their value. */
  unattributed_value: number;
  /**
   * Events in the range and spend records (on their first day in the range) whose
   * amounts were in another currency and were left out of the money figures (the
   * report's `warnings` say how much).
   */
  other_currency: number;
  /** Every model side by side, when asked for. */
  comparison?: ComparisonRow[];
  /** Models the comparison could not compute, with the reason. */
  comparison_errors?: Record<string, string>;
}

/** First-response times of one author kind. */
export interface AuthorResponse {
  /** Conversations this kind answered first. */
  answered: number;
  /** Median seconds. */
  median_s: number | null;
  /** 90th percentile. */
  p90_s: number | null;
}

/** Counts by priced category. */
export interface CategoryCounts {
  /** Marketing. */
  marketing: number;
  /** Utility. */
  utility: number;
  /** Authentication. */
  authentication: number;
  /** Service (free-form; charged from 2026-10-01 with the default timeline). */
  service: number;
  /** Meta Business Agent (charged from 2026-08-01 with the default timeline). */
  meta_business_agent: number;
}

/** Conversations opened, by kind. */
export interface ConversationCounts {
  /** Marketing (CBP). */
  marketing: number;
  /** Utility (CBP). */
  utility: number;
  /** Authentication (CBP). */
  authentication: number;
  /** Service (CBP). */
  service: number;
  /** Free entry point windows (both models). */
  free_entry_point: number;
}

/** What billing cost over the range. */
export interface CostSection {
  /** Total. */
  total: number;
  /** The rate card's currency. */
  currency: CurrencyCode;
  /** By priced category. */
  by_category: Record<string, number>;
  /** By recipient country (`unknown` when not known). */
  by_country: Record<string, number>;
  /** By delivery day (every day of the range). */
  by_day: Record<string, number>;
  /** Charged units the rate card has no rate for. */
  unpriced: number;
  /** The unpriced units by category, then market (only those with any). */
  unpriced_by_category: Record<string, Record<string, number>>;
}

/** Free delivered messages by reason. */
export interface FreeCounts {
  /** PMP: utility templates inside the customer service window. */
  service_window: number;
  /** Inside a free entry point window. */
  free_entry_point: number;
  /** PMP: free-form messages. */
  free_form: number;
  /** CBP: in a free service conversation. */
  free_service: number;
  /** Meta Business Agent messages delivered before Meta billed them (2026-08-01). */
  meta_business_agent: number;
}

/** The pricing model over a range of days. */
export type ModelSpan = "CBP" | "PMP" | "mixed";

/** One side of a comparison. */
export interface BillingView {
  /** Pricing model. */
  model: PricingModel | null;
  /** Category (see the module rules for which). */
  category: string | null;
  /** Billable. */
  billable: boolean | null;
  /**
   * The kind of the conversation the message is in (`referral_conversion` for a free
   * entry point).
   */
  conversation: string | null;
  /** Meta's conversation id. */
  conversation_id?: string;
}

/** A message where the engine and Meta disagree. */
export interface Mismatch {
  /** The message id. */
  message_id: string;
  /** The user (`wa_id`, else BSUID). */
  user: string;
  /** The business number. */
  phone: string;
  /** Delivery instant (UTC seconds). */
  delivered_at: number;
  /** What differs: `model`, `category`, `billable`, `conversation`. */
  fields: string[];
  /** The engine's prediction. */
  engine: BillingView;
  /** What Meta said. */
  meta: BillingView;
}

/** Engine vs Meta. */
export interface Reconciliation {
  /** Messages whose statuses carried Meta's `pricing` or `conversation`. */
  checked: number;
  /** Of those, how many disagree. */
  mismatched: number;
  /** Disagreements by field (`model`, `category`, `billable`, `conversation`). */
  by_field: Record<string, number>;
  /** Every disagreeing message, in delivery order. */
  mismatches: Mismatch[];
}

/**
 * Whether service messages are charged over a range of days (`Timeline::service_span`).
 * Under CBP "service" means service conversations, under PMP free-form messages.
 */
export type ServiceSpan = "free" | "charged" | "mixed";

/** The `billing` section. */
export interface BillingSection {
  /** The pricing model over the range. */
  model: ModelSpan;
  /**
   * Whether service (free-form) messages are charged over the range: `free`, `charged`
   * (from 2026-10-01 with the default timeline) or `mixed`.
   */
  service: ServiceSpan;
  /** Conversations opened. */
  conversations: ConversationCounts;
  /** PMP messages charged. */
  charged_messages: CategoryCounts;
  /** Free messages by reason. */
  free_messages: FreeCounts;
  /** CBP free-tier service conversations (billable, cost zero). */
  free_tier_conversations: number;
  /** Meta Business Agent messages on their own. */
  meta_business_agent: AgentSummary;
  /** Cost. */
  cost: CostSection;
  /** Paid units by local weekday of delivery (rows, Monday first) and hour (columns). */
  heatmap: [[number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number]];
  /** Engine vs Meta. */
  reconciliation: Reconciliation;
}

/** One button of a template row. */
export interface ButtonRow {
  /** The button text. */
  text: string;
  /** `quick_reply`, `url` or `other`. */
  type: "quick_reply" | "url" | "other";
  /** Clicks (presses or URL clicks). */
  clicks: number;
  /** Clicks ÷ delivered messages of the row. */
  ctr: number | null;
}

/** One figure in both periods. */
export interface Figure {
  /**
   * `overall`, `billing`, `sources`, `events`, `templates`, `campaigns` or
   * `engagement`.
   */
  section: "overall" | "billing" | "sources" | "events" | "templates" | "campaigns" | "engagement";
  /** The row (source key, event or template name) in row sections, else `null`. */
  row: string | null;
  /** The field's JSON name (dotted inside nested objects: `cost.total`). */
  figure: string;
  /** Its value in the previous period (a number, or `null`). */
  previous: number | null;
  /** Its value in the current period. */
  current: number | null;
  /** `current − previous` (`null` when either is `null`). */
  change: number | null;
  /** `change ÷ |previous| × 100` (`null` when `previous` is zero or `null`). */
  change_pct: number | null;
}

/** The reported range. */
export interface RangeInfo {
  /** First day, inclusive. */
  from: IsoDate;
  /** Last day, exclusive. */
  to: IsoDate;
  /** Number of days. */
  days: number;
  /** The time zone the days are in. */
  time_zone: string;
  /** The business number reported on, if restricted. */
  phone: string | null;
}

/** The previous period and the change of each figure. */
export interface Comparison {
  /** The previous period. */
  previous_range: RangeInfo;
  /** Every figure of the compared sections, in section order. */
  figures: Figure[];
}

/** Active users on one day. */
export interface DailyActive {
  /** The day. */
  date: IsoDate;
  /** Distinct users who sent a message that day. */
  users: number;
  /** Of those, users whose first message ever was that day. */
  new: number;
  /** Of those, users who had written before (`users − new`). */
  returning: number;
}

/** Message volumes on one day. */
export interface DailyVolume {
  /** The day. */
  date: IsoDate;
  /** Business messages sent that day, delivered or not (Turn.io's "sent"). */
  sent: number;
  /** Of those, delivered. */
  delivered: number;
  /** Users' messages received that day. */
  received: number;
}

/** First-response times of the support conversations opened in a range. */
export interface ResponseTime {
  /** Conversations users opened in the range (reopens by a user's message included). */
  conversations: number;
  /** Of those, answered. */
  answered: number;
  /** Median seconds to the first reply. */
  first_response_median_s: number | null;
  /** 90th percentile of seconds to the first reply. */
  first_response_p90_s: number | null;
  /** The same by the reply's author kind. */
  by_author: Record<string, AuthorResponse>;
}

/** Support conversation counts over a range. */
export interface Support {
  /** Openings in the range, reopens included. */
  opened: number;
  /** Closes in the range. */
  closed: number;
  /** Openings that followed a close. */
  reopened: number;
  /** Of those, reopened by an agent's reopen record. */
  reopened_manually: number;
  /** Conversations open at the end of the range. */
  open_at_end: number;
}

/** One author's count. */
export interface TopAuthor {
  /** Author kind. */
  kind: string;
  /** Author id. */
  id: string;
  /** Delivered messages. */
  messages: number;
}

/** The engagement section (Turn.io's Insights): see `super` for every rule. */
export interface Engagement {
  /** Distinct users who sent at least one message in the range. */
  active_users: number;
  /** Of those, users whose first message ever is in the range. */
  new_users: number;
  /** Of those, users who had written before the range. */
  returning_users: number;
  /** Distinct active users per day, every day of the range. */
  daily_active: DailyActive[];
  /** Active users by country (ISO 3166 code, or `unknown`). */
  countries: Record<string, number>;
  /** Users' messages received. */
  messages_received: number;
  /** Business messages sent, delivered or not. */
  messages_sent: number;
  /** Of those, delivered. */
  messages_delivered: number;
  /** Messages received ÷ Σ daily active users. */
  avg_received_per_user_per_day: number | null;
  /** Users' messages by local weekday (rows, Monday first) and hour (columns, 0–23). */
  heatmap: [[number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number], [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number]];
  /** Sent and received messages per day, every day of the range. */
  daily_volume: DailyVolume[];
  /** Support conversations. */
  support: Support;
  /** Delivered business messages by author kind. */
  authors: Record<string, number>;
  /** The authors with most delivered messages. */
  top_authors: TopAuthor[];
  /** First-response times of the support conversations opened in the range. */
  response_time: ResponseTime;
}

/** One row of the events view. */
export interface EventRow {
  /** The event's name. */
  name: string;
  /** `button_reply`, `list_reply`, `text_reply` or `external`. */
  kind: EventKind;
  /** Occurrences in the range. */
  occurrences: number;
  /** Distinct users. */
  users: number;
  /** Distinct conversations they happened in. */
  conversations: number;
  /**
   * External events: their value in the report currency (micro-units in Rust, major
   * units in JSON); `null` for messaging events.
   */
  value: number | null;
  /** Occurrences per source key of the conversation they happened in. */
  by_source: Record<string, number>;
}

/** One step of a funnel, for one source. */
export interface FunnelStep {
  /** The step's event name. */
  event: string;
  /** Conversations that reached this step (and every step before it, in order). */
  reached: number;
  /**
   * Conversations that reached the step before (or, for the first step, all
   * conversations) but not this one.
   */
  drop_off: number;
}

/** A configured funnel, for one source. */
export interface FunnelRow {
  /** The funnel's name. */
  name: string;
  /** Distinct users who reached its first step in the source's conversations. */
  users_started: number;
  /** Distinct users who reached its last step in them. */
  users_completed: number;
  /** Its steps, in order. */
  steps: FunnelStep[];
}

/**
 * Counts of what ingestion saw, over the engine's whole life.
 *
 * **Every item counts once.** An item is an inbound message, a status, a record, or a
 * part of a payload that carries none of those (a change of another `field`, a
 * `messages` change with neither messages nor statuses, an entry without changes, a
 * payload without entries, an empty array): each is `ingested`, a `duplicate` or
 * `ignored`; a document that fails counts once in `errors`. Profiles (`contacts`) ride
 * along with their payload and are not items. So with one item per line — JSONL of
 * records, webhooks carrying one message or status each — `lines = ingested +
 * duplicates + ignored + errors`; blank lines and the extra lines of a pretty-printed
 * document count in `lines` only, and a payload with several messages counts each.
 */
export interface InputStats {
  /**
   * Lines offered: every line of a stream (blank ones included), or one per document
   * given to `convolens::Engine::ingest`.
   */
  lines: number;
  /** Items applied for the first time. */
  ingested: number;
  /** Items already seen. */
  duplicates: number;
  /**
   * Items accepted but not used (other webhook fields, ...), by reason in
   * `ignored_reasons`.
   */
  ignored: number;
  /** Documents rejected with an error. */
  errors: number;
  /**
   * Facts (message ids, statuses, records) that arrived in more than one version: the
   * conflict rule of `convolens::store` kept one. Counted once per fact, in any order.
   */
  conflicts: number;
  /** Unique inbound messages per type. */
  messages: Record<string, number>;
  /** Unique statuses per kind. */
  statuses: Record<string, number>;
  /** Unique records per type (`outbound`, `external_event`, `spend`, `close`, `click`). */
  records: Record<string, number>;
  /** Ignored items per reason (`field:account_update`, ...). */
  ignored_reasons: Record<string, number>;
}

/** The overall results: every source together, each conversation counted once. */
export interface Overall {
  /** Conversations started in the range. */
  conversations: number;
  /** Of those, leads. */
  leads: number;
  /** leads / conversations. */
  conversion_rate: number | null;
  /** Conversions those conversations led to. */
  conversions: number;
  /** Spend counted in the range (micro-units in Rust, major units in JSON). */
  invested: number;
  /** invested / leads, in major units. */
  conversion_cost: number | null;
  /** Revenue those conversations led to; `null` with a messaging conversion event. */
  revenue: number | null;
  /** revenue / invested. */
  roas: number | null;
}

/** Who started a source's conversations. */
export type SourceDirection = "incoming" | "outgoing";

/**
 * The kind of a source (semantics §3). Incoming custom rules and outgoing notification
 * templates are both `custom`; `SourceDirection` tells them apart.
 */
export type SourceKind = "meta_ad" | "meta_post" | "custom" | "campaign" | "meta_campaign" | "direct";

/** One source over the report range (semantics §4). */
export interface SourceRow {
  /** The source key (`meta_ad:120`, `campaign:spring`, `qr:shop`, `direct`). */
  key: string;
  /** Display name. */
  name: string;
  /** Kind (`meta_ad`, `meta_post`, `meta_campaign`, `custom`, `campaign`, `direct`). */
  kind: SourceKind;
  /** `incoming` or `outgoing`. */
  direction: SourceDirection;
  /** Conversations started in the range. */
  conversations: number;
  /** Of those, the ones where the conversion event happened. */
  leads: number;
  /** leads / conversations (`null` without conversations). */
  conversion_rate: number | null;
  /** Spend on the range's days (micro-units in Rust, major units in JSON). */
  invested: number;
  /** invested / leads, in major units (`null` without leads). */
  conversion_cost: number | null;
  /**
   * Attributed value of the conversion events its conversations led to (micro-units in
   * Rust, major units in JSON); `null` when the conversion event is a messaging event.
   */
  revenue: number | null;
  /** revenue / invested (`null` without spend or revenue). */
  roas: number | null;
  /**
   * Conversions its conversations led to: the attributed count of an external
   * conversion event (fractional under multi-touch models), or the occurrences of a
   * messaging one.
   */
  conversions: number;
  /** Configured funnels (absent when none are configured). */
  funnel?: FunnelRow[];
}

/** One template's (or campaign's) row of the report. */
export interface TemplateRow {
  /** Template name (or campaign name in `campaigns`). */
  name: string;
  /** `marketing`, `utility`, `authentication`, ..., or `mixed`. */
  category: string;
  /** Messages sent in the range. */
  sent: number;
  /** Of those, delivered. */
  delivered: number;
  /** Of those, read. */
  read: number;
  /** Of those, replied to. */
  replied: number;
  /** Button clicks: quick-reply presses plus URL clicks. */
  clicks: number;
  /** URL clicks only. */
  url_clicks: number;
  /** Clicks ÷ delivered. */
  ctr: number | null;
  /** Per button. */
  buttons: ButtonRow[];
  /**
   * What the delivered messages cost (major units of the config currency); filled by the
   * billing engine (`TemplateMoney`); `null` without it.
   */
  cost: number | null;
  /** Cost ÷ delivered. */
  cost_per_delivered: number | null;
  /** Cost ÷ URL clicks. */
  cost_per_click: number | null;
  /**
   * External events attributed through the messages' conversations (fractional under
   * multi-touch models), filled by `TemplateMoney`; `null` without it.
   */
  conversions: number | null;
  /** Their attributed value. */
  conversion_value: number | null;
  /** Failed messages by error code. */
  failed: Record<string, number>;
}

/** Sent, delivered and billable counts. */
export interface UsageCounts {
  /** Business messages sent, delivered or not. */
  sent: number;
  /** Delivered. */
  delivered: number;
  /** Billable units. */
  billable: number;
}

/** One calendar month of usage. */
export interface UsageMonth {
  /** `YYYY-MM`. */
  month: string;
  /** The range covers only part of the month. */
  partial: boolean;
  /** Business messages sent, delivered or not. */
  sent: number;
  /** Delivered. */
  delivered: number;
  /** Billable units (CBP conversations, PMP charged messages). */
  billable: number;
  /** By recipient country. */
  by_country: Record<string, UsageCounts>;
  /** By category. */
  by_category: Record<string, UsageCounts>;
  /** The configured monthly quota. */
  quota?: number;
  /** `quota − billable`. */
  quota_left?: number;
  /** `billable / quota` (absent without a quota or for a zero quota). */
  quota_used?: number;
}

/** The `usage` section. */
export interface UsageSection {
  /** The configured monthly quota. */
  quota: number | null;
  /** One row per calendar month. */
  months: UsageMonth[];
}

/**
 * A full report: every section, plus `compare` when the options ask for the previous
 * period (absent otherwise).
 */
export interface Report {
  /** The range reported on. */
  range: RangeInfo;
  /**
   * Every source together, each conversation counted once (semantics §4): see
   * `convolens::attribution`.
   */
  overall: Overall;
  /** Ingestion counts (over the engine's life). */
  input: InputStats;
  /** What Meta charges for business messages (semantics §2). */
  billing: BillingSection;
  /** Monthly usage against the quota (semantics §2, seed 004). */
  usage: UsageSection;
  /** One row per source (semantics §3, §4): see `convolens::sources`. */
  sources: SourceRow[];
  /**
   * One row per messaging event and external event name (semantics §4): see
   * `convolens::sources::events`.
   */
  events: EventRow[];
  /** What was attributed and how (see `convolens::attribution`). */
  attribution: AttributionSummary;
  /** Engagement: active users, volumes, support, authorship (semantics §5). */
  engagement: Engagement;
  /** Per-template funnels (semantics §5). */
  templates: TemplateRow[];
  /** Per-campaign funnels (semantics §5). */
  campaigns: TemplateRow[];
  /**
   * What the report left out or could not price, in plain words (empty when nothing):
   * e.g. charged units without a rate, Meta Business Agent messages without a price,
   * money in another currency, spend that names no number in a report on one.
   */
  warnings: string[];
  /** The previous period and the change, when asked for. */
  compare?: Comparison;
}
// @generated-end schema
