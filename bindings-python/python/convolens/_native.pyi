"""Type stubs for the compiled ``convolens._native`` module (re-exported by ``convolens``)."""

import datetime
import os
from typing import IO, Any, Dict, Iterable, List, Mapping, Optional, TypedDict, Union

__version__: str

class ConvolensError(Exception):
    """Base class of every convolens error."""

class ParseError(ConvolensError):
    """Input that cannot be ingested."""

    kind: str
    line: int
    column: int
    field: str
    message: str

class ConfigError(ConvolensError):
    """A configuration that cannot be used."""

    key: str

class ReportError(ConvolensError):
    """A report that cannot be computed as asked."""

class SnapshotError(ConvolensError):
    """Snapshot bytes that cannot be restored."""

class IngestOutcome(TypedDict):
    ingested: int
    duplicates: int
    ignored: List[str]

class ParseErrorInfo(TypedDict):
    kind: str
    line: int
    column: int
    field: str
    message: str

class StreamOutcome(TypedDict):
    lines: int
    outcome: IngestOutcome
    errors: List[ParseErrorInfo]

Document = Union[Mapping[str, Any], List[Any], str, bytes, bytearray]
DateLike = Union[datetime.date, str]

class Engine:
    """The analytics engine."""

    def __init__(self, config: Union[Mapping[str, Any], str, None] = None) -> None: ...
    @staticmethod
    def from_config_file(path: Union[str, os.PathLike[str]]) -> Engine: ...
    @property
    def config(self) -> Dict[str, Any]: ...
    def ingest(self, doc: Document) -> IngestOutcome: ...
    def ingest_many(self, docs: Iterable[Document], strict: bool = False) -> StreamOutcome: ...
    def ingest_jsonl(
        self, source: Union[str, os.PathLike[str], IO[bytes], IO[str]], strict: bool = False
    ) -> StreamOutcome: ...
    def report(
        self,
        start: Optional[DateLike] = None,
        end: Optional[DateLike] = None,
        *,
        last: Optional[str] = None,
        phone: Optional[str] = None,
        model: Optional[str] = None,
        time_zone: Optional[str] = None,
    ) -> Dict[str, Any]: ...
    def report_json(
        self,
        start: Optional[DateLike] = None,
        end: Optional[DateLike] = None,
        *,
        last: Optional[str] = None,
        phone: Optional[str] = None,
        model: Optional[str] = None,
        time_zone: Optional[str] = None,
        pretty: bool = True,
    ) -> str: ...
    def to_pandas(self, section: str, **report_args: Any) -> Any: ...
    def to_polars(self, section: str, **report_args: Any) -> Any: ...
