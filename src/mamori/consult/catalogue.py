"""Reads the map, the bodies and the service guides from YAML and refuses a bad file with file and line.

A counsellor edits `data/*.yaml` (a phone number, a wording); on start-up the files are checked as a
whole — every text in ja and en, every `next` naming a node, every recommended body existing, no
cycles, no unreachable node, dated and sourced — and a mistake stops the app with `file:line: what`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from mamori.consult.model import (
    FLAGS,
    REQUIRED_TEXT_LANGS,
    TEXT_LANGS,
    AlwaysOffer,
    Answer,
    Body,
    ConsultMap,
    Node,
    Reach,
    ServiceGuide,
    Text,
    Tree,
)
from mamori.core.yamlfile import LineList as _List
from mamori.core.yamlfile import LineMap as _Map
from mamori.core.yamlfile import read_yaml as read_line_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
REACH_KINDS = ("phone", "web", "mail")


class ConsultDataError(ValueError):
    """A data file that must not be served: names the file and the line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


def read_yaml(path: Path) -> _Map:
    """The file's content with the line of every mapping and list; a YAML syntax error names its line."""
    return read_line_yaml(path, ConsultDataError)


class _Reader:
    """Field access that reports the file and the line of the mapping at fault."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: Any, message: str) -> ConsultDataError:
        return ConsultDataError(self.path, getattr(where, "line", 0), message)

    def mapping(self, parent: _Map, key: str) -> _Map:
        value = parent.get(key)
        if not isinstance(value, _Map):
            raise self.fail(parent, f"'{key}' must be a mapping")
        return value

    def string(self, parent: _Map, key: str, *, optional: bool = False) -> str:
        value = parent.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise self.fail(parent, f"'{key}' must be a non-empty text")
        return str(value)

    def date(self, parent: _Map, key: str) -> dt.date:
        value = parent.get(key)
        if not isinstance(value, dt.date):
            raise self.fail(parent, f"'{key}' must be a date (YYYY-MM-DD): when it was last checked")
        return value

    def text(self, parent: _Map, key: str, *, optional: bool = False) -> Text | None:
        value = parent.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, _Map):
            raise self.fail(parent, f"'{key}' must give the text in {', '.join(REQUIRED_TEXT_LANGS)}")
        unknown = [k for k in value if k not in TEXT_LANGS]
        if unknown:
            raise self.fail(value, f"'{key}' has unknown language(s) {unknown}; use {TEXT_LANGS}")
        for lang in REQUIRED_TEXT_LANGS:
            self.string(value, lang)
        return Text(value["ja"], value["en"], value.get("ja-easy"))

    def required_text(self, parent: _Map, key: str) -> Text:
        text = self.text(parent, key)
        assert text is not None
        return text


def load_bodies(path: Path) -> dict[str, Body]:
    r = _Reader(path)
    root = read_yaml(path)
    bodies: dict[str, Body] = {}
    for body_id, raw in r.mapping(root, "bodies").items():
        if not isinstance(raw, _Map):
            raise r.fail(root["bodies"], f"body '{body_id}' must be a mapping")
        reach_list = raw.get("reach")
        if not isinstance(reach_list, _List):
            raise r.fail(raw, f"body '{body_id}': 'reach' must be a list (empty if none)")
        reach = []
        for item in reach_list:
            if not isinstance(item, _Map) or item.get("kind") not in REACH_KINDS:
                raise r.fail(
                    item if isinstance(item, _Map) else reach_list, f"reach kind must be {REACH_KINDS}"
                )
            reach.append(Reach(item["kind"], r.string(item, "value"), r.text(item, "label", optional=True)))
        source = r.string(raw, "source")
        bodies[body_id] = Body(
            id=body_id,
            name=r.required_text(raw, "name"),
            does=r.required_text(raw, "does"),
            does_not=r.required_text(raw, "does_not"),
            reach=tuple(reach),
            prepare=r.required_text(raw, "prepare"),
            source=source,
            checked=r.date(raw, "checked"),
            confirm=bool(raw.get("confirm", False)),
        )
    return bodies


# The order every service guide keeps (issue 11: save the evidence before anything can hide it).
FIRST_STEP = "save_evidence"
STEP_IDS = ("save_evidence", "distance", "report", "removal_request", "counselling", "ask_poster")


def _load_steps(r: _Reader, root: _Map) -> dict[str, Text]:
    steps: dict[str, Text] = {}
    for step_id, raw in r.mapping(root, "steps").items():
        if not isinstance(raw, _Map):
            raise r.fail(root["steps"], f"step '{step_id}' must be a mapping")
        r.string(raw, "source")
        r.date(raw, "checked")
        steps[str(step_id)] = r.required_text(raw, "text")
    missing = [s for s in (*STEP_IDS, "if_refused") if s not in steps]
    if missing:
        raise r.fail(root["steps"], f"steps {missing} are missing")
    return steps


def _guide_steps(
    r: _Reader, raw: _Map, service_id: str, texts: dict[str, Text]
) -> tuple[tuple[str, Text], ...]:
    order = raw.get("steps")
    if not isinstance(order, list) or not order:
        raise r.fail(raw, f"service '{service_id}': 'steps' must list the steps in order")
    unknown = [s for s in order if s not in STEP_IDS]
    if unknown:
        raise r.fail(raw, f"service '{service_id}': unknown steps {unknown} (known: {', '.join(STEP_IDS)})")
    if order[0] != FIRST_STEP:
        raise r.fail(
            raw, f"service '{service_id}': the first step must be '{FIRST_STEP}' (save the evidence first)"
        )
    if "ask_poster" in order and order[-1] != "ask_poster":
        raise r.fail(raw, f"service '{service_id}': asking the poster comes last, after the safer routes")
    return tuple((str(s), texts[str(s)]) for s in order)


def load_services(path: Path) -> dict[str, ServiceGuide]:
    r = _Reader(path)
    root = read_yaml(path)
    texts = _load_steps(r, root)
    guides: dict[str, ServiceGuide] = {}
    for service_id, raw in r.mapping(root, "services").items():
        if not isinstance(raw, _Map):
            raise r.fail(root["services"], f"service '{service_id}' must be a mapping")
        window = r.mapping(raw, "window")
        url = r.string(window, "url")
        if not url.startswith("https://"):
            raise r.fail(window, f"service '{service_id}': the window url must start with https://")
        guides[service_id] = ServiceGuide(
            id=service_id,
            name=r.required_text(raw, "name"),
            designated=bool(raw.get("designated", False)),
            mute=r.required_text(raw, "mute"),
            block=r.required_text(raw, "block"),
            limit_replies=r.required_text(raw, "limit_replies"),
            report=r.required_text(raw, "report"),
            window_url=url,
            window_note=r.required_text(window, "note"),
            source=r.string(raw, "source"),
            checked=r.date(raw, "checked"),
            confirm=bool(raw.get("confirm", False)),
            steps=_guide_steps(r, raw, service_id, texts),
            if_refused=texts["if_refused"],
            requests_public=bool(raw.get("requests_public", False)),
        )
    return guides


def load_tree(path: Path, body_ids: set[str]) -> Tree:
    r = _Reader(path)
    root = read_yaml(path)
    raw_nodes = r.mapping(root, "nodes")
    nodes: dict[str, Node] = {}
    for node_id, raw in raw_nodes.items():
        if not isinstance(raw, _Map):
            raise r.fail(raw_nodes, f"node '{node_id}' must be a mapping")
        if ("question" in raw) == ("result" in raw):
            raise r.fail(raw, f"node '{node_id}' needs either a 'question' (with answers) or a 'result'")
        if "result" in raw:
            recommend = raw.get("recommend")
            if not isinstance(recommend, _List) or not recommend:
                raise r.fail(raw, f"result '{node_id}' must recommend at least one body")
            for body in recommend:
                if body not in body_ids:
                    raise r.fail(recommend, f"result '{node_id}' recommends unknown body '{body}'")
            nodes[node_id] = Node(node_id, result=r.required_text(raw, "result"), recommend=tuple(recommend))
            continue
        answers_raw = raw.get("answers")
        if not isinstance(answers_raw, _List) or len(answers_raw) < 2:
            raise r.fail(raw, f"question '{node_id}' needs at least two answers")
        answers = []
        for item in answers_raw:
            if not isinstance(item, _Map):
                raise r.fail(answers_raw, f"question '{node_id}': each answer must be a mapping")
            nxt = r.string(item, "next")
            if nxt not in raw_nodes:
                raise r.fail(item, f"answer of '{node_id}' leads to unknown node '{nxt}'")
            sets = item.get("sets")
            if sets is not None and sets not in FLAGS:
                raise r.fail(
                    item, f"answer of '{node_id}' sets unknown flag '{sets}' (known: {sorted(FLAGS)})"
                )
            answers.append(Answer(r.string(item, "id"), r.required_text(item, "label"), nxt, sets))
        if len({a.id for a in answers}) != len(answers):
            raise r.fail(answers_raw, f"question '{node_id}' has two answers with the same id")
        nodes[node_id] = Node(node_id, question=r.required_text(raw, "question"), answers=tuple(answers))
    start = r.string(root, "start")
    if start not in nodes:
        raise r.fail(root, f"start node '{start}' does not exist")
    always = []
    for item in root.get("always") or []:
        if not isinstance(item, _Map) or item.get("body") not in body_ids:
            raise r.fail(item if isinstance(item, _Map) else root, "'always' names an unknown body")
        if item.get("when") is not None and item["when"] not in FLAGS:
            raise r.fail(item, f"'always' has unknown flag '{item['when']}'")
        always.append(AlwaysOffer(item["body"], item.get("when")))
    _check_shape(r, raw_nodes, nodes, start)
    return Tree(start, nodes, tuple(always), r.string(root, "source"), r.date(root, "checked"))


def _check_shape(r: _Reader, raw_nodes: _Map, nodes: dict[str, Node], start: str) -> None:
    """No cycles (every walk ends on a result) and no node that no path reaches."""
    seen: set[str] = set()

    def visit(node_id: str, trail: tuple[str, ...]) -> None:
        if node_id in trail:
            raise r.fail(raw_nodes[node_id], f"cycle: {' → '.join((*trail, node_id))}")
        seen.add(node_id)
        for answer in nodes[node_id].answers:
            visit(answer.next, (*trail, node_id))

    visit(start, ())
    for node_id in nodes:
        if node_id not in seen:
            raise r.fail(raw_nodes[node_id], f"node '{node_id}' cannot be reached from '{start}'")


def load_map(folder: Path = DATA_DIR) -> ConsultMap:
    """Read and check the three files of `folder`; raises ConsultDataError on the first mistake."""
    bodies = load_bodies(folder / "bodies.yaml")
    services = load_services(folder / "services.yaml")
    tree = load_tree(folder / "tree.yaml", set(bodies))
    return ConsultMap(tree, bodies, services)


@cache
def consult_map() -> ConsultMap:
    """The packaged map, read once per process (the app checks it at start-up)."""
    return load_map(DATA_DIR)
