"""AES-GCM nonces come from the OS in blocks: never repeated, in threads or across a fork."""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection

from bot.store import crypto
from bot.store.crypto import Cipher


def _child_nonce(pipe: Connection) -> None:
    pipe.send(crypto._nonces.take())


def test_nonces_are_never_handed_out_twice_across_threads() -> None:
    taken: list[bytes] = []

    def take_many() -> None:
        mine = [crypto._nonces.take() for _ in range(3000)]
        taken.extend(mine)

    threads = [threading.Thread(target=take_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 12_000
    assert all(len(nonce) == 12 for nonce in taken)
    assert len(set(taken)) == len(taken)


def test_a_forked_child_does_not_reuse_the_parents_block() -> None:
    crypto._nonces.take()  # the parent now holds a block with unused nonces in it
    here, there = multiprocessing.get_context("fork").Pipe()
    child = multiprocessing.get_context("fork").Process(target=_child_nonce, args=(there,))
    child.start()
    childs = here.recv()
    child.join(timeout=10)
    assert child.exitcode == 0
    assert childs != crypto._nonces.take()


def test_each_encryption_gets_its_own_nonce_and_still_decrypts() -> None:
    cipher = Cipher("nonce test key")
    blobs = [cipher.encrypt(b"same text") for _ in range(600)]
    assert len({blob[5:17] for blob in blobs}) == 600
    assert all(cipher.decrypt(blob) == b"same text" for blob in blobs)
