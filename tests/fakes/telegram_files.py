"""Files on the fake Bot API: `getFile` and the file download endpoint, as Telegram serves them.

https://core.telegram.org/bots/api#getfile: getFile returns a File with `file_path`; the bytes are
at `<server>/file/bot<token>/<file_path>`. Added to a running FakeBotAPI with `serve_files`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.telegram_api import FakeBotAPI


def serve_files(fake: FakeBotAPI) -> dict[str, bytes]:
    """Enable files on the fake; put bytes under a file_id in the returned dict."""
    files: dict[str, bytes] = {}
    paths: dict[str, str] = {}

    async def get_file(params: dict[str, Any], _files: Any) -> Any:
        file_id = params.get("file_id", "")
        if file_id not in files:
            return JSONResponse(
                {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                status_code=400,
            )
        path = f"documents/file_{len(paths)}.bin"
        paths[path] = file_id
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(files[file_id]),
            "file_path": path,
        }

    async def download(request: Request) -> Response:
        if request.path_params["token"] != fake.token or request.path_params["path"] not in paths:
            return Response(status_code=404)
        return Response(files[paths[request.path_params["path"]]], media_type="application/octet-stream")

    fake._m_getFile = get_file  # type: ignore[attr-defined]
    fake.app.router.routes.insert(0, Route("/file/bot{token}/{path:path}", download))
    return files
