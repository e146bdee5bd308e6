"""A generated set of posts and of edited reposts of them, for the tests and the benchmark (no real post:
names, places and claims are drawn at random from short lists).

The edits are what a reposter does to slip past an exact match: insert or delete a few characters,
change punctuation, switch width (全角/半角) or script (ひらがな/カタカナ), break lines, add emoji and
stretched characters, or post a screenshot of the text.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable

SURNAMES = "山田 佐藤 鈴木 高橋 田中 伊藤 渡辺 中村 小林 加藤 吉田 山本 松本 井上 木村 林 清水 山崎 森 池田 橋本 阿部 石川 前田 藤田 小川 岡田 後藤 長谷川 村上".split()
GIVEN = (
    "花子 太郎 健一 美咲 さくら ゆうき 翔太 陽子 直樹 真由美 拓也 恵 大輔 彩 蓮 結衣 悠真 葵 湊 陽菜".split()
)
PLACES = "渋谷 梅田 博多 札幌 仙台 名古屋 横浜 神戸 京都 広島 那覇 金沢 静岡 新潟 熊本 岡山 千葉 大宮 立川 町田".split()
WORKS = "市役所 駅前のコンビニ 総合病院 中学校 不動産会社 ラーメン屋 美容院 保育園 銀行 区役所 工務店 歯科医院".split()
CLAIMS = [
    "会社の金を横領している",
    "前科があるのを隠している",
    "客の個人情報を売っている",
    "不倫を繰り返している",
    "生徒に暴力をふるっている",
    "診療報酬を不正に請求している",
    "近所に嫌がらせをしている",
    "経歴を詐称している",
    "裏で反社とつながっている",
    "SNSで他人になりすましている",
    "借金を踏み倒して逃げた",
    "動物を虐待している",
]
TAILS = [
    "みんな拡散して",
    "絶対に許さない",
    "関わらないほうがいい",
    "早く辞めさせろ",
    "住所も知ってるから晒す",
    "本当に最低な人間だ",
    "被害者は他にもいる",
    "誰か通報してくれ",
]
EXTRA = [
    "昨日も見かけたけど相変わらずだった",
    "証拠のスクショもある",
    "知り合いもそう言っていた",
    "ずっと前から噂になっている",
    "家族もグルらしい",
    "警察は何もしてくれない",
]
NEUTRAL = [
    "今日は{place}で{work}の前を通ったら桜が満開でした",
    "{place}の新しいパン屋さんのクロワッサンがおいしかった",
    "週末は{place}で友だちと映画を見て{work}の近くでご飯を食べた",
    "{place}行きの電車が遅れていて少し困ったけど無事に着きました",
    "{place}の図書館で借りた本が面白くて一気に読んでしまった",
    "雨の日の{place}は人が少なくて散歩にちょうどいい",
]


FRAMES = [
    "{place}の{work}で働いている{name}は{claim}",
    "{name}って{place}の{work}の人でしょ、{claim}らしい",
    "【拡散希望】{work}勤務の{name}（{place}在住）が{claim}",
    "{place}で{name}を見かけた。あいつは{claim}くせに平気な顔をしている",
    "知ってる？{work}の{name}、{claim}んだって",
    "{name}は{claim}。{place}の人ならみんな知ってる",
]


KANJI = (
    "日本人年大十二本中長出三時行見月分後前生五間上東四今金九入学高円子外八六下来気小七山話女北午百書先名"
    "川千水半男西電校語土木聞食車何南万毎白天母火右読友左休父雨会社店員駅家族仕事近所町村市区県道"
)


def detail(rng: random.Random) -> str:
    """What makes a real post its own: particulars (words, numbers, a handle) no other post shares."""
    words = ["".join(rng.choice(KANJI) for _ in range(2)) for _ in range(rng.randint(3, 6))]
    return f"{rng.choice(['実は', '前に', 'あの時', '去年'])}{'の'.join(words)}の件で{rng.randint(1, 30)}回目、@{rng.randbytes(4).hex()}"


def removed_post(rng: random.Random) -> str:
    """A post of the kind that gets removed: a named person, a place, an accusation, its particulars, a
    call to act."""
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    claims = rng.sample(CLAIMS, 2)
    parts = [
        rng.choice(FRAMES).format(
            place=rng.choice(PLACES), work=rng.choice(WORKS), name=name, claim=claims[0]
        ),
        *rng.sample(EXTRA, rng.randint(0, 2)),
        detail(rng),
        rng.choice(TAILS),
    ]
    if rng.random() < 0.5:
        parts.insert(rng.randint(1, len(parts)), f"{claims[1]}とも聞いた")
    return "。".join(parts) + rng.choice(["", "。", "！", f"（{rng.randint(2, 99)}）"])


def unrelated_post(rng: random.Random) -> str:
    """An ordinary post about something else."""
    template = rng.choice(NEUTRAL)
    return template.format(place=rng.choice(PLACES), work=rng.choice(WORKS)) + rng.choice(["", "。", "！"])


_HALF = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF61, 0xFFA0)}
INSERTS = ["まじで", "本当に", "やっぱり", "ねえ", "あの", "例の", "噂の"]
EMOJI = ["😡", "🤬", "😂", "💢", "🔥", "👇", "‼️", "🙄"]


def _hira_to_kata(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def insertion(text: str, rng: random.Random) -> str:
    for _ in range(2):
        i = rng.randrange(len(text) + 1)
        text = text[:i] + rng.choice(INSERTS) + text[i:]
    return text


def deletion(text: str, rng: random.Random) -> str:
    for _ in range(2):
        n = rng.randint(1, 3)
        i = rng.randrange(max(len(text) - n, 1))
        text = text[:i] + text[i + n :]
    return text


def punctuation(text: str, rng: random.Random) -> str:
    marks = ["、", "！", "？", "…", "・", "「", "」", "【", "】", "!!", "。。"]
    out = text.replace("。", rng.choice(["！", "…", "．", "!?"]))
    chars = list(out)
    for _ in range(6):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(marks))
    return "".join(chars)


def width(text: str, rng: random.Random) -> str:
    """Katakana to half width and ASCII digits and letters to full width (NFKC undoes both)."""
    kata = _hira_to_kata(text)
    out = []
    for c in kata:
        if c in _HALF:
            out.append(_HALF[c])
        elif "!" <= c <= "~":
            out.append(chr(ord(c) + 0xFEE0))
        else:
            out.append(c)
    return "".join(out)


def kana(text: str, rng: random.Random) -> str:
    """Some stretches switched from hiragana to katakana."""
    chars = list(text)
    for _ in range(4):
        i = rng.randrange(len(chars))
        for j in range(i, min(i + 6, len(chars))):
            chars[j] = _hira_to_kata(chars[j])
    return "".join(chars)


def line_breaks(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(5):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(["\n", "\n\n", " ", "\u3000"]))
    return "".join(chars)


def emoji_noise(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(5):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(EMOJI))
    i = rng.randrange(len(chars))
    chars.insert(i, chars[i] * rng.randint(3, 6))  # 「横領ーーーー」-style stretching
    return "".join(chars)


def mixed(text: str, rng: random.Random) -> str:
    """What a determined reposter does: several edits at once."""
    for edit in (insertion, punctuation, kana, line_breaks, emoji_noise):
        text = edit(text, rng)
    return text


EDITS: dict[str, Callable[[str, random.Random], str]] = {
    "insertion": insertion,
    "deletion": deletion,
    "punctuation": punctuation,
    "width": width,
    "kana": kana,
    "line_breaks": line_breaks,
    "emoji": emoji_noise,
    "mixed": mixed,
}


def screenshot(text: str, font_path: str, *, width_px: int = 900) -> bytes:
    """The text drawn as a PNG with a Japanese font, wrapped like a post on a phone screen."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path, 36)
    lines, line = [], ""
    for ch in text.replace("\n", ""):
        if font.getlength(line + ch) > width_px - 80:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    image = Image.new("RGB", (width_px, 60 + 54 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for n, text_line in enumerate(lines):
        draw.text((40, 30 + 54 * n), text_line, font=font, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
