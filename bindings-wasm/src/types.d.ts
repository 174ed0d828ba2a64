// ---------------------------------------------------------------------------------------
// convolens types: the JSON shapes of the core's serde types (`Config`, `ReportOptions`,
// `Report`, ingestion outcomes, windows and errors). Appended to the generated
// `convolens.d.ts` (both builds).
//
// Each interface is named after the Rust type it mirrors (core/src/...), field for field
// and in the same order. Rust `Option<T>` is `T | null`; a field serde skips when empty or
// `None` is optional (`?`); maps (`BTreeMap<String, T>`) are `Record<string, T>`; dates
// (`NaiveDate`) are `IsoDate` strings; instants are UTC seconds; money is a decimal number
// in major units. bindings-wasm/tests/types.test.js runs `tsc --noEmit --strict` over a
// usage file and over the example data's real report and config written as typed object
// literals (checked for missing and excess keys), so a field the core adds, drops or
// renames without the same change here fails the tests.
// ---------------------------------------------------------------------------------------

/** A calendar day, `YYYY-MM-DD`. */
export type IsoDate = string;

/** A calendar month, `YYYY-MM`. */
export type IsoMonth = string;

/** A three-letter ISO 4217 currency code (`"EUR"`). */
export type CurrencyCode = string;

/** UTC seconds since the Unix epoch. */
export type UnixSeconds = number;

// --- configuration (core/src/config.rs and the feature modules' config types) ----------

/** Attribution models (semantics §4; `attribution::ModelName`). */
export type ModelName =
  | "last_touch"
  | "first_touch"
  | "linear"
  | "time_decay"
  | "position_based"
  | "markov"
  | "shapley";

/** How a pattern matches text (`sources::MatchKind`). Default `exact`. */
export type MatchKind = "exact" | "prefix" | "contains" | "regex";

/** Meta's pricing models (`model::PricingModel`). */
export type PricingModel = "CBP" | "PMP";

/** A custom incoming source rule: wa.me prefilled text, QR code ref (`sources::SourceRule`). */
export interface SourceRule {
  /** The source key (`qr:shop`). */
  key: string;
  /** Display name. */
  name?: string | null;
  match?: MatchKind;
  pattern: string;
  /** Default `false`. */
  case_sensitive?: boolean;
}

/** A messaging event: a named pattern on inbound messages (`sources::EventDef`). */
export interface EventDef {
  name: string;
  kind: "button_reply" | "list_reply" | "text_reply";
  match?: MatchKind;
  pattern: string;
}

/** A funnel: ordered event names, reported per source (`sources::FunnelDef`). */
export interface FunnelDef {
  name: string;
  steps: string[];
}

/** How external events are attributed (`attribution::AttributionConfig`). */
export interface AttributionConfig {
  /** Default `last_touch`. */
  model?: ModelName;
  /** Default 7. */
  lookback_days?: number;
  /** Time-decay half-life; default 7. */
  half_life_days?: number;
  /** First, middle (shared), last; default `[0.4, 0.2, 0.4]`. */
  position_weights?: [number, number, number];
}

/** One rate of a rate card (`billing::RateRow`). */
export interface RateRow {
  /** Meta's market name (`Germany`, `Rest of Africa`). */
  market: string;
  /** `marketing`, `utility`, `authentication`, `service`, ... */
  category: string;
  /** Major units. */
  price: number;
  currency: CurrencyCode;
  effective_from: IsoDate;
  /** Volume tier: first message of the band (monthly count), inclusive. */
  tier_from?: number;
  /** Volume tier: last message of the band, inclusive. */
  tier_to?: number;
  /** What one price buys: `message` (default); for `meta_business_agent` rows (required
   * there) `token`, `1k_tokens` or `1m_tokens`. */
  unit?: string;
}

/** The billing rules an entry of the pricing timeline sets (`billing::RulePatch`). */
export interface RulePatch {
  model?: PricingModel;
  conversation_hours?: number;
  service_window_hours?: number;
  free_entry_hours?: number;
  free_entry_reply_hours?: number;
  service_free?: boolean;
  service_free_tier?: number;
  utility_free_in_service_window?: boolean;
  volume_tiers?: boolean;
  /** Meta Business Agent messages charged (from 2026-08-01 by default). */
  business_agent_charged?: boolean;
}

/** An edit of the pricing timeline (`billing::TimelineEntry`): name a built-in entry to
 * switch it on or off or move it, or add a new dated entry. */
export interface TimelineEntry {
  /** A built-in entry's name (`service_charged_2026_10`), or a name for a new entry. */
  name?: string;
  /** Required for a new entry. */
  effective_from?: IsoDate;
  /** Required for a new entry; replaces a built-in entry's rules. */
  set?: RulePatch;
  enabled?: boolean;
}

/** A dated country→market override (`billing::MarketOverride`). */
export interface MarketOverride {
  /** ISO 3166 code. */
  country: string;
  market: string;
  effective_from: IsoDate;
}

/** Engine configuration (`Config`); every key is optional (`{}` is valid). Unknown keys
 * are errors. */
export interface Config {
  /** IANA zone of the business; default `"UTC"`. */
  time_zone?: string;
  /** Default `"USD"`. */
  currency?: CurrencyCode;
  /** An external event name or a messaging event's name; default: chosen (semantics §4). */
  conversion_event?: string | null;
  events?: EventDef[];
  attribution?: AttributionConfig;
  sources?: SourceRule[];
  /** Display names by source key. */
  source_names?: Record<string, string>;
  funnels?: FunnelDef[];
  /** Inline rates, or a path resolved with the `readFile` constructor argument
   * (CSV when it ends in `.csv`, else JSON). */
  rate_card?: RateRow[] | string | null;
  pricing_timeline?: TimelineEntry[];
  markets?: MarketOverride[];
  /** Default 24. */
  inactivity_timeout_hours?: number;
  /** Monthly quota of billable units for `usage`. */
  quota?: number | null;
  /** Custom external event names (besides `purchase`, `subscription`) funnel steps may name. */
  external_events?: string[];
  /** Default 7. */
  lateness_days?: number;
  /** Meta's Conversions API for Business Messaging: our event name → Meta's. */
  capi?: CapiConfig;
  /** Keep keyed hashes of identifiers instead of them (needs `Engine.withSecret`). */
  pseudonymise?: { secret_env: string } | null;
}

/** Meta's event names for `action_source = business_messaging` (no others are accepted). */
export type CapiEventName = "LeadSubmitted" | "Purchase" | "AddToCart" | "InitiateCheckout" | "ViewContent";

/** `config.capi`. */
export interface CapiConfig {
  events?: Record<string, CapiEventName>;
  /** The account for numbers whose webhooks never named one. */
  whatsapp_business_account_id?: string | null;
}

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

// --- the report (core/src/report/mod.rs) ------------------------------------------------

/** The reported range (`report::RangeInfo`). */
export interface RangeInfo {
  /** First day, inclusive. */
  from: IsoDate;
  /** Last day, exclusive. */
  to: IsoDate;
  days: number;
  time_zone: string;
  /** The business number reported on, if restricted. */
  phone: string | null;
}

/** Ingestion counts over the engine's life, not the range (`store::InputStats`). */
export interface InputStats {
  lines: number;
  ingested: number;
  duplicates: number;
  ignored: number;
  errors: number;
  /** Facts (ids) that arrived in more than one version; one rule kept one of them. */
  conflicts: number;
  /** Unique inbound messages per type. */
  messages: Record<string, number>;
  /** Unique statuses per kind. */
  statuses: Record<string, number>;
  /** Unique records per type (`outbound`, `external_event`, `spend`, `close`, `click`). */
  records: Record<string, number>;
  /** Ignored items per reason. */
  ignored_reasons: Record<string, number>;
}

// billing (core/src/billing/report.rs, reconcile.rs)

/** Conversations opened, by kind (`billing::report::ConversationCounts`). */
export interface ConversationCounts {
  marketing: number;
  utility: number;
  authentication: number;
  service: number;
  /** Free entry point windows (both models). */
  free_entry_point: number;
}

/** Counts by priced category (`billing::report::CategoryCounts`). */
export interface CategoryCounts {
  marketing: number;
  utility: number;
  authentication: number;
  /** Free-form messages: charged from 2026-10-01 by default. */
  service: number;
  /** Meta Business Agent messages: charged from 2026-08-01 by default. */
  meta_business_agent: number;
}

/** Free delivered messages by reason (`billing::report::FreeCounts`). */
export interface FreeCounts {
  service_window: number;
  free_entry_point: number;
  free_form: number;
  free_service: number;
  /** Meta Business Agent messages delivered before Meta billed them (2026-08-01). */
  meta_business_agent: number;
}

/** Meta Business Agent messages over the range (`billing::report::AgentSummary`). */
export interface AgentSummary {
  delivered: number;
  charged: number;
  /** Tokens of the delivered ones whose count is known. */
  tokens: number;
  without_tokens: number;
  /** Priced from Meta's `pricing` object. */
  priced_by_meta: number;
  /** Priced as tokens × the rate card's per-token rate. */
  priced_by_tokens: number;
  /** Charged without a price (cost zero; the report warns). */
  unpriced: number;
  /** Of the unpriced, those Meta priced in another currency. */
  other_currency: number;
  cost: number;
}

/** What billing cost over the range (`billing::report::CostSection`). */
export interface CostSection {
  total: number;
  /** The rate card's currency (else the config's). */
  currency: CurrencyCode;
  /** By priced category: `marketing`, `utility`, `authentication`, `service`,
   * `meta_business_agent`. */
  by_category: Record<string, number>;
  /** By recipient country (ISO 3166 code, `unknown`). */
  by_country: Record<string, number>;
  /** By delivery day, every day of the range. */
  by_day: Record<IsoDate, number>;
  /** Charged units the rate card has no rate for. */
  unpriced: number;
  /** The unpriced units by category, then market. */
  unpriced_by_category: Record<string, Record<string, number>>;
}

/** One side of a reconciliation (`billing::reconcile::BillingView`). */
export interface BillingView {
  model: PricingModel | null;
  category: string | null;
  billable: boolean | null;
  /** The conversation kind (`referral_conversion` for a free entry point). */
  conversation: string | null;
  /** Meta's conversation id. */
  conversation_id?: string;
}

/** A message where the engine and Meta disagree (`billing::reconcile::Mismatch`). */
export interface Mismatch {
  message_id: string;
  /** `wa_id`, else BSUID. */
  user: string;
  /** The business number. */
  phone: string;
  delivered_at: UnixSeconds;
  /** `model`, `category`, `billable`, `conversation`. */
  fields: string[];
  engine: BillingView;
  meta: BillingView;
}

/** Engine vs Meta (`billing::report::Reconciliation`). */
export interface Reconciliation {
  checked: number;
  mismatched: number;
  by_field: Record<string, number>;
  mismatches: Mismatch[];
}

/** The `billing` section (`billing::BillingSection`, semantics §2). */
export interface BillingSection {
  /** The pricing model over the range's days. */
  model: "CBP" | "PMP" | "mixed";
  /** Whether service (free-form) messages are charged on the range's days. */
  service: "free" | "charged" | "mixed";
  conversations: ConversationCounts;
  /** PMP messages charged. */
  charged_messages: CategoryCounts;
  free_messages: FreeCounts;
  /** CBP free-tier service conversations (billable, cost zero). */
  free_tier_conversations: number;
  meta_business_agent: AgentSummary;
  cost: CostSection;
  /** Paid units (charged conversations and messages) by local weekday of delivery (7 rows,
   * Monday first) and hour (24 columns): when paid conversations begin. */
  heatmap: number[][];
  reconciliation: Reconciliation;
}

/** Sent, delivered and billable counts (`billing::report::UsageCounts`). */
export interface UsageCounts {
  sent: number;
  delivered: number;
  billable: number;
}

/** One calendar month of usage (`billing::report::UsageMonth`). */
export interface UsageMonth {
  month: IsoMonth;
  /** The range covers only part of the month. */
  partial: boolean;
  sent: number;
  delivered: number;
  billable: number;
  by_country: Record<string, UsageCounts>;
  by_category: Record<string, UsageCounts>;
  /** Present with a configured quota. */
  quota?: number;
  /** billable ÷ quota; present with a non-zero quota. */
  quota_used?: number;
  /** quota − billable (negative when exceeded); present with a quota. */
  quota_left?: number;
}

/** The `usage` section (`billing::UsageSection`). */
export interface UsageSection {
  quota: number | null;
  months: UsageMonth[];
}

// sources and attribution (core/src/sources/section.rs)

/** `sources::SourceKind`. */
export type SourceKind =
  | "meta_ad"
  | "meta_post"
  | "meta_campaign"
  | "custom"
  | "campaign"
  | "direct";

/** One step of a funnel, for one source (`sources::FunnelStep`). */
export interface FunnelStep {
  event: string;
  reached: number;
  drop_off: number;
}

/** A configured funnel, for one source (`sources::FunnelRow`). */
export interface FunnelRow {
  name: string;
  /** Distinct users who reached its first step. */
  users_started: number;
  /** Distinct users who reached its last step. */
  users_completed: number;
  steps: FunnelStep[];
}

/** One source over the range (`sources::SourceRow`, semantics §3, §4). */
export interface SourceRow {
  /** `meta_ad:120`, `campaign:spring`, `qr:shop`, `direct`. */
  key: string;
  name: string;
  kind: SourceKind;
  direction: "incoming" | "outgoing";
  /** Conversations started in the range. */
  conversations: number;
  leads: number;
  /** leads ÷ conversations. */
  conversion_rate: number | null;
  /** Spend on the range's days. */
  invested: number;
  /** invested ÷ leads. */
  conversion_cost: number | null;
  /** Attributed value of what its conversations led to; `null` with a messaging
   * conversion event. */
  revenue: number | null;
  /** revenue ÷ invested. */
  roas: number | null;
  /** What its conversations led to: attributed external events (fractional under
   * multi-touch models), or occurrences of a messaging conversion event. */
  conversions: number;
  /** Present when funnels are configured. */
  funnel?: FunnelRow[];
}

/** `sources::ConversionKind`. */
export type EventKind = "external" | "button_reply" | "list_reply" | "text_reply";

/** The event that makes a conversation a lead (`sources::ConversionEvent`). */
export interface ConversionEvent {
  /** `null`: any external event. */
  name: string | null;
  kind: EventKind;
}

/** Every source together, each conversation counted once (`attribution::Overall`). */
export interface Overall {
  conversations: number;
  leads: number;
  conversion_rate: number | null;
  conversions: number;
  invested: number;
  conversion_cost: number | null;
  /** `null` with a messaging conversion event. */
  revenue: number | null;
  roas: number | null;
}

/** One messaging event or external event name (`sources::EventRow`). */
export interface EventRow {
  name: string;
  kind: EventKind;
  occurrences: number;
  users: number;
  conversations: number;
  /** External events: their value in the report currency; `null` for messaging events. */
  value: number | null;
  /** Occurrences by source key of the conversation they happened in. */
  by_source: Record<string, number>;
}

/** What one model credits one source (`sources::ModelCredit`). */
export interface ModelCredit {
  model: ModelName;
  conversions: number;
  revenue: number;
}

/** Every model's credit for one source (`sources::ComparisonRow`). */
export interface ComparisonRow {
  key: string;
  name: string;
  models: ModelCredit[];
}

/** The `attribution` section (`sources::AttributionSummary`). */
export interface AttributionSummary {
  model: ModelName;
  lookback_days: number;
  conversion_event: ConversionEvent | null;
  currency: CurrencyCode;
  events: number;
  value: number;
  attributed_events: number;
  attributed_value: number;
  unattributed_events: number;
  unattributed_value: number;
  /** Events and spend records in another currency, left out of the money figures. */
  other_currency: number;
  /** Present with `compare_models`. */
  comparison?: ComparisonRow[];
  /** Models the comparison could not compute, with the reason (present when any). */
  comparison_errors?: Record<string, string>;
}

// engagement (core/src/engagement/)

/** `engagement::report::DailyActive`. */
export interface DailyActive {
  date: IsoDate;
  users: number;
  /** Of `users`, those whose first message ever was that day. */
  new: number;
  returning: number;
}

/** `engagement::report::DailyVolume`. */
export interface DailyVolume {
  date: IsoDate;
  /** Business messages sent that day, delivered or not. */
  sent: number;
  /** Of those, delivered. */
  delivered: number;
  /** Users' messages received that day. */
  received: number;
}

/** Support conversation counts (`engagement::support::Support`). */
export interface Support {
  opened: number;
  closed: number;
  reopened: number;
  /** Reopens by an agent's `reopen` record. */
  reopened_manually: number;
  open_at_end: number;
}

/** First-response times of one author kind (`engagement::support::AuthorResponse`). */
export interface AuthorResponse {
  answered: number;
  median_s: number | null;
  p90_s: number | null;
}

/** `engagement::support::ResponseTime`. */
export interface ResponseTime {
  conversations: number;
  answered: number;
  first_response_median_s: number | null;
  first_response_p90_s: number | null;
  by_author: Record<string, AuthorResponse>;
}

/** `engagement::authors::TopAuthor`. */
export interface TopAuthor {
  /** `automation`, `agent`, `reminder`, `api`, `campaign`, `unknown`. */
  kind: string;
  id: string;
  messages: number;
}

/** The `engagement` section (`engagement::Engagement`, semantics §5). */
export interface Engagement {
  active_users: number;
  new_users: number;
  returning_users: number;
  /** Every day of the range. */
  daily_active: DailyActive[];
  /** Active users by country (ISO 3166 code, `unknown`). */
  countries: Record<string, number>;
  messages_received: number;
  /** Business messages sent, delivered or not. */
  messages_sent: number;
  messages_delivered: number;
  avg_received_per_user_per_day: number | null;
  /** Users' messages by local weekday (7 rows, Monday first) and hour (24 columns). */
  heatmap: number[][];
  /** Every day of the range. */
  daily_volume: DailyVolume[];
  support: Support;
  /** Delivered business messages by author kind. */
  authors: Record<string, number>;
  top_authors: TopAuthor[];
  response_time: ResponseTime;
}

/** One button of a template row (`engagement::templates::ButtonRow`). */
export interface ButtonRow {
  text: string;
  type: "quick_reply" | "url" | "other";
  clicks: number;
  /** clicks ÷ delivered. */
  ctr: number | null;
}

/** One template's (or campaign's) row (`engagement::TemplateRow`). */
export interface TemplateRow {
  /** Template name (campaign name in `campaigns`). */
  name: string;
  /** `marketing`, `marketing_lite`, `utility`, `authentication`,
   * `authentication_international`, `service`, `referral_conversion`, `other`, `mixed`,
   * `unknown`. */
  category: string;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  /** Quick-reply presses plus URL clicks. */
  clicks: number;
  url_clicks: number;
  /** clicks ÷ delivered. */
  ctr: number | null;
  buttons: ButtonRow[];
  cost: number | null;
  cost_per_delivered: number | null;
  cost_per_click: number | null;
  conversions: number | null;
  conversion_value: number | null;
  /** Failed messages by error code. */
  failed: Record<string, number>;
}

// compare (core/src/report/compare.rs)

/** One figure in both periods (`report::compare::Figure`). */
export interface Figure {
  section: "overall" | "billing" | "sources" | "events" | "templates" | "campaigns" | "engagement";
  /** The source key, event or template name in row sections, else `null`. */
  row: string | null;
  /** The field's JSON name (dotted inside nested objects: `cost.total`). */
  figure: string;
  previous: number | null;
  current: number | null;
  /** `current − previous` (`null` when either is `null`). */
  change: number | null;
  /** `change ÷ |previous| × 100` (`null` when `previous` is zero or `null`). */
  change_pct: number | null;
}

/** The `compare` section (`report::compare::Comparison`), present with `compare: true`. */
export interface Comparison {
  /** The previous period of equal length. */
  previous_range: RangeInfo;
  /** Every figure of the compared sections, in section order. */
  figures: Figure[];
}

/** A full report (`report::Report`): the same keys as `report --json`, in that order. */
export interface Report {
  range: RangeInfo;
  overall: Overall;
  input: InputStats;
  billing: BillingSection;
  usage: UsageSection;
  sources: SourceRow[];
  events: EventRow[];
  attribution: AttributionSummary;
  engagement: Engagement;
  templates: TemplateRow[];
  campaigns: TemplateRow[];
  /** Present with `compare: true`. */
  compare?: Comparison;
  /** What the report left out or could not price, in plain words (empty when nothing). */
  warnings: string[];
}
