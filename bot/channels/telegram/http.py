"""The Bot API's HTTP client: python-telegram-bot's request interface over one aiohttp session.

PTB's own HTTPXRequest cost about 2 ms of CPU per Bot API call under concurrent replies (httpx
and httpcore's pool, anyio), most of a webhook worker's time per message; aiohttp does the same
call for an eighth of that. The semantics are PTB's: its timeouts (`None` waits for ever), TimedOut
for a timeout, NetworkError for anything else that kept the call from completing, the status and
body returned as they are for PTB to interpret.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput, UploadFileDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """One long-lived aiohttp session, opened by `initialize` or the first call (the channel
    never initializes its Bot: that would call getMe) and closed by `shutdown`; at most
    `pool_size` connections to the Bot API at once."""

    def __init__(
        self,
        pool_size: int,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        """The defaults are PTB's own (HTTPXRequest's)."""
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._write_timeout = write_timeout
        self._media_write_timeout = media_write_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    @property
    def closed(self) -> bool:
        """No session open: never used, or shut down."""
        return self._session is None or self._session.closed

    async def initialize(self) -> None:
        self._opened()

    def _opened(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )
        return self._session

    async def shutdown(self) -> None:
        if not self.closed:
            await self._session.close()  # type: ignore[union-attr]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._opened()
        files = request_data.multipart_data if request_data and request_data.contains_files else None
        read = _chosen(read_timeout, self._read_timeout)
        write = _chosen(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _chosen(connect_timeout, self._connect_timeout)
        pool = _chosen(pool_timeout, self._pool_timeout)
        # aiohttp counts the wait for a pooled connection in `connect`, and has no write timeout:
        # the whole call is bounded by the sum of them all (unbounded if any is None)
        parts = (read, write, connect, pool)
        total = None if None in parts else sum(p for p in parts if p is not None)
        wait = None if connect is None or pool is None else connect + pool
        timeout = aiohttp.ClientTimeout(total=total, connect=wait, sock_connect=connect, sock_read=read)
        try:
            async with session.request(
                method, url, data=_body(request_data, files), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _chosen(given: ODVInput[float], default: float | None) -> float | None:
    """A timeout PTB passed for this call, else ours (a DefaultValue means "not given")."""
    return default if isinstance(given, DefaultValue) else given


def _body(
    request_data: RequestData | None, files: UploadFileDict | None
) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields, as PTB encodes them; with files, a multipart form."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not files:
        return fields
    form = aiohttp.FormData(fields)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
