"""Awareness: what the prompt counts, what a lecture request is, and how instructors are suggested.

Pure rules, no database or web: the kinds of prompt event, the topics and audiences of the
e-ネットキャラバン lectures and the 事例集, the prefectures, the fiscal year (年度) used in the
statistics, and the ranking of instructors for a request (region, topic, availability, load).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from mamori.core.clock import to_jst


class PromptEvent(enum.StrEnum):
    """What the writer did with the stop-and-think prompt (no text is ever sent with it)."""

    SHOWN = "shown"
    EDITED = "edited"
    POSTED_ANYWAY = "posted_anyway"


# A platform names itself with a short id it chooses (its host name, a board name): counted per id.
SITE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


class Topic(enum.StrEnum):
    """Topics of a lecture and of a case (the themes the MIC material names)."""

    BULLYING = "bullying"  # ネットいじめ
    DEFAMATION = "defamation"  # 誹謗中傷
    PRIVACY = "privacy"  # プライバシー・個人情報
    FRAUD = "fraud"  # ネット詐欺
    IMAGES = "images"  # 写真・動画の拡散
    OVERUSE = "overuse"  # 長時間利用


TOPIC_LABEL: dict[Topic, str] = {
    Topic.BULLYING: "Online bullying",
    Topic.DEFAMATION: "Defamation and abuse",
    Topic.PRIVACY: "Privacy and personal data",
    Topic.FRAUD: "Online fraud",
    Topic.IMAGES: "Photos and videos spread",
    Topic.OVERUSE: "Too much time online",
}


class Audience(enum.StrEnum):
    """Who a lecture is for; also the age groups of the cases."""

    ELEMENTARY = "elementary"  # 小学生
    JUNIOR_HIGH = "junior_high"  # 中学生
    HIGH_SCHOOL = "high_school"  # 高校生
    PARENTS = "parents"  # 保護者
    TEACHERS = "teachers"  # 教職員


AUDIENCE_LABEL: dict[Audience, str] = {
    Audience.ELEMENTARY: "Elementary school pupils",
    Audience.JUNIOR_HIGH: "Junior high school students",
    Audience.HIGH_SCHOOL: "High school students",
    Audience.PARENTS: "Parents and guardians",
    Audience.TEACHERS: "Teachers and school staff",
}


class LectureStatus(enum.StrEnum):
    REQUESTED = "requested"
    MATCHED = "matched"  # an instructor and a date confirmed by the coordinator
    DONE = "done"  # the instructor recorded attendance and a report


# JIS X 0401 codes, the Japanese name, the English name, and the region used to suggest instructors.
PREFECTURES: tuple[tuple[str, str, str, str], ...] = (
    ("01", "北海道", "Hokkaido", "hokkaido"),
    ("02", "青森県", "Aomori", "tohoku"),
    ("03", "岩手県", "Iwate", "tohoku"),
    ("04", "宮城県", "Miyagi", "tohoku"),
    ("05", "秋田県", "Akita", "tohoku"),
    ("06", "山形県", "Yamagata", "tohoku"),
    ("07", "福島県", "Fukushima", "tohoku"),
    ("08", "茨城県", "Ibaraki", "kanto"),
    ("09", "栃木県", "Tochigi", "kanto"),
    ("10", "群馬県", "Gunma", "kanto"),
    ("11", "埼玉県", "Saitama", "kanto"),
    ("12", "千葉県", "Chiba", "kanto"),
    ("13", "東京都", "Tokyo", "kanto"),
    ("14", "神奈川県", "Kanagawa", "kanto"),
    ("15", "新潟県", "Niigata", "chubu"),
    ("16", "富山県", "Toyama", "chubu"),
    ("17", "石川県", "Ishikawa", "chubu"),
    ("18", "福井県", "Fukui", "chubu"),
    ("19", "山梨県", "Yamanashi", "chubu"),
    ("20", "長野県", "Nagano", "chubu"),
    ("21", "岐阜県", "Gifu", "chubu"),
    ("22", "静岡県", "Shizuoka", "chubu"),
    ("23", "愛知県", "Aichi", "chubu"),
    ("24", "三重県", "Mie", "kinki"),
    ("25", "滋賀県", "Shiga", "kinki"),
    ("26", "京都府", "Kyoto", "kinki"),
    ("27", "大阪府", "Osaka", "kinki"),
    ("28", "兵庫県", "Hyogo", "kinki"),
    ("29", "奈良県", "Nara", "kinki"),
    ("30", "和歌山県", "Wakayama", "kinki"),
    ("31", "鳥取県", "Tottori", "chugoku"),
    ("32", "島根県", "Shimane", "chugoku"),
    ("33", "岡山県", "Okayama", "chugoku"),
    ("34", "広島県", "Hiroshima", "chugoku"),
    ("35", "山口県", "Yamaguchi", "chugoku"),
    ("36", "徳島県", "Tokushima", "shikoku"),
    ("37", "香川県", "Kagawa", "shikoku"),
    ("38", "愛媛県", "Ehime", "shikoku"),
    ("39", "高知県", "Kochi", "shikoku"),
    ("40", "福岡県", "Fukuoka", "kyushu"),
    ("41", "佐賀県", "Saga", "kyushu"),
    ("42", "長崎県", "Nagasaki", "kyushu"),
    ("43", "熊本県", "Kumamoto", "kyushu"),
    ("44", "大分県", "Oita", "kyushu"),
    ("45", "宮崎県", "Miyazaki", "kyushu"),
    ("46", "鹿児島県", "Kagoshima", "kyushu"),
    ("47", "沖縄県", "Okinawa", "kyushu"),
)
PREFECTURE = {code: (ja, en, region) for code, ja, en, region in PREFECTURES}

MAX_DATE_OPTIONS = 3
MAX_AUDIENCE_SIZE = 5000
MAX_REPORT_CHARS = 2000
MAX_MESSAGE_CHARS = 1000
# A request may name dates from tomorrow up to a year ahead.
REQUEST_HORIZON = dt.timedelta(days=366)


def prefecture_name(code: str, lang: str) -> str:
    found = PREFECTURE.get(code)
    if found is None:
        return code
    return found[1] if lang == "en" else found[0]


def fiscal_year(day: dt.date) -> int:
    """年度: April to March, named by the year it starts (FY2019 = 2019-04-01 … 2020-03-31)."""
    return day.year if day.month >= 4 else day.year - 1


def jst_day(at: dt.datetime) -> dt.date:
    """The day in Japan of a moment (what the prompt counts are grouped by)."""
    return to_jst(at).date()


@dataclass(frozen=True)
class InstructorProfile:
    id: str
    name: str
    prefecture: str
    topics: frozenset[Topic]
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday
    active: bool
    load: int  # matched lectures still to give
    busy_days: frozenset[dt.date]


@dataclass(frozen=True)
class Suggestion:
    instructor: InstructorProfile
    score: int
    same_prefecture: bool
    same_region: bool
    topics_covered: frozenset[Topic]
    free_dates: tuple[dt.date, ...]


def suggest_instructors(
    instructors: list[InstructorProfile],
    *,
    prefecture: str,
    topics: frozenset[Topic],
    dates: tuple[dt.date, ...],
    limit: int = 5,
) -> list[Suggestion]:
    """Instructors who could give this lecture, best first: same prefecture (+4) or region (+2), each
    topic covered (+2), free on an offered date (+2), minus their load (−1 per lecture still to give).
    Only active instructors who cover a topic and are free on at least one date are suggested; a
    person confirms the choice."""
    region = PREFECTURE.get(prefecture, ("", "", ""))[2]
    found: list[Suggestion] = []
    for ins in instructors:
        covered = ins.topics & topics
        free = tuple(d for d in dates if d.weekday() in ins.weekdays and d not in ins.busy_days)
        if not ins.active or not covered or not free:
            continue
        same_pref = ins.prefecture == prefecture
        same_region = PREFECTURE.get(ins.prefecture, ("", "", ""))[2] == region
        score = (4 if same_pref else 2 if same_region else 0) + 2 * len(covered) + 2 - ins.load
        found.append(Suggestion(ins, score, same_pref, same_region, frozenset(covered), free))
    found.sort(key=lambda s: (-s.score, s.instructor.load, s.instructor.name))
    return found[:limit]
