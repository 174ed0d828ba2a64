'use strict';
// The zone offsets inside the .wasm (core's compact table of chrono-tz's offsets from 1970
// to 2100, `compact`: see the README on the WASM size): local days and hours on both
// sides of DST transitions in several zones, with the offsets worked out by hand below and
// checked against Node's own ICU time zone data as a second witness; report ranges that
// start and end at local midnights next to a DST change (one a skipped midnight); every zone name ICU knows (what a browser
// reports as the user's zone) loads and tells ICU's local time; an unknown zone is a
// ConfigError / ReportError that names it.
//
// How a local time is read from a report: one inbound message at a UTC instant, then the
// report's `engagement.heatmap` (local weekday × hour, Monday first) and
// `engagement.daily_volume` (local days) say where the engine put it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { pkgDir, inbound } = require('./helpers');
const { Engine } = require(pkgDir);

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** Where the engine, reporting in `zone`, puts a user's message sent at `utc` (ISO text):
 * `{ day: 'YYYY-MM-DD', weekday: 'Mon'…'Sun', hour: 0…23 }` in local time. */
function localSlot(zone, utc) {
  const ms = Date.parse(utc);
  const engine = new Engine({ time_zone: zone });
  engine.ingest(inbound('wamid.dst', '4915112345678', ms / 1000, 'hello'));
  const report = engine.report({ from: isoDay(ms - 2 * 86400e3), to: isoDay(ms + 2 * 86400e3) });
  const days = report.engagement.daily_volume.filter((d) => d.received > 0);
  assert.equal(days.length, 1, JSON.stringify(report.engagement.daily_volume));
  const cells = [];
  report.engagement.heatmap.forEach((row, w) => row.forEach((n, h) => { if (n) cells.push([w, h, n]); }));
  assert.deepEqual(cells.map((c) => c[2]), [1], `one message in one cell: ${JSON.stringify(cells)}`);
  return { day: days[0].date, weekday: WEEKDAYS[cells[0][0]], hour: cells[0][1] };
}

/** The same slot by Node's ICU data (an independent copy of the tz database). */
function icuSlot(zone, utc) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short',
    hour: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(utc)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, weekday: parts.weekday, hour: Number(parts.hour) };
}

// [zone, UTC instant, expected local day, weekday, hour] -- derivations in the comments.
const EDGES = [
  // Europe/Madrid: CET (+1) until 2025-03-30 01:00Z, when clocks jump 02:00 -> 03:00 CEST
  // (+2); back at 2025-10-26 01:00Z, 03:00 CEST -> 02:00 CET.
  ['Europe/Madrid', '2025-03-30T00:59:00Z', '2025-03-30', 'Sun', 1], // 00:59 + 1 h = 01:59
  ['Europe/Madrid', '2025-03-30T01:00:00Z', '2025-03-30', 'Sun', 3], // 01:00 + 2 h = 03:00 (02h never is)
  ['Europe/Madrid', '2025-03-29T22:30:00Z', '2025-03-29', 'Sat', 23], // + 1 h = 23:30, Saturday
  ['Europe/Madrid', '2025-03-30T22:30:00Z', '2025-03-31', 'Mon', 0], // + 2 h = 00:30, Monday
  ['Europe/Madrid', '2025-10-26T00:30:00Z', '2025-10-26', 'Sun', 2], // + 2 h = 02:30 CEST
  ['Europe/Madrid', '2025-10-26T01:30:00Z', '2025-10-26', 'Sun', 2], // + 1 h = 02:30 CET (again)
  ['Europe/Madrid', '2025-10-26T23:30:00Z', '2025-10-27', 'Mon', 0], // + 1 h = 00:30, Monday
  // America/New_York: EST (-5) until 2025-03-09 07:00Z (02:00 -> 03:00 EDT, -4); back on
  // 2025-11-02 at 06:00Z (02:00 EDT -> 01:00 EST).
  ['America/New_York', '2025-03-09T06:59:00Z', '2025-03-09', 'Sun', 1], // - 5 h = 01:59
  ['America/New_York', '2025-03-09T07:00:00Z', '2025-03-09', 'Sun', 3], // - 4 h = 03:00
  ['America/New_York', '2025-03-08T04:30:00Z', '2025-03-07', 'Fri', 23], // - 5 h = 23:30 Friday
  ['America/New_York', '2025-03-10T04:30:00Z', '2025-03-10', 'Mon', 0], // - 4 h = 00:30 Monday
  ['America/New_York', '2025-11-02T05:30:00Z', '2025-11-02', 'Sun', 1], // - 4 h = 01:30 EDT
  ['America/New_York', '2025-11-02T06:30:00Z', '2025-11-02', 'Sun', 1], // - 5 h = 01:30 EST (again)
  // America/Sao_Paulo: -3 all year since Brazil dropped DST in 2019. Its last DST ran from
  // 2018-11-04 (00:00 -> 01:00, -2) to 2019-02-17 (00:00 -> 23:00 on the 16th, -3 again).
  ['America/Sao_Paulo', '2025-11-16T02:30:00Z', '2025-11-15', 'Sat', 23], // - 3 h = 23:30; a stale DST rule would say 00:30 Sunday
  ['America/Sao_Paulo', '2025-01-15T02:30:00Z', '2025-01-14', 'Tue', 23], // - 3 h (no summer time)
  ['America/Sao_Paulo', '2018-12-16T02:30:00Z', '2018-12-16', 'Sun', 0], // - 2 h = 00:30 (DST then)
  ['America/Sao_Paulo', '2019-02-17T02:30:00Z', '2019-02-16', 'Sat', 23], // - 3 h: DST ended 02:00Z
  // Australia/Sydney (southern summer): AEDT (+11) until 2025-04-06 03:00 local (16:00Z on
  // the 5th), then AEST (+10) until 2025-10-05 02:00 local (16:00Z on the 4th).
  ['Australia/Sydney', '2025-04-05T15:59:00Z', '2025-04-06', 'Sun', 2], // + 11 h = 02:59 AEDT
  ['Australia/Sydney', '2025-04-05T16:00:00Z', '2025-04-06', 'Sun', 2], // + 10 h = 02:00 AEST (again)
  ['Australia/Sydney', '2025-04-04T13:30:00Z', '2025-04-05', 'Sat', 0], // + 11 h = 00:30 Saturday
  ['Australia/Sydney', '2025-04-06T13:30:00Z', '2025-04-06', 'Sun', 23], // + 10 h = 23:30 Sunday
  ['Australia/Sydney', '2025-10-04T15:59:00Z', '2025-10-05', 'Sun', 1], // + 10 h = 01:59 AEST
  ['Australia/Sydney', '2025-10-04T16:00:00Z', '2025-10-05', 'Sun', 3], // + 11 h = 03:00 AEDT
  // Europe/Berlin: CET (+1) until 2025-03-30 01:00Z (02:00 -> 03:00 CEST, +2); back at
  // 2025-10-26 01:00Z (03:00 CEST -> 02:00 CET).
  ['Europe/Berlin', '2025-03-30T00:59:00Z', '2025-03-30', 'Sun', 1], // + 1 h = 01:59
  ['Europe/Berlin', '2025-03-30T01:00:00Z', '2025-03-30', 'Sun', 3], // + 2 h = 03:00
  ['Europe/Berlin', '2025-10-26T00:59:00Z', '2025-10-26', 'Sun', 2], // + 2 h = 02:59 CEST
  ['Europe/Berlin', '2025-10-26T01:00:00Z', '2025-10-26', 'Sun', 2], // + 1 h = 02:00 CET (again)
  ['Europe/Berlin', '2025-10-26T22:59:00Z', '2025-10-26', 'Sun', 23], // + 1 h = 23:59
  ['Europe/Berlin', '2025-10-26T23:00:00Z', '2025-10-27', 'Mon', 0], // + 1 h = 00:00 Monday
  // Australia/Lord_Howe: half-hour DST. +11 (LHDT) until the first Sunday of April at
  // 02:00 local (2025-04-05 15:00Z), then +10:30 (clocks 02:00 -> 01:30), until the first
  // Sunday of October at 02:00 local (2025-10-04 15:30Z; clocks 02:00 -> 02:30, +11).
  ['Australia/Lord_Howe', '2025-04-05T14:59:00Z', '2025-04-06', 'Sun', 1], // + 11 h = 01:59
  ['Australia/Lord_Howe', '2025-04-05T15:00:00Z', '2025-04-06', 'Sun', 1], // + 10:30 = 01:30 (again)
  ['Australia/Lord_Howe', '2025-04-05T15:30:00Z', '2025-04-06', 'Sun', 2], // + 10:30 = 02:00
  ['Australia/Lord_Howe', '2025-10-04T13:29:00Z', '2025-10-04', 'Sat', 23], // + 10:30 = 23:59
  ['Australia/Lord_Howe', '2025-10-04T15:29:00Z', '2025-10-05', 'Sun', 1], // + 10:30 = 01:59
  ['Australia/Lord_Howe', '2025-10-04T15:30:00Z', '2025-10-05', 'Sun', 2], // + 11 h = 02:30
  ['Australia/Lord_Howe', '2025-10-05T12:59:00Z', '2025-10-05', 'Sun', 23], // + 11 h = 23:59
  ['Australia/Lord_Howe', '2025-10-05T13:00:00Z', '2025-10-06', 'Mon', 0], // + 11 h = 00:00
  // Asia/Kathmandu: +05:45 (since 1986), no DST: local midnight is 18:15Z.
  ['Asia/Kathmandu', '2025-07-01T18:14:00Z', '2025-07-01', 'Tue', 23], // 23:59
  ['Asia/Kathmandu', '2025-07-01T18:15:00Z', '2025-07-02', 'Wed', 0], // 00:00
  ['Asia/Kathmandu', '2025-01-15T06:20:00Z', '2025-01-15', 'Wed', 12], // 12:05
  // America/Santiago: -4 in the southern winter; DST (-3) starts on the first Sunday of
  // September at 00:00, which is skipped (23:59:59 on Saturday -> 01:00): 2025-09-07 04:00Z.
  ['America/Santiago', '2025-09-07T03:59:00Z', '2025-09-06', 'Sat', 23], // - 4 h = 23:59
  ['America/Santiago', '2025-09-07T04:00:00Z', '2025-09-07', 'Sun', 1], // - 3 h = 01:00
  // Asia/Kolkata: +05:30, no DST: local midnight is 18:30Z.
  ['Asia/Kolkata', '2025-07-01T18:29:00Z', '2025-07-01', 'Tue', 23], // 23:59
  ['Asia/Kolkata', '2025-07-01T18:30:00Z', '2025-07-02', 'Wed', 0], // 00:00
  ['Asia/Kolkata', '2025-07-01T04:45:00Z', '2025-07-01', 'Tue', 10], // 10:15
];

for (const [zone, utc, day, weekday, hour] of EDGES) {
  test(`${zone}: a message at ${utc} is on ${day} (${weekday}) at ${hour} h local`, () => {
    const expected = { day, weekday, hour };
    assert.deepEqual(icuSlot(zone, utc), expected, 'the hand derivation agrees with ICU');
    assert.deepEqual(localSlot(zone, utc), expected);
  });
}

/** How many of `utcs` (one message each) the report over local days `[from, to)` in `zone`
 * counts, by its daily volume and by its conversations (one per user, each message from a
 * different user). */
function countInRange(zone, utcs, from, to) {
  const engine = new Engine({ time_zone: zone });
  utcs.forEach((utc, i) => engine.ingest(inbound(`wamid.r${i}`, `49151123456${10 + i}`, Date.parse(utc) / 1000, 'hi')));
  const report = engine.report({ from, to });
  const received = report.engagement.daily_volume.reduce((n, d) => n + d.received, 0);
  return { received, conversations: report.overall.conversations };
}

// [zone, from, to, messages just outside, messages just inside] -- the range's first
// instant is its first day's local midnight, its end the midnight after its last day.
const RANGES = [
  // Berlin 2025-03-30 (the spring-forward day, 23 h): 2025-03-29 23:00Z (00:00 CET) to
  // 2025-03-30 22:00Z (00:00 CEST on the 31st).
  ['Europe/Berlin', '2025-03-30', '2025-03-31', ['2025-03-29T22:59:59Z', '2025-03-30T22:00:00Z'],
    ['2025-03-29T23:00:00Z', '2025-03-30T21:59:59Z']],
  // Berlin 2025-10-26 (25 h): 2025-10-25 22:00Z (00:00 CEST) to 2025-10-26 23:00Z.
  ['Europe/Berlin', '2025-10-26', '2025-10-27', ['2025-10-25T21:59:59Z', '2025-10-26T23:00:00Z'],
    ['2025-10-25T22:00:00Z', '2025-10-26T22:59:59Z']],
  // Santiago 2025-09-07: midnight does not exist; the day starts at 01:00 -03 = 04:00Z and
  // ends at 00:00 -03 on the 8th = 03:00Z.
  ['America/Santiago', '2025-09-07', '2025-09-08', ['2025-09-07T03:59:59Z', '2025-09-08T03:00:00Z'],
    ['2025-09-07T04:00:00Z', '2025-09-08T02:59:59Z']],
  // Lord Howe 2025-04-06 (24 h 30 min): 2025-04-05 13:00Z (00:00 +11) to 2025-04-06
  // 13:30Z (00:00 +10:30 on the 7th).
  ['Australia/Lord_Howe', '2025-04-06', '2025-04-07', ['2025-04-05T12:59:59Z', '2025-04-06T13:30:00Z'],
    ['2025-04-05T13:00:00Z', '2025-04-06T13:29:59Z']],
  // Kathmandu: 2025-07-02 starts at 2025-07-01 18:15Z and ends 24 h later.
  ['Asia/Kathmandu', '2025-07-02', '2025-07-03', ['2025-07-01T18:14:59Z', '2025-07-02T18:15:00Z'],
    ['2025-07-01T18:15:00Z', '2025-07-02T18:14:59Z']],
];

for (const [zone, from, to, outside, inside] of RANGES) {
  test(`${zone}: the report from ${from} to ${to} starts and ends at local midnights`, () => {
    assert.deepEqual(countInRange(zone, outside, from, to), { received: 0, conversations: 0 });
    assert.deepEqual(countInRange(zone, inside, from, to), { received: 2, conversations: 2 });
  });
}

test('every zone ICU knows loads, and tells ICU\'s local time on a winter and a summer day', () => {
  // Intl.supportedValuesOf: the names a browser or Node may report as the user's zone
  // (`Intl.DateTimeFormat().resolvedOptions().timeZone`), legacy aliases such as
  // Asia/Calcutta included. Node's ICU and chrono-tz may carry different tz releases; both
  // agree on 2025.
  const zones = Intl.supportedValuesOf('timeZone');
  assert.ok(zones.length > 400, `ICU lists ${zones.length} zones`);
  const mismatches = [];
  for (const zone of zones) {
    for (const utc of ['2025-01-15T11:45:00Z', '2025-07-15T11:45:00Z']) {
      let got;
      try {
        got = localSlot(zone, utc);
      } catch (e) {
        mismatches.push(`${zone}: ${e.message}`);
        continue;
      }
      const want = icuSlot(zone, utc);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(`${zone} at ${utc}: got ${JSON.stringify(got)}, ICU ${JSON.stringify(want)}`);
      }
    }
  }
  assert.deepEqual(mismatches, []);
});

test('an unknown zone is an error naming it, in the config and in the report options', () => {
  const unknown = 'Europe/Atlantis';
  assert.throws(() => new Intl.DateTimeFormat('en', { timeZone: unknown }), RangeError);
  assert.throws(() => new Engine({ time_zone: unknown }), (e) => e.name === 'ConfigError'
    && e.key === 'time_zone' && e.message.includes(`\`${unknown}\``));
  const engine = new Engine();
  assert.throws(() => engine.report({ time_zone: unknown }), (e) => e.name === 'ReportError'
    && e.kind === 'option' && e.message.includes(`\`${unknown}\``));
  // Names are exact, as in the tz database: no case folding.
  assert.throws(() => new Engine({ time_zone: 'europe/madrid' }), (e) => e.name === 'ConfigError'
    && e.message.includes('`europe/madrid`'));
});
