"""Synthetic corpora of realistic text at a chosen size, made from the ISECG annual report 2020.

The report's blocks (headings, paragraphs, list items) are cut out with the pipeline's own
cleaning and structure code. A synthetic document is a run of sections: a heading from the report
followed by paragraphs and list items drawn from anywhere in the report, in shuffled order, each
sentence re-worded by one of ``variants`` deterministic rewrites (synonym swaps, shifted numbers
and years). Every document is therefore made of real report prose, but the mix is new.

The rewrites of a sentence are a fixed, small set (``--variants``), so sentences repeat across
the corpus as they do across editions of a report series; the benchmarks say how many distinct
sentences a corpus has, because the embedding cache makes that number matter.

Usage: ``python -m bench.synth --chunks 10000 --out /tmp/isecg-synth/10k``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ingest.chunking import ChunkingParams, build_chunks
from ingest.clean import clean_pages
from ingest.loaders import PdfLimits, load_file
from ingest.structure import find_blocks, heading_text

REPORT = Path(__file__).resolve().parent.parent / "corpus" / "isecg-annual-report-2020.txt"

SYNONYMS = {
    "organisations": ["agencies", "space agencies", "member organisations"],
    "agencies": ["organisations", "space agencies"],
    "exploration": ["exploration activities", "space exploration"],
    "released": ["published", "issued", "made public"],
    "important": ["significant", "key", "notable"],
    "increasing": ["growing", "rising"],
    "discuss": ["debate", "review"],
    "support": ["assist", "help", "back"],
    "mission": ["flight", "expedition"],
    "missions": ["flights", "expeditions"],
    "international": ["global", "multinational"],
    "coordination": ["cooperation", "alignment"],
    "lunar": ["Moon", "lunar surface"],
    "plans": ["roadmaps", "intentions"],
    "workshop": ["meeting", "seminar"],
    "members": ["participants", "partners"],
    "new": ["additional", "fresh"],
    "activities": ["efforts", "work"],
    "also": ["in addition", "as well"],
    "group": ["team", "working group"],
}
_WORD = re.compile(r"[A-Za-z]+|\d+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“‘(])")


@dataclass(frozen=True)
class Pool:
    """The report's reusable pieces."""

    headings: list[str]
    blocks: list[tuple[str, list[str]]]  # (kind, sentences)


def report_pool(path: Path = REPORT) -> Pool:
    """Headings and body blocks of the report, as the pipeline sees them after cleaning."""
    loaded = load_file(path, "text", PdfLimits())
    text = "\n\n".join(clean_pages(loaded.pages))
    headings, blocks = [], []
    for block in find_blocks(text):
        body = " ".join(text[block.start : block.end].split())
        if block.kind == "heading":
            headings.append(heading_text(body))
        elif len(body.split()) >= 6:
            blocks.append((block.kind, _SENTENCE.split(body)))
    return Pool(headings, blocks)


def reword(sentence: str, variant: int) -> str:
    """Variant 0 is the sentence itself; others swap synonyms and shift numbers, deterministically."""
    if variant == 0:
        return sentence
    rng = random.Random(hashlib.sha256(f"{variant}\x00{sentence}".encode()).digest())

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.isdigit():
            return str(int(word) + rng.choice((0, 1, 2, 5))) if rng.random() < 0.5 else word
        options = SYNONYMS.get(word.lower())
        if not options or rng.random() < 0.4:
            return word
        choice = rng.choice(options)
        return choice[0].upper() + choice[1:] if word[0].isupper() else choice

    return _WORD.sub(swap, sentence)


def document(pool: Pool, rng: random.Random, number: int, variants: int, sections: int = 10) -> str:
    """One synthetic document: a title, then sections of shuffled, re-worded report blocks."""
    parts = [f"ISECG Exploration Digest {number:05d}"]
    for _ in range(sections):
        parts.append(f"{rng.randint(1, 12)} {rng.choice(pool.headings)}")
        for kind, sentences in rng.sample(pool.blocks, rng.randint(2, 5)):
            text = " ".join(reword(s, rng.randrange(variants)) for s in sentences)
            parts.append(f"- {text}" if kind == "item" and text[:1] not in "-−–•" else text)
    return "\n\n".join(parts) + "\n"


def count_chunks(name: str, text: str, params: ChunkingParams) -> int:
    """Chunks the pipeline will make of this text (the same code, so the size is exact)."""
    return len(build_chunks(name, "0", "", clean_pages([text]), [None], params)[1])


def generate(out: Path, chunks: int, variants: int = 8, seed: int = 2020) -> dict[str, int]:
    """Write documents into ``out`` until they make ``chunks`` chunks; returns corpus stats."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    pool, rng, params = report_pool(), random.Random(seed), ChunkingParams()
    total = files = words = 0
    while total < chunks:
        files += 1
        name = f"digest-{files:05d}.txt"
        text = document(pool, rng, files, variants)
        total += count_chunks(name, text, params)
        words += len(text.split())
        (out / name).write_text(text, encoding="utf-8")
    stats = {"chunks": total, "files": files, "words": words, "variants": variants, "seed": seed}
    (out.parent / f"{out.name}.json").write_text(json.dumps(stats))
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--variants", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.chunks, args.variants, args.seed)))


if __name__ == "__main__":
    main()
