"""Sutura's command line: serve (default), worker, create-admin, keys, audit verify."""

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from nicegui import app, ui

from api.router import install_api
from domain import accounts
from domain.errors import DomainError
from runtime import start_runtime
from settings import Settings, load_settings
from storage.audit_log import AuditRepository
from storage.crypto import add_master_key, load_keyring
from storage.key_rotation import rewrap_all

logger = logging.getLogger("sutura")


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("SUTURA_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # arq logs each job with its arguments, and a mail job's are an address and a link: our
    # tasks log what they do by id instead.
    logging.getLogger("arq.worker").setLevel(logging.WARNING)


def install_lifespan(fastapi_app: FastAPI, settings: Settings) -> None:
    """Start the runtime inside the ASGI lifespan, so no request runs before the database."""
    original = fastapi_app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        runtime = await start_runtime(settings)
        application.state.runtime = runtime
        application.state.ports = runtime.ports
        application.state.settings = settings
        if settings.worker_in_process:
            runtime.start_worker()
        requeued = await runtime.requeue_unfinished()
        if requeued:
            logger.info("re-queued %d unfinished photos", requeued)
        if await runtime.ports.accounts.count_users() == 0:
            logger.warning(
                "no users yet: create the first admin with "
                "`python main.py create-admin EMAIL --cluster NAME`"
            )
        try:
            async with original(application) as state:
                yield state
        finally:
            await runtime.stop()

    fastapi_app.router.lifespan_context = lifespan


def build_app(settings: Settings) -> None:
    from ui.link_host import install_link_page
    from ui.pages import register_pages
    from ui.pwa_host import install_phone_app

    install_api(app, settings.public_url, is_tls=settings.is_tls)
    install_phone_app(app)
    install_link_page(app)
    register_pages()
    install_lifespan(app, settings)


def serve(settings: Settings) -> None:
    build_app(settings)
    scheme = "https" if settings.tls_certfile else "http"
    logger.info("Sutura listening on %s://%s:%s", scheme, settings.host, settings.port)
    tls: dict[str, Any] = {}
    if settings.tls_certfile and settings.tls_keyfile:
        tls = {"ssl_certfile": str(settings.tls_certfile), "ssl_keyfile": str(settings.tls_keyfile)}
    ui.run(
        **tls,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        host=settings.host,
        port=settings.port,
        title="Sutura",
        reload=False,
        show=False,
        favicon="🩺",
        uvicorn_logging_level="warning",
        fastapi_docs=False,
    )


async def run_worker(settings: Settings) -> None:
    if settings.redis_url is None:
        raise SystemExit(
            "error: `worker` is for the scaled mode and needs SUTURA_REDIS_URL; "
            "the embedded server runs its own worker"
        )
    runtime = await start_runtime(settings)
    try:
        await runtime.requeue_unfinished()
        runtime.start_worker()
        logger.info("worker running; stop with Ctrl-C")
        await runtime.wait_for_worker()
    finally:
        await runtime.stop()


async def create_admin(settings: Settings, email: str, cluster: str | None) -> int:
    password = _read_password()
    runtime = await start_runtime(settings, with_queue=False)
    try:
        user = await accounts.create_admin(runtime.ports, email, password, cluster)
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    finally:
        await runtime.stop()
    print(f"created system admin {user.email}")
    return 0


async def manage_keys(settings: Settings, action: str) -> int:
    if action == "rotate":
        if settings.master_keys:
            print(
                "error: keys come from SUTURA_MASTER_KEYS; put the new key first there, "
                "restart, then run `keys rewrap`",
                file=sys.stderr,
            )
            return 1
        print(f"new active master key {add_master_key(settings.key_dir)}")
    runtime = await start_runtime(settings, with_queue=False)
    try:
        keyring = load_keyring(settings.master_keys, settings.key_dir)
        blobs, patients = await rewrap_all(keyring)
    finally:
        await runtime.stop()
    print(f"re-wrapped {blobs} blob keys and {patients} patients with {keyring.active_kid}")
    return 0


async def verify_audit(settings: Settings) -> int:
    runtime = await start_runtime(settings, with_queue=False)
    try:
        checked, broken = await AuditRepository().verify()
    finally:
        await runtime.stop()
    if broken is not None:
        print(f"audit chain BROKEN at entry {broken} (after {checked} good entries)")
        return 1
    print(f"audit chain intact: {checked} entries")
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password (12 characters or more): ")
        if getpass.getpass("Repeat it: ") != first:
            raise SystemExit("error: the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    serve_parser = commands.add_parser("serve", help="run the web server (the default)")
    serve_parser.add_argument("--host", help="address to listen on (SUTURA_HOST)")
    serve_parser.add_argument("--port", type=int, help="port to listen on (SUTURA_PORT)")
    commands.add_parser("worker", help="run an arq worker process (scaled mode)")
    admin = commands.add_parser(
        "create-admin", help="create a system admin; the password is read from a prompt or stdin"
    )
    admin.add_argument("email")
    admin.add_argument("--cluster", help="create this cluster if missing and make them its admin")
    keys = commands.add_parser("keys", help="master key rotation")
    keys.add_argument(
        "action",
        choices=["rotate", "rewrap"],
        help="rotate: new key file, then rewrap; rewrap: move all data to the active key",
    )
    audit = commands.add_parser("audit", help="audit log tools")
    audit.add_argument("action", choices=["verify"], help="verify: check the hash chain")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    configure_logging()
    if arguments.command in (None, "serve"):
        if getattr(arguments, "host", None):
            os.environ["SUTURA_HOST"] = arguments.host
        if getattr(arguments, "port", None):
            os.environ["SUTURA_PORT"] = str(arguments.port)
        serve(load_settings())
        return 0
    settings = load_settings()
    if arguments.command == "worker":
        asyncio.run(run_worker(settings))
        return 0
    if arguments.command == "create-admin":
        return asyncio.run(create_admin(settings, arguments.email, arguments.cluster))
    if arguments.command == "keys":
        return asyncio.run(manage_keys(settings, arguments.action))
    return asyncio.run(verify_audit(settings))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
