"""Rebuild examples/crawl-2024-09-11.warc.gz, a small web archive of two invented news pages.

Run from the repository root: `.venv/bin/python examples/make_warc.py`. The output is
byte-for-byte reproducible: record ids are derived from the urls and every WARC-Date is fixed.

Records, numbered as tidings numbers them (`crawl-2024-09-11.warc.gz#i`):
  0 warcinfo
  1 request   maritimebusinessreview.example article
  2 response  maritimebusinessreview.example article (HTML)    -> an article (Durban port strike)
  3 response  himalayanobserver.example/robots.txt (text/plain) -> skipped: not HTML
  4 response  himalayanobserver.example/news/live-updates (HTTP 404) -> skipped: not a 2xx
  5 response  himalayanobserver.example article (HTML)          -> an article (Nepal floods)
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).resolve().parent / "crawl-2024-09-11.warc.gz"

DURBAN_URL = "https://www.maritimebusinessreview.example/ports/2024/09/11/citrus-exporters-durban-strike"
DURBAN_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Citrus exporters count the cost as Durban port strike enters third day - Maritime Business Review</title>
<meta property="og:site_name" content="Maritime Business Review">
<meta property="og:title" content="Citrus exporters count the cost as Durban port strike enters third day">
<meta property="article:published_time" content="2024-09-11T12:40:00+02:00">
<meta name="author" content="Lindiwe Naidoo">
</head>
<body>
<div class="topbar"><a href="/">Maritime Business Review</a> <a href="/ports">Ports</a> <a href="/shipping">Shipping</a> <a href="/logistics">Logistics</a> <a href="/login">Log in</a></div>
<div class="paywall-note">You have 3 free articles left this month. <a href="/subscribe">Subscribe now</a></div>
<article>
<h1>Citrus exporters count the cost as Durban port strike enters third day</h1>
<p class="byline">Lindiwe Naidoo | 11 September 2024</p>
<p>Citrus and sugar exporters warned on Wednesday that the strike at the Durban Container Terminal could cost the industry millions of rand a day if it continues into next week, as the queue of ships outside the port grew to 27.</p>
<p>Dock workers belonging to the United Dockworkers Union have been on strike since Monday, demanding a 12% pay rise. The terminal operator has offered 5.5% and says it cannot afford more after a year of falling volumes.</p>
<p>&ldquo;Every day a reefer container sits on the quay is a day closer to fruit that nobody will buy,&rdquo; said Pieter Coetzee, chairman of the KwaZulu-Natal Exporters' Forum. He said at least 400 containers of citrus were waiting to be loaded.</p>
<p>A logistics manager at a shipping line, who asked not to be identified because he was not authorised to speak to the media, said his company had diverted two vessels to the Port of Ngqura and was considering sending cargo by road to Maputo.</p>
<p>The strike follows a protest march on Tuesday, during which police used stun grenades near the Bayhead Road gate. The union said it would hold a further march to the provincial legislature in Pietermaritzburg on Thursday.</p>
<p>The operator and the union are due to meet at the Commission for Conciliation, Mediation and Arbitration (CCMA) on Friday.</p>
</article>
<div class="related"><h3>Related</h3><ul><li><a href="/ports/ngqura-volumes">Ngqura volumes jump as lines avoid Durban</a></li><li><a href="/shipping/reefer-rates">Reefer rates climb ahead of citrus peak</a></li></ul></div>
<footer><p>Maritime Business Review &copy; 2024 | <a href="/privacy">Privacy</a> | <a href="/contact">Contact</a></p></footer>
</body>
</html>
"""

NEPAL_URL = "https://www.himalayanobserver.example/news/2024/09/11/indian-relief-trucks-birgunj"
NEPAL_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Indian relief trucks cross at Birgunj as Terai flood toll reaches 29 | Himalayan Observer</title>
<link rel="canonical" href="https://www.himalayanobserver.example/news/2024/09/11/indian-relief-trucks-birgunj">
<meta property="og:site_name" content="Himalayan Observer">
<meta property="article:published_time" content="2024-09-11T15:20:00+05:45">
<meta name="author" content="Sabin Thapa">
</head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/province">Provinces</a> <a href="/world">World</a> <a href="/epaper">E-paper</a></nav>
<main>
<article>
<h1>Indian relief trucks cross at Birgunj as Terai flood toll reaches 29</h1>
<div class="meta">Sabin Thapa, Birgunj &middot; Wednesday, September 11, 2024</div>
<p>BIRGUNJ &mdash; Forty trucks loaded with relief supplies crossed the border from Raxaul in India on Wednesday morning, as the death toll from last weekend's floods in Nepal's southern plains rose to 29.</p>
<p>The convoy, organised by the Indian government, carried 600 tonnes of rice and lentils, 5,000 tarpaulins and water purification tablets, according to customs officials at the Birgunj dry port.</p>
<p>&ldquo;This is the fastest we have ever cleared a humanitarian consignment,&rdquo; said customs officer Prakash Chaudhary. The trucks were heading to Chandrapur in Rautahat district and Malangwa in Sarlahi.</p>
<p>A senior official at the Ministry of Home Affairs in Kathmandu, who spoke on condition of anonymity, said some 12,000 families had registered for assistance and warned that the figure was likely to rise as rescuers reached remote settlements.</p>
<p>Aid agencies have complained that relief was slow to arrive. The Himalayan Relief Network said its volunteers had found villages near the Bagmati river where families had received no help since Sunday.</p>
<p>The floods began after heavy rain on September 7 and 8 swelled the Bagmati and Lalbakaiya rivers, which flow from the Chure hills into the plains.</p>
<p>Follow the Himalayan Observer on X and Facebook for live updates.</p>
</article>
</main>
<footer><p>&copy; 2024 Himalayan Observer. <a href="/about">About</a> &middot; <a href="/advertise">Advertise</a></p></footer>
</body>
</html>
"""

NOT_FOUND_HTML = """<!DOCTYPE html><html><head><title>Page not found</title></head>
<body><h1>404</h1><p>Sorry, the page you are looking for does not exist.</p></body></html>
"""


def _record_id(name: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}>"


def _response(writer: WARCWriter, url: str, date: str, body: bytes, content_type: str,
              status: str = "200 OK") -> object:
    http = StatusAndHeaders(status, [("Content-Type", content_type),
                                     ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    return writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http,
        warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": _record_id("response " + url)},
    )


def build(out: Path = OUT) -> Path:
    """Write the example archive to `out` and return its path."""
    with open(out, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        info = writer.create_warcinfo_record(
            OUT.name, {"software": "tidings examples/make_warc.py", "format": "WARC File Format 1.1"}
        )
        info.rec_headers.replace_header("WARC-Date", "2024-09-11T18:00:00Z")
        info.rec_headers.replace_header("WARC-Record-ID", _record_id("warcinfo"))
        writer.write_record(info)

        request = StatusAndHeaders(
            "GET /ports/2024/09/11/citrus-exporters-durban-strike HTTP/1.1",
            [("Host", "www.maritimebusinessreview.example"), ("User-Agent", "tidings-example/0.1")],
            is_http_request=True,
        )
        writer.write_record(writer.create_warc_record(
            DURBAN_URL, "request", http_headers=request,
            warc_headers_dict={"WARC-Date": "2024-09-11T18:01:00Z",
                               "WARC-Record-ID": _record_id("request " + DURBAN_URL)},
        ))
        writer.write_record(_response(writer, DURBAN_URL, "2024-09-11T18:01:00Z",
                                      DURBAN_HTML.encode("utf-8"), "text/html; charset=utf-8"))
        writer.write_record(_response(writer, "https://www.himalayanobserver.example/robots.txt",
                                      "2024-09-11T18:02:00Z", b"User-agent: *\nDisallow: /admin/\n",
                                      "text/plain"))
        writer.write_record(_response(writer, "https://www.himalayanobserver.example/news/live-updates",
                                      "2024-09-11T18:02:30Z", NOT_FOUND_HTML.encode("utf-8"),
                                      "text/html; charset=utf-8", status="404 Not Found"))
        writer.write_record(_response(writer, NEPAL_URL, "2024-09-11T18:03:00Z",
                                      NEPAL_HTML.encode("utf-8"), "text/html; charset=utf-8"))
    return out


if __name__ == "__main__":
    print(build())
