"""The shapes of what :class:`convolens.Engine` returns, as ``TypedDict`` classes.

``Engine.report()`` returns a :class:`Report`: a plain ``dict`` with exactly the keys of
``report --json`` (the test suite checks every key of the example report against these
classes, so they stay in step with the core). Money is a ``float`` in major units of
the configured currency; a ratio whose denominator is zero is ``None``; days are
``"YYYY-MM-DD"`` strings in the report time zone; instants are UTC Unix seconds.

Use them to annotate your own code::

    from convolens.types import Report, SourceRow

    def best_source(report: Report) -> SourceRow:
        return max(report["sources"], key=lambda s: s["leads"])

``warnings`` lists, in words, what the report left out or could not price (money in
another currency, spend naming no number in a report on one number, ...).

Keys that the core leaves out when they have nothing to say are marked optional
(``total=False`` classes): ``Report.compare`` (only with ``compare=True``),
``Attribution.comparison`` (only with ``compare_models=True``), ``SourceRow.funnel``
(only with funnels configured), the quota figures of :class:`UsageMonth` (only with a
quota) and ``BillingView.conversation_id``.
"""

from typing import Dict, List, Literal, Optional, TypedDict

__all__ = [
    "AgentSummary",
    "AttributionModel",
    "CapiBatch",
    "CapiCustomData",
    "CapiEvent",
    "CapiEvents",
    "CapiUserData",
    "ForgetOutcome",
    "Attribution",
    "AuthorResponse",
    "Billing",
    "BillingView",
    "ButtonRow",
    "CategoryCounts",
    "Comparison",
    "ConversationCounts",
    "ConversionEvent",
    "Cost",
    "DailyActive",
    "DailyVolume",
    "Engagement",
    "EventRow",
    "ExpiryOutcome",
    "Figure",
    "FreeMessages",
    "FunnelRow",
    "FunnelStep",
    "IngestOutcome",
    "Input",
    "Mismatch",
    "ModelComparison",
    "ModelCredit",
    "Overall",
    "ParseErrorInfo",
    "PricingModel",
    "Range",
    "Reconciliation",
    "Report",
    "ResponseTime",
    "SourceRow",
    "StreamOutcome",
    "Support",
    "TemplateRow",
    "TopAuthor",
    "Usage",
    "UsageCounts",
    "UsageMonth",
]

# --- ingestion -------------------------------------------------------------------------


class IngestOutcome(TypedDict):
    """What one ``ingest`` call did."""

    ingested: int
    """Items applied for the first time."""
    duplicates: int
    """Items already seen (no change)."""
    ignored: List[str]
    """Items accepted but not used, with their reasons (``field:account_update``, ...)."""


class ParseErrorInfo(TypedDict):
    """One rejected document (the attributes of :class:`convolens.ParseError`)."""

    kind: str
    line: int
    column: int
    field: str
    message: str


class StreamOutcome(TypedDict):
    """What ``ingest_many`` / ``ingest_jsonl`` did."""

    lines: int
    outcome: IngestOutcome
    errors: List[ParseErrorInfo]


class ExpiryOutcome(TypedDict):
    """What ``Engine.expire()`` did (or, as ``Engine.expired``, every expiry so far)."""

    sealed_until: Optional[str]
    """Days before this one (engine time zone) are sealed; ``None`` while none is."""
    users: int
    """Users whose history was cut."""
    messages: int
    """Messages dropped."""
    external_events: int
    """External events dropped."""
    closes: int
    """Close and reopen records dropped."""


class ForgetOutcome(TypedDict):
    """What ``Engine.forget()`` removed."""

    found: bool
    """Whether the contact was known (nothing is removed otherwise)."""
    identifiers: int
    """``wa_id``s and BSUIDs (or their pseudonyms) removed."""
    messages: int
    """Messages removed, inbound and outbound."""
    external_events: int
    """External events removed."""
    closes: int
    """Close records removed."""
    clicks: int
    """URL-button clicks removed."""


class CapiUserData(TypedDict):
    """``user_data`` of a business messaging event."""

    whatsapp_business_account_id: str
    ctwa_clid: str


class CapiCustomData(TypedDict):
    """``custom_data``: the event's value in major units and its ISO 4217 currency."""

    value: float
    currency: str


class _CapiEventBase(TypedDict):
    event_name: Literal["LeadSubmitted", "Purchase", "AddToCart", "InitiateCheckout", "ViewContent"]
    event_time: int
    event_id: str
    action_source: Literal["business_messaging"]
    messaging_channel: Literal["whatsapp"]
    user_data: CapiUserData


class CapiEvent(_CapiEventBase, total=False):
    """One event object of a Conversions API request's ``data``."""

    custom_data: CapiCustomData
    """The value, when the event has one (always for ``Purchase``)."""


class CapiBatch(TypedDict):
    """One request body: at most 1,000 events."""

    data: List[CapiEvent]


class CapiEvents(TypedDict):
    """What ``Engine.capi_events()`` returns."""

    batches: List[CapiBatch]
    ineligible: Dict[str, int]
    """Candidates left out by reason: ``not_mapped``, ``no_click_id``, ``too_late``,
    ``no_value``, ``no_account``, ``too_old``."""
    cursor: str
    """Pass as ``since`` next time to get only what is new."""


# --- range and input -------------------------------------------------------------------

Range = TypedDict(
    "Range", {"from": str, "to": str, "days": int, "time_zone": str, "phone": Optional[str]}
)
"""The days reported on: ``from`` inclusive, ``to`` exclusive, in ``time_zone``; ``phone``
is the business number filter (``None``: all)."""


class Input(TypedDict):
    """Ingestion counts over the engine's life."""

    lines: int
    ingested: int
    duplicates: int
    ignored: int
    errors: int
    conflicts: int
    """Facts (ids) that arrived in more than one version; one rule kept one of them."""
    messages: Dict[str, int]
    """Unique inbound messages per type (``text``, ``button``, ...)."""
    statuses: Dict[str, int]
    """Unique statuses per kind (``sent``, ``delivered``, ``read``, ``failed``)."""
    records: Dict[str, int]
    """Unique records per type (``outbound``, ``external_event``, ``spend``, ``close``,
    ``reopen``, ``click``)."""
    ignored_reasons: Dict[str, int]


# --- billing and usage -----------------------------------------------------------------

PricingModel = Literal["CBP", "PMP"]


class ConversationCounts(TypedDict):
    """Conversations opened, by kind (conversation-based pricing; free entry point in
    both models)."""

    marketing: int
    utility: int
    authentication: int
    service: int
    free_entry_point: int


class CategoryCounts(TypedDict):
    """Per-message pricing: messages charged, by category."""

    marketing: int
    utility: int
    authentication: int
    service: int
    """Free-form messages: charged from 2026-10-01 with the default timeline."""
    meta_business_agent: int
    """Meta Business Agent messages: charged from 2026-08-01 with the default timeline."""


class FreeMessages(TypedDict):
    """Free delivered messages by reason."""

    service_window: int
    free_entry_point: int
    free_form: int
    free_service: int
    meta_business_agent: int
    """Meta Business Agent messages delivered before Meta billed them (2026-08-01)."""


class AgentSummary(TypedDict):
    """Meta Business Agent messages over the range (delivered ones)."""

    delivered: int
    charged: int
    tokens: int
    """Tokens of the delivered ones whose count is known."""
    without_tokens: int
    priced_by_meta: int
    """Priced from Meta's ``pricing`` object."""
    priced_by_tokens: int
    """Priced as tokens × the rate card's per-token rate."""
    unpriced: int
    """Charged without a price (cost zero; the report warns)."""
    other_currency: int
    """Of the unpriced, those Meta priced in a currency other than the report's."""
    cost: float


class Cost(TypedDict):
    """What the range cost under the rate card."""

    total: float
    currency: str
    by_category: Dict[str, float]
    by_country: Dict[str, float]
    """By recipient country code (``unknown`` when not known)."""
    by_day: Dict[str, float]
    """By delivery day, every day of the range."""
    unpriced: int
    """Charged units the rate card has no rate for."""
    unpriced_by_category: Dict[str, Dict[str, int]]
    """The unpriced units by category, then market."""


class _BillingViewBase(TypedDict):
    model: Optional[PricingModel]
    category: Optional[str]
    billable: Optional[bool]
    conversation: Optional[str]


class BillingView(_BillingViewBase, total=False):
    """How one message was billed, by the engine or by Meta."""

    conversation_id: str


class Mismatch(TypedDict):
    """A message where the engine and Meta's pricing information disagree."""

    message_id: str
    user: str
    phone: str
    delivered_at: int
    fields: List[str]
    engine: BillingView
    meta: BillingView


class Reconciliation(TypedDict):
    """The engine's billing against Meta's ``pricing``/``conversation`` objects."""

    checked: int
    mismatched: int
    by_field: Dict[str, int]
    mismatches: List[Mismatch]


class Billing(TypedDict):
    """The ``billing`` section: what Meta charges for business messages."""

    model: Literal["CBP", "PMP", "mixed"]
    service: Literal["free", "charged", "mixed"]
    """Whether service (free-form) messages are charged on the range's days."""
    conversations: ConversationCounts
    charged_messages: CategoryCounts
    free_messages: FreeMessages
    free_tier_conversations: int
    meta_business_agent: AgentSummary
    cost: Cost
    heatmap: List[List[int]]
    """Paid units (charged conversations and messages) by weekday of delivery (0 =
    Monday) and hour, report time zone."""
    reconciliation: Reconciliation


class UsageCounts(TypedDict):
    """Sent, delivered and billable counts."""

    sent: int
    delivered: int
    billable: int


class _UsageMonthBase(TypedDict):
    month: str
    partial: bool
    sent: int
    delivered: int
    billable: int
    by_country: Dict[str, UsageCounts]
    by_category: Dict[str, UsageCounts]


class UsageMonth(_UsageMonthBase, total=False):
    """One calendar month (``YYYY-MM``) of usage; the quota keys only with a quota."""

    quota: int
    quota_used: float
    quota_left: int


class Usage(TypedDict):
    """The ``usage`` section: monthly usage against the configured quota."""

    quota: Optional[int]
    months: List[UsageMonth]


# --- sources and attribution -----------------------------------------------------------

AttributionModel = Literal[
    "last_touch", "first_touch", "linear", "time_decay", "position_based", "markov", "shapley"
]


class FunnelStep(TypedDict):
    event: str
    reached: int
    drop_off: int


class FunnelRow(TypedDict):
    """A configured funnel, for one source."""

    name: str
    users_started: int
    """Distinct users who reached its first step."""
    users_completed: int
    """Distinct users who reached its last step."""
    steps: List[FunnelStep]


class _SourceRowBase(TypedDict):
    key: str
    name: str
    kind: Literal["meta_ad", "meta_post", "meta_campaign", "custom", "campaign", "direct"]
    direction: Literal["incoming", "outgoing"]
    conversations: int
    """Conversations started in the range."""
    leads: int
    conversion_rate: Optional[float]
    invested: float
    conversion_cost: Optional[float]
    revenue: Optional[float]
    """What its conversations led to; ``None`` when the conversion event is a messaging
    event."""
    roas: Optional[float]
    conversions: float


class SourceRow(_SourceRowBase, total=False):
    """One row of the ``sources`` section; ``funnel`` only with funnels configured."""

    funnel: List[FunnelRow]


class Overall(TypedDict):
    """The ``overall`` section: every source together, each conversation counted once."""

    conversations: int
    leads: int
    conversion_rate: Optional[float]
    conversions: float
    invested: float
    conversion_cost: Optional[float]
    revenue: Optional[float]
    roas: Optional[float]


EventKind = Literal["external", "button_reply", "list_reply", "text_reply"]


class EventRow(TypedDict):
    """One row of the ``events`` section: a messaging event or an external event name."""

    name: str
    kind: EventKind
    occurrences: int
    users: int
    conversations: int
    value: Optional[float]
    """External events: their value in the report currency; ``None`` for messaging
    events."""
    by_source: Dict[str, int]
    """Occurrences by source key of the conversation they happened in."""


class ConversionEvent(TypedDict):
    """The event that makes a conversation a lead (``name`` ``None``: any external
    event)."""

    name: Optional[str]
    kind: EventKind


class ModelCredit(TypedDict):
    model: AttributionModel
    conversions: float
    revenue: float


class ModelComparison(TypedDict):
    """Every attribution model's credit for one source."""

    key: str
    name: str
    models: List[ModelCredit]


class _AttributionBase(TypedDict):
    model: AttributionModel
    lookback_days: int
    conversion_event: Optional[ConversionEvent]
    currency: str
    events: int
    value: float
    attributed_events: int
    attributed_value: float
    unattributed_events: int
    unattributed_value: float
    other_currency: int


class Attribution(_AttributionBase, total=False):
    """The ``attribution`` section; ``comparison`` (and ``comparison_errors``, when a
    model could not be computed) only with ``compare_models=True``."""

    comparison: List[ModelComparison]
    comparison_errors: Dict[str, str]


# --- engagement, templates and campaigns -----------------------------------------------


class DailyActive(TypedDict):
    date: str
    users: int
    new: int
    """Of ``users``, those whose first message ever was that day."""
    returning: int


class DailyVolume(TypedDict):
    date: str
    sent: int
    """Business messages sent that day, delivered or not."""
    delivered: int
    received: int


class Support(TypedDict):
    opened: int
    closed: int
    reopened: int
    reopened_manually: int
    """Reopens by an agent's ``reopen`` record."""
    open_at_end: int


class TopAuthor(TypedDict):
    kind: str
    id: str
    messages: int


class AuthorResponse(TypedDict):
    answered: int
    median_s: Optional[float]
    p90_s: Optional[float]


class ResponseTime(TypedDict):
    conversations: int
    answered: int
    first_response_median_s: Optional[float]
    first_response_p90_s: Optional[float]
    by_author: Dict[str, AuthorResponse]


class Engagement(TypedDict):
    """The ``engagement`` section: active users, volumes, support, authorship."""

    active_users: int
    new_users: int
    returning_users: int
    daily_active: List[DailyActive]
    countries: Dict[str, int]
    messages_received: int
    messages_sent: int
    """Business messages sent, delivered or not."""
    messages_delivered: int
    avg_received_per_user_per_day: Optional[float]
    heatmap: List[List[int]]
    """Messages received by weekday (0 = Monday) and hour (report time zone)."""
    daily_volume: List[DailyVolume]
    support: Support
    authors: Dict[str, int]
    top_authors: List[TopAuthor]
    response_time: ResponseTime


class ButtonRow(TypedDict):
    text: str
    type: Literal["quick_reply", "url", "other"]
    clicks: int
    ctr: Optional[float]


class TemplateRow(TypedDict):
    """One row of ``templates`` (per template) or ``campaigns`` (per campaign)."""

    name: str
    category: str
    sent: int
    delivered: int
    read: int
    replied: int
    clicks: int
    url_clicks: int
    ctr: Optional[float]
    buttons: List[ButtonRow]
    cost: Optional[float]
    cost_per_delivered: Optional[float]
    cost_per_click: Optional[float]
    conversions: Optional[float]
    conversion_value: Optional[float]
    failed: Dict[str, int]
    """Failed messages by error code."""


# --- compare and the whole report ------------------------------------------------------


class Figure(TypedDict):
    """One figure of a compared section in both periods."""

    section: Literal[
        "overall", "billing", "sources", "events", "templates", "campaigns", "engagement"
    ]
    row: Optional[str]
    """The source key, event or template name in row sections, else ``None``."""
    figure: str
    """The field's JSON name (dotted inside nested objects: ``cost.total``)."""
    previous: Optional[float]
    current: Optional[float]
    change: Optional[float]
    """``current - previous`` (``None`` when either is ``None``)."""
    change_pct: Optional[float]
    """``change / |previous| * 100`` (``None`` when ``previous`` is zero or ``None``)."""


class Comparison(TypedDict):
    """The ``compare`` section: the previous period of equal length and every figure
    of the compared sections in both periods."""

    previous_range: Range
    figures: List[Figure]


class _ReportBase(TypedDict):
    range: Range
    overall: Overall
    input: Input
    billing: Billing
    usage: Usage
    sources: List[SourceRow]
    events: List[EventRow]
    attribution: Attribution
    engagement: Engagement
    templates: List[TemplateRow]
    campaigns: List[TemplateRow]
    warnings: List[str]
    """What the report left out or could not price, in plain words (empty when nothing)."""


class Report(_ReportBase, total=False):
    """A report, as ``Engine.report()`` returns it; ``compare`` only with
    ``compare=True``."""

    compare: Comparison
