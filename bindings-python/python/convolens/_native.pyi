"""Type stubs for the compiled ``convolens._native`` module (re-exported by ``convolens``)."""

import datetime
import os
from typing import IO, Any, Dict, Iterable, List, Mapping, Optional, TypedDict, Union, final

__all__ = [
    "ConfigError",
    "ConvolensError",
    "Engine",
    "ParseError",
    "ReportError",
    "SnapshotError",
    "__version__",
    "partition_of",
    "user_key",
]
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

class _IngestOutcome(TypedDict):
    ingested: int
    duplicates: int
    ignored: List[str]

class _ParseErrorInfo(TypedDict):
    kind: str
    line: int
    column: int
    field: str
    message: str

class _StreamOutcome(TypedDict):
    lines: int
    outcome: _IngestOutcome
    errors: List[_ParseErrorInfo]

_Document = Union[Mapping[str, Any], List[Any], str, bytes, bytearray]
_DateLike = Union[datetime.date, str]

@final
class Engine:
    """The analytics engine."""

    def __new__(cls, config: Union[Mapping[str, Any], str, None] = None) -> Engine: ...
    @staticmethod
    def from_config_file(path: Union[str, os.PathLike[str]]) -> Engine: ...
    @property
    def config(self) -> Dict[str, Any]: ...
    def ingest(self, doc: _Document) -> _IngestOutcome: ...
    def ingest_many(self, docs: Iterable[_Document], strict: bool = False) -> _StreamOutcome: ...
    def ingest_jsonl(
        self, source: Union[str, os.PathLike[str], IO[bytes], IO[str]], strict: bool = False
    ) -> _StreamOutcome: ...
    def report(
        self,
        start: Optional[_DateLike] = None,
        end: Optional[_DateLike] = None,
        *,
        last: Optional[str] = None,
        phone: Optional[str] = None,
        model: Optional[str] = None,
        time_zone: Optional[str] = None,
        **options: Any,
    ) -> Dict[str, Any]: ...
    def report_json(
        self,
        start: Optional[_DateLike] = None,
        end: Optional[_DateLike] = None,
        *,
        pretty: bool = True,
        last: Optional[str] = None,
        phone: Optional[str] = None,
        model: Optional[str] = None,
        time_zone: Optional[str] = None,
        **options: Any,
    ) -> str: ...
    def to_pandas(self, section: str, **report_args: Any) -> Any: ...
    def to_polars(self, section: str, **report_args: Any) -> Any: ...
    def snapshot(self) -> bytes: ...
    @staticmethod
    def restore(snapshot: Union[bytes, bytearray]) -> Engine: ...
    def merge(self, other: Engine) -> None: ...
    def __reduce__(self) -> Any: ...

def user_key(doc: _Document) -> Optional[str]: ...
def partition_of(doc: _Document, partitions: int) -> int: ...
