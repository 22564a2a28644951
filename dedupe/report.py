"""The run report: every drop and change counted with its reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Report:
    """Counts of one run; the CLI renders it, `--report` writes it as JSON.

    Example:
        >>> r = Report(); r.reject("bad_json", "f.jsonl:3", b"{"); r.rejected["bad_json"]
        1
    """

    records_read: int = 0
    rejected: Counter = field(default_factory=Counter)
    records_out: int = 0
    stories: int = 0
    multi_record_stories: int = 0
    records_merged: int = 0
    teasers_flagged: int = 0
    teasers_completed: int = 0
    teasers_trimmed: int = 0
    teasers_untrimmable: int = 0
    orphans_dropped: int = 0
    boilerplate_sentences_learned: int = 0
    candidate_pairs: int = 0
    chance_lsh_pairs: int = 0  # LSH pairs left unverified: signatures agree on too few rows
    verified_pairs: int = 0
    joins_refused: int = 0
    seconds: float = 0.0
    rejects: list = field(default_factory=list, repr=False)
    duplicate_ids: int = 0
    # Set to [] to collect every record's verdict with its text (what the HTML report shows).
    audit: list | None = field(default=None, repr=False)

    def reject(self, reason: str, where: str, raw: bytes | str) -> None:
        """Count one skipped record and keep its raw text for the rejects file."""
        self.rejected[reason] += 1
        self.rejects.append((reason, where, raw))

    @property
    def records_rejected(self) -> int:
        """All skipped records, whatever the reason."""
        return sum(self.rejected.values())

    def as_dict(self) -> dict:
        """The report as plain JSON-ready data (rejected lines left out).

        Example:
            >>> Report(records_read=2).as_dict()["records_read"]
            2
        """
        out = {k: v for k, v in self.__dict__.items() if k not in ("rejects", "rejected", "audit")}
        out["records_rejected"] = self.records_rejected
        out["rejected_by_reason"] = dict(sorted(self.rejected.items()))
        out["seconds"] = round(self.seconds, 3)
        return out

    def summary_lines(self) -> list[str]:
        """Human-readable summary, one fact a line.

        Example:
            >>> Report(records_read=3).summary_lines()[0]
            'records read       3'
        """
        rej = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected.items())) or "none"
        return [
            f"records read       {self.records_read}",
            f"rejected           {self.records_rejected} ({rej})",
            f"records written    {self.records_out}",
            *([f"repeated ids       {self.duplicate_ids} (later copies renamed ID#2, ID#3, ...)"]
              if self.duplicate_ids else []),
            f"stories            {self.stories} ({self.multi_record_stories} with more than one record)",
            f"records merged     {self.records_merged}",
            f"teasers flagged    {self.teasers_flagged}: completed {self.teasers_completed}, "
            f"trimmed {self.teasers_trimmed}, left as is {self.teasers_untrimmable}, "
            f"records dropped {self.orphans_dropped}",
            f"pairs              {self.candidate_pairs} candidates ({self.chance_lsh_pairs} chance LSH pairs "
            f"left out), {self.verified_pairs} verified, "
            f"{self.joins_refused} joins refused by the chain guard",
            f"seconds            {self.seconds:.2f}",
        ]
