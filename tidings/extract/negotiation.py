"""The state of a negotiation: parties, mediators, venue, round, outcome, issues and stances.

`find_negotiation(doc)` reads what earlier stages put on the Doc (the parse, entities, times,
places, quotes and PLOVER events) and returns one `Negotiation` for an article about talks,
proposals, ceasefires or deals, else []:

1. Gate. The article must use at least MIN_TALK_CUES talk/proposal/ceasefire/deal words
   (`tidings/data/negotiation/cues.toml` [article]) and name two sides.
2. Sides. The parties are the sides a strong phrase names ([parties]: "talks between the
   government of X and Y", "X-Y talks", "X's talks with Y", "X and Y negotiators ended a
   round"); failing that, the actors that talk or agree (or fail to) together in a talks or
   deal event ("Israeli and Hamas delegations failed to reach an agreement"); failing that, the
   two actors most often demanding, rejecting, accepting or accusing in the article. Events by
   which an actor only discusses, welcomes, monitors or reviews the talks are an observer's and
   count for neither (observers are not recorded). Persons count for the actor they speak for,
   acronyms for the name they abbreviate; descriptions ("the union", "the rebels") for the
   party they describe ([[descriptors]]). Mediators are the events' mediators, the actors of
   mediation triggers and phrases ([mediators]: "talks mediated by", "hosted by", "Kenya, which
   is mediating", "Kenyan mediators"), and the body an envoy speaks for ("Kenyan envoy
   Margaret Wairimu said") unless it is a party.
3. Venue and round. The place and the day dates of the talks events that are not future or
   hypothetical (and of sentences reporting a signed deal); the round ends on the latest such
   day on or before publication and starts on the earliest within ROUND_WINDOW_DAYS of it.
4. Stances. Each REQUEST / REJECT / AGREE / CONCEDE event is a demand / rejection / acceptance /
   concession, proposals ("put forward", "offered") are proposals, and an accusation with a
   backtracking cue ("accused Kinshasa of backtracking on", "said Israel had backtracked") is
   accuse-backtracking plus the accuser's implied demand. Cue verbs the event coder does not code
   ("added new conditions", "compromises presented by mediators", "called for Iran to halt
   enrichment") and refused issue actions ("would not restore the pension") add stances; a
   reported condition is the reporter's accusation and implied rejection. Stances in conditions
   ("until the hospital agrees") and references back ("what we agreed to") are none. The side
   is the event's actor, else the subject's description, the reporting verb's subject for
   "they", or the quoted speaker's side for "we".
5. Issues. Below each stance word the nearest issue phrase (tidings/extract/issues.py) and its
   conjuncts are the issues; "they" in a demanded clause refers to the sentence's group issue
   ("demanded that they exit Gaza if released"); "the proposal", "new conditions" refer back to
   what was last proposed / demanded; a stance with no issue of its own shares those of the
   stance it is coordinated with ("Mediators put forward alternatives to X, but none were
   accepted"); a stance on a
   proposal, deal or compromise with nothing more specific is on the issue "deal". Mentions with
   the same or linked keys are one issue.
6. Outcome. AGREE events by the parties on a deal give "agreement reached", negated ones "no
   agreement"; sentence patterns ([outcomes]) add the rest ("talks continue", "suspended").

The reading is split by seam: negotiation_cues.py loads the cues; negotiation_sides.py holds the
article's state and finds the sides (steps 2 and the side of each stance), with the phrases that
name parties, mediators and observers in negotiation_roles.py; negotiation_outcomes.py
the sessions, round, venue and outcomes (3, 6); negotiation_stances.py the stances and their
issues (4, 5). This module is the entry point and puts the record together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from tidings.doc import Doc, register_group
from tidings.extract.event_lexicon import EventLexicon, load_lexicon
from tidings.extract.issues import IssueVocabulary, load_vocabulary
from tidings.extract.negotiation_cues import CUES_FILE, Descriptor, NegotiationCues, VerbCue, load_cues
from tidings.extract.negotiation_outcomes import ROUND_WINDOW_DAYS, VENUE_FEATURES, OutcomeReader
from tidings.extract.negotiation_sides import MAX_PARTIES, MEDIATORS, MIN_PARTY_SCORE, SideReader
from tidings.extract.negotiation_stances import ANAPHORA_SENTENCES, MAX_GENERIC_DEPTH, StanceReader
from tidings.pipeline import Stage
from tidings.records import Negotiation

__all__ = [
    "ANAPHORA_SENTENCES", "CUES_FILE", "MAX_GENERIC_DEPTH", "MAX_PARTIES", "MEDIATORS",
    "MIN_PARTY_SCORE", "MIN_TALK_CUES", "ROUND_WINDOW_DAYS", "VENUE_FEATURES", "Descriptor",
    "NegotiationCues", "SideReader", "VerbCue", "find_negotiation", "load_cues",
    "make_negotiation_stage",
]

log = logging.getLogger(__name__)

register_group("negotiation", Negotiation)

MIN_TALK_CUES = 2
"""Talk/proposal/ceasefire/deal words an article needs before a negotiation record is built;
two keeps a passing "talks" in a battle report out while any real talks story (the sample has
over 20) passes; set by hand."""


# --- public API ---------------------------------------------------------------------------------


def find_negotiation(doc: Doc, cues: NegotiationCues | None = None,
                     vocab: IssueVocabulary | None = None,
                     lexicon: EventLexicon | None = None) -> list[Negotiation]:
    """The negotiation an article reports (a list of 0 or 1), see the module docstring.

    Needs `doc.parsed` (a parse of `doc.text`) and the "events" span group; uses "entities",
    "places", "times" and "quotes" where present. Returns [] when the Doc has no parse or the
    article is not about a negotiation.
    """
    parsed = doc.parsed
    if parsed is None or parsed.text != doc.text:
        if parsed is not None:
            log.warning("article %s: doc.parsed is not a parse of doc.text; no negotiation", doc.id)
        return []
    reader = _Reader(doc, cues or load_cues(), vocab or load_vocabulary(), lexicon or load_lexicon())
    found = reader.run()
    return [found] if found is not None else []


def make_negotiation_stage(extra_cues: Sequence[Path | str] = (),
                           extra_issues: Sequence[Path | str] = (),
                           event_lexicons: Sequence[Path | str] = ()) -> Stage:
    """Stage that writes `find_negotiation(doc)` to `doc.spans["negotiation"]`.

    `extra_cues` and `extra_issues` are user files shaped like the shipped
    tidings/data/negotiation/cues.toml and issues.toml; `event_lexicons` are the events stage's
    extra lexicon files (so that user triggers keep their flags here too).
    """
    cues = load_cues(extra_cues)
    vocab = load_vocabulary(extra_issues)
    lexicon = load_lexicon(event_lexicons)

    def run(doc: Doc) -> Doc:
        doc.spans["negotiation"] = find_negotiation(doc, cues, vocab, lexicon)
        return doc

    return Stage("negotiation", run, needs=("parsed", "events", "quotes", "entities", "times", "places"),
                 adds=("negotiation",))


# --- the reader -----------------------------------------------------------------------------------


class _Reader(StanceReader, OutcomeReader):
    """Builds the negotiation record of one article: sides (negotiation_sides.py), sessions, round,
    venue and outcomes (negotiation_outcomes.py), stances and issues (negotiation_stances.py)."""

    def run(self) -> Negotiation | None:
        if self._cue_count() < MIN_TALK_CUES:
            return None
        self.mediators = self._mediators()
        self.parties = self._parties()
        if len(self.parties) < 2:
            log.debug("article %s: talks words but fewer than two sides; no negotiation", self.doc.id)
            return None
        self.mediators = [m for m in dict.fromkeys(self.mediators + self.weak_mediators) if m not in self.parties]
        sessions = self._sessions()
        round_start, round_end = self._round(sessions)
        venue = self._venue(sessions, round_end)
        drafts = self._stances()
        found = self._outcomes()
        issues = self._issues(drafts, [m for _, mentions in found for m in mentions])
        outcomes = [self._with_issue(o, mentions, issues) for o, mentions in found]
        first = min((s for s, _ in sessions), key=lambda s: s.start_char, default=None)
        if first is None:
            first = self.sents[0]
        codes = tuple(self._code(p) for p in self.parties)
        return Negotiation(
            start=first.start_char, end=first.end_char, parties=tuple(self.parties),
            party_codes=codes, mediators=tuple(self.mediators),
            venue=venue.name if venue is not None else None,
            venue_start=venue.start if venue is not None else None,
            venue_end=venue.end if venue is not None else None,
            round_start=round_start, round_end=round_end,
            outcomes=tuple(outcomes), issues=tuple(issues),
        )

    def _cue_count(self) -> int:
        words = self.cues.article
        return sum(1 for t in self.parsed if t.lemma_.lower() in words or t.lower_ in words)
