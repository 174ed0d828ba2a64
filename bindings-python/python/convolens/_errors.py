"""The exception classes of :mod:`convolens`, defined here so that :class:`ParseError` and
:class:`ConfigError` can also derive from :class:`ValueError`. The native module raises
them (it imports this module) and sets their attributes from the core's error."""


class ConvolensError(Exception):
    """Base class of every convolens error."""


class ParseError(ConvolensError, ValueError):
    """Input that cannot be ingested. Attributes: ``kind``, ``line`` (1-based, relative to
    the call's input), ``column`` (0 when unknown), ``field`` (JSON path), ``message``."""

    kind: str
    line: int
    column: int
    field: str
    message: str


class ConfigError(ConvolensError, ValueError):
    """A configuration that cannot be used. Attribute: ``key``."""

    key: str


class ReportError(ConvolensError):
    """A report that cannot be computed as asked. Attributes: ``kind`` (``range``,
    ``option``, ``unsupported``, ``expired``, ``write``), ``option`` (the option's name, for
    ``option``)."""

    kind: str
    option: str


class SnapshotError(ConvolensError):
    """Snapshot bytes that cannot be restored. Attribute: ``kind`` (``bad_magic``,
    ``newer_version``, ``corrupt``, ``needs_secret``: a pseudonymised snapshot restored
    without its secret, ``wrong_secret``)."""

    kind: str


for _c in (ConvolensError, ParseError, ConfigError, ReportError, SnapshotError):
    _c.__module__ = "convolens"
del _c
