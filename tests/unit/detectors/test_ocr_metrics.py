"""Edit distance, normalisation and per-field tallies of the OCR evaluation."""

from __future__ import annotations

import pytest

from framewise.eval.ocr_metrics import (
    FieldScore,
    character_accuracy,
    character_errors,
    edit_distance,
    normalise,
    value_text,
)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("abc", "", 3),
        ("AK-74M", "AK-74M", 0),
        ("AK-74M", "AK-74N", 1),  # a substitution
        ("CUSTOMS", "CUSTMS", 1),  # a deletion
        ("M4A1", "M4AA1", 1),  # an insertion
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("SCAV", "VACS", 4),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_normalise_folds_case_and_collapses_whitespace() -> None:
    assert normalise("  SCAV  AK-74M\tHEADSHOT \n") == "scav ak-74m headshot"
    assert normalise("Streets of Tarkov") == normalise("STREETS  OF TARKOV")
    assert normalise("") == ""


def test_character_accuracy_is_one_minus_cer_and_never_negative() -> None:
    assert character_accuracy("CUSTOMS", "customs") == 1.0
    assert character_accuracy("CUSTOMS", "CUST0MS") == pytest.approx(6 / 7)
    assert character_accuracy("AKM", "a much longer misreading") == 0.0
    assert character_errors("AKM", "a much longer misreading") == (3, 3)
    # Reading text where there is none is an error; reading nothing where there is none is not.
    assert character_accuracy("", "") == 1.0
    assert character_accuracy("", "x") == 0.0


def test_value_text() -> None:
    assert value_text(None) == ""
    assert value_text(True) == "true"
    assert value_text(False) == "false"
    assert value_text("Woods") == "Woods"
    assert value_text(3) == "3"


def test_field_score_counts_raw_and_matched_apart() -> None:
    score = FieldScore("kill_notification.weapon", parsed=True)
    score.add("AK-74M", "AK-74M", "AK-74M", "AK-74M")
    score.add("AK-74M", "AK-7AM", "AK-74M", "AK-74M")  # a misread fixed by the vocabulary
    score.add("HK 416A5", "", "HK 416A5", "")  # nothing read
    assert score.crops == 3
    assert score.exact_raw == pytest.approx(1 / 3)
    assert score.exact_matched == pytest.approx(2 / 3)
    # 0 + 1 + 8 edits over 6 + 6 + 8 true characters.
    assert score.char_acc_raw == pytest.approx(1 - 9 / 20)
    assert score.char_acc_matched == pytest.approx(1 - 8 / 20)
    row = score.as_dict()
    assert row["field"] == "kill_notification.weapon"
    assert row["exact_matched"] == round(2 / 3, 4)


def test_whole_text_rows_have_no_matched_scores() -> None:
    score = FieldScore("map_select", parsed=False)
    assert score.exact_raw == 0.0  # no crops yet
    score.add("CUSTOMS MODE: PVE", "CUSTOMS MODE: PVE")
    assert score.exact_raw == 1.0
    assert score.char_acc_raw == 1.0
    assert score.exact_matched is None
    assert score.char_acc_matched is None
    assert score.as_dict()["char_acc_matched"] is None
