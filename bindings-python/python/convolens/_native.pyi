"""Type stubs for the compiled ``convolens._native`` module (re-exported by ``convolens``)."""

import datetime
import os
from typing import (
    IO,
    Any,
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    Union,
    final,
    overload,
)

from .frames import Rows
from .types import (
    AttributionModel,
    CapiEvents,
    ExpiryOutcome,
    ForgetOutcome,
    IngestOutcome,
    Report,
    StreamOutcome,
)

__all__ = [
    "ConfigError",
    "ConvolensError",
    "Engine",
    "FreeFormWindow",
    "ParseError",
    "ReportError",
    "SnapshotError",
    "__version__",
    "partition_of",
    "report_tables",
    "user_key",
]
__version__: str

class ConvolensError(Exception):
    """Base class of every convolens error."""

class ParseError(ConvolensError, ValueError):
    """Input that cannot be ingested (also a ``ValueError``)."""

    kind: str
    line: int
    column: int
    field: str
    message: str

class ConfigError(ConvolensError, ValueError):
    """A configuration that cannot be used (also a ``ValueError``)."""

    key: str

class ReportError(ConvolensError):
    """A report that cannot be computed as asked."""

    kind: Literal["range", "option", "unsupported", "expired", "write"]
    """``expired``: the range starts in sealed days with an option they cannot answer."""
    option: str
    """The option's name when ``kind == "option"`` (``""`` when unknown), else ``""``."""

class SnapshotError(ConvolensError):
    """Snapshot bytes that cannot be restored."""

    kind: Literal["bad_magic", "newer_version", "corrupt", "needs_secret", "wrong_secret"]

_Document = Union[Mapping[str, Any], List[Any], str, bytes, bytearray]
_DateLike = Union[datetime.date, str]
_Instant = Union[datetime.datetime, int, float]
_Path = Union[str, os.PathLike[str]]

@final
class FreeFormWindow:
    """The customer service window of one user at one instant; true when open (free-form
    may be sent), ``charged`` when such a message would be charged (from 2026-10-01 by
    default), ``free`` when it would cost nothing."""

    @property
    def open(self) -> bool: ...
    @property
    def free(self) -> bool: ...
    @property
    def charged(self) -> bool: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def until(self) -> Optional[datetime.datetime]: ...
    @property
    def last_inbound(self) -> Optional[datetime.datetime]: ...
    @property
    def free_entry_until(self) -> Optional[datetime.datetime]: ...
    @property
    def free_entry_reply_by(self) -> Optional[datetime.datetime]: ...
    def to_dict(self, timestamps: bool = False) -> Dict[str, Any]: ...
    def __bool__(self) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Engine:
    """The analytics engine."""

    def __new__(
        cls,
        config: Union[Mapping[str, Any], str, None] = None,
        *,
        secret: Union[str, bytes, None] = None,
    ) -> Engine: ...
    @staticmethod
    def from_config_file(
        path: Union[str, os.PathLike[str]], *, secret: Union[str, bytes, None] = None
    ) -> Engine: ...
    @property
    def config(self) -> Dict[str, Any]: ...
    @property
    def max_document_bytes(self) -> int: ...
    @max_document_bytes.setter
    def max_document_bytes(self, value: int) -> None: ...
    def ingest(self, doc: _Document) -> IngestOutcome: ...
    def ingest_many(self, docs: Iterable[_Document], strict: bool = False) -> StreamOutcome: ...
    def ingest_jsonl(
        self,
        source: Union[str, os.PathLike[str], IO[bytes], IO[str]],
        strict: bool = False,
        threads: Optional[int] = None,
    ) -> StreamOutcome: ...
    def report(
        self,
        start: Optional[_DateLike] = None,
        end: Optional[_DateLike] = None,
        *,
        last: Optional[str] = None,
        phone: Optional[str] = None,
        model: Optional[AttributionModel] = None,
        time_zone: Optional[str] = None,
        compare: bool = False,
        compare_models: bool = False,
        conversion_event: Optional[str] = None,
        **options: Any,
    ) -> Report: ...
    def report_json(
        self,
        start: Optional[_DateLike] = None,
        end: Optional[_DateLike] = None,
        *,
        pretty: bool = True,
        last: Optional[str] = None,
        phone: Optional[str] = None,
        model: Optional[AttributionModel] = None,
        time_zone: Optional[str] = None,
        compare: bool = False,
        compare_models: bool = False,
        conversion_event: Optional[str] = None,
        **options: Any,
    ) -> str: ...
    def rows(
        self,
        table: Literal["charges", "conversations", "contacts"],
        *,
        start: Optional[_DateLike] = None,
        end: Optional[_DateLike] = None,
        last: Optional[str] = None,
        phone: Optional[str] = None,
        model: Optional[AttributionModel] = None,
        time_zone: Optional[str] = None,
        conversion_event: Optional[str] = None,
        **options: Any,
    ) -> Rows: ...
    def contacts_frame(
        self,
        name: Optional[str] = None,
        *,
        source: Optional[str] = None,
        event: Optional[str] = None,
        library: Literal["pandas", "polars"] = "pandas",
        start: Optional[_DateLike] = None,
        end: Optional[_DateLike] = None,
        last: Optional[str] = None,
        phone: Optional[str] = None,
        model: Optional[AttributionModel] = None,
        time_zone: Optional[str] = None,
        conversion_event: Optional[str] = None,
        **options: Any,
    ) -> Any: ...
    def to_pandas(self, section: str, **report_args: Any) -> Any: ...
    def to_polars(self, section: str, **report_args: Any) -> Any: ...
    def can_send_free_form(
        self, wa_id: str, at: Optional[_Instant] = None, phone: Optional[str] = None
    ) -> Optional[FreeFormWindow]: ...
    @overload
    def export_contacts(
        self,
        name: Optional[str] = None,
        *,
        source: Optional[str] = None,
        event: Optional[str] = None,
        file: None = None,
        format: Literal["convolens", "meta-audience"] = "convolens",
        start: Optional[_DateLike] = None,
        end: Optional[_DateLike] = None,
        **options: Any,
    ) -> str: ...
    @overload
    def export_contacts(
        self,
        name: Optional[str] = None,
        *,
        source: Optional[str] = None,
        event: Optional[str] = None,
        file: Union[_Path, IO[bytes], IO[str]],
        format: Literal["convolens", "meta-audience"] = "convolens",
        start: Optional[_DateLike] = None,
        end: Optional[_DateLike] = None,
        **options: Any,
    ) -> int: ...
    def expire(self) -> ExpiryOutcome: ...
    @property
    def expired(self) -> Optional[ExpiryOutcome]: ...
    def snapshot(self) -> bytes: ...
    @staticmethod
    def restore(
        snapshot: Union[bytes, bytearray], *, secret: Union[str, bytes, None] = None
    ) -> Engine: ...
    def forget(self, contact: str) -> ForgetOutcome: ...
    def capi_events(
        self,
        *,
        since: Optional[str] = None,
        now: Optional[_Instant] = None,
        batch_size: Optional[int] = None,
    ) -> CapiEvents: ...
    def merge(self, other: Engine) -> None: ...
    def __reduce__(self) -> Any: ...

def user_key(doc: _Document) -> Optional[str]: ...
def report_tables(report: Union[Mapping[str, Any], str]) -> List[Rows]: ...
def partition_of(doc: _Document, partitions: int) -> int: ...
