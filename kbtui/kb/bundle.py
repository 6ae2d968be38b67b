"""Reading a human-edited bundle (sources.toml, kb.toml, texts) into memory.

Everything is checked here, before the database is touched: TOML syntax,
unknown fields, ids, references, closed value sets, UTF-8, and the anchoring
of every quote. Problems are collected (not just the first) and each names
`file:line`, the field and what to do.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtui.kb import dates, vocab
from kbtui.kb.anchor import AnchorError, anchor

# the closed sets, as sets for membership tests (defined in kbtui.kb.vocab)
ENTITY_KINDS = frozenset(vocab.ENTITY_KINDS)
ALIAS_KINDS = frozenset(vocab.ALIAS_KINDS)
RELATION_TYPES = frozenset(vocab.RELATION_TYPES)
EVENT_TYPES = frozenset(vocab.EVENT_TYPES)
STATUSES = frozenset(vocab.ROLE_STATUSES)
SLUG, MAX_ID = vocab.SLUG, vocab.MAX_ID

SOURCE_FIELDS = {"id", "file", "title", "outlet", "author", "published", "via", "via_date", "url", "note"}
ENTITY_FIELDS = {"id", "kind", "name", "summary", "aliases"}
CLAIM_FIELDS = {"id", "cite", "disputed", "note"}
ROLE_FIELDS = CLAIM_FIELDS | {"holder", "organisation", "title", "start", "end", "status"}
RELATION_FIELDS = CLAIM_FIELDS | {"type", "subject", "object", "start", "end", "label"}
EVENT_FIELDS = CLAIM_FIELDS | {"name", "type", "summary", "aliases", "start", "end", "place", "participants"}
CITE_FIELDS = {"source", "quote", "prefix", "suffix"}
PARTICIPANT_FIELDS = {"entity", "capacity", "cite"}


class BundleError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Cite:
    source: str
    quote: str
    prefix: str
    suffix: str
    start: int
    end: int
    method: str


@dataclass
class Bundle:
    sources: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


class _Lines:
    """Finds the line of a table or field in the raw TOML, for messages."""

    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.lines = raw.splitlines()

    def table(self, name: str, index: int) -> int:
        seen = -1
        for no, line in enumerate(self.lines, 1):
            if line.strip() == f"[[{name}]]":
                seen += 1
                if seen == index:
                    return no
        return 1

    def find(self, start: int, needle: str) -> int:
        for no in range(start, len(self.lines) + 1):
            if needle in self.lines[no - 1]:
                return no
        return start

    def find_quote(self, start: int, quote: str) -> int:
        """The line of a citation's quote: a `quote = ` line holding its
        start (a short quote such as "Chen" also occurs in names above it)."""
        head = quote[:40]
        for no in range(start, len(self.lines) + 1):
            text = self.lines[no - 1]
            if "quote" in text and head in text:
                return no
        return self.find(start, head) if head.strip() else self.find(start, "quote")

    def at(self, line: int) -> str:
        return f"{self.path}:{line}"


def _read_toml(path: Path, problems: list[str]) -> tuple[dict[str, Any], _Lines]:
    if not path.is_file():
        problems.append(f"{path}: missing (a bundle needs sources.toml and kb.toml)")
        return {}, _Lines(path, "")
    raw_bytes = path.read_bytes()
    try:
        raw = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not valid UTF-8 at byte {exc.start}")
        return {}, _Lines(path, "")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{line.group(1)}" if line else str(path)
        problems.append(f"{where}: bad TOML: {exc}")
        return {}, _Lines(path, raw)
    lines = _Lines(path, raw)
    _refuse_nul(data, lines, problems)
    return data, lines


def _refuse_nul(value: Any, lines: _Lines, problems: list[str], key: str = "") -> None:
    """A NUL (U+0000, written \\u0000 in TOML) would be stored, but SQLite's
    text functions (length, substr, the CHECKs in schema.sql) stop at it."""
    if isinstance(value, dict):
        for k, v in value.items():
            _refuse_nul(v, lines, problems, str(k))
    elif isinstance(value, list):
        for v in value:
            _refuse_nul(v, lines, problems, key)
    elif isinstance(value, str) and "\x00" in value:
        escaped = [
            no for no, text in enumerate(lines.lines, 1) if "\\u0000" in text.lower() or "\\u00000000" in text.lower()
        ]
        line = next((no for no in escaped if key in lines.lines[no - 1]), escaped[0] if escaped else 1)
        problems.append(f"{lines.at(line)}: field `{key}` contains a NUL character (U+0000); remove it")


def load(bundle_dir: Path | str) -> Bundle:
    """Parse, validate and anchor a bundle, or raise BundleError."""
    root = Path(bundle_dir)
    problems: list[str] = []
    if not root.is_dir():
        raise BundleError([f"{root}: not a bundle directory (expected sources.toml and kb.toml)"])
    src_data, src_lines = _read_toml(root / "sources.toml", problems)
    kb_data, kb_lines = _read_toml(root / "kb.toml", problems)
    if problems:
        raise BundleError(problems)
    v = _Validator(root, problems, src_lines, kb_lines)
    bundle = Bundle()
    v.top_level(src_data, src_lines, {"source"})
    v.top_level(kb_data, kb_lines, {"entity", "role", "relation", "event"})
    src_data = {k: v.tables(src_data, k, src_lines) for k in ("source",)}
    kb_data = {k: v.tables(kb_data, k, kb_lines) for k in ("entity", "role", "relation", "event")}
    texts: dict[str, str] = {}
    for i, raw in enumerate(src_data.get("source", [])):
        item = v.source(raw, i, texts)
        if item:
            bundle.sources.append(item)
    for i, raw in enumerate(kb_data.get("entity", [])):
        item = v.entity(raw, i)
        if item:
            bundle.entities.append(item)
    for i, raw in enumerate(kb_data.get("event", [])):
        v.event_entity(raw, i, bundle)
    for i, raw in enumerate(kb_data.get("role", [])):
        item = v.role(raw, i, texts)
        if item:
            bundle.roles.append(item)
    for i, raw in enumerate(kb_data.get("relation", [])):
        item = v.relation(raw, i, texts)
        if item:
            bundle.relations.append(item)
    for i, raw in enumerate(kb_data.get("event", [])):
        item = v.event(raw, i, texts)
        if item:
            bundle.events.append(item)
    if problems:
        raise BundleError(problems)
    return bundle


class _Validator:
    def __init__(self, root: Path, problems: list[str], src: _Lines, kb: _Lines) -> None:
        self.root = root
        self.problems = problems
        self.src = src
        self.kb = kb
        self.source_ids: set[str] = set()
        self.entity_ids: set[str] = set()
        self.claim_ids: set[str] = set()

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def tables(self, data: dict[str, Any], key: str, lines: _Lines) -> list[Any]:
        """The array of tables `[[key]]`, or [] after reporting what is there instead."""
        value = data.get(key, [])
        if isinstance(value, list):
            return value
        self.fail(lines.at(lines.find(1, key)), f"`{key}` must be written as [[{key}]] tables")
        return []

    def top_level(self, data: dict[str, Any], lines: _Lines, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.fail(
                    lines.at(lines.find(1, key)), f"unknown table `{key}` (expected {', '.join(sorted(allowed))})"
                )

    # -- common field checks -------------------------------------------------
    def _fields(self, raw: Any, allowed: set[str], required: set[str], lines: _Lines, line: int, what: str) -> bool:
        if not isinstance(raw, dict):
            self.fail(lines.at(line), f"{what} must be a table")
            return False
        ok = True
        for key in raw:
            if key not in allowed:
                self.fail(
                    lines.at(lines.find(line, key)),
                    f"{what}: unknown field `{key}` (allowed: {', '.join(sorted(allowed))})",
                )
                ok = False
        for key in sorted(required - raw.keys()):
            self.fail(lines.at(line), f"{what}: missing required field `{key}`")
            ok = False
        for key, value in raw.items():
            if key in {"aliases", "cite", "participants"}:
                continue
            if not isinstance(value, str):
                self.fail(lines.at(lines.find(line, key)), f"{what}: field `{key}` must be a string")
                ok = False
            elif key in required and not value.strip():
                self.fail(lines.at(lines.find(line, key)), f"{what}: field `{key}` must not be empty")
                ok = False
        return ok

    def _slug(self, value: str, lines: _Lines, line: int, what: str, seen: set[str], namespace: str) -> bool:
        if not SLUG.match(value) or len(value) > MAX_ID:
            self.fail(
                lines.at(line),
                f"{what}: id `{value[:MAX_ID]}` must be a slug (a-z, 0-9, '-') of at most {MAX_ID} characters",
            )
            return False
        if value in seen:
            self.fail(lines.at(line), f"{what}: duplicate {namespace} id `{value}`")
            return False
        seen.add(value)
        return True

    def _date(self, raw: dict[str, Any], key: str, lines: _Lines, line: int, what: str) -> str | None:
        value = raw.get(key) or None
        if value is None:
            return None
        if not isinstance(value, str):  # an unquoted TOML date arrives as a datetime.date
            wrong = f'{value!r} must be a quoted ISO date prefix, such as "2024", "2024-05" or "2024-05-03"'
        else:
            wrong = dates.problem(value) or ""
        if wrong:
            self.fail(lines.at(lines.find(line, key)), f"{what}: `{key}` = {wrong}")
            return None
        return str(value)

    def _choice(
        self,
        raw: dict[str, Any],
        key: str,
        allowed: frozenset[str],
        default: str | None,
        lines: _Lines,
        line: int,
        what: str,
    ) -> str | None:
        value = raw.get(key, default)
        if value not in allowed:
            self.fail(
                lines.at(lines.find(line, key)),
                f"{what}: `{key}` = {value!r} is not one of {', '.join(sorted(allowed))}",
            )
            return None
        return str(value)

    def _ref(
        self, value: str | None, lines: _Lines, line: int, key: str, what: str, optional: bool = False
    ) -> str | None:
        if not value:
            if not optional:
                self.fail(lines.at(line), f"{what}: `{key}` is required")
            return None
        if value not in self.entity_ids:
            self.fail(lines.at(lines.find(line, key)), f"{what}: `{key}` = {value!r} is not a known entity id")
        return value

    # -- sources -------------------------------------------------------------
    def source(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.src.table("source", i)
        what = f"source #{i + 1}"
        if not self._fields(raw, SOURCE_FIELDS, {"id", "file", "title"}, self.src, line, what):
            return None
        what = f"source `{raw['id']}`"
        if not self._slug(raw["id"], self.src, line, what, self.source_ids, "source"):
            return None
        where = self.src.at(self.src.find(line, "file"))
        try:
            path = (self.root / raw["file"]).resolve()
            inside = path.is_relative_to(self.root.resolve())
            found = path.is_file()
        except (OSError, ValueError):  # an embedded NUL, a name too long
            self.fail(where, f"{what}: `file` = {raw['file']!r} is not a usable file name")
            return None
        if not inside:
            # a bundle from elsewhere must not pull in ~/.ssh/id_rsa or /etc/passwd
            self.fail(
                where,
                f"{what}: `file` = {raw['file']!r} is outside the bundle directory;"
                " keep source texts inside it (e.g. sources/name.txt)",
            )
            return None
        if not found:
            self.fail(where, f"{what}: file {raw['file']!r} not found")
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.fail(where, f"{what}: file {raw['file']!r} cannot be read ({exc.strerror})")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.fail(
                self.src.at(self.src.find(line, "file")),
                f"{what}: {raw['file']} is not valid UTF-8 at byte offset {exc.start}",
            )
            return None
        if b"\x00" in data:
            # SQLite's length(), substr() and instr() stop at a NUL, so SQL
            # written against the KB would silently see a shorter text
            self.fail(
                self.src.at(self.src.find(line, "file")),
                f"{what}: {raw['file']} contains a NUL byte at byte offset {data.index(0)};"
                " a source must be plain text",
            )
            return None
        texts[raw["id"]] = text
        return {
            "id": raw["id"],
            "title": raw["title"],
            "outlet": raw.get("outlet") or None,
            "author": raw.get("author") or None,
            "published": self._date(raw, "published", self.src, line, what),
            "via": raw.get("via") or None,
            "via_date": self._date(raw, "via_date", self.src, line, what),
            "url": raw.get("url") or None,
            "note": raw.get("note", ""),
            "text": text,
            "sha256": hashlib.sha256(data).hexdigest(),
        }

    # -- entities ------------------------------------------------------------
    def _aliases(self, raw: dict[str, Any], line: int, what: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        value = raw.get("aliases", [])
        if not isinstance(value, list):
            self.fail(self.kb.at(self.kb.find(line, "aliases")), f"{what}: `aliases` must be a list")
            return out
        for alias in value:
            if isinstance(alias, str):
                name, kind = alias, "alias"
            elif isinstance(alias, dict) and set(alias) <= {"name", "kind"} and isinstance(alias.get("name"), str):
                name, kind = alias["name"], alias.get("kind", "alias")
            else:
                self.fail(
                    self.kb.at(self.kb.find(line, "aliases")),
                    f"{what}: an alias must be a string or {{name, kind}}, not {alias!r}",
                )
                continue
            if not isinstance(kind, str) or kind not in ALIAS_KINDS:
                self.fail(
                    self.kb.at(self.kb.find(self.kb.find(line, "aliases"), name)),
                    f"{what}: alias kind {kind!r} is not one of {', '.join(sorted(ALIAS_KINDS))}",
                )
                continue
            if not name.strip():
                self.fail(self.kb.at(line), f"{what}: empty alias")
                continue
            if name not in {a for a, _ in out}:
                out.append((name, kind))
        return out

    def entity(self, raw: Any, i: int) -> dict[str, Any] | None:
        line = self.kb.table("entity", i)
        what = f"entity #{i + 1}"
        if not self._fields(raw, ENTITY_FIELDS, {"id", "kind", "name"}, self.kb, line, what):
            return None
        what = f"entity `{raw['id']}`"
        if not self._slug(raw["id"], self.kb, line, what, self.entity_ids, "entity"):
            return None
        kind = self._choice(raw, "kind", ENTITY_KINDS - {"event"}, None, self.kb, line, what)
        if raw.get("kind") == "event":
            self.fail(self.kb.at(line), f"{what}: write events as [[event]] tables, not entities")
        return {
            "id": raw["id"],
            "kind": kind,
            "name": raw["name"],
            "summary": raw.get("summary", ""),
            "aliases": self._aliases(raw, line, what),
        }

    def event_entity(self, raw: Any, i: int, bundle: Bundle) -> None:
        """Events are entities too; register them before claims refer to them."""
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            line = self.kb.table("event", i)
            if self._slug(raw["id"], self.kb, line, f"event `{raw['id']}`", self.entity_ids, "entity"):
                bundle.entities.append(
                    {
                        "id": raw["id"],
                        "kind": "event",
                        "name": str(raw.get("name") or raw["id"]),
                        "summary": str(raw.get("summary", "")),
                        "aliases": self._aliases(raw, line, f"event `{raw['id']}`"),
                    }
                )

    # -- claims --------------------------------------------------------------
    def _claim(
        self,
        raw: dict[str, Any],
        line: int,
        what: str,
        texts: dict[str, str],
        claim_id: str | None = None,
        inherited: list[Cite] | None = None,
    ) -> dict[str, Any] | None:
        claim_id = claim_id or raw["id"]
        if not self._slug(claim_id, self.kb, line, what, self.claim_ids, "claim"):
            return None
        cites = self._cites(raw.get("cite"), line, what, texts)
        if not cites and inherited:
            cites = list(inherited)
        if not cites and "cite" not in raw:
            self.fail(self.kb.at(line), f"{what}: has no `cite`; every claim needs at least one citation")
        return {"id": claim_id, "disputed": raw.get("disputed") or None, "note": raw.get("note", ""), "cites": cites}

    def _cites(self, value: Any, line: int, what: str, texts: dict[str, str]) -> list[Cite]:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.fail(self.kb.at(self.kb.find(line, "cite")), f"{what}: `cite` must be a non-empty list")
            return []
        out: list[Cite] = []
        for c in value:
            if not isinstance(c, dict) or not isinstance(c.get("quote"), str) or not isinstance(c.get("source"), str):
                self.fail(
                    self.kb.at(self.kb.find(line, "cite")), f"{what}: a citation needs `source` and `quote` strings"
                )
                continue
            cline = self.kb.find_quote(line, c["quote"])
            extra = set(c) - CITE_FIELDS
            if extra:
                self.fail(self.kb.at(cline), f"{what}: citation has unknown field(s) {', '.join(sorted(extra))}")
                continue
            bad = [k for k in ("prefix", "suffix") if not isinstance(c.get(k, ""), str)]
            if bad:
                self.fail(self.kb.at(cline), f"{what}: citation field `{bad[0]}` must be a string")
                continue
            text = texts.get(c["source"])
            if text is None:
                self.fail(self.kb.at(cline), f"{what}: citation source {c['source']!r} is not a known source id")
                continue
            try:
                a = anchor(text, c["quote"], c.get("prefix", ""), c.get("suffix", ""))
            except AnchorError as exc:
                hint = f"; nearest match: {exc.nearest!r}" if exc.nearest else ""
                self.fail(self.kb.at(cline), f"{what}: quote {c['quote']!r} in source `{c['source']}`: {exc}{hint}")
                continue
            out.append(Cite(c["source"], text[a.start : a.end], a.prefix, a.suffix, a.start, a.end, a.method))
        return out

    def role(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.kb.table("role", i)
        what = f"role #{i + 1}"
        if not self._fields(raw, ROLE_FIELDS, {"id", "holder", "title"}, self.kb, line, what):
            return None
        what = f"role `{raw['id']}`"
        claim = self._claim(raw, line, what, texts)
        if claim is None:
            return None
        claim.update(
            holder=self._ref(raw["holder"], self.kb, line, "holder", what),
            organisation=self._ref(raw.get("organisation"), self.kb, line, "organisation", what, True),
            title=raw["title"],
            start=self._date(raw, "start", self.kb, line, what),
            end=self._date(raw, "end", self.kb, line, what),
            status=self._choice(raw, "status", STATUSES, "unknown", self.kb, line, what),
        )
        return claim

    def relation(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.kb.table("relation", i)
        what = f"relation #{i + 1}"
        if not self._fields(raw, RELATION_FIELDS, {"id", "type", "subject", "object"}, self.kb, line, what):
            return None
        what = f"relation `{raw['id']}`"
        claim = self._claim(raw, line, what, texts)
        if claim is None:
            return None
        claim.update(
            type=self._choice(raw, "type", RELATION_TYPES, None, self.kb, line, what),
            subject=self._ref(raw["subject"], self.kb, line, "subject", what),
            object=self._ref(raw["object"], self.kb, line, "object", what),
            start=self._date(raw, "start", self.kb, line, what),
            end=self._date(raw, "end", self.kb, line, what),
            label=raw.get("label", ""),
        )
        return claim

    def event(self, raw: Any, i: int, texts: dict[str, str]) -> dict[str, Any] | None:
        line = self.kb.table("event", i)
        what = f"event #{i + 1}"
        if not self._fields(raw, EVENT_FIELDS, {"id", "name"}, self.kb, line, what):
            return None
        what = f"event `{raw['id']}`"
        claim = self._claim(raw, line, what, texts)
        if claim is None:
            return None
        claim.update(
            type=self._choice(raw, "type", EVENT_TYPES, "meeting", self.kb, line, what),
            start=self._date(raw, "start", self.kb, line, what),
            end=self._date(raw, "end", self.kb, line, what),
            place=self._ref(raw.get("place"), self.kb, line, "place", what, True),
            participants=[],
        )
        parts = raw.get("participants", [])
        if not isinstance(parts, list):
            self.fail(self.kb.at(self.kb.find(line, "participants")), f"{what}: `participants` must be a list")
            return claim
        for p in parts:
            if not isinstance(p, dict) or not isinstance(p.get("entity"), str):
                self.fail(self.kb.at(self.kb.find(line, "participants")), f"{what}: a participant needs an `entity` id")
                continue
            pline = self.kb.find(line, p["entity"])
            extra = set(p) - PARTICIPANT_FIELDS
            if extra:
                self.fail(self.kb.at(pline), f"{what}: participant has unknown field(s) {', '.join(sorted(extra))}")
                continue
            if not isinstance(p.get("capacity", ""), str):
                self.fail(self.kb.at(pline), f"{what}: participant field `capacity` must be a string")
                continue
            pwhat = f"{what} participant `{p['entity']}`"
            pclaim = self._claim(
                p, pline, pwhat, texts, claim_id=f"{raw['id']}--{p['entity']}", inherited=claim["cites"]
            )
            if pclaim is None:
                continue
            pclaim.update(
                entity=self._ref(p["entity"], self.kb, pline, "entity", pwhat), capacity=p.get("capacity", "")
            )
            claim["participants"].append(pclaim)
        return claim
