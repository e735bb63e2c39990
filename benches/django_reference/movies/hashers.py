from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Like(Argon2PasswordHasher):
    """argon2id with the cost of the Rust `argon2` crate's default (m = 19 MiB, t = 2, p = 1),
    so signing up costs the same on both stacks."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
