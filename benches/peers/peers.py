"""Peer comparison: the convolens source table and CBP conversation counts, recomputed with
DuckDB (SQL) and Polars from the same JSONL file, checked against convolens, and timed.

Usage: peers.py JSONL CONFIG CONVOLENS_JSON [--runs N] [--compute-runs N]

CONVOLENS_JSON is what `peer_convolens` printed for the same file and config. The rules
implemented here are written out in README.md ("Rules compared"); every one of them is
the convolens rule of the same name (core/src/sources, core/src/billing), restricted to
what the generated data contains (README.md says which checks guard the restriction).
"""

import json
import sys
import time

import duckdb
import polars as pl

DAY = 86_400
HOUR = 3_600
# Order keys: (instant, position) packed into one integer; positions stay below 2^22.
SHIFT = 1 << 22


# --------------------------------------------------------------------------- config


class Rules:
    """The parts of the convolens config the compared rules use."""

    def __init__(self, cfg):
        self.timeout = int(cfg.get("inactivity_timeout_hours", 24)) * HOUR
        self.lookback = int(cfg.get("attribution", {}).get("lookback_days", 7)) * DAY
        self.currency = cfg.get("currency", "EUR")
        conv = cfg.get("conversion_event")
        if not conv or any(e.get("name") == conv for e in cfg.get("events", [])):
            raise SystemExit("peers: the config's conversion_event must name an external event")
        self.conversion = conv
        self.rules = []
        for r in cfg.get("sources", []):
            kind = r.get("match", "exact")
            if kind not in ("exact", "prefix", "contains") or r.get("case_sensitive"):
                raise SystemExit(f"peers: rule {r['key']}: only case-insensitive exact/prefix/contains")
            pat = r["pattern"].strip() if kind == "exact" else r["pattern"]
            self.rules.append((r["key"], kind, pat.lower()))
        if cfg.get("time_zone", "UTC") != "UTC":
            raise SystemExit("peers: the config's time_zone must be UTC")


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


# --------------------------------------------------------------------------- DuckDB

DUCK_COLUMNS = {
    "type": "VARCHAR",
    "id": "VARCHAR",
    "timestamp": "BIGINT",
    "phone_number_id": "VARCHAR",
    "to": "VARCHAR",
    "kind": "VARCHAR",
    "template": "VARCHAR",
    "category": "VARCHAR",
    "campaign": "VARCHAR",
    "contact": "VARCHAR",
    "name": "VARCHAR",
    "source": "VARCHAR",
    "date": "VARCHAR",
    "amount": "DOUBLE",
    "currency": "VARCHAR",
    "ad_id": "VARCHAR",
    "campaign_name": "VARCHAR",
    "campaign_id": "VARCHAR",
    "spend": "VARCHAR",
    "date_start": "VARCHAR",
    "date_stop": "VARCHAR",
    "account_currency": "VARCHAR",
    "entry": "STRUCT(changes STRUCT(field VARCHAR, value STRUCT("
    "metadata STRUCT(phone_number_id VARCHAR), "
    'messages STRUCT("from" VARCHAR, id VARCHAR, "timestamp" VARCHAR, "type" VARCHAR, '
    "text STRUCT(body VARCHAR), referral STRUCT(source_type VARCHAR, source_id VARCHAR), "
    "context STRUCT(id VARCHAR))[], "
    'statuses STRUCT(id VARCHAR, status VARCHAR, "timestamp" VARCHAR, recipient_id VARCHAR, '
    "pricing STRUCT(category VARCHAR))[]))[])[]",
}


def duck_load(con, path):
    cols = ", ".join(f'"{k}": {sql_str(v)}' for k, v in DUCK_COLUMNS.items())
    con.execute("DROP TABLE IF EXISTS raw")
    con.execute(
        f"CREATE TABLE raw AS SELECT * FROM read_json({sql_str(path)}, "
        f"format = 'newline_delimited', columns = {{{cols}}})"
    )


def duck_greedy(con, src, dst, keys, length):
    """Greedy fixed windows: in each group of `keys`, the first row opens a window of
    `length` seconds at its `dt`; the first row at or after its end opens the next.
    `src` has the key columns, `ok` (order key: dt * SHIFT + position) and `dt`.
    Creates `dst(keys..., ok)` with the rows that open a window."""
    k = ", ".join(keys)
    on = " AND ".join(f"a.{c} = b.{c}" for c in keys)
    on2 = " AND ".join(f"n.{c} = c.{c}" for c in keys)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {dst}_nx AS
        SELECT {", ".join("a." + c for c in keys)}, a.ok, b.ok AS nk
        FROM {src} a ASOF LEFT JOIN {src} b ON {on} AND (a.dt + {length}) * {SHIFT} <= b.ok"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {dst} AS
        WITH RECURSIVE ch({k}, ok) AS (
            SELECT {k}, min(ok) FROM {src} GROUP BY {k}
            UNION ALL
            SELECT {", ".join("n." + c for c in keys)}, n.nk FROM ch c JOIN {dst}_nx n
              ON {on2} AND n.ok = c.ok WHERE n.nk IS NOT NULL
        ) SELECT * FROM ch"""
    )


def duck_rule_case(rules, col):
    parts = []
    for key, kind, pat in rules:
        if kind == "exact":
            cond = f"trim(lower({col})) = {sql_str(pat)}"
        elif kind == "prefix":
            cond = f"starts_with(ltrim(lower({col})), {sql_str(pat)})"
        else:
            cond = f"contains(lower({col}), {sql_str(pat)})"
        parts.append(f"WHEN {cond} THEN {sql_str(key)}")
    return f"CASE {' '.join(parts)} ELSE 'direct' END" if parts else "'direct'"


CAT_GROUP = """CASE
    WHEN {c} IN ('marketing', 'marketing_lite') THEN 'marketing'
    WHEN {c} = 'utility' THEN 'utility'
    WHEN {c} IN ('authentication', 'authentication_international',
                 'authentication-international') THEN 'authentication'
    WHEN {c} IN ('service', 'referral_conversion') THEN 'service'
    ELSE 'marketing' END"""


def duck_compute(con, R):
    q = con.execute
    # Webhooks: entry[].changes[].value.{messages[], statuses[]}.
    q(
        """CREATE OR REPLACE TEMP TABLE chg AS
        SELECT c.value.metadata.phone_number_id AS phone, c.value.messages AS msgs,
               c.value.statuses AS sts
        FROM (SELECT unnest(e.changes) AS c
              FROM (SELECT unnest(entry) AS e FROM raw WHERE entry IS NOT NULL))
        WHERE c.field = 'messages'"""
    )
    # Inbound messages, deduplicated by id.
    q(
        """CREATE OR REPLACE TEMP TABLE inb AS
        SELECT m.id AS id, any_value(m."from") AS usr, any_value(phone) AS phone,
               any_value(CAST(m."timestamp" AS BIGINT)) AS ts, any_value(m."type") AS ty,
               any_value(m.text.body) AS body, any_value(m.referral.source_type) AS ref_type,
               any_value(m.referral.source_id) AS ref_id
        FROM (SELECT phone, unnest(msgs) AS m FROM chg WHERE msgs IS NOT NULL)
        GROUP BY m.id"""
    )
    # Statuses per message: first status, delivery (delivered/read/played), failure.
    q(
        """CREATE OR REPLACE TEMP TABLE st AS
        SELECT s.id AS id, min(CAST(s."timestamp" AS BIGINT)) AS first_ts,
               min(CAST(s."timestamp" AS BIGINT))
                 FILTER (WHERE s.status IN ('delivered', 'read', 'played')) AS delivered_at,
               bool_or(s.status = 'failed') AS any_failed,
               any_value(s.recipient_id) AS usr, any_value(phone) AS phone,
               any_value(s.pricing.category) AS pricing_cat
        FROM (SELECT phone, unnest(sts) AS s FROM chg WHERE sts IS NOT NULL)
        GROUP BY s.id"""
    )
    # Business messages: outbound records, and messages known only from statuses.
    q(
        """CREATE OR REPLACE TEMP TABLE outb AS
        WITH o AS (
            SELECT id, any_value("to") AS usr, any_value(phone_number_id) AS phone,
                   any_value("timestamp") AS ts, any_value(kind) AS kind,
                   any_value(template) AS template, any_value(category) AS category,
                   any_value(campaign) AS campaign
            FROM raw WHERE type = 'outbound' GROUP BY id)
        SELECT coalesce(o.id, s.id) AS id, coalesce(o.usr, s.usr) AS usr,
               coalesce(o.phone, s.phone) AS phone, coalesce(o.ts, s.first_ts) AS ts,
               o.id IS NOT NULL AS has_rec, o.kind, o.template, o.category, o.campaign,
               s.delivered_at, coalesce(s.any_failed, false) AND s.delivered_at IS NULL AS failed,
               s.pricing_cat
        FROM o FULL OUTER JOIN st s ON o.id = s.id"""
    )

    # ---- Sources: analytic conversations per (user, number).
    q(
        """CREATE OR REPLACE TEMP TABLE ev AS
        SELECT usr, phone, ts, 0 AS dir, id, true AS can_open,
               CASE WHEN ref_type = 'ad' THEN 'meta_ad:' || ref_id
                    WHEN ref_type IS NOT NULL THEN 'meta_post:' || ref_id END AS src,
               ty = 'text' AS is_text, body
        FROM inb WHERE ty NOT IN ('system', 'edit', 'revoke')
        UNION ALL
        SELECT usr, phone, ts, 1, id,
               delivered_at IS NOT NULL AND (NOT has_rec OR kind = 'template'),
               CASE WHEN campaign IS NOT NULL THEN 'campaign:' || campaign
                    ELSE 'template:' || coalesce(template, 'unknown') END,
               false, NULL
        FROM outb WHERE NOT failed"""
    )
    q(
        f"""CREATE OR REPLACE TEMP TABLE sess AS
        SELECT *, sum(CASE WHEN prev IS NULL OR ts - prev >= {R.timeout} THEN 1 ELSE 0 END)
                    OVER (PARTITION BY usr, phone ORDER BY rn ROWS UNBOUNDED PRECEDING) AS island
        FROM (SELECT *, row_number() OVER w AS rn, lag(ts) OVER w AS prev FROM ev
              WINDOW w AS (PARTITION BY usr, phone ORDER BY ts, dir, id))"""
    )
    q(
        f"""CREATE OR REPLACE TEMP TABLE convs AS
        SELECT usr, phone, island, min(ts) AS start,
               coalesce(any_value(src) FILTER (WHERE rn = open_rn),
                        {duck_rule_case(R.rules, "arg_min(body, rn) FILTER (WHERE dir = 0 AND is_text)")})
                 AS source
        FROM (SELECT *, min(rn) FILTER (WHERE can_open)
                          OVER (PARTITION BY usr, phone, island) AS open_rn FROM sess)
        WHERE rn >= open_rn
        GROUP BY usr, phone, island"""
    )
    # Leads: the last-touch conversation (latest start at or before the event, within the
    # lookback) of each conversion event.
    q(
        f"""CREATE OR REPLACE TEMP TABLE leads AS
        WITH x AS (SELECT id, any_value(contact) AS usr, any_value("timestamp") AS ts,
                          any_value(name) AS name
                   FROM raw WHERE type = 'external_event' GROUP BY id)
        SELECT DISTINCT c.usr, c.phone, c.island
        FROM (SELECT * FROM x WHERE name = {sql_str(R.conversion)}) x
        ASOF JOIN convs c ON x.usr = c.usr AND x.ts >= c.start
        WHERE c.start >= x.ts - {R.lookback}"""
    )
    cur = sql_str(R.currency)
    spend_days = q(
        f"""SELECT key, day, max(micros) FROM (
            SELECT source AS key, "date" AS day, CAST(round(amount * 1e6) AS BIGINT) AS micros
            FROM raw WHERE type = 'spend' AND coalesce(currency, {cur}) = {cur}
            UNION ALL
            SELECT CASE WHEN coalesce(ad_id, '') <> '' THEN 'meta_ad:' || ad_id
                        ELSE 'meta_campaign:' || coalesce(nullif(campaign_id, ''), campaign_name) END,
                   date_start, CAST(round(CAST(spend AS DOUBLE) * 1e6) AS BIGINT)
            FROM raw WHERE type IS NULL AND spend IS NOT NULL AND date_start IS NOT NULL
              AND coalesce(account_currency, currency, {cur}) = {cur})
          GROUP BY key, day"""
    ).fetchall()
    # Ad -> campaign: of the ad's rows naming a campaign, the latest (stop, start, campaign).
    ad_campaign = q(
        """WITH r AS (
             SELECT ad_id, coalesce(nullif(campaign_id, ''), campaign_name) AS c,
                    coalesce(date_stop, date_start) || '|' || date_start || '|'
                      || coalesce(nullif(campaign_id, ''), campaign_name) AS rank
             FROM raw WHERE type IS NULL AND coalesce(ad_id, '') <> '' AND date_start IS NOT NULL
               AND spend IS NOT NULL)
           SELECT 'meta_ad:' || ad_id, 'meta_campaign:' || arg_max(c, rank)
           FROM r WHERE c IS NOT NULL GROUP BY ad_id"""
    ).fetchall()
    cs = q(
        """SELECT c.source, count(*), count(l.usr)
           FROM convs c LEFT JOIN leads l USING (usr, phone, island) GROUP BY c.source"""
    ).fetchall()
    sources = roll_up(cs, spend_days, ad_campaign)

    # ---- Billing (CBP): per (number, user), events in (instant, inbound first, id) order.
    q(
        f"""CREATE OR REPLACE TEMP TABLE bev AS
        SELECT *, row_number() OVER (PARTITION BY usr, phone ORDER BY dt, dir, id) AS rn FROM (
          SELECT usr, phone, ts AS dt, 0 AS dir, id,
                 coalesce(ref_type IN ('ad', 'post'), false) AS referral, NULL AS grp
          FROM inb WHERE ty NOT IN ('system', 'edit', 'revoke')
          UNION ALL
          SELECT usr, phone, delivered_at, 1, id, false,
                 CASE WHEN has_rec AND kind = 'template' THEN {CAT_GROUP.format(c="category")}
                      WHEN has_rec THEN 'service'
                      ELSE {CAT_GROUP.format(c="pricing_cat")} END
          FROM outb
          WHERE delivered_at IS NOT NULL
            AND (has_rec OR (pricing_cat IS NOT NULL AND pricing_cat <> 'other')))"""
    )
    # Free entry point candidates: the first delivery after the latest referral message,
    # less than 24 h after it.
    q(
        f"""CREATE OR REPLACE TEMP TABLE fep_c AS
        SELECT usr, phone, dt * {SHIFT} + rn AS ok, dt FROM (
          SELECT *, max(rn) FILTER (WHERE referral) OVER w AS ref_rn,
                    max(dt) FILTER (WHERE referral) OVER w AS ref_at,
                    max(rn) FILTER (WHERE dir = 1)
                      OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_out
          FROM bev WINDOW w AS (PARTITION BY usr, phone ORDER BY rn))
        WHERE dir = 1 AND ref_rn IS NOT NULL AND coalesce(prev_out, 0) < ref_rn
          AND dt - ref_at < {24 * HOUR}"""
    )
    duck_greedy(con, "fep_c", "fep", ["usr", "phone"], 72 * HOUR)
    # Deliveries outside free entry point windows, in segments between their openings.
    q(
        f"""CREATE OR REPLACE TEMP TABLE bout AS
        SELECT usr, phone, seg, grp, dt, dt * {SHIFT} + rn AS ok, rn FROM (
          SELECT b.*, count(f.ok) OVER w AS seg, max(f.ok) OVER w AS fep_ok
          FROM bev b LEFT JOIN fep f ON b.usr = f.usr AND b.phone = f.phone
                                    AND f.ok = b.dt * {SHIFT} + b.rn
          WHERE b.dir = 1
          WINDOW w AS (PARTITION BY b.usr, b.phone ORDER BY b.rn ROWS UNBOUNDED PRECEDING))
        WHERE fep_ok IS NULL OR dt >= fep_ok // {SHIFT} + {72 * HOUR}"""
    )
    q("CREATE OR REPLACE TEMP TABLE tmpl AS SELECT * FROM bout WHERE grp <> 'service'")
    duck_greedy(con, "tmpl", "tmpl_w", ["usr", "phone", "seg", "grp"], 24 * HOUR)
    # A free-form (service) delivery rides a template conversation open at its instant;
    # the others open service conversations, greedily.
    q(
        f"""CREATE OR REPLACE TEMP TABLE svc AS
        SELECT usr, phone, seg, dt, ok FROM (
          SELECT b.*, max(w.ok) FILTER (WHERE w.grp = 'marketing') OVER x AS m,
                      max(w.ok) FILTER (WHERE w.grp = 'utility') OVER x AS u,
                      max(w.ok) FILTER (WHERE w.grp = 'authentication') OVER x AS a
          FROM bout b LEFT JOIN tmpl_w w ON b.usr = w.usr AND b.phone = w.phone
                                        AND b.seg = w.seg AND b.ok = w.ok
          WINDOW x AS (PARTITION BY b.usr, b.phone, b.seg ORDER BY b.ok ROWS UNBOUNDED PRECEDING))
        WHERE grp = 'service'
          AND NOT coalesce(dt < m // {SHIFT} + {24 * HOUR}, false)
          AND NOT coalesce(dt < u // {SHIFT} + {24 * HOUR}, false)
          AND NOT coalesce(dt < a // {SHIFT} + {24 * HOUR}, false)"""
    )
    duck_greedy(con, "svc", "svc_w", ["usr", "phone", "seg"], 24 * HOUR)
    billing = dict(q("SELECT grp, count(*) FROM tmpl_w GROUP BY grp").fetchall())
    billing["service"] = q("SELECT count(*) FROM svc_w").fetchone()[0]
    billing["free_entry_point"] = q("SELECT count(*) FROM fep").fetchone()[0]
    return sources, billing_counts(billing)


# --------------------------------------------------------------------------- Polars

S, L, Str, I64 = pl.Struct, pl.List, pl.String, pl.Int64
POLARS_SCHEMA = S(
    {
        "type": Str,
        "id": Str,
        "timestamp": I64,
        "phone_number_id": Str,
        "to": Str,
        "kind": Str,
        "template": Str,
        "category": Str,
        "campaign": Str,
        "contact": Str,
        "name": Str,
        "source": Str,
        "date": Str,
        "amount": pl.Float64,
        "currency": Str,
        "ad_id": Str,
        "campaign_name": Str,
        "campaign_id": Str,
        "spend": Str,
        "date_start": Str,
        "date_stop": Str,
        "account_currency": Str,
        "entry": L(
            S(
                {
                    "changes": L(
                        S(
                            {
                                "field": Str,
                                "value": S(
                                    {
                                        "metadata": S({"phone_number_id": Str}),
                                        "messages": L(
                                            S(
                                                {
                                                    "from": Str,
                                                    "id": Str,
                                                    "timestamp": Str,
                                                    "type": Str,
                                                    "text": S({"body": Str}),
                                                    "referral": S(
                                                        {"source_type": Str, "source_id": Str}
                                                    ),
                                                    "context": S({"id": Str}),
                                                }
                                            )
                                        ),
                                        "statuses": L(
                                            S(
                                                {
                                                    "id": Str,
                                                    "status": Str,
                                                    "timestamp": Str,
                                                    "recipient_id": Str,
                                                    "pricing": S({"category": Str}),
                                                }
                                            )
                                        ),
                                    }
                                ),
                            }
                        )
                    )
                }
            )
        ),
    }
)


def polars_load(path):
    # Polars' read_ndjson builds nested list-of-struct columns about 30x slower than
    # str.json_decode on this machine (README.md), so the file is read as one string column
    # of lines and decoded with the same schema.
    lines = pl.read_csv(
        path,
        has_header=False,
        separator="\x01",
        quote_char=None,
        schema={"line": pl.String},
    )
    return lines.select(pl.col("line").str.json_decode(POLARS_SCHEMA)).unnest("line")


def pl_greedy(df, keys, length):
    """Greedy fixed windows over `df` (key columns, `ok`, `at`): the rows that open a
    window (see duck_greedy). Returns `df` restricted to them."""
    df = df.sort(keys + ["ok"]).with_row_index("ix")
    right = df.select(keys + ["ok", "ix"]).rename({"ok": "nk", "ix": "nix"}).sort("nk")
    nx = (
        df.select(keys + ["ix", ((pl.col("at") + length) * SHIFT).alias("t")])
        .sort("t")
        .join_asof(right, left_on="t", right_on="nk", by=keys, strategy="forward", check_sortedness=False)
        .sort("ix")
        .get_column("nix")
        .fill_null(-1)
        .cast(pl.Int64)
    )
    frontier = df.group_by(keys).agg(pl.col("ix").min()).get_column("ix").cast(pl.Int64)
    starts = []
    while frontier.len() > 0:
        starts.append(frontier)
        frontier = nx.gather(frontier)
        frontier = frontier.filter(frontier >= 0)
    ixs = pl.concat(starts) if starts else pl.Series("ix", [], dtype=pl.Int64)
    return df.filter(pl.col("ix").is_in(ixs.implode())).drop("ix")


CAT_MAP = {
    "marketing": "marketing",
    "marketing_lite": "marketing",
    "utility": "utility",
    "authentication": "authentication",
    "authentication_international": "authentication",
    "authentication-international": "authentication",
    "service": "service",
    "referral_conversion": "service",
}


def cat_group(col):
    return pl.col(col).replace_strict(CAT_MAP, default="marketing", return_dtype=pl.String)


def pl_rule(rules, col):
    expr = pl.lit("direct")
    for key, kind, pat in reversed(rules):
        low = pl.col(col).str.to_lowercase()
        if kind == "exact":
            cond = low.str.strip_chars() == pat
        elif kind == "prefix":
            cond = low.str.strip_chars_start().str.starts_with(pat)
        else:
            cond = low.str.contains(pat, literal=True)
        expr = pl.when(cond.fill_null(False)).then(pl.lit(key)).otherwise(expr)
    return expr


def polars_compute(raw, R):
    col = pl.col
    chg = (
        raw.select("entry")
        .drop_nulls()
        .explode("entry")
        .select(col("entry").struct.field("changes"))
        .explode("changes")
        .select(col("changes").struct.field("field"), col("changes").struct.field("value"))
        .filter(col("field") == "messages")
        .select(
            col("value").struct.field("metadata").struct.field("phone_number_id").alias("phone"),
            col("value").struct.field("messages").alias("msgs"),
            col("value").struct.field("statuses").alias("sts"),
        )
    )
    inb = (
        chg.select("phone", "msgs")
        .explode("msgs")
        .drop_nulls("msgs")
        .select(
            col("msgs").struct.field("id"),
            col("msgs").struct.field("from").alias("usr"),
            "phone",
            col("msgs").struct.field("timestamp").cast(I64).alias("ts"),
            col("msgs").struct.field("type").alias("ty"),
            col("msgs").struct.field("text").struct.field("body"),
            col("msgs").struct.field("referral").struct.field("source_type").alias("ref_type"),
            col("msgs").struct.field("referral").struct.field("source_id").alias("ref_id"),
        )
        .unique("id", keep="first", maintain_order=False)
    )
    st = (
        chg.select("phone", "sts")
        .explode("sts")
        .drop_nulls("sts")
        .select(
            col("sts").struct.field("id"),
            col("sts").struct.field("status"),
            col("sts").struct.field("timestamp").cast(I64).alias("ts"),
            col("sts").struct.field("recipient_id").alias("usr"),
            "phone",
            col("sts").struct.field("pricing").struct.field("category").alias("pricing_cat"),
        )
        .group_by("id")
        .agg(
            col("ts").min().alias("first_ts"),
            col("ts").filter(col("status").is_in(["delivered", "read", "played"])).min().alias("delivered_at"),
            (col("status") == "failed").any().alias("any_failed"),
            col("usr").first(),
            col("phone").first(),
            col("pricing_cat").drop_nulls().first(),
        )
    )
    o = (
        raw.filter(col("type") == "outbound")
        .select("id", col("to").alias("usr"), col("phone_number_id").alias("phone"),
                col("timestamp").alias("ts"), "kind", "template", "category", "campaign")
        .unique("id", keep="first", maintain_order=False)
        .with_columns(has_rec=pl.lit(True))
    )
    outb = (
        o.join(st, on="id", how="full", coalesce=True)
        .with_columns(
            usr=pl.coalesce("usr", "usr_right"),
            phone=pl.coalesce("phone", "phone_right"),
            ts=pl.coalesce("ts", "first_ts"),
            has_rec=col("has_rec").fill_null(False),
            failed=col("any_failed").fill_null(False) & col("delivered_at").is_null(),
        )
    )
    user_msg = ~col("ty").is_in(["system", "edit", "revoke"])

    # ---- Sources.
    ev = pl.concat(
        [
            inb.filter(user_msg).select(
                "usr", "phone", "ts", pl.lit(0, pl.Int8).alias("dir"), "id",
                pl.lit(True).alias("can_open"),
                pl.when(col("ref_type") == "ad").then(pl.lit("meta_ad:") + col("ref_id"))
                .when(col("ref_type").is_not_null()).then(pl.lit("meta_post:") + col("ref_id"))
                .alias("src"),
                (col("ty") == "text").alias("is_text"),
                "body",
            ),
            outb.filter(~col("failed")).select(
                "usr", "phone", "ts", pl.lit(1, pl.Int8).alias("dir"), "id",
                (col("delivered_at").is_not_null() & (~col("has_rec") | (col("kind") == "template"))).alias("can_open"),
                pl.when(col("campaign").is_not_null()).then(pl.lit("campaign:") + col("campaign"))
                .otherwise(pl.lit("template:") + col("template").fill_null("unknown")).alias("src"),
                pl.lit(False).alias("is_text"),
                pl.lit(None, pl.String).alias("body"),
            ),
        ]
    )
    g = ["usr", "phone"]
    sess = (
        ev.sort(["usr", "phone", "ts", "dir", "id"])
        .with_columns(rn=pl.int_range(pl.len()).over(g), prev=col("ts").shift(1).over(g))
        .with_columns(
            island=(col("prev").is_null() | (col("ts") - col("prev") >= R.timeout)).cast(pl.Int32).cum_sum().over(g)
        )
        .with_columns(open_rn=col("rn").filter(col("can_open")).min().over(g + ["island"]))
        .filter(col("rn") >= col("open_rn"))
    )
    convs = (
        sess.group_by(g + ["island"])
        .agg(
            col("ts").min().alias("start"),
            col("src").filter(col("rn") == col("open_rn")).first().alias("open_src"),
            col("body").filter((col("dir") == 0) & col("is_text")).first().alias("first_text"),
        )
        .with_columns(source=pl.coalesce("open_src", pl_rule(R.rules, "first_text")))
    )
    x = (
        raw.filter(col("type") == "external_event")
        .select("id", col("contact").alias("usr"), col("timestamp").alias("ts"), "name")
        .unique("id", keep="first", maintain_order=False)
        .filter(col("name") == R.conversion)
        .sort("ts")
    )
    leads = (
        x.join_asof(
            convs.select("usr", "phone", "island", "start").sort("start"),
            left_on="ts", right_on="start", by="usr", strategy="backward", check_sortedness=False,
        )
        .filter(col("start").is_not_null() & (col("start") >= col("ts") - R.lookback))
        .select("usr", "phone", "island")
        .unique()
        .with_columns(lead=pl.lit(1))
    )
    cs = (
        convs.join(leads, on=["usr", "phone", "island"], how="left")
        .group_by("source")
        .agg(pl.len().alias("conversations"), col("lead").sum().alias("leads"))
        .rename({"source": "key"})
    )
    cur = R.currency
    campaign = pl.coalesce(pl.when(col("campaign_id") != "").then(col("campaign_id")), "campaign_name")
    insights = raw.filter(col("type").is_null() & col("date_start").is_not_null())
    spend_days = (
        pl.concat(
            [
                raw.filter((col("type") == "spend") & (col("currency").fill_null(cur) == cur)).select(
                    col("source").alias("key"), col("date").alias("day"),
                    (col("amount") * 1e6).round().cast(I64).alias("micros"),
                ),
                insights.filter(
                    col("spend").is_not_null()
                    & (pl.coalesce("account_currency", "currency").fill_null(cur) == cur)
                ).select(
                    pl.when(col("ad_id").fill_null("") != "").then(pl.lit("meta_ad:") + col("ad_id"))
                    .otherwise(pl.lit("meta_campaign:") + campaign).alias("key"),
                    col("date_start").alias("day"),
                    (col("spend").cast(pl.Float64) * 1e6).round().cast(I64).alias("micros"),
                ),
            ]
        )
        .group_by("key", "day")
        .agg(col("micros").max())
        .rows()
    )
    # Ad -> campaign: of the ad's rows naming a campaign, the latest (stop, start, campaign).
    ad_campaign = (
        insights.filter(
            (col("ad_id").fill_null("") != "") & campaign.is_not_null() & col("spend").is_not_null()
        )
        .select(
            (pl.lit("meta_ad:") + col("ad_id")).alias("ad"),
            pl.coalesce("date_stop", "date_start").alias("stop"), "date_start", campaign.alias("campaign"),
        )
        .sort(["ad", "stop", "date_start", "campaign"])
        .group_by("ad")
        .agg((pl.lit("meta_campaign:") + col("campaign").last()).alias("campaign"))
        .rows()
    )
    sources = roll_up(cs.rows(), spend_days, ad_campaign)

    # ---- Billing (CBP).
    bev = pl.concat(
        [
            inb.filter(user_msg).select(
                "usr", "phone", col("ts").alias("at"), pl.lit(0, pl.Int8).alias("dir"), "id",
                col("ref_type").is_in(["ad", "post"]).fill_null(False).alias("referral"),
                pl.lit(None, pl.String).alias("grp"),
            ),
            outb.filter(
                col("delivered_at").is_not_null()
                & (col("has_rec") | (col("pricing_cat").is_not_null() & (col("pricing_cat") != "other")))
            ).select(
                "usr", "phone", col("delivered_at").alias("at"), pl.lit(1, pl.Int8).alias("dir"), "id",
                pl.lit(False).alias("referral"),
                pl.when(col("has_rec") & (col("kind") == "template")).then(cat_group("category"))
                .when(col("has_rec")).then(pl.lit("service"))
                .otherwise(cat_group("pricing_cat")).alias("grp"),
            ),
        ]
    ).sort(["usr", "phone", "at", "dir", "id"]).with_columns(rn=pl.int_range(1, pl.len() + 1).over(g))
    bev = bev.with_columns(ok=col("at") * SHIFT + col("rn"))
    ref_rn = pl.when(col("referral")).then(col("rn")).forward_fill().over(g)
    ref_at = pl.when(col("referral")).then(col("at")).forward_fill().over(g)
    prev_out = pl.when(col("dir") == 1).then(col("rn")).shift(1).forward_fill().over(g)
    fep_c = bev.with_columns(ref_rn=ref_rn, ref_at=ref_at, prev_out=prev_out).filter(
        (col("dir") == 1) & col("ref_rn").is_not_null()
        & (col("prev_out").fill_null(0) < col("ref_rn"))
        & (col("at") - col("ref_at") < 24 * HOUR)
    ).select("usr", "phone", "ok", "at")
    fep = pl_greedy(fep_c, g, 72 * HOUR).select("usr", "phone", "ok").with_columns(fep=pl.lit(True))
    bout = (
        bev.filter(col("dir") == 1)
        .join(fep, on=["usr", "phone", "ok"], how="left")
        .sort(["usr", "phone", "ok"])
        .with_columns(
            seg=col("fep").fill_null(False).cast(pl.Int32).cum_sum().over(g),
            fep_ok=pl.when(col("fep")).then(col("ok")).forward_fill().over(g),
        )
        .filter(col("fep_ok").is_null() | (col("at") >= col("fep_ok") // SHIFT + 72 * HOUR))
        .select("usr", "phone", "seg", "grp", "at", "ok")
    )
    tmpl_w = pl_greedy(bout.filter(col("grp") != "service"), g + ["seg", "grp"], 24 * HOUR)
    gs = g + ["seg"]
    marks = tmpl_w.select("usr", "phone", "seg", "ok", col("grp").alias("wgrp"))
    last = {
        c: pl.when(col("wgrp") == c).then(col("ok")).forward_fill().over(gs)
        for c in ("marketing", "utility", "authentication")
    }
    svc = (
        bout.join(marks, on=["usr", "phone", "seg", "ok"], how="left")
        .sort(gs + ["ok"])
        .with_columns(**{c[0]: e for c, e in last.items()})
        .filter(
            (col("grp") == "service")
            & ~(col("at") < col("m") // SHIFT + 24 * HOUR).fill_null(False)
            & ~(col("at") < col("u") // SHIFT + 24 * HOUR).fill_null(False)
            & ~(col("at") < col("a") // SHIFT + 24 * HOUR).fill_null(False)
        )
        .select("usr", "phone", "seg", "at", "ok")
    )
    svc_w = pl_greedy(svc, gs, 24 * HOUR)
    billing = dict(tmpl_w.group_by("grp").len().rows())
    billing["service"] = svc_w.height
    billing["free_entry_point"] = fep.height
    return sources, billing_counts(billing)


# --------------------------------------------------------------------------- comparison


def table(rows):
    """{key: (conversations, leads, invested_micros)} of the rows convolens reports."""
    return {
        k: (int(c), int(l), int(i))
        for k, c, l, i in rows
        if k is not None and (c or i)
    }


def roll_up(cs, spend_days, ad_campaign):
    """The source rows from an engine's small results, with the Meta campaigns rolled up as
    convolens does (core/src/attribution/section.rs, core/src/sources/spend.rs): `cs` is
    (key, conversations, leads), `spend_days` (key, day, micros), `ad_campaign` (ad key,
    campaign key). An ad keeps its row; campaign-level spend counts only in its campaign's
    row; a campaign's row sums its ads' conversations and leads, and per day its ads'
    spend, or its campaign-level spend on days without ad spend. Runs on a few thousand
    rows: the same Python for both peers."""
    rows = {k: [int(c), int(l), 0] for k, c, l in cs if k is not None}
    by_key = {}
    for k, d, v in spend_days:
        if k is None:
            continue
        by_key.setdefault(k, {})[d] = int(v)
        if not k.startswith("meta_campaign:"):
            rows.setdefault(k, [0, 0, 0])[2] += int(v)
    campaign_days = {}
    for ad, campaign in ad_campaign:
        for d, v in by_key.get(ad, {}).items():
            per = campaign_days.setdefault(campaign, {})
            per[d] = per.get(d, 0) + v
    for k, per in by_key.items():
        if k.startswith("meta_campaign:"):
            mine = campaign_days.setdefault(k, {})
            for d, v in per.items():
                mine.setdefault(d, v)
    sums = {}
    for ad, campaign in ad_campaign:
        if ad in rows:
            c = sums.setdefault(campaign, [0, 0, 0])
            c[0] += rows[ad][0]
            c[1] += rows[ad][1]
    for campaign, per in campaign_days.items():
        if per:
            sums.setdefault(campaign, [0, 0, 0])[2] = sum(per.values())
    rows.update(sums)
    return table((k, c, l, i) for k, (c, l, i) in rows.items())


def billing_counts(d):
    keys = ("marketing", "utility", "authentication", "service", "free_entry_point")
    return {k: int(d.get(k, 0)) for k in keys}


def cost_per_lead(invested, leads):
    return None if leads == 0 else invested / 1e6 / leads


def compare(name, got, ref):
    (gs, gb), (rs, rb) = got, ref
    bad = []
    for k in sorted(set(gs) | set(rs)):
        if gs.get(k) != rs.get(k):
            bad.append(f"  source {k}: {name} {gs.get(k)} convolens {rs.get(k)} (conversations, leads, invested micros)")
    for k in rb:
        if gb[k] != rb[k]:
            bad.append(f"  billing {k}: {name} {gb[k]} convolens {rb[k]}")
    return bad


def best(fn, runs):
    """The fastest of `runs` calls (wall clock), its CPU time (all threads), and the result."""
    t, cpu, out = float("inf"), None, None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall, c = time.perf_counter() - t0, time.process_time() - c0
        if wall < t:
            t, cpu = wall, c
    return (t, cpu), out


def main():
    args = [a for a in sys.argv[1:]]
    runs, compute_runs = 1, 3
    pos = []
    while args:
        a = args.pop(0)
        if a == "--runs":
            runs = int(args.pop(0))
        elif a == "--compute-runs":
            compute_runs = int(args.pop(0))
        else:
            pos.append(a)
    if len(pos) != 3:
        raise SystemExit(__doc__)
    path, cfg_path, cl_path = pos
    R = Rules(json.load(open(cfg_path)))
    cl = json.load(open(cl_path))
    for k, v in (("reply_opened", 0), ("start_ties", 0), ("cbp_only", True)):
        if cl["checks"][k] != v:
            raise SystemExit(f"peers: the data leaves the compared rule subset: {k} = {cl['checks'][k]} (README.md)")
    ref = (
        {r["key"]: (r["conversations"], r["leads"], r["invested_micros"]) for r in cl["sources"]},
        billing_counts(cl["billing"]),
    )

    timings = {
        "convolens": (
            (cl["load_compute_s"], cl["load_compute_cpu_s"]),
            (cl["compute_only_s"], cl["compute_only_cpu_s"]),
        )
    }
    results = {}

    con = duckdb.connect()

    def duck_full():
        duck_load(con, path)
        return duck_compute(con, R)

    t_full, results["duckdb"] = best(duck_full, runs)
    t_comp, _ = best(lambda: duck_compute(con, R), compute_runs)
    timings["duckdb"] = (t_full, t_comp)
    con.close()

    def pl_full():
        return polars_compute(polars_load(path), R)

    t_full, results["polars"] = best(pl_full, runs)
    raw = polars_load(path)
    t_comp, _ = best(lambda: polars_compute(raw, R), compute_runs)
    timings["polars"] = (t_full, t_comp)
    del raw

    failures = []
    for name, got in results.items():
        failures += compare(name, got, ref)

    print()
    print(f"{'source':<36} {'conversations':>13} {'leads':>7} {'invested':>12} {'cost/lead':>10}")
    for k, (c, l, i) in sorted(ref[0].items(), key=lambda kv: (-kv[1][0], kv[0])):
        cpl = cost_per_lead(i, l)
        print(f"{k:<36} {c:>13} {l:>7} {i / 1e6:>12.2f} {'-' if cpl is None else f'{cpl:.2f}':>10}")
    print()
    print("CBP conversations: " + ", ".join(f"{k}={v}" for k, v in ref[1].items()))
    print()
    def ratio(a, b):
        return "-" if a is None or not b else f"{a / b:.2f}x"

    print("seconds (best run); cpu = CPU time of all the engine's threads; x = time / convolens'")
    print(
        f"{'engine':<10} {'load+compute':>12} {'cpu':>8} {'x':>7} {'x cpu':>7}"
        f" {'compute-only':>13} {'cpu':>8} {'x':>7} {'x cpu':>7}"
    )
    (bf, bfc), (bc, bcc) = timings["convolens"]
    for name, ((f, fc), (c, cc)) in timings.items():
        print(
            f"{name:<10} {f:>12.3f} {fc if fc is not None else float('nan'):>8.3f} {ratio(f, bf):>7} {ratio(fc, bfc):>7}"
            f" {c:>13.3f} {cc if cc is not None else float('nan'):>8.3f} {ratio(c, bc):>7} {ratio(cc, bcc):>7}"
        )
    par = cl.get("parallel")
    if par:
        pf, pc = par["load_compute_s"], par["load_compute_cpu_s"]
        name = f"convolens load on {par['threads']} threads + merge"
        print(f"{name}: load+compute {pf:.3f} s (cpu {pc:.3f} s); "
              f"duckdb {timings['duckdb'][0][0] / pf:.2f}x, polars {timings['polars'][0][0] / pf:.2f}x its time")
    print()
    if failures:
        print("MISMATCH: the peers' numbers differ from convolens':")
        print("\n".join(failures))
        sys.exit(1)
    print("agreement: duckdb and polars match convolens on every source row and CBP count")
    d, p = timings["duckdb"][0][0] / bf, timings["polars"][0][0] / bf
    print(f"source-table speedup: duckdb={d:.2f} polars={p:.2f}")


if __name__ == "__main__":
    main()
