"""The sides' stances and the issues they are on.

Stances come from coded events (REQUEST / REJECT / AGREE / CONCEDE and accusations of
backtracking), from verb cues the event coder does not code ("added new conditions") and from
refused issue actions ("would not restore the pension"). Each stance's issues are the issue
phrases below its word, a group issue for "they" in a demanded clause, what "the proposal" /
"new conditions" refers back to, or those of a coordinated stance; `assemble_issues` merges the
mentions into `Issue` records. `tidings/extract/negotiation.py` describes the rules in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tidings.extract.issues import IssueMention, assemble_issues, deal_mention
from tidings.extract.negotiation_sides import MEDIATORS, SideReader
from tidings.records import Event, Issue, Stance

ANAPHORA_SENTENCES = 3
"""How many sentences back "the proposal" / "new conditions" may refer (the sample's "new
conditions" quote follows the sentence that names them); set by hand."""
MAX_GENERIC_DEPTH = 9
"""Most dependency levels searched below a stance word for "the proposal" / "new conditions"
when no issue phrase is found (the sample's "will not accept discussions about retractions
from what we agreed to on July 2 or new conditions" puts it 8 deep); set by hand."""

_THIRD_PLURAL = frozenset({"they", "them", "it"})
_CONDITION_MARKS = frozenset({"if", "unless", "until", "once", "provided"})


@dataclass(slots=True)
class _Draft:
    """A stance before its issues are merged into `Issue` records."""

    sent: Any
    party: str
    stance: str
    trigger: tuple[int, int]
    root: Any
    mentions: list[IssueMention] = field(default_factory=list)
    target: str | None = None
    according_to: str | None = None
    date: str | None = None
    date_source: str = "none"
    modality: str = "asserted"
    source: str = "event"
    anaphor: Any = None
    deal_token: Any = None


class StanceReader(SideReader):
    """The stances of one article's sides and the issues they are on (internal)."""

    # --- stances -------------------------------------------------------------------------------

    def _stance_of(self, e: Event) -> str | None:
        lemmas = self._lemmas(e.start, e.end)
        root = self._trigger_root(e.start, e.end)
        if e.negated:
            return None  # "failed to reach an agreement" is an outcome; "did not reject" no stance
        if e.modality == "demanded" and e.type != "REQUEST" and (root is None or root.dep_ != "conj"):
            return None  # what a demand asks for; a coordinated verb ("insisted ... and rejected") is its own
        if root is not None and _in_condition(root):
            return None  # "until the hospital agrees to ...": a condition, not a stance taken
        if root is not None and _free_relative(root):
            return None  # "retractions from what we agreed to": a reference back, not a stance
        if e.type == "AGREE" and any(w in self.cues.deal_nouns for w in lemmas.split()):
            return None  # "reached an agreement" is an outcome, not a side's stance
        if e.type == "ACCUSE":
            if self._backtrack_token(e) is not None:
                return "accuse-backtracking"
            return "reject" if self.cues.triggers.get(lemmas) == "reject" else None  # "took issue with"
        stance = self.cues.triggers.get(lemmas)
        if stance is None and root is not None:
            stance = self.cues.triggers.get(root.lemma_.lower())
        if stance is not None and e.type in ("AGREE", "REQUEST", "REJECT", "CONCEDE", "ACCUSE"):
            return stance
        return self.cues.by_type.get(e.type)

    def _backtrack_token(self, e: Event) -> Any | None:
        root = self._trigger_root(e.start, e.end)
        if root is None:
            return None
        for tok in [root, *root.subtree]:
            forms = {tok.lemma_.lower(), tok.lower_}
            prts = [c for c in tok.children if c.dep_ in ("prt", "prep")]
            forms |= {f"{tok.lemma_.lower()} {p.lower_}" for p in prts}
            forms |= {f"{tok.lemma_.lower()} {p.lower_} {g.lower_}" for p in prts for g in p.children if g.dep_ == "prep"}
            if forms & self.cues.backtracking:
                return tok
        return None

    def _stances(self) -> list[_Draft]:
        drafts: list[_Draft] = []
        covered: set[int] = set()
        for e in self.events:
            stance = self._stance_of(e)
            root = self._trigger_root(e.start, e.end)
            if stance is None or root is None:
                continue
            covered |= {t.i for t in self._trigger_tokens(e.start, e.end)}
            sides = self._sides_of_event(e, root)
            target = next((self._canon(t) for t in e.targets), None)
            search = root
            if stance == "accuse-backtracking":
                search = self._backtrack_token(e) or root
            for side in sides:
                draft = _Draft(self._sent_of(e.start), side, stance, (e.start, e.end), search,
                               target=target if target != side else None, date=e.date,
                               date_source=e.date_source, modality=e.modality)
                drafts.append(draft)
                if stance == "accuse-backtracking" and self.cues.backtracking_implies:
                    drafts.append(replace(draft, stance=self.cues.backtracking_implies, source="implied"))
        drafts += self._cue_stances(covered)
        drafts.sort(key=lambda d: (d.sent.start_char, d.trigger[0]))
        self._attach_issues(drafts)
        return drafts

    def _cue_stances(self, covered: set[int]) -> list[_Draft]:
        out: list[_Draft] = []
        for tok in self.parsed:
            if tok.i in covered or tok.pos_ not in ("VERB", "AUX"):
                continue
            if self._refusal(tok) and tok.head.i not in covered:
                sides = self._sides_of_token(tok, tok.idx)
                sent = self._sent_of(tok.idx)
                date, source = self._date_near(sent, tok)
                out += [_Draft(sent, side, "reject", (tok.idx, tok.idx + len(tok.text)), tok,
                               date=date, date_source=source, source="cue") for side in sides]
                continue
            lemma = tok.lemma_.lower()
            forms = {lemma} | {f"{lemma} {c.lower_}" for c in tok.children if c.dep_ in ("prt", "dobj", "prep")}
            forms |= {f"{lemma} {c.lower_} {g.lower_}" for c in tok.children if c.dep_ in ("dobj", "prt")
                      for g in c.children if g.dep_ == "prep"}
            clause = next((c for c in tok.children if c.dep_ in ("advcl", "xcomp", "ccomp")
                           and any(m.dep_ == "mark" and m.lower_ == "for" for m in c.children)), None)
            if clause is not None:  # "called for Iran to halt enrichment"
                forms.add(f"{lemma} for")
            for cue in self.cues.verb_cues:
                if not (forms & cue.verbs):
                    continue
                obj = next((c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")), None)
                if tok.dep_ in ("acl", "relcl") and obj is None:
                    obj = tok.head  # "compromises presented by mediators"
                if cue.objects and (obj is None or obj.lemma_.lower() not in cue.objects):
                    continue
                sides = self._sides_of_token(tok, tok.idx)
                if not sides:
                    continue
                sent = self._sent_of(tok.idx)
                date, source = self._date_near(sent, tok)
                reporter = self._reporter(tok) if cue.reporter else None
                if reporter is not None and reporter in sides:
                    reporter = None
                trig = (tok.idx, tok.idx + len(tok.text))
                search = clause if clause is not None else (obj if obj is not None and cue.objects else tok)
                for side in sides:
                    out.append(_Draft(sent, side, cue.stance, trig, search, according_to=reporter,
                                      date=date, date_source=source, source="cue"))
                if reporter is not None:
                    out.append(_Draft(sent, reporter, str(cue.reporter), trig, search, target=sides[0],
                                      date=date, date_source=source, source="cue"))
                    if cue.reporter_implies:
                        out.append(_Draft(sent, reporter, cue.reporter_implies, trig, search,
                                          target=sides[0], date=date, date_source=source, source="implied"))
                break
        return out

    def _refusal(self, tok: Any) -> bool:
        """"would not restore the pension", "refused to release": a refused issue action."""
        if self.finder.type_of(tok) is None:
            return False
        if tok.dep_ == "xcomp" and tok.head.lemma_.lower() in self.cues.refusal_verbs:
            return True
        kids = list(tok.children)
        return any(c.dep_ == "neg" for c in kids) and any(
            c.dep_ == "aux" and c.lower_ in self.cues.refusal_aux for c in kids)

    # --- issues of stances -----------------------------------------------------------------------

    def _attach_issues(self, drafts: list[_Draft]) -> None:
        sent_mentions: dict[int, list[IssueMention]] = {}
        for d in drafts:
            owner = d.party if d.party != MEDIATORS else None
            subj = self._subject_of(d.root)
            skip = {t.i for t in subj.subtree} if subj is not None and d.root.pos_ in ("VERB", "AUX") else set()
            pronoun = self._pronoun_clause(d.root)
            earlier = [m for m in sent_mentions.get(d.sent.start_char, []) if m.object_kind == "group"]
            if pronoun and earlier:
                d.mentions = [earlier[-1]]
            else:
                d.mentions = self.finder.mentions_under(d.root, owner=owner, skip=skip)
            if not d.mentions:
                d.anaphor, d.deal_token = self._generic(d.root, skip)
            sent_mentions.setdefault(d.sent.start_char, []).extend(d.mentions)
        for i, d in enumerate(drafts):
            if d.mentions or d.anaphor is None:
                continue
            kind = self.cues.anaphora_nouns.get(d.anaphor.lemma_.lower())
            for prev in reversed(drafts[:i]):
                if self._sent_index(prev.sent) < self._sent_index(d.sent) - ANAPHORA_SENTENCES:
                    break
                if prev.stance == kind and prev.mentions and prev.source != "implied":
                    d.mentions = list(prev.mentions)
                    break
        for d in drafts:  # a stance without its own issue shares that of a coordinated one
            if d.mentions:
                continue
            same = [m for o in drafts if o.sent.start_char == d.sent.start_char and o is not d
                    and o.source != "implied" and _coordinated(o.root, d.root) for m in o.mentions]
            if same and d.deal_token is None:
                d.mentions = list({m.key: m for m in same}.values())

    def _sent_index(self, sent: Any) -> int:
        return self.sent_starts.index(sent.start_char)

    def _pronoun_clause(self, root: Any) -> bool:
        """True for "demanded that they exit ...": the demanded clause's subject is a pronoun."""
        for c in root.children:
            if c.dep_ in ("ccomp", "xcomp", "acl"):
                if any(s.dep_ in ("nsubj", "nsubjpass") and s.lower_ in _THIRD_PLURAL for s in c.children):
                    return True
        return False

    def _generic(self, root: Any, skip: set[int]) -> tuple[Any | None, Any | None]:
        """The first anaphoric generic noun ("the proposal", "new conditions") and the first deal
        noun ("several compromises") below `root`."""
        anaphor = deal = None
        level = [root]
        for _ in range(MAX_GENERIC_DEPTH):
            nxt = []
            for tok in level:
                if tok.i in skip:
                    continue
                lemma = tok.lemma_.lower()
                if tok.pos_ == "NOUN":
                    dets = {c.lower_ for c in tok.children if c.dep_ in ("det", "amod", "poss")}
                    if anaphor is None and lemma in self.cues.anaphora_nouns and dets & self.cues.anaphora_determiners:
                        anaphor = tok
                    if deal is None and lemma in self.cues.deal:
                        deal = tok
                nxt += [c for c in tok.children if c.dep_ not in ("nsubj", "punct", "cc", "advcl", "relcl")
                        and not (tok.i == root.i and c.dep_ == "conj")]
            level = nxt
        return anaphor, deal

    # --- issues -----------------------------------------------------------------------------------

    def _issues(self, drafts: list[_Draft], outcome_mentions: list[IssueMention]) -> list[Issue]:
        items: list[tuple[IssueMention, Stance | None]] = []
        for d in drafts:
            mentions = d.mentions
            if not mentions and d.deal_token is not None:
                mentions = [deal_mention(d.deal_token)]
            items += [(m, self._stance_record(d, m)) for m in mentions]
        items += [(m, None) for m in outcome_mentions]
        return assemble_issues(items, self.vocab)

    def _stance_record(self, d: _Draft, m: IssueMention) -> Stance:
        return Stance(
            start=d.sent.start_char, end=d.sent.end_char, party=d.party, role=self._role(d.party),  # type: ignore[arg-type]
            stance=d.stance, trigger_start=d.trigger[0], trigger_end=d.trigger[1],  # type: ignore[arg-type]
            what_start=m.start, what_end=m.end, target=d.target, according_to=d.according_to,
            date=d.date, date_source=d.date_source,  # type: ignore[arg-type]
            modality=d.modality, source=d.source,  # type: ignore[arg-type]
        )


def _in_condition(tok: Any) -> bool:
    """True when `tok` is in a clause introduced by "if", "unless", "until" or "once"."""
    cur = tok
    for _ in range(6):
        if any(c.dep_ == "mark" and c.lower_ in _CONDITION_MARKS for c in cur.children):
            return True
        if cur.dep_ not in ("xcomp", "conj", "aux", "prep", "pcomp", "dobj", "pobj") or cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


def _free_relative(tok: Any) -> bool:
    """True when `tok` heads a free relative clause ("what we agreed to")."""
    near = [c for c in tok.children] + [g for c in tok.children for g in c.children]
    return any(t.tag_ == "WP" and t.lower_ in ("what", "whatever") and t.i < tok.i for t in near)


def _coordinated(a: Any, b: Any) -> bool:
    """True when two stance words are coordinated clauses ("put forward X, but none were
    accepted"); a stance in a relative clause ("what we agreed to") shares nothing."""
    if a.i == b.i:
        return True
    return b.i in {c.i for c in a.conjuncts}
