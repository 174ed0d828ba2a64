#!/usr/bin/env python3
"""Generate the bindings' type files from the committed JSON Schemas (issue #21 item 7).

    python3 tools/gen-types.py          # rewrite the generated sections
    python3 tools/gen-types.py --check  # exit 1 when a file would change (CI)

Reads ``schema/report.schema.json`` and ``schema/config.schema.json`` (written by
``UPDATE_SCHEMA=1 cargo test -p convolens --test schema`` from the Rust types) and
rewrites, between the ``@generated-begin`` and ``@generated-end`` marker lines:

- ``bindings-wasm/src/types.d.ts``: one TypeScript declaration per schema definition;
- ``bindings-python/python/convolens/types.py``: one ``TypedDict`` (or ``Literal``
  alias) per definition, and ``__all__``.

Everything outside the markers is hand-kept (engine options, ingestion outcomes, errors).
It also copies the schemas into the Python package (``convolens/schema/``), so the wheel
ships them; the npm package copies ``schema/`` when it is built. Python 3.9+,
standard library only.
"""

import json
import keyword
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = [ROOT / "schema" / "config.schema.json", ROOT / "schema" / "report.schema.json"]
TS_FILE = ROOT / "bindings-wasm" / "src" / "types.d.ts"
PY_FILE = ROOT / "bindings-python" / "python" / "convolens" / "types.py"
# Where the packages carry the schemas (the npm tarball and the wheel).
# The npm package copies schema/ itself (bindings-wasm/build.sh); the wheel and sdist need the
# files inside the Python package.
COPIES = [ROOT / "bindings-python" / "python" / "convolens" / "schema"]

# The bindings' public names where they differ from the Rust type names.
COMMON_NAMES = {"ConversionKind": "EventKind", "EventKind": "MessagingEventKind",
                "Currency": "CurrencyCode"}
TS_NAMES = dict(COMMON_NAMES)
PY_NAMES = dict(COMMON_NAMES, RangeInfo="Range", InputStats="Input", FreeCounts="FreeMessages",
                CostSection="Cost", BillingSection="Billing", UsageSection="Usage",
                ModelName="AttributionModel", ComparisonRow="ModelComparison",
                AttributionSummary="Attribution")


def load_definitions():
    """Every definition of both schemas plus the two roots, in dependency order."""
    defs = {}
    for path in SCHEMAS:
        schema = json.loads(path.read_text())
        root = {k: v for k, v in schema.items() if k not in ("$defs", "$schema", "title")}
        for name, d in list(schema.get("$defs", {}).items()) + [(schema["title"], root)]:
            if name in defs and defs[name] != d:
                sys.exit(f"gen-types: `{name}` differs between the schemas")
            defs[name] = d
    order = []

    def visit(name):
        if name in order:
            return
        order.append(None)  # placeholder against cycles
        for ref in re.findall(r'"#/\$defs/(\w+)"', json.dumps(defs[name])):
            visit(ref)
        order.remove(None)
        order.append(name)

    for name in defs:
        visit(name)
    return [(n, defs[n]) for n in order]


def ref_name(schema):
    return schema["$ref"].rsplit("/", 1)[1]


def nullable_parts(schema):
    """(the schema without its null alternative, whether null is allowed)."""
    t = schema.get("type")
    if isinstance(t, list) and "null" in t:
        rest = [x for x in t if x != "null"]
        return dict(schema, type=rest[0] if len(rest) == 1 else rest), True
    alts = schema.get("anyOf")
    if alts and {"type": "null"} in alts:
        rest = [a for a in alts if a != {"type": "null"}]
        return (rest[0] if len(rest) == 1 else {"anyOf": rest}), True
    return schema, False


def ordered_properties(schema):
    """Required keys in declaration order, then the optional ones by name."""
    props = schema.get("properties", {})
    required = schema.get("required", [])
    return [(k, props[k], True) for k in required] + \
        [(k, props[k], False) for k in sorted(props) if k not in required]


def clean_doc(text, python):
    """Rustdoc to plain doc text: intra-doc links become code, rustdoc paths go."""
    text = re.sub(r"\[(`[^`]+`)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[(`[^`]+`)\]", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\((?:crate|super)::[^)]*\)", r"\1", text)
    text = text.replace("`crate::", "`convolens::")
    if python:
        text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)
        text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return text.strip()


# --- TypeScript --------------------------------------------------------------------------


ANNOTATIONS = {"description", "title", "default", "format"}


def ts_type(schema):
    if schema is True or set(schema) <= ANNOTATIONS:
        return "unknown"
    if "$ref" in schema:
        name = ref_name(schema)
        return TS_NAMES.get(name, name)
    base, null = nullable_parts(schema)
    if null:
        return f"{ts_type(base)} | null"
    if "anyOf" in schema or "oneOf" in schema:
        return " | ".join(ts_type(s) for s in schema.get("anyOf") or schema["oneOf"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    t = schema.get("type")
    if t == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(ts_type(s) for s in schema["prefixItems"]) + "]"
        item = ts_type(schema["items"])
        if schema.get("minItems") == schema.get("maxItems") is not None:  # a Rust array
            return "[" + ", ".join([item] * schema["maxItems"]) + "]"
        return f"({item})[]" if "|" in item else f"{item}[]"
    if t == "object":
        return f"Record<string, {ts_type(schema.get('additionalProperties', True))}>"
    if isinstance(t, list):
        return " | ".join(ts_type(dict(schema, type=x)) for x in t)
    if t == "string":
        return "IsoDate" if schema.get("format") == "date" else "string"
    return {"integer": "number", "number": "number", "boolean": "boolean"}[t]


def ts_doc(text, indent):
    lines = clean_doc(text, False).replace("*/", "*\\/").split("\n")
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**"] + [f"{indent} * {l}".rstrip() for l in lines] + [f"{indent} */"]


def ts_declaration(name, schema):
    out = ts_doc(schema["description"], "") if "description" in schema else []
    name = TS_NAMES.get(name, name)
    if schema.get("type") == "object" and "properties" in schema:
        out.append(f"export interface {name} {{")
        for key, sub, required in ordered_properties(schema):
            if "description" in sub:
                out += ts_doc(sub["description"], "  ")
            out.append(f"  {key}{'' if required else '?'}: {ts_type(sub)};")
        out.append("}")
    else:
        out.append(f"export type {name} = {ts_type(schema)};")
    return "\n".join(out)


def typescript(defs):
    return "\n\n".join(ts_declaration(n, s) for n, s in defs)


# --- Python ------------------------------------------------------------------------------


def py_type(schema):
    if schema is True or set(schema) <= ANNOTATIONS:
        return "Any"
    if "$ref" in schema:
        name = ref_name(schema)
        return PY_NAMES.get(name, name)
    base, null = nullable_parts(schema)
    if null:
        return f"Optional[{py_type(base)}]"
    alts = schema.get("anyOf") or schema.get("oneOf")
    if alts and all("const" in a for a in alts):
        return "Literal[" + ", ".join(json.dumps(a["const"]) for a in alts) + "]"
    if alts:
        return "Union[" + ", ".join(py_type(s) for s in alts) + "]"
    if "const" in schema:
        return f"Literal[{json.dumps(schema['const'])}]"
    if "enum" in schema:
        return "Literal[" + ", ".join(json.dumps(v) for v in schema["enum"]) + "]"
    t = schema.get("type")
    if t == "array":
        if "prefixItems" in schema:
            return "Tuple[" + ", ".join(py_type(s) for s in schema["prefixItems"]) + "]"
        return f"List[{py_type(schema['items'])}]"
    if t == "object":
        return f"Dict[str, {py_type(schema.get('additionalProperties', True))}]"
    if isinstance(t, list):
        return "Union[" + ", ".join(py_type(dict(schema, type=x)) for x in t) + "]"
    return {"integer": "int", "number": "float", "boolean": "bool", "string": "str"}[t]


def py_doc(text, indent):
    lines = clean_doc(text, True).split("\n")
    body = "\n".join(lines[:1] + [f"{indent}{l}".rstrip() for l in lines[1:]])
    return f'{indent}"""{body}"""'


def py_class(name, bases, fields, doc):
    out = [f"class {name}({bases}):"]
    if doc:
        out += [py_doc(doc, "    "), ""]
    for key, sub, _ in fields:
        out.append(f"    {key}: {py_type(sub)}")
        if "description" in sub:
            out.append(py_doc(sub["description"], "    "))
    if not fields:
        out.append("    pass")
    return "\n".join(out)


def py_typeddict(name, schema):
    fields = ordered_properties(schema)
    doc = schema.get("description")
    if any(keyword.iskeyword(k) or not k.isidentifier() for k, _, _ in fields):
        # A key that is not an identifier (`from`) needs the functional syntax, which has
        # no per-key docstrings.
        assert all(r for _, _, r in fields) or not any(r for _, _, r in fields), name
        total = "" if fields[0][2] else ", total=False"
        keys = ", ".join(f'"{k}": {py_type(s)}' for k, s, _ in fields)
        text = f'{name} = TypedDict("{name}", {{{keys}}}{total})'
        return text + ("\n" + py_doc(doc, "") if doc else "")
    required = [f for f in fields if f[2]]
    optional = [f for f in fields if not f[2]]
    if required and optional:
        base = py_class(f"_{name}Base", "TypedDict", required, None)
        return base + "\n\n\n" + py_class(name, f"_{name}Base, total=False", optional, doc)
    return py_class(name, "TypedDict" if required else "TypedDict, total=False", fields, doc)


def py_declaration(name, schema):
    name = PY_NAMES.get(name, name)
    if schema.get("type") == "object" and "properties" in schema:
        return py_typeddict(name, schema)
    text = f"{name} = {py_type(schema)}"
    return text + ("\n" + py_doc(schema["description"], "") if "description" in schema else "")


def python(defs):
    return "\n\n\n".join(py_declaration(n, s) for n, s in defs)


def python_all(text):
    """``__all__``: every public class and alias the file defines, sorted."""
    names = set(re.findall(r"^class ([A-Z]\w*)", text, re.M))
    names |= set(re.findall(r"^([A-Z]\w*) = ", text, re.M))
    return "__all__ = [\n" + "".join(f'    "{n}",\n' for n in sorted(names)) + "]"


# --- the files ---------------------------------------------------------------------------


def splice(text, section, body, comment):
    """Replace the lines between the section's begin and end markers with `body`."""
    begin = f"{comment} @generated-begin {section}"
    end = f"{comment} @generated-end {section}"
    pattern = re.compile(re.escape(begin) + r"[^\n]*\n.*?" + re.escape(end), re.S)
    if not pattern.search(text):
        sys.exit(f"gen-types: markers `{begin}` / `{end}` not found")
    note = " (tools/gen-types.py from schema/*.schema.json; do not edit)"
    return pattern.sub(lambda _: f"{begin}{note}\n{body}\n{end}", text)


def generated_files():
    """{path: the text it should have}."""
    defs = load_definitions()
    ts = splice(TS_FILE.read_text(), "schema", typescript(defs), "//")
    py = splice(PY_FILE.read_text(), "schema", python(defs), "#")
    py = splice(py, "all", python_all(py), "#")
    files = {TS_FILE: ts, PY_FILE: py}
    for directory in COPIES:
        for schema in SCHEMAS:
            files[directory / schema.name] = schema.read_text()
    return files


def main(argv):
    check = "--check" in argv
    stale = []
    for path, text in generated_files().items():
        if not path.exists() or path.read_text() != text:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    if check and stale:
        print("gen-types: stale, run `python3 tools/gen-types.py`: "
              + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    print(f"gen-types: {len(stale)} file(s) {'stale' if check else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
