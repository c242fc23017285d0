"""Peer benchmark: python-telegram-bot's own ConversationHandler, driven in-process.

The same shape of work as `weiquan bench`: many users, each walking a short guided conversation,
answers kept per user. A 4-state ConversationHandler (start -> who -> how -> how often -> end)
receives N users x M turns of synthetic text updates through `Application.process_update`, with
users interleaved so that all N conversations are open at once. No network: the Bot's requests go
to `CannedRequest`, which answers getMe locally, and no handler sends a message.

With `persistence=True` the Application has a `PicklePersistence` and `update_persistence()` runs
after every update, so each turn is on disk before the next is processed, as weiquan's store
commits every turn. PTB's default instead saves every 60 s (and at shutdown), losing up to a minute
of conversations on a crash: `save_every_update=False` (`--deferred-save`) measures that, saving once
at the end inside the timed region. Either way PicklePersistence (on_flush=False, its default)
rewrites the whole file for every changed user and chat, so a save costs O(users).

    python -m bench.ptb_peer --users 1000 --turns 8 [--persistence]
prints one JSON line {"peer": "ptb_conversationhandler", "persistence": ..., "users": N,
"updates_per_s": ...}. `run()` is what `weiquan bench` calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import BaseRequest, RequestData

WHO, HOW, OFTEN = range(3)
# One user's turns, repeated: the command that opens the conversation, then three answers.
SCRIPT = ("/start", "family", "calls sms", "daily")
BOT_ID = 4242


class CannedRequest(BaseRequest):
    """A Bot API transport that never leaves the process: getMe is answered, anything else is an error."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        self.calls.append(endpoint)
        if endpoint == "getMe":
            me = {"id": BOT_ID, "is_bot": True, "first_name": "peer", "username": "peer_bot"}
            return 200, json.dumps({"ok": True, "result": me}).encode()
        if endpoint == "sendMessage" and request_data is not None:
            params = request_data.parameters
            chat = {"id": params["chat_id"], "type": "private"}
            sent = {
                "message_id": len(self.calls),
                "date": 1_790_000_000,
                "chat": chat,
                "text": params["text"],
            }
            return 200, json.dumps({"ok": True, "result": sent}).encode()
        return 400, json.dumps({"ok": False, "error_code": 400, "description": "offline"}).encode()


# With replies on, each turn asks the next question with buttons, as a guided bot does (and as
# every weiquan turn renders its reply); the sendMessage call is answered by CannedRequest.
QUESTIONS = {
    WHO: ("催收方联系了谁？", ("我本人", "我的家人", "我的朋友")),
    HOW: ("他们用了哪些方式？", ("打电话", "发短信", "上门")),
    OFTEN: ("大概多频繁？", ("一周几次", "每天都有", "一天很多次")),
    ConversationHandler.END: ("谢谢，已记下。", ()),
}


async def _ask(update: Update, state: int, replies: bool) -> int:
    if replies and update.effective_message is not None:
        text, labels = QUESTIONS[state]
        rows = [[InlineKeyboardButton(label, callback_data=label)] for label in labels]
        keyboard = InlineKeyboardMarkup(rows)
        await update.effective_message.reply_text(text, reply_markup=keyboard if labels else None)
    return state


def _start(replies: bool) -> Any:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert context.user_data is not None
        context.user_data.clear()
        return await _ask(update, WHO, replies)

    return start


def _answer(key: str, next_state: int, replies: bool) -> Any:
    async def remember(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert context.user_data is not None and update.effective_message is not None
        context.user_data[key] = update.effective_message.text
        return await _ask(update, next_state, replies)

    return remember


async def _cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return ConversationHandler.END


def _conversation(persistent: bool, replies: bool = False) -> ConversationHandler[Any]:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("start", _start(replies))],
        states={
            WHO: [MessageHandler(text, _answer("who", HOW, replies))],
            HOW: [MessageHandler(text, _answer("how", OFTEN, replies))],
            OFTEN: [MessageHandler(text, _answer("often", ConversationHandler.END, replies))],
        },
        fallbacks=[CommandHandler("cancel", _cancel)],
        name="peer" if persistent else None,
        persistent=persistent,
    )


def _script(turn: int) -> str:
    return SCRIPT[turn % len(SCRIPT)]


def _update_json(update_id: int, user: int, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 1_790_000_000,
        "chat": {"id": user, "type": "private", "first_name": f"u{user}"},
        "from": {"id": user, "is_bot": False, "first_name": f"u{user}"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def _drive(
    users: int, turns: int, persistence_path: Path | None, save_every_update: bool, replies: bool = False
) -> dict[str, float]:
    request = CannedRequest()
    builder = ApplicationBuilder().token(f"{BOT_ID}:peer").request(request).updater(None)
    if persistence_path is not None:
        builder = builder.persistence(PicklePersistence(persistence_path))
    app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
    conversation = _conversation(persistent=persistence_path is not None, replies=replies)
    app.add_handler(conversation)
    await app.initialize()
    # Built before the clock starts: parsing JSON into Update objects is the channel's cost, not the
    # conversation engine's, and weiquan's bench likewise starts from ready-made Inbound values.
    updates = [
        Update.de_json(_update_json(turn * users + user + 1, 10_000 + user, _script(turn)), app.bot)
        for turn in range(turns)
        for user in range(users)
    ]
    started = time.perf_counter()
    for update in updates:
        await app.process_update(update)
        if persistence_path is not None and save_every_update:
            await app.update_persistence()
    if persistence_path is not None and not save_every_update:
        await app.update_persistence()
    elapsed = time.perf_counter() - started
    open_conversations = len(conversation._conversations)
    await app.shutdown()
    if set(request.calls) - ({"getMe", "sendMessage"} if replies else {"getMe"}):
        raise RuntimeError(f"the peer tried to reach the Bot API: {sorted(set(request.calls))}")
    stored = persistence_path.stat().st_size if persistence_path is not None else 0
    return {
        "users": float(users),
        "updates": float(len(updates)),
        "seconds": elapsed,
        "updates_per_s": len(updates) / elapsed,
        "open_conversations": float(open_conversations),
        "pickle_bytes": float(stored),
    }


def run(
    users: int, turns: int, persistence: bool, save_every_update: bool = True, replies: bool = False
) -> dict[str, float]:
    """N users x M turns through PTB's ConversationHandler; `updates_per_s` is the figure.
    `replies`: each turn sends the next question with buttons (answered in-process)."""
    if not persistence:
        return asyncio.run(_drive(users, turns, None, save_every_update, replies))
    with tempfile.TemporaryDirectory(prefix="weiquan-ptb-peer-") as tmp:
        path = Path(tmp) / "conversations.pickle"
        return asyncio.run(_drive(users, turns, path, save_every_update, replies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--persistence", action="store_true", help="PicklePersistence, saved every update")
    parser.add_argument(
        "--deferred-save", action="store_true", help="with --persistence: save once, at the end"
    )
    args = parser.parse_args()
    figures = run(args.users, args.turns, args.persistence, save_every_update=not args.deferred_save)
    kind = ("pickle_deferred" if args.deferred_save else "pickle") if args.persistence else "none"
    line = {
        "peer": "ptb_conversationhandler",
        "persistence": kind,
        "users": args.users,
        "turns": args.turns,
        "updates_per_s": round(figures["updates_per_s"], 1),
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
