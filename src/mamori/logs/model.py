"""The logs kept for sender-information disclosure (情プラ法 Art. 5-8, 15, 16): what a record says, what a
hold covers, and the rule that answers "who held IP x, port p at time t".

Plain Python: no database, web or network library, so the rules can be read next to the law.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

# The kinds of record a content provider sends (Art. 5: 発信者情報 and 特定発信者情報 of 施行規則 Art. 2).
EVENT_KINDS = ("login", "logout", "account_created", "post")
EventKind = Literal["login", "logout", "account_created", "post"]
# What a hold rests on: a court's 消去禁止命令 (Art. 16), a pending disclosure request, a legal officer.
HOLD_BASES = ("erasure_order", "disclosure_request", "legal_officer")
HoldBasis = Literal["erasure_order", "disclosure_request", "legal_officer"]
# The kinds of log with their own retention period.
RETENTION_KINDS = ("events", "holders", "assignments")
RetentionKind = Literal["events", "holders", "assignments"]
LookupStatus = Literal["held", "ambiguous", "not_held"]
PORT_MIN, PORT_MAX = 0, 65535


@dataclass(frozen=True)
class LogEvent:
    """One account or post event of the content provider, decrypted for the legal officer."""

    id: str
    kind: str
    occurred_at: dt.datetime
    account_id: str
    ip: str | None
    port: int | None
    mobile_id: str | None = None
    iccid: str | None = None
    post_id: str | None = None


@dataclass(frozen=True)
class AccountHolder:
    """What the account holder registered (name, address, phone, email), decrypted."""

    account_id: str
    name: str | None
    address: str | None
    phone: str | None
    email: str | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class Assignment:
    """An access provider's record: `subscriber_id` held `ip` (ports port_start..port_end, inclusive)
    from `start` (inclusive) to `end` (exclusive; None: still held)."""

    subscriber_id: str
    ip: str
    port_start: int
    port_end: int
    start: dt.datetime
    end: dt.datetime | None

    @property
    def whole_address(self) -> bool:
        return self.port_start <= PORT_MIN and self.port_end >= PORT_MAX


@dataclass(frozen=True)
class Hold:
    """A hold: records of `account_id` and/or `ip` that occurred in [start, end) are not purged while
    the hold is active (not released, and `until` not passed)."""

    id: str
    basis: str
    reference: str
    account_id: str | None
    ip: str | None
    start: dt.datetime | None
    end: dt.datetime | None
    until: dt.datetime | None
    placed_at: dt.datetime
    placed_by: str
    released_at: dt.datetime | None = None
    released_by: str | None = None
    release_reason: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Lookup:
    """The access provider's honest answer: the subscriber, or why there is none to give."""

    status: LookupStatus
    subscriber_id: str | None
    candidates: int
    reason_ja: str
    reason_en: str


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


def normalise_ip(value: str) -> str:
    """The canonical text of an IPv4/IPv6 address (IPv4-mapped IPv6 becomes IPv4); ValueError if not one."""
    value = value.strip()
    if _CANONICAL_IPV4.fullmatch(value):  # the common case, already canonical (no leading zeros)
        return value
    address = ipaddress.ip_address(value)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


# IPv6 subscribers get a prefix (usually /48 to /64), not one address: an assignment may name a prefix,
# and a lookup of an address also tries the prefixes of these lengths that contain it.
IPV6_PREFIX_LENGTHS = tuple(range(32, 65))


def normalise_assigned(value: str) -> str:
    """An assigned address or IPv6 prefix in canonical form: "192.0.2.1", "2001:db8:1200::/40"
    (a prefix of full length is the address itself). ValueError if it is neither or an IPv4 prefix."""
    text = value.strip()
    if "/" not in text:
        return normalise_ip(text)
    network = ipaddress.ip_network(text, strict=False)
    if network.prefixlen == network.max_prefixlen:
        return normalise_ip(str(network.network_address))
    if network.version == 4:
        raise ValueError("IPv4 assignments name one address")
    if network.prefixlen not in IPV6_PREFIX_LENGTHS:
        raise ValueError("IPv6 prefixes from /32 to /64")
    return str(network)


def lookup_keys(address: str) -> list[str]:
    """What an assignment covering `address` may be stored as: the address and, for IPv6, its prefixes."""
    canonical = normalise_ip(address)
    parsed = ipaddress.ip_address(canonical)
    if parsed.version == 4:
        return [canonical]
    return [canonical] + [
        str(ipaddress.ip_network(f"{canonical}/{n}", strict=False)) for n in IPV6_PREFIX_LENGTHS
    ]


def hold_is_active(hold_released_at: dt.datetime | None, until: dt.datetime | None, now: dt.datetime) -> bool:
    return hold_released_at is None and (until is None or until > now)


def who_held(
    assignments: list[Assignment], *, port: int | None, when: dt.datetime, skew: dt.timedelta
) -> Lookup:
    """Who held the address at `when`, from the assignments of that address.

    The rule: an assignment covers [start, end) (start inclusive, end exclusive). Clocks differ, so
    the moment is widened to [when - skew, when + skew]; every assignment overlapping that window
    (and, with a port, whose port range holds it) is a candidate. One subscriber among the
    candidates: "held". Several: "ambiguous" (the edges of two assignments, or a CGNAT address shared
    by several subscribers when no port is given): never a guess. None: "not_held".
    """
    lo, hi = when - skew, when + skew
    in_time = [a for a in assignments if a.start <= hi and (a.end is None or a.end > lo)]
    if not in_time:
        return Lookup(
            "not_held",
            None,
            0,
            "その時刻 (許容誤差を含む) にこのアドレスを割り当てた記録はありません。",
            "No assignment of this address covers that time (within the clock tolerance).",
        )
    if port is not None:
        matching = [a for a in in_time if a.port_start <= port <= a.port_end]
        if not matching:
            return Lookup(
                "not_held",
                None,
                0,
                f"その時刻のこのアドレスの割当てに、ポート {port} を含むものはありません。",
                f"No assignment of this address at that time includes port {port}.",
            )
    else:
        matching = in_time
    subscribers = sorted({a.subscriber_id for a in matching})
    if len(subscribers) == 1:
        return Lookup(
            "held",
            subscribers[0],
            1,
            "割当て記録から契約者を一人に特定できます。",
            "The assignment records name a single subscriber.",
        )
    if port is None and any(not a.whole_address for a in matching):
        ja = (
            f"このアドレスはその時刻に {len(subscribers)} 人の契約者がポート範囲を分けて共有していました "
            "(CGNAT)。ポート番号がなければ特定できません。"
        )
        en = (
            f"{len(subscribers)} subscribers shared this address at that time with port ranges (CGNAT); "
            "without the source port no single subscriber can be named."
        )
    else:
        ja = (
            f"許容誤差の範囲に {len(subscribers)} 人の契約者の割当てが重なっており、一人に特定できません "
            "(割当ての切替え時刻の前後です)。"
        )
        en = (
            f"Assignments to {len(subscribers)} subscribers fall within the clock tolerance (the time is "
            "near the change of an assignment); no single subscriber can be named."
        )
    return Lookup("ambiguous", None, len(subscribers), ja, en)
