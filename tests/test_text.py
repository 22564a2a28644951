import pytest

from dedupe.config import DedupeConfig
from dedupe.teasers import cut_evidence
from dedupe.text import has_ellipsis_tail, split_kicker, strip_dateline, trim_to_last_sentence

CFG = DedupeConfig()


@pytest.mark.parametrize("text, want", [
    ("Talks ended on Feb. 10 in Berlin. The U.S. envoy said he would", "Talks ended on Feb. 10 in Berlin."),
    ("Officials in the U.S. said so. George W. Bush agreed. Then the",
     "Officials in the U.S. said so. George W. Bush agreed."),
    ("“We will win,” he said. “But if that were", "“We will win,” he said."),
    ("He left at 5 p.m. on Monday. She stayed until", "He left at 5 p.m. on Monday."),
    ("No sentence ends here at all and it goes on", ""),
])
def test_trim_to_last_sentence_respects_abbreviations(text, want):
    assert trim_to_last_sentence(text) == want


@pytest.mark.parametrize("text, reason", [
    ("The army said that it had taken the", "cut:function_word"),
    ("Crowds gathered in the square after large crowds turned…", "cut:ellipsis"),
    ("Prices rose sharply over the year [...]", "cut:ellipsis"),
    ("Rain fell. He said: \"We will not", "cut:unclosed_quote"),
    ("Rain fell all day. Rivers burst their banks across the northern valleys", "cut:no_terminal_punctuation"),
])
def test_cut_endings_are_flagged(text, reason):
    assert cut_evidence(text, "", CFG) == [reason]


@pytest.mark.parametrize("text, title", [
    ("Over 200 people backed the campaign to secure the store for the future", ""),
    ("Rain fell all day. Rivers rose.\n\nPhoto: Reuters", ""),
    ("The standfirst is complete. Continue reading...", ""),
    ("Shares rose. Read more", ""),
    ("Elon Musk to meet Israeli leaders", "Elon Musk to meet Israeli leaders"),
    ("A girl, 4, appears in a handout image. (Family Forum/Handout via Reuters)", ""),
])
def test_complete_texts_are_not_teasers(text, title):
    assert cut_evidence(text, title, CFG) == []


def test_kicker_and_dateline():
    assert split_kicker("FREEDOM NO MORE: Today, protests")[0] == "FREEDOM NO MORE"
    assert split_kicker("Mixed Case: not a kicker")[0] is None
    assert strip_dateline("LONDON (Reuters) - Shares fell.") == "Shares fell."
    assert strip_dateline("Shares fell - sharply.") == "Shares fell - sharply."
    assert has_ellipsis_tail("and so… Read more") and not has_ellipsis_tail("Done. Read more »")


@pytest.mark.parametrize("text", [
    "Prices rose for food, fuel and more",
    "It was the best book he had ever read",
    "The minister left the room. Continue reading...",
])
def test_sentence_words_are_not_link_text(text):
    assert cut_evidence(text, "", CFG) == []


def test_ocr_slips_are_not_numbers():
    from dedupe.text import names_and_numbers

    assert names_and_numbers("He be1ieves 0F the 1990s that 5% rose to £7.5bn.") == {"1990", "5", "7.5"}


def test_spelled_numbers_and_one_word_labels():
    from dedupe.text import names_and_numbers

    assert names_and_numbers("Profits dropped five percent to £579.3 million on the 18th.") == {"5", "579.3", "18"}
    assert strip_dateline("London: Pre-tax profits rose.") == "Pre-tax profits rose."
