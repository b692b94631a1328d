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


def make_article(i: int, rng: random.Random) -> dict[str, str]:
    a, b, venue = rng.choice(PARTIES)
    mediator = rng.choice(MEDIATORS)
    published = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
    day = rng.choice(WEEKDAYS)
    speaker = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    issue, issue2 = rng.sample(ISSUES, 2)
    lede = f"Delegations from {a} and {b} ended a round of talks in {venue} on {day} without an agreement"
    paras = [
        f"{lede}, officials said. Mediators from {mediator} presented a revised proposal on {issue}. {lede}",
        f'"We came here in good faith, but the other side keeps adding new conditions," {speaker}, '
        f"a senior negotiator for {a}, told reporters after the session.",
        rng.choice(NOISE).format(a=a, b=b),
        f"A diplomat familiar with the talks said the gap over {issue2} had narrowed in recent weeks, "
        f"and that technical teams would meet again in the coming days.",
        f"The talks began {rng.randint(2, 11)} months ago after fighting escalated in the border region. "
        f"Article number {i} in this generated corpus.",
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
