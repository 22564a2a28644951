"""A news-like synthetic corpus: Zipf vocabulary, planted reprints and teasers (project-written)."""

from __future__ import annotations

import json
import random
from pathlib import Path


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    weights = [12.7, 9.1, 8.2, 7.5, 7.0, 6.3, 6.1, 6.0, 5.8, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0,
               1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choices(letters, weights, k=rng.randint(2, 10))))
    return sorted(words)


def generate(n_docs: int, seed: int = 7) -> list[dict]:
    """`n_docs` records: ~60% originals, ~30% edited reprints, ~10% cut-off teasers.

    Example:
        >>> docs = generate(20)
        >>> len(docs), sorted(docs[0])
        (20, ['feed', 'id', 'text', 'title'])
    """
    rng = random.Random(seed)
    vocab = _vocabulary(rng, 20_000)
    cum = []
    total = 0.0
    for rank in range(1, len(vocab) + 1):
        total += 1.0 / rank
        cum.append(total)
    docs: list[dict] = []
    originals: list[list[str]] = []
    while len(docs) < n_docs:
        roll = rng.random()
        if originals and roll < 0.30:
            words = list(rng.choice(originals))
            for _ in range(rng.randint(1, 8)):  # copy edits
                words[rng.randrange(len(words))] = rng.choice(vocab[:2000])
            if rng.random() < 0.5:  # abridged
                words = words[: int(len(words) * rng.uniform(0.4, 0.9))]
            text = " ".join(words) + "."
        elif originals and roll < 0.40:
            words = rng.choice(originals)[: rng.randint(25, 120)]
            text = " ".join(words) + "..."
        else:
            words = rng.choices(vocab, cum_weights=cum, k=rng.randint(300, 1000))
            originals.append(words)
            text = " ".join(words) + "."
        docs.append({"id": f"d{len(docs)}", "feed": f"feed{rng.randint(1, 20)}",
                     "title": " ".join(words[:8]), "text": text})
    return docs


def write(n_docs: int, path: Path, seed: int = 7) -> Path:
    """Write the corpus as JSONL once; later runs reuse the file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with open(tmp, "w", encoding="utf-8") as f:
            for d in generate(n_docs, seed):
                f.write(json.dumps(d) + "\n")
        tmp.replace(path)
    return path
