"""The guided consultation's use cases that need no database: the tree as JSON, suggested rights."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

from mamori.consult.model import Body, ConsultMap, Node, Text

log = logging.getLogger(__name__)
MAX_TEXT = 5000
THREAT_FLAG = "threat"  # mamori.detect's Category.THREAT (脅迫), named here so detection stays optional

# The rights a removal request names (情プラ法 Art. 22 request: "the right infringed").
RIGHT_LABEL: dict[str, Text] = {
    "名誉権": Text("名誉権（社会的評価を下げられた）", "Right to reputation (defamation)", "めいよけん"),
    "名誉感情": Text("名誉感情（ひどい侮辱）", "Honour / dignity (insult)", "めいよかんじょう"),
    "プライバシー": Text("プライバシー（個人情報の公開）", "Privacy (personal information exposed)"),
    "私生活の平穏": Text("私生活の平穏（脅し・つきまとい）", "Peaceful private life (threats, stalking)"),
    "肖像権": Text("肖像権（無断の写真・動画）", "Right of likeness (photos, video)"),
}


@dataclass(frozen=True)
class RightsSuggestion:
    """Rights the abuse detection suggests for the person to confirm; `available` False when it is absent."""

    rights: tuple[str, ...]
    available: bool
    # the text reads as a threat (脅迫): the person is pointed to the police before any right
    threat: bool = False

    def labels(self, lang: str) -> list[str]:
        return [RIGHT_LABEL[r](lang) if r in RIGHT_LABEL else r for r in self.rights]


def suggest_rights_for(text: str) -> RightsSuggestion:
    """Ask the abuse detection (mamori.detect.service), if installed, which rights the text may infringe."""
    text = text.strip()[:MAX_TEXT]
    if not text:
        return RightsSuggestion((), available=True)
    try:
        detect: Any = importlib.import_module("mamori.detect.service")
    except ModuleNotFoundError as exc:
        if exc.name in ("mamori.detect", "mamori.detect.service"):
            log.warning("abuse detection is not installed: no rights suggested")
            return RightsSuggestion((), available=False)
        raise
    try:
        result = detect.score_text(text)
        rights = detect.suggest_rights(result)
        threat = THREAT_FLAG in (str(flag) for flag in getattr(result, "flags", ()))
    except Exception:
        # A person in distress must still reach the help pages: say suggestions are unavailable, log loudly.
        log.exception("abuse detection failed: no rights suggested")
        return RightsSuggestion((), available=False)
    return RightsSuggestion(tuple(dict.fromkeys(str(r) for r in rights)), available=True, threat=threat)


def _text(t: Text | None) -> dict[str, str] | None:
    return t.as_json() if t else None


def body_json(body: Body) -> dict[str, Any]:
    return {
        "id": body.id,
        "name": body.name.as_json(),
        "does": body.does.as_json(),
        "does_not": body.does_not.as_json(),
        "reach": [
            {"kind": r.kind, "value": r.value, "href": r.href, "label": _text(r.label)} for r in body.reach
        ],
        "prepare": body.prepare.as_json(),
        "source": body.source,
        "checked": body.checked.isoformat(),
        "to_confirm": body.confirm,
    }


def node_json(node: Node) -> dict[str, Any]:
    if node.is_leaf:
        return {
            "id": node.id,
            "kind": "result",
            "result": _text(node.result),
            "recommend": list(node.recommend),
        }
    return {
        "id": node.id,
        "kind": "question",
        "question": _text(node.question),
        "answers": [
            {"id": a.id, "label": a.label.as_json(), "next": a.next, **({"sets": a.sets} if a.sets else {})}
            for a in node.answers
        ],
    }


def tree_json(cmap: ConsultMap) -> dict[str, Any]:
    """The whole decision tree, for other sites to embed: questions, answers, results and bodies."""
    tree = cmap.tree
    return {
        "start": tree.start,
        "source": tree.source,
        "checked": tree.checked.isoformat(),
        "always": [{"body": o.body, **({"when": o.when} if o.when else {})} for o in tree.always],
        "nodes": {node_id: node_json(node) for node_id, node in tree.nodes.items()},
        "bodies": {body_id: body_json(body) for body_id, body in cmap.bodies.items()},
    }
