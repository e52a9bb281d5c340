"""Answer selection and rendering on hand-made scored units."""

from __future__ import annotations

from retriever.evidence import ScoredUnit
from retriever.extractive import (
    LONG_LIMIT,
    Neighbourhood,
    _section_titles,
    compose_answer,
    quote_blocks,
    select_units,
)
from retriever.query import QueryPlan
from retriever.records import Passage
from retriever.tokenize import terms

TEXT = (
    "Six new members joined in 2020:\n- AEB, Brazilian Space Agency\n- NOSA, Norwegian Space Agency\n"
    "- VNSC, Vietnamese National Space Center\nMembership grew to 26 organisations."
)


def _unit(n: int, text: str, score: float, kind: str = "sentence", chunk: str = "c1") -> ScoredUnit:
    start = TEXT.find(text)
    return ScoredUnit(
        chunk,
        n,
        text,
        start,
        start + len(text),
        kind,
        dense=score,
        lexical=0.5,
        value=0.0,
        score=score,
        terms=frozenset(terms(text)),
    )


UNITS = [
    _unit(0, "Six new members joined in 2020:", 0.6),
    _unit(1, "- AEB, Brazilian Space Agency", 0.5, "line"),
    _unit(2, "- NOSA, Norwegian Space Agency", 0.75, "line"),
    _unit(3, "- VNSC, Vietnamese National Space Center", 0.4, "line"),
    _unit(4, "Membership grew to 26 organisations.", 0.9),
]
PASSAGES = {"c1": Passage(rank=1, chunk_id="c1", source="r.txt", text=TEXT, score=1.0, section="1 Summary")}


NEAR = Neighbourhood(units_of=lambda _: UNITS, next_chunk=lambda _: None)


def _plan(kind: str, question: str = "q") -> QueryPlan:
    return QueryPlan(question=question, kind=kind, search_text=question, lexical_text=question)


def _ranked() -> list[ScoredUnit]:
    return sorted(UNITS, key=lambda u: -u.score)


def test_factoid_quotes_the_best_sentence_with_a_marker():
    plan = _plan("numeric", "How many organisations?")
    chosen = select_units(plan, _ranked(), {"organis": 1.0}, NEAR)
    composed = compose_answer(chosen, PASSAGES, plan)
    assert composed.text == "Membership grew to 26 organisations. [1]"
    citation = composed.citations[0]
    assert citation.quote == "Membership grew to 26 organisations."
    assert TEXT[citation.quote_start : citation.quote_end] == citation.quote
    assert citation.section == "1 Summary"


def test_list_gathers_the_whole_run_with_its_intro():
    plan = _plan("list", "Which members joined?")
    ranked = [u for u in _ranked() if u.n != 4]
    chosen = select_units(plan, ranked, {"member": 1.0, "join": 1.0}, NEAR)
    assert [u.n for u in chosen] == [0, 1, 2, 3]
    composed = compose_answer(chosen, PASSAGES, plan)
    assert composed.text.startswith("Six new members joined in 2020:\n- AEB")
    assert composed.text.endswith("Vietnamese National Space Center [1]")
    assert len(composed.citations) == 1


def test_summary_takes_several_distinct_sentences():
    plan = _plan("summary")
    chosen = select_units(plan, _ranked(), {}, NEAR)
    assert len(chosen) >= 2 and sum(len(u.text) for u in chosen) <= LONG_LIMIT
    assert len({u.text for u in chosen}) == len(chosen)


def test_second_sentence_only_when_it_covers_missing_terms():
    plan = _plan("factoid", "Norwegian agency and organisations")
    weights = {"norwegian": 1.0, "organis": 1.0}
    chosen = select_units(plan, _ranked(), weights, NEAR)
    assert [u.n for u in chosen] == [4, 2]
    weights = {"member": 1.0, "organis": 1.0}  # the only unit with "member" scores too low to add
    assert [u.n for u in select_units(plan, _ranked(), weights, NEAR)] == [4]
    chosen = select_units(plan, _ranked(), {"organis": 1.0}, NEAR)
    assert [u.n for u in chosen] == [4]


def _one_chunk(units: list[ScoredUnit]) -> Neighbourhood:
    """A neighbourhood of one chunk holding ``units``, with nothing after it."""
    return Neighbourhood(units_of=lambda _: units, next_chunk=lambda _: None)


def _loose(chunk: str, n: int, text: str, score: float, kind: str = "sentence") -> ScoredUnit:
    """A unit whose offsets do not matter (selection only)."""
    return ScoredUnit(chunk, n, text, 0, len(text), kind, score, 0.0, 0.0, score, frozenset(terms(text)))


def test_a_pointer_sentence_never_answers_but_a_dated_one_does():
    pointer = _loose("c2", 0, "More documents and papers can be found at the Publications page.", 0.9)
    dated = _loose("c2", 1, "The portfolio was completed in December 2019 and is available on the website.", 0.8)
    chosen = select_units(_plan("factoid"), [pointer, dated], {}, NEAR)
    assert [u.text for u in chosen] == [dated.text]


def test_a_summary_follows_the_section_whose_heading_matches():
    elsewhere = _loose("c9", 3, "A stray sentence on another page mentions the topic in passing.", 0.70)
    heading = _loose("c5", 0, "Technology and Gap Assessment", 0.68, "heading")
    section = [
        heading,
        _loose("c5", 1, "The group reviewed its technology portfolio during the year.", 0.55),
        _loose("c5", 2, "The gap analysis looked at autonomy, resources and nuclear power.", 0.60),
    ]
    by_chunk = {"c5": section, "c9": [elsewhere]}
    near = Neighbourhood(units_of=lambda cid: by_chunk[cid], next_chunk=lambda _: None)
    ranked = sorted([elsewhere, *section], key=lambda u: -u.score)
    chosen = select_units(_plan("summary"), ranked, {}, near)
    assert [(u.chunk_id, u.n) for u in chosen][:2] == [("c5", 1), ("c5", 2)]


ESSAY = (
    "Growth\n\nThe group grew fast. Members value it for their own priorities. They seek new partners.\n\n"
    "Budget talks stalled in spring. The meeting moved online."
)


def _unit_in(chunk: str, body: str, n: int, text: str, score: float, kind: str = "sentence") -> ScoredUnit:
    """A unit at its place in a chunk's text (for the paragraph breaks around it)."""
    start = body.find(text)
    return ScoredUnit(chunk, n, text, start, start + len(text), kind, score, 0.0, 0.0, score, frozenset(terms(text)))


def _document(chunk: str, body: str, rows: list[tuple]) -> tuple[list[ScoredUnit], Neighbourhood]:
    """One chunk's units from (text, score[, kind]) rows, and its neighbourhood."""
    units = [_unit_in(chunk, body, n, text, score, *kind) for n, (text, score, *kind) in enumerate(rows)]
    return units, Neighbourhood(units_of=lambda _: units, next_chunk=lambda _: None, text_of=lambda _: body)


ESSAY_UNITS, ESSAY_NEAR = _document(
    "e1",
    ESSAY,
    [
        ("Growth", 0.3, "heading"),
        ("The group grew fast.", 0.8),
        ("Members value it for their own priorities.", 0.2),
        ("They seek new partners.", 0.1),
        ("Budget talks stalled in spring.", 0.6),
        ("The meeting moved online.", 0.55),
    ],
)


def test_a_summary_quotes_the_best_sentences_paragraph_however_its_other_sentences_score():
    ranked = sorted(ESSAY_UNITS, key=lambda u: -u.score)
    chosen = select_units(_plan("summary"), ranked, {}, ESSAY_NEAR)
    assert [u.n for u in chosen] == [1, 2, 3]  # the next paragraph is about something else


def test_a_list_question_without_a_list_is_answered_by_its_best_sentence():
    ranked = sorted(ESSAY_UNITS, key=lambda u: -u.score)
    chosen = select_units(_plan("list"), ranked, {}, ESSAY_NEAR)
    assert [u.n for u in chosen] == [1]


def test_a_sentence_opening_with_this_is_quoted_with_its_antecedent():
    units = [
        _loose("c7", 0, "The strategy called for a voluntary coordination mechanism.", 0.5),
        _loose("c7", 1, "This call led to the establishment of the group.", 0.9),
    ]
    near = _one_chunk(units)
    chosen = select_units(_plan("factoid"), [units[1], units[0]], {}, near)
    assert [u.n for u in chosen] == [0, 1]


def test_a_summary_led_by_a_list_intro_quotes_the_list():
    body = "The strategy names common themes:\n• New knowledge\n\n• Economic expansion\n\n• Inspiration"
    units, near = _document(
        "g1",
        body,
        [
            ("The strategy names common themes:", 0.8),
            ("• New knowledge", 0.3, "line"),
            ("• Economic expansion", 0.2, "line"),
            ("• Inspiration", 0.2, "line"),
        ],
    )
    chosen = select_units(_plan("summary"), sorted(units, key=lambda u: -u.score), {}, near)
    assert [u.n for u in chosen] == [0, 1, 2, 3]  # each bullet is a paragraph of its own


def test_a_sentence_topping_up_a_summary_comes_with_its_antecedent():
    first = "Origins\n\nThe group was set up in response to the strategy."
    second = "The strategy called for a voluntary coordination mechanism. This call led to the group's founding."
    top = _unit_in("p1", first, 1, "The group was set up in response to the strategy.", 0.9)
    cause = _unit_in("p2", second, 0, "The strategy called for a voluntary coordination mechanism.", 0.2)
    call = _unit_in("p2", second, 1, "This call led to the group's founding.", 0.8)
    chunks = {"p1": ([_unit_in("p1", first, 0, "Origins", 0.3, "heading"), top], first), "p2": ([cause, call], second)}
    near = Neighbourhood(
        units_of=lambda cid: chunks[cid][0], next_chunk=lambda _: None, text_of=lambda cid: chunks[cid][1]
    )
    chosen = select_units(_plan("summary"), [top, call, cause], {}, near)
    assert [(u.chunk_id, u.n) for u in chosen] == [("p1", 1), ("p2", 0), ("p2", 1)]


def test_the_antecedent_of_a_chunks_first_sentence_comes_from_the_overlap_before_it():
    text = "This call led to the establishment of the group."
    earlier = [
        _loose("c1", 0, "Fourteen agencies released the strategy.", 0.3),
        _loose("c1", 1, "The strategy called for a voluntary coordination mechanism.", 0.5),
        _loose("c1", 2, text, 0.85),
    ]
    later = [_loose("c2", 0, text, 0.9), _loose("c2", 1, "The group met twice.", 0.2)]
    chunks = {"c1": earlier, "c2": later}
    near = Neighbourhood(units_of=lambda cid: chunks[cid], next_chunk=lambda _: None, previous_chunk=lambda cid: "c1")
    chosen = select_units(_plan("factoid"), [later[0], earlier[2]], {}, near)
    assert [(u.chunk_id, u.n) for u in chosen] == [("c1", 1), ("c1", 2)]  # one passage, one citation


def test_a_sentence_without_a_back_reference_stands_alone():
    chosen = select_units(_plan("factoid"), _ranked(), {"organis": 1.0}, NEAR)
    assert [u.n for u in chosen] == [4]


def test_a_close_runner_up_saying_something_else_is_quoted_too():
    best = _loose("c3", 0, "The symposium takes place in Colorado Springs in August.", 0.80)
    close = _loose("c4", 5, "Underlined events will include presentations by the group.", 0.75)
    far = _loose("c4", 6, "The congress moves to another city the following year.", 0.50)
    chosen = select_units(_plan("factoid"), [best, close, far], {}, NEAR)
    assert [u.text for u in chosen] == [best.text, close.text]
    reworded = _loose("c4", 7, "The symposium takes place in Colorado Springs each August.", 0.79)
    chosen = select_units(_plan("factoid"), [best, reworded, far], {}, NEAR)
    assert [u.text for u in chosen] == [best.text]  # a near-duplicate adds nothing
    chosen = select_units(_plan("factoid"), [best, far], {}, NEAR)
    assert [u.text for u in chosen] == [best.text]


def test_a_list_entry_without_the_date_asked_for_comes_with_the_line_introducing_its_list():
    intro = _loose("c1", 4, "In 2020 the group welcomed three new members:", 0.5)
    lines = [
        _loose("c2", 0, "AEB, Brazilian Space Agency", 0.55, "label"),
        _loose("c2", 1, "GISTDA, Geo-informatics and Space Technology Development Agency (Thailand)", 0.9, "label"),
    ]
    chunks = {"c1": [_loose("c1", 3, "The group grew.", 0.2), intro], "c2": lines}
    near = Neighbourhood(units_of=lambda cid: chunks[cid], next_chunk=lambda _: None, previous_chunk=lambda cid: "c1")
    ranked = [lines[1], lines[0], intro]
    chosen = select_units(_plan("date", "When did GISTDA join?"), ranked, {}, near)
    assert [u.text for u in chosen] == [intro.text, lines[1].text]
    # a factoid question about the same entry needs no date, and a list preceded by a sentence
    # (not a ":" line) has no lead to borrow one from
    assert [u.text for u in select_units(_plan("factoid"), ranked, {}, near)] == [lines[1].text]
    chunks["c1"] = [intro, _loose("c1", 5, "It was a good year.", 0.1)]
    assert [u.text for u in select_units(_plan("date"), ranked, {}, near)] == [lines[1].text]


def _two_lists() -> tuple[Neighbourhood, list[ScoredUnit]]:
    agencies = [
        _loose("a", 0, "Six new members joined:", 0.50),
        _loose("a", 1, "AEB, Brazilian Space Agency", 0.62, "line"),
        _loose("a", 2, "NOSA, Norwegian Space Agency", 0.60, "line"),
    ]
    topics = [
        _loose("t", 0, "The webnews covered these topics:", 0.66),
        _loose("t", 1, "a meeting to advance exploration planning", 0.60, "line"),
        _loose("t", 2, "publication of the annual report", 0.58, "line"),
    ]
    chunks = {"a": agencies, "t": topics}
    near = Neighbourhood(units_of=lambda cid: chunks[cid], next_chunk=lambda _: None)
    return near, sorted(agencies + topics, key=lambda u: -u.score)


def test_a_list_of_names_is_preferred_only_when_the_question_asks_for_names():
    near, ranked = _two_lists()
    topics = select_units(_plan("list", "What topics did the webnews cover?"), ranked, {}, near)
    assert topics[0].chunk_id == "t"
    names = select_units(_plan("list", "Which agencies joined?"), ranked, {}, near)
    assert names[0].chunk_id == "a"


def test_a_caption_repeated_by_extraction_is_quoted_once_and_makes_no_list():
    units = [
        _loose("w", 0, "Working Groups", 0.7, "label"),
        _loose("w", 1, "Working Groups", 0.7, "label"),
        _loose("w", 2, "The groups meet every year to plan their work.", 0.6),
    ]
    near = _one_chunk(units)
    chosen = select_units(_plan("list", "What are the working groups?"), units, {}, near)
    assert [u.text for u in chosen].count("Working Groups") <= 1


def test_a_list_anchored_on_its_intro_never_takes_in_the_list_above_it():
    units = [
        _loose("x", 0, "Six new members joined:", 0.40),
        _loose("x", 1, "AEB, Brazilian Space Agency", 0.40, "label"),
        _loose("x", 2, "NOSA, Norwegian Space Agency", 0.40, "label"),
        _loose("x", 3, "The webnews covered these topics:", 0.90),
        _loose("x", 4, "- a meeting to advance exploration planning", 0.50, "line"),
        _loose("x", 5, "- publication of the annual report", 0.50, "line"),
    ]
    near = _one_chunk(units)
    chosen = select_units(
        _plan("list", "What topics did the webnews cover?"), sorted(units, key=lambda u: -u.score), {}, near
    )
    assert [u.n for u in chosen] == [3, 4, 5]


def test_a_sentence_naming_the_rare_thing_asked_about_comes_first():
    general = _loose("c1", 0, "By the end of 2020 the council counted 26 member organisations.", 0.46)
    row = _loose("c2", 4, "Peru Peruvian Widget Bureau (PWB)", 0.40, "label")
    after = _loose("c2", 5, "Chile Chilean Gadget Office (CGO)", 0.30, "label")
    near = Neighbourhood(units_of=lambda cid: [row, after] if cid == "c2" else [general], next_chunk=lambda _: None)
    plan = _plan("factoid", "What is Peru's member organisation in the council?")
    weights = {"peru": 2.3, "member": 0.9, "organis": 0.9, "council": 0.1}
    chosen = select_units(plan, [general, row, after], weights, near)
    assert chosen[0] is row and after not in chosen  # a row ending in its bracketed name is complete
    far = _loose("c2", 4, row.text, 0.30, "label")  # too far below the best to overrule it
    assert select_units(plan, [general, far], weights, near)[0] is general


def test_a_name_the_corpus_knows_in_another_form_counts_as_named():
    general = _loose("c1", 0, "By the end of 2020 the council counted 26 member organisations.", 0.46)
    row = _loose("c2", 4, "Peru Peruvian Widget Bureau (PWB)", 0.40, "label")
    near = Neighbourhood(units_of=lambda cid: [row] if cid == "c2" else [general], next_chunk=lambda _: None)
    plan = _plan("factoid", "Which Peruvic body joined the council?")  # a form the corpus never uses
    weights = {"peru": 2.3, "council": 0.1}
    assert select_units(plan, [general, row], weights, near)[0] is general
    plan.name_variants = ["peru"]  # what plan_query finds for it in the corpus vocabulary
    assert select_units(plan, [general, row], weights, near)[0] is row


REPORT = (
    "Executive Summary\n\nThe roadmap was updated for the Moon. Many agencies joined.\n\n"
    "Technology gaps were assessed this year. The technology portfolio was reviewed."
)


REPORT_UNITS, REPORT_NEAR = _document(
    "r1",
    REPORT,
    [
        ("Executive Summary", 0.8, "heading"),
        ("The roadmap was updated for the Moon.", 0.5),
        ("Many agencies joined.", 0.4),
        ("Technology gaps were assessed this year.", 0.85),
        ("The technology portfolio was reviewed.", 0.7),
    ],
)


def test_a_summary_of_a_topic_within_a_named_section_quotes_the_topics_paragraph():
    ranked = sorted(REPORT_UNITS, key=lambda u: -u.score)
    about = _plan("summary", "What does the executive summary say about technology?")
    assert [u.n for u in select_units(about, ranked, {}, REPORT_NEAR)][:2] == [3, 4]
    generic = _plan("summary", "What does the executive summary of the technology report say?")
    assert [u.n for u in select_units(generic, ranked, {}, REPORT_NEAR)][:2] == [1, 2]
    # the section alone: its opening paragraph
    whole = _plan("summary", "Summarise the executive summary.")
    assert [u.n for u in select_units(whole, ranked, {}, REPORT_NEAR)][:2] == [1, 2]


FOOTNOTE = "1 In alphabetical order: " + ", ".join(f"AG{i} (Country{i})" for i in range(40)) + " and PT (Portugal)."


def test_a_long_enumeration_is_cut_to_the_piece_that_answers_with_exact_offsets():
    unit = ScoredUnit("f1", 0, FOOTNOTE, 0, len(FOOTNOTE), "sentence", 0.9, 0.5, 0.0, 0.9, frozenset(terms(FOOTNOTE)))
    near = Neighbourhood(units_of=lambda _: [unit], next_chunk=lambda _: None, text_of=lambda _: FOOTNOTE)
    weights = {"country7": 3.0, "agenc": 0.5}
    chosen = select_units(_plan("factoid", "And Country7?"), [unit], weights, near)
    assert [u.text for u in chosen] == ["AG7 (Country7)"]
    assert FOOTNOTE[chosen[0].start : chosen[0].end] == "AG7 (Country7)"
    # a list question keeps the whole sentence: it wants every piece that matches
    listed = select_units(_plan("list", "Which agencies are from Country7?"), [unit], weights, near)
    assert listed[0].text == FOOTNOTE


def test_a_factoid_answered_by_a_list_intro_quotes_the_list_after_it():
    intro = _loose("g1", 0, "The strategy identifies a common set of themes:", 0.9)
    lines = [_loose("g1", 1, "• New knowledge", 0.3, "line"), _loose("g1", 2, "• Economic expansion", 0.3, "line")]
    other = _loose("g2", 0, "The strategy was released by fourteen agencies in 2007.", 0.5)
    by_chunk = {"g1": [intro, *lines], "g2": [other]}
    near = Neighbourhood(units_of=lambda cid: by_chunk[cid], next_chunk=lambda _: None)
    chosen = select_units(_plan("factoid", "What themes does the strategy set out?"), [intro, other, *lines], {}, near)
    assert [u.text for u in chosen] == [intro.text, "• New knowledge", "• Economic expansion"]
    # a count question is answered by an intro holding the figure, list or not
    counted = select_units(_plan("numeric", "How many themes?"), [intro, other, *lines], {}, near)
    assert lines[0] not in counted


def test_a_short_bullet_heading_sub_items_is_quoted_with_them():
    units = [
        _loose("p1", 0, "• Effective", 0.9, "line"),
        _loose("p1", 1, "− Workshops and products provide value to members.", 0.3, "line"),
        _loose("p1", 2, "• Of mutual interest", 0.2, "line"),
        _loose("p1", 3, "− Activities benefit all participants.", 0.1, "line"),
    ]
    near = _one_chunk(units)
    chosen = select_units(_plan("factoid", "What does the effectiveness principle say?"), units, {}, near)
    assert [u.n for u in chosen][:2] == [0, 1] and 2 not in [u.n for u in chosen]


def test_a_question_naming_a_month_is_answered_by_a_unit_naming_it():
    intro = _loose("w1", 0, "The group published five webnews articles in 2020, on these topics:", 0.9)
    entry = _loose("w2", 0, "• Agencies Meet to Advance Exploration Planning March", 0.3, "line")
    later = _loose("w3", 0, "ISECG Members (status of March 2021)", 0.35, "line")
    by_chunk = {"w1": [intro], "w2": [entry], "w3": [later]}
    near = Neighbourhood(units_of=lambda cid: by_chunk[cid], next_chunk=lambda _: None)
    ranked = [intro, later, entry]
    chosen = select_units(_plan("factoid", "Which webnews item came out in March 2020?"), ranked, {}, near)
    assert chosen[0] is entry  # "March 2021" is another year than asked
    # "may" the verb names no month, in the question or in a unit
    plain = select_units(_plan("factoid", "Which item may interest members?"), ranked, {}, near)
    assert plain[0] is intro
    verb = _loose("w4", 0, "Agencies may join the group at any time.", 0.4)
    by_chunk["w4"] = [verb]
    in_may = select_units(_plan("factoid", "Which webnews item came out in May?"), [intro, verb], {}, near)
    assert in_may[0] is intro


def test_sub_items_carry_on_into_the_next_chunk_without_the_overlap():
    first = [
        _loose("m1", 0, "• Of mutual interest", 0.9, "line"),
        _loose("m1", 1, "− Activities benefit all participants.", 0.3, "line"),
    ]
    second = [
        _loose("m2", 0, "− Activities benefit all participants.", 0.3, "line"),  # the chunk overlap
        _loose("m2", 1, "− Activities allow for optional participation.", 0.4, "line"),
        _loose("m2", 2, "Background", 0.1, "heading"),
    ]
    by_chunk = {"m1": first, "m2": second}
    near = Neighbourhood(units_of=lambda cid: by_chunk[cid], next_chunk=lambda cid: "m2" if cid == "m1" else None)
    chosen = select_units(_plan("factoid", "What does the mutual-interest principle say?"), first, {}, near)
    assert [u.text for u in chosen] == [
        "• Of mutual interest",
        "− Activities benefit all participants.",
        "− Activities allow for optional participation.",
    ]


def test_a_long_sentence_that_is_no_enumeration_stays_whole():
    text = (
        "The Exploration Roadmap Working Group, which leads the roadmapping effort of the agencies and "
        + "reports its findings in regular updates of the roadmap to the heads of agency every year, "
        + "was established in May 2008, after the framework document had called for a coordination "
        + "mechanism among the interested space agencies of the world, and it has met twice a year since then "
        + "in one of the member countries."
    )
    unit = ScoredUnit("s1", 0, text, 0, len(text), "sentence", 0.9, 0.5, 0.0, 0.9, frozenset(terms(text)))
    near = Neighbourhood(units_of=lambda _: [unit], next_chunk=lambda _: None, text_of=lambda _: text)
    question = _plan("date", "When was the Exploration Roadmap Working Group established?")
    assert select_units(question, [unit], {"explor": 1.0, "roadmap": 1.0}, near)[0].text == text


def test_a_piece_is_cited_alone_even_beside_its_neighbour():
    unit = ScoredUnit("f1", 0, FOOTNOTE, 0, len(FOOTNOTE), "sentence", 0.9, 0.5, 0.0, 0.9, frozenset(terms(FOOTNOTE)))
    after = ScoredUnit("f1", 1, "Members meet twice a year.", 0, 0, "sentence", 0.85, 0.5, 0.0, 0.85, frozenset())
    near = Neighbourhood(units_of=lambda _: [unit, after], next_chunk=lambda _: None, text_of=lambda _: FOOTNOTE)
    chosen = select_units(_plan("factoid", "And Country7?"), [unit, after], {"country7": 3.0}, near)
    assert [len(block) for block in quote_blocks(chosen)] == [1] * len(chosen)


def test_an_origin_question_reads_the_background_section_on_into_the_next_passage():
    before = _loose("b1", 0, "− Activities benefit all participants.", 0.6, "line")
    glance = _loose("b0", 0, "At a Glance: Scope and Background", 0.5, "heading")
    heading = _loose("b1", 1, "Background", 0.3, "heading")
    opening = [_loose("b1", 2, "In 2007 fourteen agencies released a strategy.", 0.4)]
    later = [
        _loose("b2", 0, "In 2007 fourteen agencies released a strategy.", 0.4),  # the chunk overlap
        _loose("b2", 1, "The strategy called for a coordination mechanism.", 0.3),
        _loose("b2", 2, "This call led to the establishment of the group.", 0.35),
        _loose("b2", 3, "Members", 0.1, "heading"),
        _loose("b2", 4, "The group has 26 members.", 0.55),
    ]
    by_chunk = {"b0": [glance], "b1": [before, heading, *opening], "b2": later}
    near = Neighbourhood(units_of=lambda cid: by_chunk[cid], next_chunk=lambda cid: {"b1": "b2"}.get(cid))
    ranked = sorted([before, glance, heading, *opening, *later], key=lambda u: -u.score)
    chosen = select_units(_plan("summary", "Briefly, how did the group come about?"), ranked, {}, near)
    assert [u.text for u in chosen] == [
        "In 2007 fourteen agencies released a strategy.",
        "The strategy called for a coordination mechanism.",
        "This call led to the establishment of the group.",
    ]


def test_what_a_named_part_holds_is_said_by_the_titles_under_its_heading():
    heading = _loose("a2", 0, "Annex B", 0.8, "heading")
    title = _loose("a2", 1, "Members (status of March 2031)", 0.2, "line")
    row = _loose("a2", 2, "Kolonia Kolonia Launch Authority (KLA)", 0.3, "line")
    units = [heading, title, row]
    near = _one_chunk(units)
    ranked = sorted(units, key=lambda u: -u.score)
    assert select_units(_plan("factoid", "What does Annex B list?"), ranked, {}, near) == [title]
    # a part that opens with prose has no titles to quote; another question picks its best unit
    prose = [heading, _loose("a2", 1, "The annex lists the members of the year.", 0.3), row]
    near_prose = Neighbourhood(units_of=lambda _: prose, next_chunk=lambda _: None)
    assert _section_titles(sorted(prose, key=lambda u: -u.score), "What does Annex B list?", near_prose) == []
    assert select_units(_plan("factoid", "Who represents Kolonia?"), ranked, {}, near)[0] == row


def test_the_numbered_parts_asked_for_are_the_headings_in_their_order_with_their_titles():
    units = [
        _loose("p2", 0, "Annex 2", 0.6, "heading"),
        _loose("p2", 1, "Members", 0.2, "label"),
        _loose("p1", 0, "Annex I", 0.5, "heading"),
        _loose("p1", 1, "Publications", 0.2, "label"),
        _loose("p1", 2, "The annex lists what was published.", 0.1),
        _loose("p3", 0, "Annex II", 0.4, "heading"),  # the same part, numbered in Roman figures
        _loose("s1", 0, "The annexes were revised in 2020.", 0.3),
    ]
    near = Neighbourhood(units_of=lambda cid: [u for u in units if u.chunk_id == cid], next_chunk=lambda _: None)
    chosen = select_units(_plan("list", "Which annexes does the report have?"), units, {}, near)
    assert [u.text for u in chosen] == ["Annex I", "Publications", "Annex 2", "Members"]


def test_a_list_question_matched_by_a_caption_is_answered_by_the_list_under_it():
    caption = _loose("e1", 0, "Underlined events will include talks. (Status April 2031)", 0.6)
    note = _loose("e1", 1, "NOTE: dates may change.", 0.2)
    events = [
        _loose("e1", 2, "• Widget Expo Oslo, May 2031", 0.3, "line"),
        _loose("e1", 3, "• Gadget Fair Lima", 0.3, "line"),
    ]
    units = [caption, note, *events]
    near = _one_chunk(units)
    chosen = select_units(_plan("list", "Which events are listed for 2031?"), units, {}, near)
    assert [u.text for u in chosen] == [e.text for e in events]
    # a list past the end of the caption's passage is another one
    alone = Neighbourhood(units_of=lambda cid: [caption] if cid == "e1" else events, next_chunk=lambda _: "e2")
    assert select_units(_plan("list", "Which events are listed for 2031?"), [caption], {}, alone) == [caption]
    # parts are numbered per document: another report's Annex I is not this one's
    sources = {"p1": "2019.pdf", "p2": "2020.pdf", "p3": "2020.pdf"}
    two = Neighbourhood(units_of=near.units_of, next_chunk=lambda _: None, source_of=lambda cid: sources.get(cid, ""))
    chosen = select_units(_plan("list", "Which annexes does the 2020 report have?"), units, {}, two)
    assert "Annex I" not in [u.text for u in chosen]  # 2020 has one part here: no parts list at all
    # "parts of the Moon" asks about the Moon, not the report's parts
    assert select_units(_plan("list", "Which parts of the Moon were mapped?"), units, {}, near)[0].text != "Annex I"


def test_a_caption_over_a_label_is_no_list():
    best = _loose("k1", 0, "The charter was signed by the founding agencies in 2007.", 0.6)
    contact = [_loose("k1", 1, "ISECG Secretariat", 0.2, "label"), _loose("k1", 2, "Email: x@y.org", 0.1, "line")]
    units = [best, *contact]
    near = _one_chunk(units)
    assert select_units(_plan("list", "Which agencies signed the charter?"), units, {}, near) == [best]
