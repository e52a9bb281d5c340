"""Property tests (hypothesis) for everything that turns untrusted text into stored text.

Decoding, sanitising, file names, questions, cleaning, answer units and chunks: for any input they
never raise, never let NUL / lone surrogates / invisible characters through, keep offsets that map
back to the text, keep chunks non-empty and bounded, keep ids stable, and stay fast on
pathological shapes (two quadratic paths were found this way).
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingest.chunking import ChunkingParams, build_chunks
from ingest.clean import clean_pages
from ingest.decode import decode_bytes
from ingest.sanitize import display_name, sanitize_text, source_name
from ingest.units import MIN_UNIT_CHARS, one_line, split_units
from retriever.service import QuestionError, validate_question

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0d-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\U000e0000-\U000e007f]"
)
ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=400)  # surrogates and controls included
SMALL = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Building blocks of report-like and hostile text: headings, bullets, prose, long words, noise.
SHAPES = [
    "# Heading\n",
    "1.2 Numbered Title\n",
    "Annex IV\n",
    "- a bullet item\n",
    "• another item\n",
    "The agency was founded in 2011. ",
    "It builds rovers (ZSO). ",
    "co-\nordination ",
    "word ",
    "x" * 300,
    "\n\n",
    "\n",
    "   ",
    "\u200b",
    "\x00",
    "ﬁ",
    "名前",
    "-----------\n",
    "Page 3\n",
    "https://example.org/x\n",
]
ATOMS = st.sampled_from(SHAPES)
DOCUMENTS = st.lists(ATOMS, max_size=120).map("".join)
PARAMS = ChunkingParams(target_words=40, max_words=60, min_words=10, overlap_words=8)


@SMALL
@given(st.binary(max_size=2000))
def test_any_bytes_decode_and_sanitise_to_storable_text(data):
    decoded = decode_bytes(data)
    clean = sanitize_text(decoded.text)
    assert not FORBIDDEN.search(clean)
    clean.encode("utf-8")


@SMALL
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00\ufeff"), max_size=400))
def test_utf8_and_utf16_with_bom_round_trip(text):
    assert decode_bytes(text.encode("utf-8")).text == text
    assert decode_bytes(text.encode("utf-16")).text == text


@SMALL
@given(ANY_TEXT)
def test_sanitize_is_idempotent_and_leaves_nothing_forbidden(text):
    once = sanitize_text(text)
    assert sanitize_text(once) == once
    assert not FORBIDDEN.search(once)


@SMALL
@given(ANY_TEXT, ANY_TEXT)
def test_source_names_are_printable_and_never_merge_two_files(a, b):
    for name in (source_name(a), source_name(b)):
        assert not FORBIDDEN.search(name) and "\n" not in name and "\t" not in name
        name.encode("utf-8")
    assume("\\" not in a + b)  # escapes are written with a backslash; only a literal one can collide
    assert (source_name(a) == source_name(b)) == (
        a.encode("utf-8", "surrogatepass") == b.encode("utf-8", "surrogatepass")
    )


@SMALL
@given(ANY_TEXT)
def test_display_names_are_one_line(name):
    shown = display_name(name)
    assert not re.search("[\n\r\t\u202a-\u202e\u2066-\u2069]", shown)
    shown.encode("utf-8")


@SMALL
@given(ANY_TEXT, st.integers(min_value=1, max_value=200))
def test_a_question_is_refused_or_clean_and_bounded(question, limit):
    try:
        cleaned = validate_question(question, limit)
    except QuestionError:
        return
    assert 0 < len(cleaned) <= limit
    assert cleaned == " ".join(cleaned.split()) and not FORBIDDEN.search(cleaned)


@SMALL
@given(DOCUMENTS)
def test_units_map_back_to_their_text(text):
    text = clean_pages([text])[0]
    previous_end = 0
    for unit in split_units(text):
        assert one_line(text[unit.start : unit.end]) == unit.text
        assert len(unit.text) >= MIN_UNIT_CHARS and unit.start >= previous_end
        previous_end = unit.end


@SMALL
@given(st.lists(DOCUMENTS, min_size=1, max_size=3))
def test_chunks_are_exact_nonempty_bounded_and_stable(pages):
    cleaned = clean_pages(pages)
    doc, chunks = build_chunks("p.md", "sha", "title", cleaned, list(range(1, len(pages) + 1)), PARAMS)
    for chunk in chunks:
        assert doc[chunk.start : chunk.end] == chunk.text and chunk.text.strip()
        assert len(chunk.text) <= PARAMS.max_chars
        assert len(chunk.text.split()) <= PARAMS.max_words + PARAMS.overlap_words + 12  # + headings
        assert not FORBIDDEN.search(chunk.text)
        for unit in chunk.units:
            assert one_line(chunk.text[unit.start : unit.end]) == unit.text
    assert len({c.id for c in chunks}) == len(chunks)
    again = build_chunks("p.md", "sha", "title", cleaned, list(range(1, len(pages) + 1)), PARAMS)[1]
    assert [c.id for c in again] == [c.id for c in chunks]
    other = build_chunks("q.md", "sha", "title", cleaned, list(range(1, len(pages) + 1)), PARAMS)[1]
    assert not {c.id for c in other} & {c.id for c in chunks}  # ids are per source


def _chunking_seconds(text: str) -> float:
    started = time.perf_counter()
    build_chunks("p.md", "sha", "t", clean_pages([text]), [None], ChunkingParams())
    return time.perf_counter() - started


@pytest.mark.parametrize("shape", SHAPES, ids=range(len(SHAPES)))
def test_no_shape_repeated_thousands_of_times_is_quadratic(shape):
    """Any one shape repeated 16n times costs far less than the 256x of n repeats that a quadratic
    path would (two were found here). A timing ratio, not a speed bound: n grows from 1,000 until
    a run takes 10 ms, both sizes are timed interleaved, best of two. Linear code measures 16-30x
    here (caches: even ``list.append`` scales superlinearly once the working set outgrows them,
    more so beside a busy process), hence the bound of 80x; a seconds-per-MB bound failed under load."""
    n = 1_000
    while n < 32_000 and _chunking_seconds(shape * n) < 0.01:
        n *= 2
    small, large = [], []
    for _ in range(2):
        small.append(_chunking_seconds(shape * n))
        large.append(_chunking_seconds(shape * 16 * n))
    ratio = min(large) / min(small)
    assert ratio < 80, f"{n:,} to {16 * n:,} repeats: 16x the input took {ratio:.1f}x as long"
