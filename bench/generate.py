"""Generate realistic-looking synthetic news articles (JSON Lines) for benchmarks.

The text is assembled from templates written for tidings: invented officials, real countries
and cities, dated events, quotes and the usual scraped noise (link lines, repeated ledes).
Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator

PARTIES = [("Israel", "Hamas", "Cairo"), ("Russia", "Ukraine", "Istanbul"), ("Sudan", "the RSF", "Jeddah"),
           ("the DRC", "M23", "Doha"), ("India", "Pakistan", "Geneva"), ("Armenia", "Azerbaijan", "Vienna")]
MEDIATORS = ["Egypt", "Qatar", "the United States", "Turkey", "Saudi Arabia", "the African Union", "Switzerland"]
FIRST = ["Amal", "Dmitri", "Grace", "Farid", "Olena", "Rahul", "Nadia", "Tomas", "Leila", "Samuel"]
LAST = ["Haddad", "Petrenko", "Mensah", "Karimi", "Bondar", "Sharma", "Osei", "Novak", "Rahimi", "Keller"]
ISSUES = ["a permanent ceasefire", "the exchange of prisoners", "the withdrawal of troops", "humanitarian access",
          "the reopening of border crossings", "the return of displaced families", "international monitoring"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NOISE = ["Also Read: {a} and {b} trade accusations over stalled grain deal",
         "READ MORE | Markets slide as oil prices jump after attack in the Red Sea",
         "Click here to subscribe to our newsletter", "Follow us on X and Facebook for the latest updates",
         "Photo: Reuters/File"]


LEDES = [
    "Delegations from {a} and {b} ended a round of talks in {venue} on {day} without an agreement",
    "Negotiators for {a} and {b} left {venue} on {day} with no deal after {n} days of meetings",
    "Talks between {a} and {b} broke up in {venue} on {day}, with both sides blaming the other",
    "A new round of negotiations between {a} and {b} closed in {venue} on {day} short of a breakthrough",
]
QUOTES = [
    "We came here in good faith, but the other side keeps adding new conditions",
    "There is movement on {issue}, but not yet on the questions that matter most",
    "Nobody should expect a signature before the guarantees are written down",
    "Our people want {issue} and we will not return home empty-handed",
    "The door remains open, and we are ready to meet again next week",
]
DETAILS = [
    "Officials said a draft on {issue} ran to {n} pages and still contained several bracketed clauses.",
    "Residents of {city} said shops reopened for a few hours on {day2} as the front line stayed quiet.",
    "Aid agencies warned that {n} convoys were still waiting at the crossing near {city}.",
    "The {org} said it had recorded {n} violations of the truce since the start of the month.",
    "Analysts in {city} noted that turnout at the weekend protests was the largest in {n} years.",
    "A {org} spokesperson said monitors would visit {city} once both delegations approved the plan.",
]
ARTICLES_PER_DAY = 30
"""Publication rate of the generated stream (dates advance with the article number)."""

CITIES = ["Kherson", "Goma", "El Fasher", "Rafah", "Stepanakert", "Srinagar", "Bunia", "Mariupol", "Kassala"]
ORGS = ["United Nations", "African Union", "Red Cross", "World Food Programme", "OSCE", "Arab League"]


def make_article(i: int, rng: random.Random) -> dict[str, str]:
    a, b, venue = rng.choice(PARTIES)
    slots = {
        "a": a, "b": b, "venue": venue, "day": rng.choice(WEEKDAYS), "day2": rng.choice(WEEKDAYS),
        "n": rng.randint(2, 40), "city": rng.choice(CITIES), "org": rng.choice(ORGS),
        "issue": rng.choice(ISSUES),
    }
    # A crawl delivers news roughly in publication order: about 30 articles a day, a day of jitter.
    published = dt.date(2024, 1, 1) + dt.timedelta(days=max(0, i // ARTICLES_PER_DAY + rng.randint(-1, 1)))
    speaker = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    lede = rng.choice(LEDES).format(**slots)
    details = [d.format(**{**slots, "n": rng.randint(2, 90), "city": rng.choice(CITIES), "org": rng.choice(ORGS),
                           "issue": rng.choice(ISSUES)}) for d in rng.sample(DETAILS, 3)]
    paras = [
        f"{lede}, officials said. Mediators from {rng.choice(MEDIATORS)} presented a revised proposal on "
        f"{rng.choice(ISSUES)}. {lede}",
        f'"{rng.choice(QUOTES).format(**slots)}," {speaker}, a senior negotiator for {a}, told reporters.',
        rng.choice(NOISE).format(a=a, b=b),
        " ".join(details[:2]),
        f"{details[2]} Report {i} of this generated corpus.",
    ]
    if rng.random() < 0.5:
        paras.insert(3, rng.choice(NOISE).format(a=a, b=b))
    return {"id": str(i), "url": f"https://news{rng.randrange(40)}.example/{published:%Y/%m}/{i}",
            "title": f"{a}-{b} talks in {venue} end without deal", "date": published.isoformat(),
            "text": "\n\n".join(paras)}


def generate(n: int, seed: int = 7) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    for i in range(n):
        yield make_article(i, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for article in generate(args.n, args.seed):
        sys.stdout.write(json.dumps(article) + "\n")


if __name__ == "__main__":
    main()
