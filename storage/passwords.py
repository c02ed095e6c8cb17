"""Password hashing with argon2id through passlib's API (the maintained libpass fork)."""

from passlib.context import CryptContext

_context = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=65536,
    argon2__time_cost=3,
    argon2__parallelism=4,
)


def hash_password(password: str) -> str:
    return str(_context.hash(password))


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Whether it matches, and a fresh hash when the stored one uses older parameters."""
    is_valid, new_hash = _context.verify_and_update(password, password_hash)
    return bool(is_valid), new_hash
