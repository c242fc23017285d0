"""The Bot API's HTTP client against a real server on loopback: forms, files, timeouts, failures."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.http import AiohttpRequest


async def _serve(handler: Callable[[web.Request], Awaitable[web.Response]]) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_route("*", "/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def test_fields_and_files_arrive_as_telegram_reads_them() -> None:
    seen: dict[str, object] = {}

    async def handler(request: web.Request) -> web.Response:
        if request.content_type == "multipart/form-data":
            form = await request.post()
            upload = form["document"]
            assert isinstance(upload, web.FileField)
            seen.update(chat=form["chat_id"], name=upload.filename, type=upload.content_type)
            seen["data"] = upload.file.read()
        else:
            seen.update(await request.post())
        seen["agent"] = request.headers["User-Agent"]
        return web.json_response({"ok": True, "result": True})

    runner, base = await _serve(handler)
    request = AiohttpRequest(pool_size=2)
    try:
        text = RequestData(
            [RequestParameter.from_input("chat_id", 7), RequestParameter.from_input("text", "你好 & <b>")]
        )
        assert await request.do_request(f"{base}/sendMessage", "POST", text) == (
            200,
            b'{"ok": true, "result": true}',
        )
        assert seen["chat_id"] == "7" and seen["text"] == "你好 & <b>"
        assert str(seen["agent"]).startswith("python-telegram-bot")
        document = InputFile(b"PK\x03\x04docx", filename="case.docx")
        upload = RequestData(
            [RequestParameter.from_input("chat_id", 7), RequestParameter.from_input("document", document)]
        )
        status, _body = await request.do_request(f"{base}/sendDocument", "POST", upload)
        assert status == 200
        assert (seen["chat"], seen["name"], seen["data"]) == ("7", "case.docx", b"PK\x03\x04docx")
    finally:
        await request.shutdown()
        await runner.cleanup()


async def test_a_slow_server_is_a_timeout_and_a_closed_port_a_network_error() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"ok": True})

    runner, base = await _serve(slow)
    request = AiohttpRequest(pool_size=2, read_timeout=0.2)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}/getMe", "POST")
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{closed}/getMe", "POST")
    finally:
        await request.shutdown()
        await runner.cleanup()
