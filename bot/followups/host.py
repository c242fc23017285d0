"""What the follow-up features need of the application's Service, as a Protocol: the Service
imports these features to install them, so they must not import it back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol, TypeVar

from bot.engine.engine import Engine
from bot.engine.i18n import I18n
from bot.ordered_delivery import Send, SendOwn
from bot.store.repo import Store
from bot.turns import EffectHandler, TurnScope
from bot.types import Session, TurnResult

T = TypeVar("T")


class ServiceHost(Protocol):
    @property
    def engine(self) -> Engine: ...

    @property
    def store(self) -> Store: ...

    @property
    def i18n(self) -> I18n: ...

    @property
    def clock(self) -> Callable[[], float]: ...

    def session(self, user_key: str) -> Session | None: ...

    def add_effect_handler(self, effect: str, handler: EffectHandler) -> None: ...

    async def run_turns(
        self,
        kind: Literal["media", "reminder"],
        job: Callable[[TurnScope], T],
        *,
        user_key: str | None = None,
    ) -> T: ...

    async def record_upload(
        self,
        user_key: str,
        kind: str,
        data: bytes,
        *,
        description: str | None,
        file_name: str | None,
        message_id: str,
        locale: str | None,
    ) -> TurnResult | None: ...

    async def deliver(self, outbox_id: int | None, send: Send, send_own: SendOwn) -> bool: ...

    async def renew_in_flight(self) -> int: ...
