"""Configuration: environment, then `.env`, then defaults. Secrets never print."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.logs import register_secret

DEFAULT_HOURS = "09:00-21:00"  # when a person answers /human (bot/engine/hours.py reads the setting)

PACKAGE_DIR = Path(__file__).resolve().parent


class Secret:
    """A value that never shows itself in repr, str or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


class GeneratedKey(Secret):
    """The embedded default for a key that is not configured: a random key kept in the data
    directory (mode 0600), read or made only when first revealed, so commands that never use it
    (`weiquan lint`, `diagram`, …) leave no files behind."""

    __slots__ = ("_path",)

    def __init__(self, path: Path) -> None:
        super().__init__("")
        self._path = path

    def reveal(self) -> str:
        if not self._value:
            self._value = _read_or_make_key(self._path)
        return self._value

    def __bool__(self) -> bool:
        return True  # made on first use, never empty


def content_dir(name: str) -> Path:
    """`dialogs/` or `locales/`: shipped inside the package, or beside it in a checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ folder next to {PACKAGE_DIR}")


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _secret(env: dict[str, str], name: str) -> Secret | None:
    value = env.get(name, "")
    if not value:
        return None
    register_secret(value)  # masked in every log line, even a library's
    return Secret(value)


def _secret_list(env: dict[str, str], name: str) -> tuple[Secret, ...]:
    values = [v.strip() for v in env.get(name, "").split(",") if v.strip()]
    for value in values:
        register_secret(value)
    return tuple(Secret(v) for v in values)


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    data_key: Secret
    log_level: str
    telegram_token: Secret | None
    telegram_webhook_secret: Secret | None
    telegram_api_base: str | None
    wechat_token: Secret | None
    wechat_appid: str | None
    wechat_secret: Secret | None
    wechat_aes_key: Secret | None
    wechat_api_base: str
    console_secret: Secret
    # Keys that still decrypt (never encrypt): the previous WEIQUAN_DATA_KEY during and after a
    # `weiquan rotate-key`, from WEIQUAN_OLD_DATA_KEYS (comma separated).
    old_data_keys: tuple[Secret, ...] = ()
    # When people answer on the console (China time, e.g. "09:00-21:00"; "always"; "never"),
    # from WEIQUAN_HUMAN_HOURS: the bot tells a user who asks for a person whether anyone is there.
    human_hours: str = DEFAULT_HOURS
    # The public https origin links are built on (never the request's Host header); None: no links.
    public_url: str | None = None
    # Addresses whose X-Forwarded-For/-Proto are believed (uvicorn's forwarded_allow_ips).
    trusted_proxies: str = "127.0.0.1"
    # PostgreSQL connections (store threads) each process writes turns on (WEIQUAN_STORE_CONNECTIONS).
    # One: a batch's turns cost one read and about one write round trip each, so a second thread
    # adds smaller batches and contention for the interpreter, not throughput (docs/ARCHITECTURE.md).
    store_connections: int = 1
    # Bot API messages per second, per process (WEIQUAN_TELEGRAM_MAX_RATE); Telegram allows a bot
    # about 30, more with paid broadcasts; 0 means no limit (a self-hosted Bot API, benchmarks).
    telegram_max_rate: int = 30
    # Where derived files that cost time to build are kept (the trained FAQ matcher), from
    # WEIQUAN_CACHE_DIR; None: the data directory. Several data directories may share one.
    cache_dir: Path | None = None

    @classmethod
    def load(cls, environ: dict[str, str] | None = None) -> Settings:
        base = dict(os.environ if environ is None else environ)
        env = {**_read_dotenv(Path.cwd() / ".env"), **base}
        data_dir = Path(env.get("WEIQUAN_DATA_DIR") or Path.cwd() / "var").resolve()
        url = env.get("WEIQUAN_DATABASE_URL") or f"sqlite:///{data_dir / 'weiquan.sqlite'}"
        return cls(
            data_dir=data_dir,
            database_url=url,
            data_key=_secret(env, "WEIQUAN_DATA_KEY") or GeneratedKey(data_dir / "data.key"),
            log_level=env.get("WEIQUAN_LOG_LEVEL", "INFO").upper(),
            telegram_token=_secret(env, "WEIQUAN_TELEGRAM_TOKEN"),
            telegram_webhook_secret=_secret(env, "WEIQUAN_TELEGRAM_WEBHOOK_SECRET"),
            telegram_api_base=env.get("WEIQUAN_TELEGRAM_API_BASE") or None,
            wechat_token=_secret(env, "WEIQUAN_WECHAT_TOKEN"),
            wechat_appid=env.get("WEIQUAN_WECHAT_APPID") or None,
            wechat_secret=_secret(env, "WEIQUAN_WECHAT_SECRET"),
            wechat_aes_key=_secret(env, "WEIQUAN_WECHAT_AES_KEY"),
            wechat_api_base=(env.get("WEIQUAN_WECHAT_API_BASE") or "https://api.weixin.qq.com").rstrip("/"),
            console_secret=_secret(env, "WEIQUAN_CONSOLE_SECRET") or GeneratedKey(data_dir / "console.key"),
            old_data_keys=_secret_list(env, "WEIQUAN_OLD_DATA_KEYS"),
            human_hours=env.get("WEIQUAN_HUMAN_HOURS", DEFAULT_HOURS),
            public_url=(env.get("WEIQUAN_PUBLIC_URL") or "").strip().rstrip("/") or None,
            trusted_proxies=(env.get("WEIQUAN_TRUSTED_PROXIES") or "127.0.0.1").strip(),
            store_connections=_count(env, "WEIQUAN_STORE_CONNECTIONS", 1, 64),
            telegram_max_rate=_count(env, "WEIQUAN_TELEGRAM_MAX_RATE", 30, 100_000, least=0),
            cache_dir=Path(env["WEIQUAN_CACHE_DIR"]).resolve() if env.get("WEIQUAN_CACHE_DIR") else None,
        )

    def make_keys(self) -> None:
        """Read or generate the keys now: a server's workers all start from the same files."""
        self.data_key.reveal()
        self.console_secret.reveal()


def _count(env: dict[str, str], name: str, default: int, most: int, least: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not least <= int(raw) <= most:
        raise ValueError(f"{name} must be a whole number from {least} to {most}, not {raw!r}")
    return int(raw)


def _read_or_make_key(path: Path) -> str:
    if path.is_file():
        value = path.read_text(encoding="ascii").strip()
        register_secret(value)
        return value
    make_private_dir(path.parent)
    # Written whole under a private name, then linked into place: two processes starting at once
    # on a new data directory both end up with the one key that got there first.
    partial = path.parent / f".{path.name}.{os.getpid()}.tmp"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
    try:
        os.link(partial, path)
    except FileExistsError:
        pass  # another process won the race: use its key
    finally:
        partial.unlink()
    value = path.read_text(encoding="ascii").strip()
    register_secret(value)
    return value


def make_private_dir(path: Path) -> None:
    """./var/ and the like: created readable by the owner only (keys and the database live there)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
