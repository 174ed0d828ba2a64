// Type-checked with `tsc --noEmit --strict` by types.test.js: the package's definitions
// describe the API and the report precisely (no `any`), for both builds. Every line here
// either compiles because a type is right, or is marked `@ts-expect-error` because it must
// not compile.
import {
  Engine,
  version,
  type CapiEventName,
  type CapiEvents,
  type Config,
  type ContactFilter,
  type ForgetOutcome,
  type ExpiryOutcome,
  type Report,
  type ReportOptions,
  type ResolvedConfig,
  type SourceRow,
  type StreamOutcome,
  type Table,
  type TemplateRow,
  type WindowState,
} from "../../pkg/convolens";
import init, { Engine as WebEngine, type Report as WebReport } from "../../pkg/web/convolens";

const config: Config = { time_zone: "Europe/Madrid", currency: "EUR", quota: 1000 };
const engine = new Engine(config, (path: string) => path);
const out: StreamOutcome = engine.ingestJsonl(new Uint8Array(0));
const firstBad: number | undefined = out.errors[0]?.line;
engine.ingest({ type: "outbound" });
engine.ingest('{"type":"outbound"}');

const options: ReportOptions = {
  last: "30d", model: "linear", compare: true, compare_models: true, conversionEvent: "purchase",
};
const report: Report = engine.report(options);
const days: number = report.range.days;
const cost: number = report.billing.cost.total;
const marketing: number | undefined = report.billing.cost.by_category["marketing"];
const pricing: "CBP" | "PMP" | "mixed" = report.billing.model;
const quotaUsed: number | undefined = report.usage.months[0]?.quota_used;
const top: SourceRow | undefined = report.sources[0];
const roas: number | null | undefined = top?.roas;
const steps: number | undefined = top?.funnel?.[0]?.steps.length;
const lead: string | null | undefined = report.attribution.conversion_event?.name;
const dau: number[] = report.engagement.daily_active.map((d) => d.users);
const sent: number[] = report.engagement.daily_volume.map((d) => d.sent + d.received);
const median: number | null = report.engagement.response_time.first_response_median_s;
const template: TemplateRow | undefined = report.templates[0];
const buttonType: "quick_reply" | "url" | "other" | undefined = template?.buttons[0]?.type;
const campaigns: string[] = report.campaigns.map((c) => c.name);
const dauChange: number | null | undefined = report.compare?.figures.find((f) => f.figure === "active_users")?.change;
const prevFrom: string | undefined = report.compare?.previous_range.from;
const sourceChange: number | null | undefined = report.compare?.figures[0]?.change_pct;
const overallRevenue: number | null = report.overall.revenue;
const eventUsers: number[] = report.events.map((e) => e.users);
const warnings: string[] = report.warnings;
const paidAtNoon: number | undefined = report.billing.heatmap[2]?.[12];

const resolved: ResolvedConfig = engine.config();
const tz: string = resolved.time_zone;
const filter: ContactFilter = { source: "qr:shop" };
const csv: string = engine.exportContacts(filter, { last: "7d" }) + engine.exportContacts("purchase");
const tables: Table[] = engine.tables({ last: "7d" });
const byDay: string[] = tables[0].columns;
const charges: Table = engine.rows("charges", { phone: "1001" });
const firstCost: unknown = charges.rows[0]?.cost;
// @ts-expect-error: not a row-level table
engine.rows("invoices");
const window: WindowState | null = engine.freeFormWindow("4915112345678", "1001", 1751450000);
const open: boolean | undefined = window?.open;
const until: number | null | undefined = window?.until;
const restored: Engine = Engine.restore(engine.snapshot());
restored.merge(engine);
const expiry: ExpiryOutcome = restored.expire();
const horizon: string | null = expiry.sealed_until;
const dropped: number | undefined = restored.expired()?.messages;
restored.setMaxLineBytes(1 << 20);
const v: string = version();
const capi: CapiEvents = engine.capiEvents({ since: null, now: 1751450000, batch_size: 500 });
const firstEvent: CapiEventName | undefined = capi.batches[0]?.data[0]?.event_name;
const clid: string | undefined = capi.batches[0]?.data[0]?.user_data.ctwa_clid;
const audience: string = engine.exportAudience("purchase", { last: "30d" });
const forgot: ForgetOutcome = engine.forget("4915112345678");
const pseudo: Engine = Engine.withSecret({ pseudonymise: { secret_env: "S" } }, "a long enough secret");
const back: Engine = Engine.restoreWithSecret(pseudo.snapshot(), "a long enough secret");
// @ts-expect-error: Meta accepts no `Lead` for business messaging
const badCapi: Config = { capi: { events: { signup: "Lead" } } };

// @ts-expect-error: unknown config key
const badConfig: Config = { colour: "red" };
// @ts-expect-error: not a model
const badOptions: ReportOptions = { model: "magic" };
// @ts-expect-error: the report has no such section
report.nonexistent;
// @ts-expect-error: a count is a number, not a string
const badCount: string = report.engagement.active_users;
// @ts-expect-error: nothing may be sealed yet
const badHorizon: string = restored.expired().sealed_until;
// @ts-expect-error: ratios may be null
const badRatio: number = report.sources[0]!.conversion_rate;
// @ts-expect-error: revenue is null with a messaging conversion event
const badRevenue: number = report.sources[0]!.revenue;

async function browser(): Promise<WebReport> {
  await init();
  const e = new WebEngine();
  e.ingestJsonl("");
  return e.report({ last: "7d" });
}

export {
  firstBad, days, cost, marketing, pricing, quotaUsed, roas, steps, lead, dau, sent, median, buttonType,
  campaigns, dauChange, prevFrom, sourceChange, overallRevenue, eventUsers, warnings, paidAtNoon, tz, csv, open,
  until, v, badConfig, badOptions, badCount, badRatio, badRevenue, browser,
};
