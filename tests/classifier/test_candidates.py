"""待核实: which assessments ask a person whether a lowered figure is a major emergency."""

from __future__ import annotations

from classifier.candidates import candidate, cue_label, of_assessment, strongest
from classifier.severity import assess


def test_a_debunked_figure_is_a_candidate_with_its_cue_in_words() -> None:
    found = of_assessment(assess("", "网传海子街镇大桥垮塌死亡30人系谣言，经核实，无人员伤亡。"))
    assert found is not None
    assert found.level == "特别重大"
    assert any(r.startswith("帖中称已辟谣：") for r in found.reasons)


def test_no_candidate_without_a_major_figure_or_when_the_grade_is_major() -> None:
    assert of_assessment(assess("", "两车相撞，2人受伤。")) is None
    assert candidate("重大", "事故灾难", {"candidate_level": "特别重大"}) is None
    assert candidate("较大", "事故灾难", {"candidate_level": "较大"}) is None
    ambiguous = candidate("较大", "事故灾难", {"candidate_level": "重大",
                                              "candidate_cues": ["ambiguous: 20余人伤亡"]})
    assert ambiguous is not None and ambiguous.emergency_type == "事故灾难"
    assert ambiguous.reasons == ["数字含混：20余人伤亡"]


def test_cue_labels_and_the_strongest_of_several() -> None:
    assert cue_label("hearsay: 听说死了十几个") == "传闻（听说）：听说死了十几个"
    assert cue_label("something new") == "something new"
    major = candidate("一般", None, {"candidate_level": "重大"})
    extraordinary = candidate("常规", None, {"candidate_level": "特别重大"})
    assert strongest([None, major, extraordinary]) is extraordinary
    assert strongest([None]) is None
