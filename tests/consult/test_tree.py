"""Every path of the consultation map ends where MISSION.md §2 says it should."""

from __future__ import annotations

import pytest

from mamori.consult.catalogue import consult_map
from mamori.consult.model import UnknownAnswer, all_paths, recommended, walk

# Written from MISSION.md §2 by hand, independently of tree.yaml: answers → bodies recommended.
# The first two questions (danger now? under 18?) come from what the map implies; after them the
# paths follow §2's branches one by one.
SECTION_2 = {
    ("danger:yes",): {"police-110", "police-cyber"},
    ("need:listen",): {"mamorouyo-kokoro"},
    ("need:solve", "solution:compensation"): {"lawyer-houterasu"},
    ("need:solve", "solution:punish"): {"police-cyber"},
    ("need:solve", "solution:delete", "delete_how:myself"): {"ihaho-center"},
    ("need:solve", "solution:delete", "delete_how:someone", "who:public"): {"moj-jinken"},
    ("need:solve", "solution:delete", "delete_how:someone", "who:private"): {"sia-hotline"},
}
ALWAYS = {"mamorouyo-kokoro", "school-local-desk"}


def _labelled(path: tuple[str, ...]) -> tuple[str, ...]:
    """The path as question:answer pairs, without the two screening questions after 'no danger'."""
    tree = consult_map().tree
    node = tree.nodes[tree.start]
    out = []
    for answer_id in path:
        out.append(f"{node.id}:{answer_id}")
        node = tree.nodes[node.answer(answer_id).next]  # type: ignore[union-attr]
    return tuple(p for p in out if p not in ("danger:no", "minor:yes", "minor:no"))


PATHS = list(all_paths(consult_map().tree))


@pytest.mark.parametrize(("path", "leaf"), PATHS, ids=["/".join(p) for p, _ in PATHS])
def test_every_path_ends_on_the_help_section_2_names(path: tuple[str, ...], leaf: object) -> None:
    tree = consult_map().tree
    step = walk(tree, path)
    main, extra = recommended(tree, step)
    assert set(main) == SECTION_2[_labelled(path)]
    assert ALWAYS <= set(main) | set(extra), "someone to listen and local desks are always offered"
    assert ("trusted-adult" in extra) == ("minor:yes" in _path_pairs(path))


def _path_pairs(path: tuple[str, ...]) -> set[str]:
    tree = consult_map().tree
    node = tree.nodes[tree.start]
    pairs = set()
    for answer_id in path:
        pairs.add(f"{node.id}:{answer_id}")
        node = tree.nodes[node.answer(answer_id).next]  # type: ignore[union-attr]
    return pairs


def test_every_branch_of_section_2_is_reachable_for_adults_and_minors() -> None:
    reached = [_labelled(p) for p, _ in PATHS]
    for branch in SECTION_2:
        expected = 1 if branch == ("danger:yes",) else 2  # once as a minor, once as an adult
        assert reached.count(branch) == expected, branch


def test_the_six_bodies_of_the_map_keep_their_stable_ids() -> None:
    ids = set(consult_map().bodies)
    assert {
        "mamorouyo-kokoro",
        "lawyer-houterasu",
        "police-cyber",
        "ihaho-center",
        "moj-jinken",
        "sia-hotline",
    } <= ids


def test_a_hand_edited_answer_is_refused() -> None:
    with pytest.raises(UnknownAnswer, match="does not fit"):
        walk(consult_map().tree, ["no", "maybe"])


def test_going_back_drops_the_last_answer() -> None:
    step = walk(consult_map().tree, ["no", "yes", "solve"])
    assert step.node.id == "solution" and step.back == ("no", "yes") and step.flags == {"minor"}


def test_hotline_says_it_acts_only_on_its_three_criteria_and_the_centre_does_not_request() -> None:
    bodies = consult_map().bodies
    assert "three criteria" in bodies["sia-hotline"].does_not.en
    assert "Does not request deletion for you" in bodies["ihaho-center"].does_not.en
    assert "take time" in bodies["moj-jinken"].does_not.en
    assert any(r.value == "0570-003-110" for r in bodies["moj-jinken"].reach)


def test_every_service_guide_of_the_issue_is_there_with_a_window() -> None:
    services = consult_map().services
    assert {
        "x",
        "instagram",
        "facebook",
        "youtube",
        "tiktok",
        "line",
        "yahoo-chiebukuro",
        "bakusai",
        "5ch",
    } <= set(services)
    assert all(g.window_url.startswith("https://") and g.checked for g in services.values())
