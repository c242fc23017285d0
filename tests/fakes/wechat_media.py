"""Temporary media on the fake WeChat API: GET /cgi-bin/media/get?access_token=…&media_id=…

As WeChat documents it: the file's bytes with its content type, or a JSON error object
(40007 invalid media_id; token errors like every other call). Added with `serve_media(fake)`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.wechat_api import Call, FakeWeChatAPI


def serve_media(fake: FakeWeChatAPI) -> dict[str, bytes]:
    """Enable media downloads on the fake; put bytes under a media id in the returned dict."""
    media: dict[str, bytes] = {}

    async def media_get(request: Request) -> Response:
        call = Call("/cgi-bin/media/get", dict(request.query_params))
        fake.calls.append(call)
        token = call.query.get("access_token", "")
        if token not in fake.valid_tokens:
            code = 42001 if token in fake.expired_tokens else 40001
            return JSONResponse({"errcode": code, "errmsg": "invalid credential"})
        data = media.get(call.query.get("media_id", ""))
        if data is None:
            return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
        return Response(
            data, media_type="image/jpeg", headers={"Content-disposition": 'attachment; filename="MEDIA.jpg"'}
        )

    fake.app.router.routes.insert(0, Route("/cgi-bin/media/get", media_get, methods=["GET"]))
    return media
