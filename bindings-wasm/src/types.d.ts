// ---------------------------------------------------------------------------------------
// convolens types: the JSON shapes of the core's serde types (`Config`, `ReportOptions`,
// `Report`, ingestion outcomes and errors). Appended to the generated `convolens.d.ts`.
//
// To extend when the core's `Report` gains a section: add one interface named after the
// Rust struct (`BillingSection`, ...) below the others, and one line in `Report`. Rust
// `Option<T>` is `T | null`; maps (`BTreeMap<String, T>`) are `Record<string, T>`; dates
// (`NaiveDate`) are `IsoDate` strings; money is a number in major units.
// ---------------------------------------------------------------------------------------

/** A calendar day, `YYYY-MM-DD`. */
export type IsoDate = string;

/** A three-letter ISO 4217 currency code (`"EUR"`). */
export type CurrencyCode = string;

/** Attribution models (semantics §4). */
export type ModelName =
  | "last_touch"
  | "first_touch"
  | "linear"
  | "time_decay"
  | "position_based"
  | "markov"
  | "shapley";

/** How a pattern matches text. */
export type MatchKind = "exact" | "prefix" | "contains" | "regex";

/** A custom incoming source rule (wa.me prefilled text, QR code ref). */
export interface SourceRule {
  key: string;
  name?: string | null;
  match?: MatchKind;
  pattern: string;
  case_sensitive?: boolean;
}

/** A messaging event: a named pattern on inbound messages. */
export interface EventDef {
  name: string;
  kind: "button_reply" | "list_reply" | "text_reply";
  match?: MatchKind;
  pattern: string;
}

/** A funnel: ordered event names. */
export interface FunnelDef {
  name: string;
  steps: string[];
}

/** How external events are attributed. */
export interface AttributionConfig {
  model?: ModelName;
  lookback_days?: number;
  half_life_days?: number;
  position_weights?: [number, number, number];
}

/** One rate of a rate card. */
export interface RateRow {
  market: string;
  category: string;
  /** Major units. */
  price: number;
  currency: CurrencyCode;
  effective_from: IsoDate;
}

/** A dated pricing-timeline entry. */
export interface TimelineEntry {
  rule: string;
  effective_from: IsoDate;
  enabled?: boolean;
}

/** A dated country→market override. */
export interface MarketOverride {
  country: string;
  market: string;
  effective_from: IsoDate;
}

/** Engine configuration; every key is optional (`{}` is valid). Unknown keys are errors. */
export interface Config {
  time_zone?: string;
  currency?: CurrencyCode;
  conversion_event?: string | null;
  events?: EventDef[];
  attribution?: AttributionConfig;
  sources?: SourceRule[];
  source_names?: Record<string, string>;
  funnels?: FunnelDef[];
  /** Inline rates, or a path resolved with the `readFile` constructor argument. */
  rate_card?: RateRow[] | string | null;
  pricing_timeline?: TimelineEntry[];
  markets?: MarketOverride[];
  inactivity_timeout_hours?: number;
  quota?: number | null;
  lateness_days?: number;
}

/** What to report on; every key is optional. Use either `last` or `from`/`to`. */
export interface ReportOptions {
  /** First day, inclusive (report time zone). */
  from?: IsoDate | null;
  /** Last day, exclusive. */
  to?: IsoDate | null;
  /** `7d`, `14d`, `30d`, `6m`, `12m` (any `Nd`, `Nw`, `Nm`, `Ny`) ending at the latest ingested day. */
  last?: string | null;
  /** Only this business number (`phone_number_id`). */
  phone?: string | null;
  /** Override the config's time zone (IANA name). */
  time_zone?: string | null;
  /** Override the config's attribution model. */
  model?: ModelName | null;
}

/** What one `ingest` call did. */
export interface IngestOutcome {
  ingested: number;
  duplicates: number;
  /** Items accepted but not used, with reasons (`field:account_update`, ...). */
  ignored: string[];
}

/** Kinds of parse errors. */
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

/** What one `ingestJsonl` call did. */
export interface StreamOutcome {
  /** Lines read, blank lines included. */
  lines: number;
  outcome: IngestOutcome;
  errors: ParseErrorInfo[];
}

/** Thrown by `ingest` for a document that cannot be ingested. */
export interface ParseError extends Error {
  name: "ParseError";
  kind: ParseErrorKind;
  line: number;
  column: number;
  field: string;
}

/** Thrown by the constructor for a configuration that cannot be used. */
export interface ConfigError extends Error {
  name: "ConfigError";
  /** The offending key (`attribution.lookback_days`). */
  key: string;
}

/** Thrown by `report` for options that cannot be used. */
export interface ReportError extends Error {
  name: "ReportError";
  kind: "range" | "option" | "unsupported";
  /** The offending option, for `kind: "option"`. */
  option: string;
}

/** Thrown by `Engine.restore` for bytes that are not a valid snapshot. */
export interface SnapshotError extends Error {
  name: "SnapshotError";
  kind: "bad_magic" | "newer_version" | "corrupt";
}

/** The reported range. */
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

/** Ingestion counts over the engine's life (not the range). */
export interface InputStats {
  lines: number;
  ingested: number;
  duplicates: number;
  ignored: number;
  errors: number;
  /** Unique inbound messages per type. */
  messages: Record<string, number>;
  /** Unique statuses per kind. */
  statuses: Record<string, number>;
  /** Unique records per type (`outbound`, `external_event`, `spend`, `close`, `click`). */
  records: Record<string, number>;
  /** Ignored items per reason. */
  ignored_reasons: Record<string, number>;
}

/** A full report: the same keys as `report --json`. */
export interface Report {
  range: RangeInfo;
  input: InputStats;
}
