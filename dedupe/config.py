"""The one frozen configuration object that holds every default."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

ORPHAN_MODES = ("keep", "trim", "drop")
SPLIT_MODES = ("auto", "blank", "line")
ON_ERROR_MODES = ("skip", "strict")


@dataclass(frozen=True)
class DedupeConfig:
    """Every knob of dedupe with its default; checks its own ranges.

    Example:
        >>> from dedupe import DedupeConfig
        >>> DedupeConfig(jaccard_threshold=0.6).jaccard_threshold
        0.6
    """

    # Signatures: MinHash over character k-grams of the compacted text
    # (case-folded, letters and digits only), robust to OCR spacing and hyphenation.
    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 7
    # LSH candidate threshold on whole-text MinHash; low, since every candidate is verified.
    lsh_threshold: float = 0.3
    # An LSH pair is verified only if its signatures agree on this share of their rows (the
    # MinHash estimate of its Jaccard; 0 keeps every pair). One band (3 rows at 0.3) also agrees
    # by chance between unrelated texts sharing 1% of their shingles; such pairs grow with the
    # square of the input (most LSH pairs among a million texts), while a pair at the LSH
    # threshold agrees on ~30% of rows.
    lsh_min_agreement: float = 0.1
    # Lead keys: exact hashes of `lead_key_chars` compacted characters taken at each
    # plausible story start (text start, after a kicker, line or sentence) in the opening.
    lead_key_chars: int = 48
    lead_window_chars: int = 600
    lead_key_max_records: int = 50
    # Verification of a candidate pair.
    jaccard_threshold: float = 0.5
    containment_threshold: float = 0.8
    min_shared_shingles: int = 25
    lead_match_score: float = 90.0
    lead_min_chars: int = 80  # a text shorter than this is too short to call a lead
    # A plainly cut teaser whose opening an outlet rewrote is completed by a longer text
    # holding its last `verbatim_tail_chars` characters at least `verbatim_tail_score` alike.
    verbatim_tail_chars: int = 100
    verbatim_tail_score: float = 97.0
    # A short pair (both texts under `short_text_chars`) may also match on headlines at
    # least `title_match_score` alike, when the texts are `short_text_score` alike or share
    # a verbatim run of `shared_run_words` words (outlets rewording one wire story).
    short_text_chars: int = 600
    title_match_score: float = 88.0
    short_text_score: float = 60.0
    shared_run_words: int = 10
    # Two feeds printing the same headline of this many words carry one story.
    distinctive_headline_words: int = 8
    # A short text matches another only if this share of its names and numbers appear there.
    names_agree_share: float = 0.6
    # Chain guard: two groups join only if `join_fraction` of the pairs between them (up to
    # `join_sample` members a side) support each other: they match, or share at least
    # `support_containment` of the smaller text.
    join_fraction: float = 0.5
    support_containment: float = 0.5
    join_sample: int = 6
    # Boilerplate learned from the input: a sentence seen in at least this many records
    # of one feed (and this share of the feed) is ignored for matching.
    boilerplate_min_records: int = 4
    boilerplate_feed_share: float = 0.02
    # Teaser detection: a text with no terminal punctuation is a cut if it is this long
    # (words) or holds a complete sentence before its end.
    cut_min_words: int = 60
    # Repair and I/O.
    orphans: str = "trim"
    split: str = "auto"
    strict: bool = False
    max_record_bytes: int = 10_000_000
    # Worker processes for the per-record stages (features, signatures); 0: one per core.
    # Any value gives the same output, byte for byte.
    jobs: int = 0
    # Fewer records than this are worked in-process: starting workers would cost more than it saves.
    parallel_min_records: int = 4000
    # From this many records on, records and the texts matching needs wait in temporary files
    # (in `temp_dir`, default the system's) instead of memory. Output is the same either way.
    spill_records: int = 20000
    temp_dir: str | None = None

    def __post_init__(self) -> None:
        def check(ok: bool, name: str, what: str) -> None:
            if not ok:
                raise ValueError(f"{name}={getattr(self, name)!r}: {what}")

        check(8 <= self.num_perm <= 1024, "num_perm", "must be in 8..1024")
        check(2 <= self.shingle_size <= 32, "shingle_size", "must be in 2..32")
        check(0.0 <= self.lsh_min_agreement <= 1.0, "lsh_min_agreement", "must be in 0..1")
        for name in ("lsh_threshold", "jaccard_threshold", "containment_threshold",
                     "join_fraction", "boilerplate_feed_share", "names_agree_share", "support_containment"):
            check(0.0 < getattr(self, name) <= 1.0, name, "must be in (0, 1]")
        for name in ("lead_match_score", "title_match_score", "short_text_score", "verbatim_tail_score"):
            check(0.0 <= getattr(self, name) <= 100.0, name, "must be in 0..100")
        for name in ("lead_key_chars", "lead_window_chars", "lead_key_max_records", "lead_min_chars",
                     "verbatim_tail_chars",
                     "min_shared_shingles", "short_text_chars", "shared_run_words",
                     "distinctive_headline_words", "join_sample",
                     "boilerplate_min_records", "cut_min_words", "max_record_bytes"):
            check(getattr(self, name) >= 1, name, "must be >= 1")
        check(0 <= self.jobs <= 256, "jobs", "must be in 0..256 (0: one per core)")
        check(self.parallel_min_records >= 1, "parallel_min_records", "must be >= 1")
        check(self.spill_records >= 1, "spill_records", "must be >= 1")
        check(self.orphans in ORPHAN_MODES, "orphans", f"must be one of {ORPHAN_MODES}")
        check(self.split in SPLIT_MODES, "split", f"must be one of {SPLIT_MODES}")

    def with_(self, **changes: object) -> DedupeConfig:
        """A copy with some fields changed; unknown names raise TypeError.

        Example:
            >>> DedupeConfig().with_(orphans="keep").orphans
            'keep'
        """
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown config fields: {sorted(unknown)}")
        return replace(self, **changes)
