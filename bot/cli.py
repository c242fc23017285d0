"""The `weiquan` command line."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.config import Settings
from bot.logs import setup_logging
from bot.types import UserKey

Handler = Callable[[argparse.Namespace, Settings], int]


def _service(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.service import Service

    return Service.open(settings)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels import terminal

    service = _service(settings)
    try:
        return terminal.run(service, args.user, args.lang)
    finally:
        service.close()


def cmd_test_dialogs(args: argparse.Namespace, settings: Settings) -> int:
    from bot.dialogs_runner import run_file, transcript_files

    passed = failed = 0
    for path in transcript_files(Path(p) for p in args.paths):
        result = run_file(path)
        if result.passed:
            passed += 1
        else:
            failed += 1
            for line in result.failures:
                print(line)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_lint(args: argparse.Namespace, settings: Settings) -> int:
    from bot.lint import lint

    if args.vocabulary:
        from bot.vocabulary import vocabulary

        print(vocabulary())
        return 0
    problems = lint()
    for problem in problems:
        print(problem)
    print("lint: ok" if not problems else f"lint: {len(problems)} problem(s)")
    return 1 if problems else 0


def cmd_diagram(args: argparse.Namespace, settings: Settings) -> int:
    from bot import diagram
    from bot.config import content_dir
    from bot.engine.flow import load_flow

    flow = load_flow(content_dir("dialogs"))
    render = {"mermaid": diagram.mermaid, "dot": diagram.dot, "svg": diagram.svg}[args.format]
    try:
        sys.stdout.write(render(flow))
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.db import open_engine, upgrade

    engine = open_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    print("database is up to date")
    return 0


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    service = _service(settings)
    try:
        erased = service.store.delete_user(args.user)
    finally:
        service.close()
    print(f"deleted everything stored about {args.user}" if erased else f"no data for {args.user}")
    return 0


_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _seconds(text: str) -> int:
    match = _DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError("use a duration like 90d, 12h or 30m")
    return int(match.group(1)) * _UNIT[match.group(2)]


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    service = _service(settings)
    try:
        count = service.store.purge(time.time() - args.older_than)
    finally:
        service.close()
    print(f"purged {count} idle conversation(s)")
    return 0


def cmd_rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    """Re-encrypt stored data under a new key; never prints a key."""
    from bot.store.rotate import rotate_database

    current = settings.data_key.reveal()
    if args.new_key_file:
        target = Path(args.new_key_file).read_text(encoding="utf-8").strip()
    else:
        target = os.environ.get(args.new_key_env, "").strip() or current
    accepted = [current, *(k.reveal() for k in settings.old_data_keys)]
    report = rotate_database(settings.database_url, target, accepted, args.max_rows)
    print(
        f"re-encrypted {report.rewritten} value(s) in {len(report.columns)} column(s); "
        f"{report.remaining} value(s) still under another key"
    )
    if report.unreadable:
        print(
            f"{report.unreadable} value(s) could not be decrypted with the configured keys "
            "and were left as they are"
        )
    if target != current:
        print(
            "next: set WEIQUAN_DATA_KEY to the new key and put the old one in "
            "WEIQUAN_OLD_DATA_KEYS, restart, then run `weiquan rotate-key` again to "
            "re-encrypt what was written meanwhile"
        )
    elif report.remaining == 0:
        print("done: no data is under an old key; WEIQUAN_OLD_DATA_KEYS may now be removed")
    return 0


def cmd_operator(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console.auth import add_operator, disable_operator

    if args.operator_command == "add":
        try:
            password = add_operator(settings, args.name, admin=args.admin)
        except Exception as exc:  # e.g. the name is taken (a unique constraint)
            print(f"cannot create operator {args.name!r}: {type(exc).__name__}", file=sys.stderr)
            return 1
        role = "admin" if args.admin else "operator"
        print(f"created {role} {args.name}; the password must be changed at first sign-in")
        print(f"one-time password: {password}")
        return 0
    try:
        disable_operator(settings, args.name)
    except KeyError:
        print(f"no operator named {args.name!r}", file=sys.stderr)
        return 1
    print(f"disabled operator {args.name}; their sessions have ended")
    return 0


def _refuse_weak_config(settings: Settings) -> bool:
    """True (after saying why, on stderr) when a server must not start with these settings."""
    from bot.secret_policy import config_problems

    problems = config_problems(settings)
    for problem in problems:
        print(f"refusing to start: {problem}", file=sys.stderr)
    return bool(problems)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if _refuse_weak_config(settings):
        return 2
    from bot import serve_workers

    if args.workers > 1 and serve_workers.supported():  # a listening socket per worker
        return serve_workers.run(args.host, args.port, args.workers, settings.trusted_proxies)

    uvicorn.run(
        "bot.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_config=None,
        # The client's address and scheme (login throttle, Secure cookies) from these proxies only.
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
    )
    return 0


def cmd_telegram(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.telegram import polling as telegram

    if _refuse_weak_config(settings):
        return 2
    return int(telegram.run_polling(settings, set_webhook=args.set_webhook))


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.channels.reminders import run_worker
    from bot.service import Service

    if _refuse_weak_config(settings):
        return 2
    service = Service.open(settings)
    try:
        return asyncio.run(run_worker(service, settings, args.interval, args.once))
    finally:
        service.close()


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from bot import bench

    return bench.main(args)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.followups.evidence import write_kept_copies
    from bot.tools.case_render import render_docx, render_json, render_markdown

    service = _service(settings)
    try:
        case = service.case_file(args.user)
        copies = write_kept_copies(service, args.user, Path(args.files)) if args.files and case else []
    finally:
        service.close()
    if case is None:
        print(f"no data for {args.user}", file=sys.stderr)
        return 1
    for path in copies:  # the files the user asked us to keep, decrypted
        print(path, file=sys.stderr)
    if args.format == "docx":
        output = Path(args.output or f"{args.user}.docx")  # ./<user>.docx, as the contract says
        output.write_bytes(render_docx(case))
        print(output)
        return 0
    rendered = render_markdown(case) if args.format == "md" else render_json(case)
    if args.output:
        Path(args.output).write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
    return 0


def cmd_wechat_menu(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.channels.wechat import adapter as wechat
    from bot.errors import ChannelError

    try:
        asyncio.run(wechat.create_menu(settings, lang=args.lang))
    except ChannelError as exc:
        print(f"WeChat refused the menu: {exc}", file=sys.stderr)
        return 1
    print("menu created")
    return 0


def cmd_faq_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.engine.engine import Engine
    from bot.errors import FlowError
    from bot.faq_eval import evaluate, report

    try:
        scores = evaluate(Engine.load(), args.path, args.unrelated)
    except (FlowError, OSError) as exc:
        print(f"faq-eval: {exc}", file=sys.stderr)
        return 1
    report(scores, print)
    return 0


def _user_key(text: str) -> str:
    try:
        return str(UserKey.parse(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="weiquan", description="维权助手 weiquan")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the assistant in this terminal")
    chat.add_argument("--lang", choices=["zh_CN", "en"], default=None)
    chat.add_argument("--user", default="local", help="conversation id (resumes it)")
    chat.set_defaults(handler=cmd_chat, needs_keys=True)

    tests = sub.add_parser("test-dialogs", help="run transcript files or folders")
    tests.add_argument("paths", nargs="+")
    tests.set_defaults(handler=cmd_test_dialogs)

    lint = sub.add_parser("lint", help="validate dialogs and locales")
    lint.add_argument(
        "--vocabulary",
        action="store_true",
        help="list the conditions, actions, views and input kinds the dialogs may use",
    )
    lint.set_defaults(handler=cmd_lint)

    faq_eval = sub.add_parser("faq-eval", help="score the FAQ matcher on questions it was not taught")
    faq_eval.add_argument("path", nargs="?", type=Path, default=Path("tests/understanding/heldout.yaml"))
    faq_eval.add_argument("--unrelated", type=Path, default=Path("tests/understanding/unrelated.yaml"))
    faq_eval.set_defaults(handler=cmd_faq_eval)

    diagram = sub.add_parser("diagram", help="draw the flow")
    diagram.add_argument("--format", choices=["mermaid", "dot", "svg"], default="mermaid")
    diagram.set_defaults(handler=cmd_diagram)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations").set_defaults(handler=cmd_db)

    delete = sub.add_parser("delete", help="erase everything stored about one user")
    delete.add_argument("--user", type=_user_key, required=True)
    delete.set_defaults(handler=cmd_delete)

    wechat = sub.add_parser("wechat", help="WeChat Official Account set-up")
    wechat_sub = wechat.add_subparsers(dest="wechat_command", required=True)
    menu = wechat_sub.add_parser("menu", help="create the account's custom menu")
    menu.add_argument("--lang", choices=["zh_CN", "en"], default="zh_CN")
    menu.set_defaults(handler=cmd_wechat_menu)

    export = sub.add_parser("export", help="a user's case file: summary, evidence, channels, letters")
    export.add_argument("--user", type=_user_key, required=True)
    export.add_argument("--format", choices=["md", "docx", "json"], default="md")
    export.add_argument("--output", default=None, help="file to write (docx: default ./<user>.docx)")
    export.add_argument(
        "--files",
        default=None,
        metavar="DIR",
        help="also write the copies of files the user asked us to keep into DIR",
    )
    export.set_defaults(handler=cmd_export)

    purge = sub.add_parser("purge", help="erase conversations idle for longer than a duration")
    purge.add_argument("--older-than", type=_seconds, required=True)
    purge.set_defaults(handler=cmd_purge)

    rotate = sub.add_parser("rotate-key", help="re-encrypt stored user data under a new data key")
    rotate.add_argument(
        "--new-key-env",
        default="WEIQUAN_NEW_DATA_KEY",
        help="environment variable holding the new key (default %(default)s)",
    )
    rotate.add_argument("--new-key-file", default=None, help="file holding the new key")
    rotate.add_argument("--max-rows", type=int, default=None, help="stop after this many values")
    rotate.set_defaults(handler=cmd_rotate_key)

    operator = sub.add_parser("operator", help="console accounts for hotline operators")
    operator_sub = operator.add_subparsers(dest="operator_command", required=True)
    for action, help_text in (
        ("add", "create an account; prints a one-time password"),
        ("disable", "disable an account and end its sessions"),
    ):
        command = operator_sub.add_parser(action, help=help_text)
        command.add_argument("name")
        if action == "add":
            command.add_argument(
                "--admin", action="store_true", help="may reply to, take over and hand back any case"
            )
        command.set_defaults(handler=cmd_operator)

    serve = sub.add_parser("serve", help="run the web server (webhooks, console, metrics)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=cmd_serve, needs_keys=True)

    telegram = sub.add_parser("telegram", help="run the Telegram bot by long polling")
    telegram.add_argument("--set-webhook", metavar="URL", default=None)
    telegram.set_defaults(handler=cmd_telegram, needs_keys=True)

    worker = sub.add_parser("worker", help="send due complaint follow-ups (also runs in serve/telegram)")
    worker.add_argument("--interval", type=float, default=15.0, help="seconds between passes")
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.set_defaults(handler=cmd_worker, needs_keys=True)

    safety_eval = sub.add_parser("safety-eval", help="the safety detector's recall and false alarms")
    safety_eval.add_argument(
        "path",
        nargs="?",
        default=None,
        help="folder of <label>.<lang>.txt files (default tests/safety/heldout)",
    )
    safety_eval.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    safety_eval.set_defaults(handler=cmd_safety_eval)

    bench = sub.add_parser("bench", help="measure turns per second against the raw sqlite3 floor")
    bench.add_argument("--users", type=int, default=1000)
    bench.add_argument(
        "--turns", type=int, default=None, help="messages per user (default: one whole conversation)"
    )
    bench.add_argument("--clients", type=int, default=64, help="concurrent conversations")
    bench.add_argument(
        "--stored",
        type=int,
        default=0,
        metavar="N",
        help="first store N idle conversations (cost per turn vs. database size)",
    )
    bench.add_argument(
        "--webhook",
        type=float,
        nargs="?",
        const=200.0,
        default=None,
        metavar="RATE",
        help="instead: POST /telegram/webhook of a real `serve` at RATE requests/s",
    )
    bench.add_argument(
        "--duration",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long --webhook runs; it prints a line every --every seconds",
    )
    bench.add_argument(
        "--every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="--webhook: seconds between progress lines (default: a tenth of --duration)",
    )
    bench.add_argument(
        "--database-url",
        default=None,
        metavar="URL",
        help="run on this PostgreSQL server (in a throwaway schema), floor included",
    )
    bench.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="drive `serve --workers N` through the Telegram webhook",
    )
    bench.set_defaults(handler=cmd_bench)
    return parser


def cmd_safety_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.safety import Detector
    from bot.safety.evaluate import evaluate, report

    path = Path(args.path) if args.path else Path.cwd() / "tests" / "safety" / "heldout"
    if not path.is_dir():
        print(f"safety-eval: {path} is not a folder of <label>.<lang>.txt files", file=sys.stderr)
        return 2
    try:
        scores = evaluate(Detector.load(), path)
    except ValueError as exc:
        print(f"safety-eval: {exc}", file=sys.stderr)
        return 2
    print(report(scores, show_misses=not args.quiet))
    return 0 if scores and all(s.passes() for s in scores) else 1


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # the database, keys and exports: readable by their owner only
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load()
    except ValueError as exc:  # a malformed setting: say which, no traceback
        print(f"weiquan: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level)
    if getattr(args, "needs_keys", False):  # other commands make a key only if they use it
        settings.make_keys()
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130
