"""One typed settings object, read from MAMORI_* variables, built in the app factory."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# 情プラ法 Art. 25(1): the ordinance period may not exceed 14 days (numbering of 2025-04-01).
LEGAL_MAX_DECISION_PERIOD_DAYS = 14
DEV_SECRET = "dev-only-not-secret-change-me-0123456789abcdef"  # noqa: S105 (refused in production)


class Settings(BaseSettings):
    """Every setting mamori reads. Each field's description is its documentation (docs/settings.md)."""

    model_config = SettingsConfigDict(env_prefix="MAMORI_", extra="ignore")

    database_url: str = Field(
        "sqlite:///./mamori.db",
        description="SQLAlchemy URL of the case store: SQLite (default, a file in the working directory) "
        "or postgresql+psycopg://user@host/db in production.",
    )
    db_pool_size: int = Field(
        20,
        ge=1,
        description="Connections each process keeps open to PostgreSQL (the web server's thread pool shares them).",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public address of this service, used in links sent by mail."
    )
    secret_key: str = Field(
        DEV_SECRET,
        description="Secret for signing sessions and links and for wrapping encryption keys. "
        "Must be set (32+ characters) when MAMORI_ENV=production.",
    )
    env: str = Field("development", description="development, test or production.")
    smtp_url: str = Field(
        "smtp://127.0.0.1:8025",
        description="Mail server for notices: smtp://[user:password@]host:port (smtps:// for TLS).",
    )
    mail_from: str = Field("mamori <noreply@mamori.invalid>", description="Sender address of every mail.")
    platform_name: str = Field("mamori demo platform", description="Name of the platform shown in notices.")
    decision_period_days: int = Field(
        7,
        description="The statutory period, in days from receipt, for the Art. 25 notice to the requester: "
        "one period for the whole deployment (情プラ法 Art. 25(1) and its 施行規則, numbering of "
        "2025-04-01: 7 days; the law caps it at 14). Refused above 14 at start-up.",
    )
    final_decision_target_days: int = Field(
        14,
        ge=1,
        le=60,
        description="After an interim notice (Art. 25(1) proviso) the decision is owed 'without delay': the "
        "number of days from the interim notice's delivery after which the case shows as late in the queue "
        "and the report. 14: the 7-day sender-inquiry window (Art. 3(2)(ii)) plus a review of the same length.",
    )
    poster_similarity_threshold: float = Field(
        0.8,
        gt=0.0,
        le=1.0,
        description="Art. 27 proviso: how alike (Jaccard of character 3-grams of the normalised texts) a post "
        "must be to one the same poster was already told about, for the same reason and clause, so that "
        "no new notice is owed.",
    )
    appeal_filing_days: int = Field(
        14,
        ge=1,
        le=90,
        description="Days from the delivery of a decision's notice within which a side may object to it; "
        "stated in the notices that offer the objection.",
    )
    appeal_ruling_days: int = Field(
        14,
        ge=1,
        le=90,
        description="Days from an objection within which a specialist other than the decider rules on it; "
        "stated to the side that objected; an objection older than this shows as late in the queue.",
    )
    outbox_max_attempts: int = Field(12, description="Delivery attempts before a notice is marked failed.")
    outbox_lease_seconds: int = Field(
        300,
        ge=10,
        le=86400,
        description="How long a worker holds the notices it claimed; a killed worker's notices go out again "
        "after this (longer than the slowest mail server's answer).",
    )
    outbox_backoff_seconds: float = Field(
        30.0, description="First retry delay of the outbox; it doubles each attempt (capped at 6 hours)."
    )
    due_soon_hours: int = Field(
        48, description="A case counts as due soon this many hours before its deadline."
    )
    consult_retention_days: int = Field(
        1095,
        ge=30,
        description="Days after a consultation opened when its personal data is erased (counts stay).",
    )
    claim_idle_minutes: int = Field(
        30, description="A specialist's claim on a case lapses after this idle time."
    )
    login_attempts_per_minute: int = Field(
        20, ge=1, description="Sign-in attempts per client address per minute."
    )
    intake_rate_limit_per_minute: int = Field(
        600, ge=1, description="Removal requests accepted per client address per minute before 429."
    )
    detect_rate_limit_per_minute: int = Field(
        60, ge=1, description="POST /api/v1/detect batches accepted per client address per minute before 429."
    )
    nudge_rate_limit_per_minute: int = Field(
        120, ge=1, description="POST /api/v1/nudge drafts accepted per client address per minute before 429."
    )
    follow_rate_limit_per_minute: int = Field(
        60,
        ge=1,
        description="Requests per client address per minute to the pages and API opened with a secret key "
        "(status, poster's page, objections, inquiry answers) before 429: keys cannot be guessed by trying.",
    )
    capture_rate_limit_per_minute: int = Field(
        10,
        ge=1,
        description="Server captures of a page (each starts Chromium) per client address per minute before 429.",
    )
    max_body_bytes: int = Field(
        1024 * 1024,
        ge=16 * 1024,
        description="Largest request body accepted (413 beyond it, before anything is parsed); "
        "evidence uploads get MAMORI_EVIDENCE_MAX_UPLOAD_BYTES instead.",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For / X-Forwarded-Proto are believed. Empty (default): none; the peer's address counts.",
    )
    allow_private_fetch: bool = Field(
        False,
        description="TESTS ONLY: let evidence capture fetch loopback/private addresses. Never in production.",
    )
    operator_email: str = Field(
        "operator@mamori.invalid",
        description="Where deadline alerts go (the team that answers for Art. 25 periods).",
    )
    data_dir: Path = Field(Path("./mamori-data"), description="Where captured evidence and exports are kept.")
    chromium: Path = Field(Path("/usr/bin/chromium"), description="The Chromium used for evidence capture.")
    evidence_capture_timeout_s: float = Field(
        30.0, description="Time limit of one capture, all requests included."
    )
    evidence_max_requests: int = Field(200, description="HTTP requests allowed per capture.")
    evidence_max_response_bytes: int = Field(25 * 1024 * 1024, description="Largest single response kept.")
    evidence_max_capture_bytes: int = Field(100 * 1024 * 1024, description="All responses of one capture.")
    evidence_max_upload_bytes: int = Field(200 * 1024 * 1024, description="Largest file a person may upload.")
    evidence_login_profile_dir: Path | None = Field(
        None,
        description="The consultation centre's own logged-in Chromium profile, for pages behind a login.",
    )
    evidence_signing_key: Path | None = Field(
        None, description="Ed25519 key (PEM) signing evidence packages; default <data_dir>/evidence/signing."
    )
    evidence_kit_max_bytes: int = Field(
        50 * 1024 * 1024,
        description="All files of one evidence kit (a person without an account seals their screenshots).",
    )
    evidence_kit_rate_limit_per_minute: int = Field(
        10, description="Evidence kits sealed per client address per minute before 429."
    )
    evidence_public_capture: bool = Field(
        False, description="Let a person without an account ask the server to capture a public address."
    )
    evidence_kit_capture_keep_hours: int = Field(
        24,
        ge=1,
        le=24 * 7,
        description="How long the sealed ZIP of a capture asked for without an account waits for its "
        "download (encrypted), before it is deleted.",
    )
    evidence_kit_capture_max_waiting: int = Field(
        50,
        ge=1,
        le=10_000,
        description="Captures asked for without an account that may wait for a worker at once; more are "
        "refused (503) until the queue drains.",
    )
    evidence_tsa_url: str | None = Field(
        None, description="RFC 3161 time-stamp authority; none: no time-stamp."
    )

    logs_import_max_bytes: int = Field(
        512 * 1024 * 1024,
        ge=1,
        lt=2**31,
        description="The largest poster-log file one queued import takes (POST /api/v1/logs/imports, "
        "`mamori logs import --queue`); it waits compressed and sealed in the database until a worker runs it.",
    )
    logs_keys: str = Field(
        "",
        description="Key-encryption keys of the poster and access logs (envelope encryption): comma-separated "
        "ID:BASE64 entries, each 32 random bytes (`mamori logs new-key` prints one). The first wraps new data "
        "keys, the others only unwrap until `mamori logs rotate-keys` has re-wrapped everything. Empty: one key "
        "derived from MAMORI_SECRET_KEY (development and tests only; refused in production).",
    )
    logs_lookup_skew_seconds: int = Field(
        2,
        ge=0,
        le=3600,
        description='Clock tolerance of the access provider\'s lookup "who held IP x, port p at time t": '
        "the moment is widened by this many seconds each way; two subscribers in that window answer "
        "ambiguous, never a guess.",
    )
    logs_retention_events_days: int = Field(
        180,
        ge=1,
        description="Days the content provider keeps account and post events (login, logout, account "
        "creation, post) before the purge deletes them, unless a hold covers them.",
    )
    logs_retention_holders_days: int = Field(
        180,
        ge=1,
        description="Days an account holder's details (name, address, phone, email) are kept after the "
        "account was closed, unless a hold covers the account.",
    )
    logs_retention_assignments_days: int = Field(
        90,
        ge=1,
        description="Days the access provider keeps an IP assignment after it ended, unless a hold covers it.",
    )

    @model_validator(mode="after")
    def _logs_keys_in_production(self) -> Settings:
        unsafe_secret = self.secret_key == DEV_SECRET or len(self.secret_key) < 32  # reported first, below
        if self.env == "production" and not unsafe_secret and not self.logs_keys.strip():
            raise ValueError("MAMORI_LOGS_KEYS must be set in production (see docs/logs.md)")
        return self

    metrics_token: str = Field(
        "",
        description="When set, GET /metrics needs `Authorization: Bearer <token>`; empty: open (firewall it).",
    )
    log_format: str = Field("text", description="Server and worker logs: text, or json (one object a line).")

    # --- logs settings (add this capability's settings above this line) ---
    disclosure_hearing_days: int = Field(
        14,
        ge=1,
        le=60,
        description="Days the poster has to answer the opinion hearing (意見照会, 情プラ法 Art. 6(1)), counted from "
        "the delivery of the hearing mail (the day of delivery not counted); about two weeks in practice.",
    )
    disclosure_court_holidays: str = Field(
        "",
        description="Comma-separated ISO dates of national holidays: a court period (the objection suit against "
        "a 開示命令) ending on one ends on the next open day (民事訴訟法 Art. 95(3)); weekends and 29 Dec-3 Jan "
        "are known without it.",
    )
    disclosure_handover_timeout_s: float = Field(
        20.0,
        gt=0,
        le=300,
        description="Time limit of one call to an access provider's mamori API when handing on a 提供命令.",
    )
    # --- disclosure settings (add this capability's settings above this line) ---
    # --- transparency settings (add this capability's settings above this line) ---
    channels_rate_limit_per_minute: int = Field(
        120,
        ge=1,
        description="Requests each trusted body may send to POST /api/v1/channels/requests per minute "
        "before 429 (counted per body, whatever address it sends from).",
    )
    channels_key_valid_days: int = Field(
        365,
        ge=1,
        le=1095,
        description="Default lifetime of a trusted body's API key, in days (then refused).",
    )
    channels_queue_rule: str = Field(
        "clock",
        pattern="^(clock|trusted_first)$",
        description="How the workspace queue ranks trusted bodies' requests: clock (with every other case, "
        "by the Art. 25 clock) or trusted_first (after danger flags, before other cases).",
    )
    hotline_report_rate_limit_per_minute: int = Field(
        20,
        ge=1,
        description="Reports to the hotline's public form accepted per client address per minute before 429.",
    )
    hotline_reports_per_reporter_per_day: int = Field(
        10,
        ge=1,
        description="Reports one reporter (same e-mail) may file in 24 hours before the desk refuses more.",
    )
    hotline_follow_up_days: int = Field(
        7,
        ge=1,
        le=60,
        description="Days after a notice to a platform when the hotline follows up on its answer.",
    )
    hotline_child_consent_age: int = Field(
        12,
        ge=6,
        le=17,
        description="From this age a child's own consent is required when a guardian or school staff files "
        "for them (below it the adult decides).",
    )
    council_suppression_threshold: int = Field(
        5,
        ge=2,
        le=50,
        description="Council figures: cells with a count below this are suppressed (never exported).",
    )

    # --- channels, hotline and council settings (add this capability's settings above this line) ---
    repost_match_threshold: float = Field(
        0.5,
        ge=0.3,
        le=1.0,
        description="Estimated similarity (share of equal MinHash values, ~ Jaccard of character 3-grams after "
        "Japanese normalisation) from which a new post opens a repost review item for a person to confirm.",
    )
    repost_pdq_max_distance: int = Field(
        31,
        ge=0,
        le=64,
        description="Largest Hamming distance between two PDQ hashes counted as the same image.",
    )
    pileon_window_minutes: int = Field(
        60, ge=5, le=1440, description="The window in which abusive replies to one account are counted."
    )
    pileon_baseline_days: int = Field(
        14, ge=1, le=90, description="How far back an account's usual number of abusive replies is measured."
    )
    pileon_min_replies: int = Field(
        10, ge=2, description="Fewest abusive replies in one window that can make a pile-on."
    )
    pileon_burst_factor: float = Field(
        5.0,
        ge=1.0,
        description="A pile-on: at least this many times the account's usual abusive replies per window.",
    )
    pileon_protective_actions: str = Field(
        "limit_replies,hide_replies_from_new_accounts,mute_mentions_24h,pause_notifications,lock_account_temporarily",
        description="Comma-separated protective measures the operator offers the target of a pile-on "
        "(each must have a label in the reposts catalogue, or is shown as its code).",
    )
    # --- reposts settings (add this capability's settings above this line) ---
    awareness_events_rate_limit_per_minute: int = Field(
        120,
        ge=1,
        description="POST /api/v1/awareness/prompt-events accepted per client address per minute before 429.",
    )
    lecture_request_rate_limit_per_minute: int = Field(
        10,
        ge=1,
        description="Public lecture requests (e-ネットキャラバン) accepted per client address per minute before 429.",
    )
    # --- awareness settings (add this capability's settings above this line) ---
    # --- detect settings (add this capability's settings above this line) ---

    @field_validator("decision_period_days")
    @classmethod
    def _period_within_law(cls, value: int) -> int:
        if not 1 <= value <= LEGAL_MAX_DECISION_PERIOD_DAYS:
            raise ValueError(
                f"decision_period_days must be 1..{LEGAL_MAX_DECISION_PERIOD_DAYS} (情プラ法 Art. 25)"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for entry in (e.strip() for e in value.split(",")):
            if entry:
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError:
                    raise ValueError(
                        f"MAMORI_TRUSTED_PROXIES: {entry!r} is not an IP address or network (CIDR)"
                    ) from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        """MAMORI_TRUSTED_PROXIES as a list (empty: trust no forwarding header)."""
        return [e.strip() for e in self.trusted_proxies.split(",") if e.strip()]

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError("MAMORI_SECRET_KEY must be set to 32+ random characters in production")
            if self.allow_private_fetch:
                raise ValueError("MAMORI_ALLOW_PRIVATE_FETCH is for tests only")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
