"""Canonical actors: the gazetteer of countries, governments, IGOs, groups and outlets.

`load_actors()` reads the shipped data files in `tidings/data/actors/` (plus any user files in
the same format) and every country pycountry knows, and returns an `ActorGazetteer`:

- `resolve(name)` maps a written name to its `Actor`: "U.S.", "US", "USA", "the United States",
  "American" -> United States; "Israeli" -> Israel; "Hamas'" -> Hamas; "Israeli forces" -> the
  government of Israel. Case, accents, punctuation, a leading "the" and a possessive are
  normalised away, except that all-capital aliases ("US", "WHO") need capitals.
- `find(text)` finds every gazetteer name in running text, longest first, never inside a word.

Actor codes:
- countries and governments: ISO 3166-1 alpha-3 ("USA"; "XKX" for Kosovo);
- intergovernmental bodies: "IGO-<NAME>" ("IGO-UN");
- news outlets: "MEDIA-<NAME>" ("MEDIA-REUTERS");
- groups, parties, organisations: "<ISO3>-<NAME>" of their home country ("PSE-HAMAS"), or
  "INT-<NAME>" when transnational ("INT-ISIS").
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from tidings.errors import ConfigError
from tidings.records import ActorKind

log = logging.getLogger(__name__)

Via = Literal["name", "alias", "demonym", "code", "metonym"]
"""How a gazetteer key was written: the canonical name, an alias, a demonym, an ISO code
(lookup only), or a metonym (a capital or seat that stands for an actor only in context)."""

Article = Literal["", "optional", "required"]
"""Whether a leading "the" belongs to the mention: never, when present, or always."""

SHIPPED_FILES = ("countries.tsv", "governments.tsv", "organisations.tsv", "armed_groups.tsv",
                 "media.tsv", "regions.tsv")
"""The shipped gazetteer files, in load order (later files win on a clash)."""

MAX_ALIAS_TOKENS = 12
"""Longest alias, in word tokens, that `find` tries; bounds the work per text position.
Calibrated by the longest shipped alias (11 tokens: "Office of the High Commissioner ...")."""

_KINDS = frozenset(get_args(ActorKind))
_WORD = re.compile(r"\w+")
_GAP = re.compile(r"[ \t\u00a0]{0,2}[.\-\u2010\u2011\u2013'\u2019]?[ \t\u00a0]{0,2}")
_THE_BEFORE = re.compile(r"\b[Tt]he[ \t\u00a0]+$")
_POSSESSIVE = re.compile(r"(?:['\u2019]s|['\u2019])$")
_NO_PLURAL = ("s", "sh", "ch", "ese", "x", "z", "man", "men")


@dataclass(frozen=True, slots=True)
class Actor:
    """A canonical actor: who a name refers to."""

    canonical: str
    """The name tidings reports ("United States", "Hamas", "Reuters")."""
    kind: ActorKind
    """What kind of actor it is (country, government, armed_group, media, ...)."""
    code: str | None
    """ISO-3 code for countries and governments, a stable tidings id otherwise (module doc)."""
    country: str | None
    """ISO-3 code of the actor's home country (Hamas -> "PSE", Reuters -> "GBR"); None if none."""


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """One written form of an actor, as the gazetteer keys it."""

    actor: Actor
    """The actor the form names."""
    form: str
    """The form as written in the data, without a leading "the" (used for the case check)."""
    via: Via
    """What kind of form it is."""
    matchable: bool
    """False for lookup-only keys (ISO codes, pycountry's "Korea, Republic of")."""
    article: Article
    """Whether a leading "the" in the text belongs to the mention."""
    priority: int
    """Source rank: pycountry 0, countries.tsv 1, other shipped files 2, user files 3 and up."""


@dataclass(frozen=True, slots=True)
class ActorMatch:
    """A gazetteer name found in a text by `ActorGazetteer.find`."""

    start: int
    """Start offset of the mention (including a leading "the" where it belongs)."""
    end: int
    """End offset of the mention."""
    entry: AliasEntry
    """The form that matched (its `actor` is who the mention refers to)."""

    @property
    def actor(self) -> Actor:
        return self.entry.actor


def fold(text: str) -> str:
    """Lowercase `text` and strip accents ("Côte" -> "cote"), for keys."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(text: str) -> tuple[str, ...]:
    """The lookup key of a name: its folded word tokens ("U.S." -> ("u", "s"))."""
    return tuple(_WORD.findall(fold(text)))


def case_ok(form: str, surface: str) -> bool:
    """Whether `surface` (text as written) may be the name `form` given their capitals.

    All-capital forms ("US", "WHO") need all-capital text; forms with a capital need text
    with a capital ("Turkey" but not "turkey"); all-lowercase forms match any case.
    """
    form_letters = [c for c in form if c.isalpha()]
    if not any(c.isupper() for c in form_letters):
        return True
    surface_letters = [c for c in surface if c.isalpha()]
    if not any(c.islower() for c in form_letters):
        return bool(surface_letters) and not any(c.islower() for c in surface_letters)
    return any(c.isupper() for c in surface_letters)


def strip_name(name: str) -> str:
    """`name` without surrounding punctuation, a possessive, or a leading "the"."""
    name = name.strip().strip("\"“”‘«»()[],;:!?").strip()
    name = _POSSESSIVE.sub("", name).rstrip()
    if name[:4].lower() == "the " and len(name) > 4:
        name = name[4:].lstrip()
    return name


class ActorGazetteer:
    """Every known actor name, for lookup (`resolve`) and for scanning text (`find`)."""

    def __init__(self, entries: Iterable[tuple[tuple[str, ...], AliasEntry]],
                 government_nouns: Iterable[str] = ()) -> None:
        by_key: dict[tuple[str, ...], list[AliasEntry]] = {}
        for key, entry in entries:
            if key:
                by_key.setdefault(key, []).append(entry)
        self._by_key = {k: sorted(v, key=lambda e: -e.priority) for k, v in by_key.items()}
        self._first = {k[0] for k, v in self._by_key.items() if any(e.matchable for e in v)}
        self._max_len = min(MAX_ALIAS_TOKENS, max((len(k) for k in self._by_key), default=1))
        self._countries = {e.actor.code: e.actor for v in self._by_key.values() for e in v
                           if e.actor.kind == "country" and e.actor.code}
        self._gov_nouns = {name_key(n) for n in government_nouns}

    def __len__(self) -> int:
        return len(self._by_key)

    @property
    def actors(self) -> set[Actor]:
        """Every actor the gazetteer knows."""
        return {e.actor for v in self._by_key.values() for e in v}

    def entries(self, key: tuple[str, ...]) -> list[AliasEntry]:
        """The forms stored under `key`, highest priority first."""
        return list(self._by_key.get(key, ()))

    def country(self, iso3: str) -> Actor | None:
        """The country actor with ISO-3 code `iso3`."""
        return self._countries.get(iso3)

    def government_of(self, iso3: str) -> Actor | None:
        """The government of the country `iso3` (canonical name of the country)."""
        country = self._countries.get(iso3)
        if country is None:
            return None
        return Actor(country.canonical, "government", iso3, iso3)

    def resolve(self, name: str, *, codes: bool = True) -> Actor | None:
        """The actor `name` refers to, or None.

        Handles aliases, demonyms, ISO codes (unless `codes` is False: pass that for names read
        from running text, where "GB" is more often gigabytes), case and accents, a leading
        "the", possessives ("Hamas'"), capital metonyms (taken as the government: context is
        the caller's job) and country + government noun ("Israeli forces").
        """
        surface = strip_name(name)
        key = name_key(surface)
        if not key:
            return None
        entry = self._pick(key, surface, matchable_only=not codes)
        if entry is not None:
            return entry.actor
        return self._resolve_government(key, surface, codes)

    def _resolve_government(self, key: tuple[str, ...], surface: str, codes: bool) -> Actor | None:
        for split in range(len(key) - 1, 0, -1):
            rest = key[split:]
            if rest[0] == "s" and len(rest) > 1:
                rest = rest[1:]  # "Israel's government"
            if rest not in self._gov_nouns:
                continue
            entry = self._pick(key[:split], surface, matchable_only=not codes)
            if entry is not None and entry.actor.kind == "country" and entry.via != "metonym":
                return self.government_of(entry.actor.code or "")
        return None

    def _pick(self, key: tuple[str, ...], surface: str, *, matchable_only: bool) -> AliasEntry | None:
        for entry in self._by_key.get(key, ()):
            if matchable_only and not entry.matchable:
                continue
            if case_ok(entry.form, surface):
                return entry
        return None

    def find(self, text: str) -> list[ActorMatch]:
        """Every gazetteer name in `text`, left to right, longest match first, non-overlapping."""
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
        # joined[i]: tokens i and i+1 may belong to one name (only spaces and one joiner between)
        joined = [
            "\n" not in text[tokens[i][1]:tokens[i + 1][0]]
            and _GAP.fullmatch(text, tokens[i][1], tokens[i + 1][0]) is not None
            for i in range(len(tokens) - 1)
        ]
        matches: list[ActorMatch] = []
        i = 0
        while i < len(tokens):
            if tokens[i][2] not in self._first:
                i += 1
                continue
            limit = i + 1
            while limit < len(tokens) and limit - i < self._max_len and joined[limit - 1]:
                limit += 1
            found = None
            for j in range(limit, i, -1):
                found = self._match_at(text, tokens, i, j)
                if found is not None:
                    break
            if found is None:
                i += 1
                continue
            matches.append(found)
            i = j
        return matches

    def _match_at(self, text: str, tokens: list[tuple[int, int, str]], i: int, j: int) -> ActorMatch | None:
        key = tuple(t[2] for t in tokens[i:j])
        start, end = tokens[i][0], tokens[j - 1][1]
        surface = text[start:end]
        for entry in self._by_key.get(key, ()):
            if not entry.matchable or not case_ok(entry.form, surface):
                continue
            m_start = start
            if entry.article:
                the = _THE_BEFORE.search(text, max(0, start - 6), start)
                if the is not None:
                    m_start = the.start()
                elif entry.article == "required":
                    continue
            m_end = end
            if entry.form.endswith(".") and text[end:end + 1] == ".":
                m_end = end + 1
            return ActorMatch(m_start, m_end, entry)
        return None


# --- loading ---------------------------------------------------------------------------------

def data_dir() -> Path:
    """The folder of the shipped actor data files."""
    return Path(str(resources.files("tidings") / "data" / "actors"))


@functools.lru_cache(maxsize=8)
def _load(extra: tuple[str, ...]) -> ActorGazetteer:
    context = load_context()
    builder = _Builder()
    builder.add_pycountry()
    for name in SHIPPED_FILES:
        builder.add_file(data_dir() / name, priority=1 if name == "countries.tsv" else 2)
    for rank, path in enumerate(extra):
        builder.add_file(Path(path), priority=3 + rank)
    gazetteer = ActorGazetteer(builder.entries(), context["government"]["nouns"])
    log.debug("actor gazetteer: %d keys, %d actors", len(gazetteer), len(gazetteer.actors))
    return gazetteer


def load_actors(extra_files: Sequence[Path | str] = ()) -> ActorGazetteer:
    """The actor gazetteer: shipped files, pycountry, then `extra_files` (cached per file list).

    A user file uses the format of `tidings/data/actors/organisations.tsv` (or of
    `countries.tsv`, told apart by its header row); its rows add names and actors, and where
    one of its aliases is also a shipped alias of another actor, the user's row wins.
    Raises ConfigError naming the file and line of a malformed row.
    """
    return _load(tuple(str(Path(p)) for p in extra_files))


def resolve_actor(name: str) -> Actor | None:
    """Resolve `name` with the default gazetteer (see `ActorGazetteer.resolve`)."""
    return load_actors().resolve(name)


@functools.lru_cache(maxsize=1)
def load_context() -> dict[str, Any]:
    """The context word lists (`tidings/data/actors/context.toml`)."""
    with open(data_dir() / "context.toml", "rb") as fh:
        return tomllib.load(fh)


def plural(demonym: str) -> str | None:
    """The regular plural of a demonym ("Israeli" -> "Israelis"), None when it has none."""
    if demonym.lower().endswith(_NO_PLURAL):
        return None
    return demonym + "s"


class _Builder:
    """Collects (key, entry) pairs from pycountry and the data files, later rows winning."""

    def __init__(self) -> None:
        # row id -> list of (form, via, matchable, priority) and the row's actor
        self._rows: dict[tuple[str, str, str], tuple[Actor, list[tuple[str, Via, bool, int]]]] = {}
        self._name_of: dict[str, str] = {}  # ISO-3 -> current canonical country name

    def _row(self, actor: Actor) -> list[tuple[str, Via, bool, int]]:
        """The forms list of `actor`'s row, created empty when new (rows only ever grow)."""
        rid = (actor.code or "", actor.kind, actor.canonical.casefold())
        if rid not in self._rows:
            self._rows[rid] = (actor, [])
        return self._rows[rid][1]

    def _rename_country(self, iso3: str, canonical: str) -> None:
        """Give the country `iso3` (and its general government) the name `canonical`."""
        for kind in ("country", "government"):
            for rid in [r for r in self._rows if r[0] == iso3 and r[1] == kind]:
                old, forms = self._rows[rid]
                if kind == "government" and old.canonical != self._name_of.get(iso3):
                    continue  # a named body ("Kremlin"), not the government in general
                del self._rows[rid]
                self._row(Actor(canonical, kind, old.code, old.country)).extend(forms)
        self._name_of[iso3] = canonical

    def add_pycountry(self) -> None:
        import pycountry

        for c in pycountry.countries:
            actor = Actor(getattr(c, "common_name", None) or c.name, "country", c.alpha_3, c.alpha_3)
            self._name_of[c.alpha_3] = actor.canonical
            forms = self._row(actor)
            for attr in ("name", "common_name", "official_name"):
                value = getattr(c, attr, None)
                if value:
                    # "Korea, Republic of" is a catalogue name: look-up only
                    forms.append((value, "alias", not re.search(r"[,()]", value), 0))
            forms.append((c.alpha_3, "code", False, 0))
            forms.append((c.alpha_2, "code", False, 0))

    def add_file(self, path: Path, priority: int) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"cannot read actor file {path}: {exc}; check the path") from exc
        header: list[str] | None = None
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in line.split("\t")]
            if header is None:
                header = cells
                if header[:2] not in (["iso3", "canonical"], ["code", "canonical"]):
                    raise ConfigError(
                        f"{path}:{number}: header must start with 'iso3<TAB>canonical' or "
                        f"'code<TAB>canonical', found {line!r}; see tidings/data/actors/*.tsv"
                    )
                continue
            row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
            where = f"{path}:{number}"
            if header[0] == "iso3":
                self._add_country_row(row, priority, where)
            else:
                self._add_actor_row(row, priority, where)

    def _add_country_row(self, row: dict[str, str], priority: int, where: str) -> None:
        iso3, canonical = row.get("iso3", ""), row.get("canonical", "")
        if not re.fullmatch(r"[A-Z]{3}", iso3) or not canonical:
            raise ConfigError(f"{where}: a country row needs an ISO-3 code and a canonical name")
        if self._name_of.get(iso3, canonical) != canonical:
            self._rename_country(iso3, canonical)
        self._name_of[iso3] = canonical
        forms = self._row(Actor(canonical, "country", iso3, iso3))
        if not forms:
            forms.append((iso3, "code", False, 0))  # a code pycountry lacks ("XKX")
        forms.append((canonical, "name", True, priority))
        for demonym in _split(row.get("demonyms", "")):
            forms.append((demonym, "demonym", True, priority))
            many = plural(demonym)
            if many:
                forms.append((many, "demonym", True, priority))
        for alias in _split(row.get("aliases", "")):
            forms.append((alias, "alias", True, priority))
        capitals = _split(row.get("capitals", ""))
        if capitals:
            gov = self._row(Actor(canonical, "government", iso3, iso3))
            gov.extend((c, "metonym", True, priority) for c in capitals)

    def _add_actor_row(self, row: dict[str, str], priority: int, where: str) -> None:
        canonical, kind = row.get("canonical", ""), row.get("kind", "")
        if not canonical or kind not in _KINDS:
            raise ConfigError(
                f"{where}: an actor row needs a canonical name and a kind among {sorted(_KINDS)}"
            )
        actor = Actor(canonical, kind, row.get("code") or None, row.get("country") or None)  # type: ignore[arg-type]
        forms = self._row(actor)
        generic_government = kind == "government" and any(
            a.kind == "country" and a.code == actor.code and a.canonical == canonical
            for a, _ in self._rows.values()
        )
        if not generic_government:
            forms.append((canonical, "name", True, priority))
        forms.extend((a, "alias", True, priority) for a in _split(row.get("aliases", "")))
        forms.extend((m, "metonym", True, priority) for m in _split(row.get("metonyms", "")))

    def entries(self) -> list[tuple[tuple[str, ...], AliasEntry]]:
        """Every (key, entry): one entry per written form, the article merged per key and actor."""
        forms: dict[tuple[tuple[str, ...], Actor, str, Via], tuple[bool, int]] = {}
        articles: dict[tuple[tuple[str, ...], Actor], set[Article]] = {}
        for actor, rows in self._rows.values():
            for form, via, matchable, priority in rows:
                article: Article = ""
                if form[:4] in ("the ", "The ") and len(form) > 4:
                    article = "required" if form.startswith("The ") else "optional"
                    form = form[4:]
                key = name_key(form)
                slot = (key, actor, form, via)
                old = forms.get(slot)
                forms[slot] = (matchable or bool(old and old[0]), max(priority, old[1] if old else 0))
                articles.setdefault((key, actor), set()).add(article)
        out = []
        for (key, actor, form, via), (matchable, priority) in forms.items():
            seen = articles[(key, actor)]
            merged: Article = "required" if seen == {"required"} else (
                "optional" if seen - {""} else "")
            out.append((key, AliasEntry(actor, form, via, matchable, merged, priority)))
        return out


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]
