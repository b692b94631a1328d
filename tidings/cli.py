"""The command line: parse arguments, call one library function, print, map errors to exit codes.

Exit codes: 0 success; 1 some inputs failed (the rest was processed); 2 bad usage or settings;
3 a quality floor was not met (`tidings eval`).
"""

from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, get_args, get_type_hints

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tidings import __version__
from tidings.errors import TidingsError
from tidings.records import AttitudeType, Quote

app = typer.Typer(
    help="tidings: read news the way an analyst would, and turn it into facts you can check.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True)

DbOption = Annotated[Optional[Path], typer.Option("--db", help="SQLite store file (default: store.path, ./tidings.db).")]
ConfigOption = Annotated[Optional[Path], typer.Option("--config", help="User settings TOML file overriding the shipped defaults.")]
QuoteKind = Enum("QuoteKind", {k: k for k in get_args(get_type_hints(Quote)["kind"])}, type=str)  # type: ignore[misc]
"""Choices of `tidings quotes --kind`, from `records.Quote.kind`."""
AttitudeKind = Enum("AttitudeKind", {k: k for k in get_args(AttitudeType)}, type=str)  # type: ignore[misc]
"""Choices of `tidings attitudes --type`, from `records.AttitudeType`."""
SetOption = Annotated[Optional[list[str]], typer.Option("--set", help="Override one setting: section.key=value (repeatable).")]


def _settings(config: Path | None, overrides: list[str] | None, **extra: str):  # type: ignore[no-untyped-def]
    from tidings.settings import load_settings

    settings = load_settings(config, tuple(overrides or ()))
    return settings.override(**extra) if extra else settings


def _read_store(db: Path | None, config: Path | None, query):  # type: ignore[no-untyped-def]
    """Open the store read-only, run `query(store)`, map tidings errors to exit code 2."""
    from tidings.store import open_store

    try:
        settings = _settings(config, None)
        with open_store(db or settings.store.path, settings.store, readonly=True) as store:
            return query(store)
    except TidingsError as exc:
        raise _fail(exc) from None


def _fail(exc: TidingsError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}")
    return typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        out.print(f"tidings {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")] = False,
) -> None:
    """tidings: read news the way an analyst would, and turn it into facts you can check."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, directories (recursive) or - for standard input.")],
    db: DbOption = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD or YYYY-MM) for inputs that carry none.")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Worker processes (0 = one per core, 1 = in-process).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-process articles already in the store.")] = False,
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Read, clean, annotate and store articles; prints a summary (read, new, present, failed)."""
    from tidings.api import IngestReport
    from tidings.api import ingest as run_ingest

    try:
        extra = {"ingest.workers": str(workers)} if workers is not None else {}
        settings = _settings(config, set_, **extra)
        progress = Progress(
            SpinnerColumn(), TextColumn("[bold]ingest[/bold]"), BarColumn(bar_width=None),
            TextColumn("{task.fields[summary]}"), TimeElapsedColumn(), console=err, transient=True,
        )
        with progress:
            task = progress.add_task("ingest", total=None, summary="")

            def show(report: IngestReport) -> None:
                progress.update(task, summary=_summary_line(report))

            report = run_ingest(paths, db, settings=settings, date=date, force=force, on_progress=show)
    except TidingsError as exc:
        raise _fail(exc) from None
    out.print(f"ingest: {_summary_line(report)}  -> {db or settings.store.path}")
    if report.failures:
        err.print(f"[red]{report.failed} input(s) failed:[/red]")
        for failure in report.failures:
            err.print(f"  - {failure}", markup=False, highlight=False)
        raise typer.Exit(1)


def _summary_line(report) -> str:  # type: ignore[no-untyped-def]
    return (f"read {report.read}, new {report.new}, already present {report.present}, "
            f"updated {report.updated}, failed {report.failed}, copies {report.copies} "
            f"({report.reused} reused), new stories {report.new_stories}")


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files, directories or - for standard input.")],
    date: Annotated[Optional[str], typer.Option("--date", help="Publication date for inputs that carry none.")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Include the raw input and the offset map.")] = False,
    pretty: Annotated[bool, typer.Option("--pretty", help="Indent the JSON (one article per block).")] = False,
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Print the processed article(s) as JSON (JSON Lines for several) without touching a store."""
    from tidings.api import extract as run_extract
    from tidings.doc import Doc

    failures = []
    try:
        settings = _settings(config, set_)
        for result in run_extract(paths, settings=settings, date=date):
            if isinstance(result, Doc):
                data = result.to_json(include_raw=raw)
                sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2 if pretty else None) + "\n")
            else:
                failures.append(result)
                err.print(f"[red]failed:[/red] {result}", highlight=False)
    except TidingsError as exc:
        raise _fail(exc) from None
    if failures:
        err.print(f"[red]{len(failures)} input(s) failed[/red]")
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Full-text query (SQLite FTS5 syntax; plain words work).")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", help="Most hits to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits as JSON Lines.")] = False,
    config: ConfigOption = None,
) -> None:
    """Full-text search over stored articles."""
    marks = ("[", "]") if as_json else _MARKS
    hits = _read_store(db, config, lambda store: store.search(query, limit=limit, highlight=marks))
    if as_json:
        from tidings.records import to_dict

        for hit in hits:
            out.print(json.dumps(to_dict(hit), ensure_ascii=False), highlight=False, markup=False)
        return
    table = Table("id", "published", "outlet", "title", "snippet", title=escape(f"{len(hits)} hit(s) for {query!r}"))
    for hit in hits:
        snippet = escape(hit.snippet).replace(_MARKS[0], "[bold yellow]").replace(_MARKS[1], "[/bold yellow]")
        table.add_row(hit.id, str(hit.published or ""), escape(hit.outlet or ""), escape(hit.title or ""), snippet)
    out.print(table)


_MARKS = ("\x02", "\x03")
"""Match markers that article text does not contain: the snippet is escaped, then they become bold."""


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="Article id (as printed by search).")],
    db: DbOption = None,
    raw: Annotated[bool, typer.Option("--raw", help="Include the raw input and the offset map.")] = False,
    config: ConfigOption = None,
) -> None:
    """Print one stored article as JSON."""
    doc = _read_store(db, config, lambda store: store.get_doc(article_id))
    if doc is None:
        err.print(f"[red]error:[/red] no article with id {article_id!r}")
        raise typer.Exit(1)
    sys.stdout.write(json.dumps(doc.to_json(include_raw=raw), ensure_ascii=False, indent=2) + "\n")


@app.command()
def export(
    output: Annotated[Path, typer.Argument(help="Output file.")],
    fmt: Annotated[str, typer.Option("--format", help="parquet or jsonl.")] = "parquet",
    table: Annotated[str, typer.Option("--table", help="Table to export.")] = "articles",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Export a table of the store as Parquet or JSON Lines."""
    from tidings.store import export as run_export

    if fmt not in ("parquet", "jsonl"):
        err.print(f"[red]error:[/red] --format must be parquet or jsonl, not {fmt!r}")
        raise typer.Exit(2)
    rows = _read_store(db, config, lambda store: run_export(store, fmt, output, table=table))  # type: ignore[arg-type]
    out.print(f"export: {rows} row(s) of {table} -> {output}")


@app.command()
def quotes(
    speaker: Annotated[Optional[str], typer.Option("--speaker", help="Speaker name or description contains this.")] = None,
    affiliation: Annotated[Optional[str], typer.Option("--affiliation", help="Speaker's affiliation contains this.")] = None,
    contains: Annotated[Optional[str], typer.Option("--contains", help="Quoted words contain this.")] = None,
    kind: Annotated[Optional[QuoteKind], typer.Option("--kind", help="Only this kind; refusal = declined to comment.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most quotes to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Stored quotes with their speakers, newest article first. Refusals to comment are quotes of
    kind "refusal" whose words are the topic declined."""
    from tidings.store.queries import list_quotes

    chosen = kind.value if kind else None
    rows = _read_store(db, config, lambda store: list_quotes(store, speaker, affiliation, contains, limit, chosen))
    if as_json:
        _print_json_lines(rows)
        return
    table = Table(title=f"{len(rows)} quote(s)", expand=True)
    for name, ratio in (("said", 1), ("speaker", 2), ("affiliation", 2), ("kind", 1), ("quote", 6), ("article", 1)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for r in rows:
        who = escape(r.speaker or "?")
        table.add_row(r.date or "", who if r.speaker_named else f"[italic]{who}[/italic]", escape(r.affiliation or ""),
                      r.kind, escape(r.content), r.article_id)
    out.print(table)


@app.command()
def attitudes(
    holder: Annotated[Optional[str], typer.Option("--holder", help="Holder name or description contains this.")] = None,
    affiliation: Annotated[Optional[str], typer.Option("--affiliation", help="Holder's affiliation contains this.")] = None,
    type_: Annotated[Optional[AttitudeKind], typer.Option("--type", help="Only this kind of attitude.")] = None,
    lemma: Annotated[Optional[str], typer.Option("--lemma", help="Only this verb (decide, want, fear, ...).")] = None,
    negated: Annotated[Optional[bool], typer.Option("--negated/--asserted", help="Only negated / only asserted ones.")] = None,
    contains: Annotated[Optional[str], typer.Option("--contains", help="The content contains this.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most attitudes to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """What actors believe, want, decide, perceive or feel, as stored articles report it."""
    from tidings.store.queries import list_attitudes

    chosen = type_.value if type_ else None
    rows = _read_store(db, config, lambda store: list_attitudes(
        store, holder, affiliation, chosen, lemma.lower() if lemma else None, negated, contains, limit))
    if as_json:
        _print_json_lines(rows)
        return
    table = Table(title=f"{len(rows)} attitude(s)", expand=True)
    for name, ratio in (("date", 1), ("holder", 2), ("affiliation", 2), ("type", 1), ("cue", 1), ("content", 5), ("article", 1)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for r in rows:
        who = escape(r.holder or r.holder_text)
        who = who if r.holder_named else f"[italic]{who}[/italic]"
        cue = escape(("not " if r.negated else "") + r.cue)
        table.add_row(r.date or "", who, escape(r.affiliation or ""), r.type, cue, escape(r.content), r.article_id)
    out.print(table)


@app.command()
def entities(
    kind: Annotated[Optional[str], typer.Option("--kind", help="Only this kind (person, country, armed_group, ...).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most actors to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Actors mentioned in stored articles, most mentioned first."""
    from tidings.store.queries import list_entities

    rows = _read_store(db, config, lambda store: list_entities(store, kind, limit))
    if as_json:
        _print_json_lines(rows)
        return
    table = Table("actor", "kind", "code", "mentions", "articles", title=f"{len(rows)} actor(s)")
    for r in rows:
        table.add_row(r.canonical, r.kind, r.code or "", str(r.mentions), str(r.articles))
    out.print(table)


@app.command()
def events(
    type_: Annotated[Optional[str], typer.Option("--type", help="PLOVER type (AGREE, CONSULT, ASSAULT, ...).")] = None,
    actor: Annotated[Optional[str], typer.Option("--actor", help="An actor's name contains this.")] = None,
    target: Annotated[Optional[str], typer.Option("--target", help="A target's name contains this.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Event date on or after (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Event date on or before (YYYY[-MM[-DD]]).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most events to show.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Stored events (who did what to whom, when, where) in the order they happened."""
    from tidings.store.queries import list_events

    rows = _read_store(db, config, lambda store: list_events(store, type_, actor, target, since, until, limit))
    if as_json:
        _print_json_lines(rows)
        return
    table = Table(title=f"{len(rows)} event(s)", expand=True)
    for name, ratio in (("date", 1), ("type", 1), ("actors", 2), ("targets", 2), ("place", 1), ("sentence", 6)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for r in rows:
        kind = ("not " if r.negated else "") + r.type + ("" if r.modality == "asserted" else f" ({r.modality})")
        when = (r.date or "?") + ("" if r.date_source in ("clause", "sentence") else f" [{r.date_source}]")
        table.add_row(when, kind, ", ".join(r.actors), ", ".join(r.targets), r.place or "", r.sentence)
    out.print(table)


@app.command()
def stories(
    since: Annotated[Optional[str], typer.Option("--since", help="Only stories active on or after this date.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most stories to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Stories (articles grouped by what they report), newest activity first."""
    from tidings.store.queries import list_stories

    rows = _read_store(db, config, lambda store: list_stories(store, since, limit))
    if as_json:
        _print_json_lines(rows)
        return
    table = Table(title=f"{len(rows)} stor{'y' if len(rows) == 1 else 'ies'}", expand=True)
    for name, ratio in (("id", 2), ("label", 6), ("first", 1), ("last", 1), ("articles", 1), ("outlets", 1), ("copies", 1)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for r in rows:
        table.add_row(r.id, r.label, r.first_date or "", r.last_date or "", str(r.articles), str(r.outlets), str(r.copies))
    out.print(table)


@app.command()
def timeline(
    story_id: Annotated[str, typer.Argument(help="Story id (from `tidings stories`).")],
    since: Annotated[Optional[str], typer.Option("--since", help="Only what happened on or after (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only what happened on or before (YYYY[-MM[-DD]]).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """A story's incidents in the order they happened (event dates), with sources and key quotes,
    then its negotiation record: each issue's stances, party by party, over time."""
    from tidings.api import story_overview
    from tidings.corpus.negotiation_history import render_story_negotiation, story_negotiation_to_json
    from tidings.corpus.timeline import render_timeline, timeline_to_json

    try:
        settings = _settings(config, None)
        found = story_overview(story_id, db, settings=settings, since=since, until=until)
    except TidingsError as exc:
        raise _fail(exc) from None
    if found is None:
        err.print(f"[red]error:[/red] no story with id {story_id!r}; `tidings stories` lists them")
        raise typer.Exit(1)
    result, talks = found
    if talks is not None and not talks.articles:
        talks = None
    if as_json:
        payload = timeline_to_json(result, with_incidents=True)
        payload["negotiation"] = story_negotiation_to_json(talks) if talks is not None else None
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    render_timeline(result, out)
    if talks is not None:
        out.print()
        render_story_negotiation(talks, out)


@app.command()
def incident(
    incident_id: Annotated[str, typer.Argument(help="Incident id (from `tidings timeline ... --json`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the incident and its reports as JSON.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """One incident (a real-world happening) with every report of it, across stories and outlets."""
    from tidings.api import incident as find_incident
    from tidings.corpus.incidents import incident_to_json
    from tidings.corpus.timeline import render_incident

    try:
        settings = _settings(config, None)
        found = find_incident(incident_id, db, settings=settings)
    except TidingsError as exc:
        raise _fail(exc) from None
    if found is None:
        err.print(f"[red]error:[/red] no incident with id {incident_id!r}")
        raise typer.Exit(1)
    if as_json:
        sys.stdout.write(json.dumps(incident_to_json(found), ensure_ascii=False, indent=2) + "\n")
        return
    ids = sorted({r.article_id for r in found.reports})

    def texts(store):  # type: ignore[no-untyped-def]
        marks = ",".join("?" * len(ids))
        return dict(store.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", ids).fetchall())

    render_incident(found, _read_store(db, config, texts), out)


@app.command()
def negotiation(
    party: Annotated[Optional[str], typer.Option("--party", help="A party's or mediator's name contains this.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most records to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """The state of negotiations: parties, mediators, venue, outcome, issues and each party's stance."""
    from tidings.records import to_dict
    from tidings.store.queries import list_negotiations

    rows = _read_store(db, config, lambda store: list_negotiations(store, party, limit))
    if as_json:
        for article_id, published, record in rows:
            sys.stdout.write(json.dumps({"article_id": article_id, "published": published, **to_dict(record)},
                                        ensure_ascii=False) + "\n")
        return
    for article_id, published, record in rows:
        out.print(f"[bold]{' vs '.join(record.parties)}[/bold]  mediators: {', '.join(record.mediators) or '-'}  "
                  f"venue: {record.venue or '-'}  round: {record.round_end or record.round_start or '?'}  "
                  f"outcome: {record.outcome or '-'}  (article {article_id}, {published or 'undated'})", highlight=False)
        table = Table("issue", "key", "stances (party: stance, date)", expand=True)
        for issue in record.issues:
            stances = "; ".join(f"{s.party}: {s.stance}{' ' + s.date if s.date else ''}" for s in issue.stances)
            table.add_row(issue.label, issue.key, stances)
        out.print(table)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Interface to bind (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    config: ConfigOption = None,
) -> None:
    """Serve the web UI and its JSON API over a store (read-only; safe while an ingest writes)."""
    from tidings.web import serve as run_server

    try:
        settings = _settings(config, None)
        err.print(f"serving {db or settings.store.path} on http://{host}:{port}/  (Ctrl-C to stop)")
        run_server(db or settings.store.path, host=host, port=port)
    except TidingsError as exc:
        raise _fail(exc) from None


@app.command("eval")
def evaluate(
    shared: Annotated[Optional[Path], typer.Option("--shared", help="Gold data directory (default: ../shared beside the repository).")] = None,
    only: Annotated[Optional[list[str]], typer.Option("--only", help="Score only these extractors (times, entities, places, quotes, ...).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score every extractor against gold data and check the pinned quality floors (exit 3 below a floor)."""
    from tidings.evaluate import main as run_evaluation

    raise typer.Exit(run_evaluation(shared=shared, only=tuple(only or ()), as_json=as_json))


def _print_json_lines(rows: list) -> None:  # type: ignore[type-arg]
    from tidings.records import to_dict

    for row in rows:
        sys.stdout.write(json.dumps(to_dict(row), ensure_ascii=False) + "\n")


if __name__ == "__main__":  # pragma: no cover
    app()
