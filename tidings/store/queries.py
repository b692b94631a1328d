"""Read queries over the typed span tables, shared by the CLI and the web layer."""

from __future__ import annotations

from dataclasses import dataclass

from tidings.store.store import Store


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """One stored quote with the article it came from."""

    article_id: str
    """Id of the article the quote is in."""
    published: str | None
    """Publication date of that article (ISO)."""
    outlet: str | None
    """Outlet of that article."""
    speaker: str | None
    """Canonical speaker name or anonymous description."""
    speaker_named: bool
    """False for anonymous sources."""
    affiliation: str | None
    """Canonical actor the speaker belongs to."""
    kind: str
    """direct, partial or indirect."""
    date: str | None
    """When it was said (ISO), see `date_source`."""
    date_source: str
    """sentence, publication or none."""
    medium: str | None
    """Outlet the speaker talked to, when the text says."""
    content: str
    """The quoted words, sliced from the article's cleaned text."""
    start: int
    """Offset of the content in the article's text."""
    end: int
    """End offset of the content in the article's text."""


@dataclass(frozen=True, slots=True)
class EntityRow:
    """An actor with how often and where it is mentioned."""

    canonical: str
    """Canonical actor name."""
    kind: str
    """Actor kind (person, country, ...)."""
    code: str | None
    """Actor code (ISO-3 for countries)."""
    mentions: int
    """Number of mentions across stored articles."""
    articles: int
    """Number of distinct articles mentioning it."""


def list_quotes(
    store: Store, speaker: str | None = None, affiliation: str | None = None,
    contains: str | None = None, limit: int = 100,
) -> list[QuoteRow]:
    """Quotes, newest article first; `speaker`/`affiliation` match case-insensitively as substrings."""
    where, params = [], []
    if speaker:
        where.append("q.speaker LIKE ?")
        params.append(f"%{speaker}%")
    if affiliation:
        where.append("q.affiliation LIKE ?")
        params.append(f"%{affiliation}%")
    if contains:
        where.append("instr(lower(substr(a.text, q.start + 1, q.\"end\" - q.start)), lower(?)) > 0")
        params.append(contains)
    sql = (
        "SELECT q.article_id, a.published, a.outlet, q.speaker, q.speaker_named, q.affiliation, q.kind, "
        "q.date, q.date_source, q.medium, substr(a.text, q.start + 1, q.\"end\" - q.start), q.start, q.\"end\" "
        "FROM spans_quotes q JOIN articles a ON a.id = q.article_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.published DESC, q.article_id, q.idx LIMIT ?"
    )
    rows = store.execute(sql, (*params, limit)).fetchall()
    return [QuoteRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8] or "none", r[9], r[10], r[11], r[12])
            for r in rows]


def list_entities(store: Store, kind: str | None = None, limit: int = 100) -> list[EntityRow]:
    """Actors by number of mentions, most mentioned first."""
    sql = (
        "SELECT canonical, kind, code, count(*), count(DISTINCT article_id) FROM spans_entities"
        + (" WHERE kind = ?" if kind else "")
        + " GROUP BY canonical, kind, code ORDER BY count(*) DESC, canonical LIMIT ?"
    )
    params = (kind, limit) if kind else (limit,)
    return [EntityRow(*r) for r in store.execute(sql, params).fetchall()]
