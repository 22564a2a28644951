"""A news-like synthetic corpus: Zipf vocabulary, planted reprints and teasers (project-written).

Frequent words are short, as in English ("the", "of"); texts are sentences (capitalised, full stop)
in paragraphs; reprints are copy-edited and often abridged by whole paragraphs; teasers are a
story's opening cut mid-sentence with "...". Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

VERSION = 2  # part of the file name: a changed generator never reuses an old corpus


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    weights = [12.7, 9.1, 8.2, 7.5, 7.0, 6.3, 6.1, 6.0, 5.8, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0,
               1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(letters, weights, k=rng.choice((3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 10, 11, 12)))))
    # Rank 1 is the most frequent word: short words first, with noise, as in English.
    return sorted(words, key=lambda w: len(w) + rng.random() * 30)


class _Writer:
    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.draw = np.random.default_rng(seed)
        self.vocab = np.array(_vocabulary(rng, 30_000), dtype=object)
        self.cum = np.cumsum(1.0 / np.arange(1, len(self.vocab) + 1))

    def words(self, n: int) -> list[str]:
        picks = np.searchsorted(self.cum, self.draw.random(n) * self.cum[-1], side="right")
        return self.vocab[np.minimum(picks, len(self.vocab) - 1)].tolist()

    def article(self, n_words: int) -> list[list[str]]:
        """Paragraphs of sentences; each sentence a list of words, the first capitalised."""
        paragraphs, left = [], n_words
        while left > 0:
            para = []
            for _ in range(self.rng.randint(1, 4)):
                k = min(left, self.rng.randint(8, 32))
                if k <= 0:
                    break
                sent = self.words(k)
                sent[0] = sent[0].capitalize()
                para.append(sent)
                left -= k
            paragraphs.append(para)
        return paragraphs


def _render(paragraphs: list[list[list[str]]]) -> str:
    return "\n\n".join(" ".join(" ".join(s) + "." for s in para) for para in paragraphs)


def generate(n_docs: int, seed: int = 7) -> list[dict]:
    """`n_docs` records: ~60% originals, ~30% edited reprints, ~10% cut-off teasers.

    Example:
        >>> docs = generate(20)
        >>> len(docs), sorted(docs[0])
        (20, ['feed', 'id', 'text', 'title'])
    """
    rng = random.Random(seed)
    w = _Writer(rng, seed)
    docs: list[dict] = []
    originals: list[tuple[str, list]] = []
    while len(docs) < n_docs:
        roll = rng.random()
        if originals and roll < 0.30:
            title, paras = rng.choice(originals[-5000:])
            paras = [[list(s) for s in p] for p in paras]
            for _ in range(rng.randint(1, 8)):  # copy edits
                p = rng.choice(paras)
                s = rng.choice(p)
                s[rng.randrange(len(s))] = w.words(1)[0]
            if rng.random() < 0.5 and len(paras) > 2:  # abridged by whole paragraphs
                paras = paras[: max(2, int(len(paras) * rng.uniform(0.5, 0.9)))]
            if rng.random() < 0.5:
                title = " ".join(w.words(rng.randint(6, 10))).capitalize()
            text = _render(paras)
        elif originals and roll < 0.40:
            title, paras = rng.choice(originals[-5000:])
            opening = _render(paras)
            cut = opening.find(" ", rng.randint(150, 600))
            text = (opening[:cut] if cut > 0 else opening).rstrip(".") + "..."
        else:
            title = " ".join(w.words(rng.randint(6, 10))).capitalize()
            paras = w.article(rng.randint(300, 1000))
            originals.append((title, paras))
            text = _render(paras)
        docs.append({"id": f"d{len(docs)}", "feed": f"feed{rng.randint(1, 40)}", "title": title, "text": text})
    return docs


def write(n_docs: int, path_dir: Path, seed: int = 7) -> Path:
    """Write the corpus as JSONL once (`path_dir/corpus-v2-N.jsonl`); later runs reuse the file."""
    path = path_dir / f"corpus-v{VERSION}-{n_docs}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with open(tmp, "w", encoding="utf-8") as f:
            for d in generate(n_docs, seed):
                f.write(json.dumps(d) + "\n")
        tmp.replace(path)
    return path
