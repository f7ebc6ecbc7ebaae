"""The cost of one password check: Django's default Argon2 against Gatehouse's (OWASP's parameters), one run.

    python -m bench.hashing [--rounds 20]

Checks a password against a hash of each, alternating, in this process (no
server, no database) and prints the CPU time per check (``process_time``,
all threads: what the cores spend, whatever else the machine runs), the
checks per second a core can make, the memory each check allocates
(Argon2's ``memory_cost``), and the ratio between the two.
"""
import argparse
import os
import statistics
import sys
import time

import django


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.test.utils import override_settings

    from accounts.hashing import GatehouseArgon2PasswordHasher
    from backend import settings as production

    names = ("ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM", "PASSWORD_HASH_CONCURRENCY")
    with override_settings(GATEHOUSE={**settings.GATEHOUSE, **{name: production.GATEHOUSE[name] for name in names}}):
        sides = {"Django's default Argon2": Argon2PasswordHasher(), "Gatehouse (OWASP)": GatehouseArgon2PasswordHasher()}
        encoded = {name: hasher.encode("a password", hasher.salt()) for name, hasher in sides.items()}
        times = {name: [] for name in sides}
        for _ in range(args.rounds):
            for name, hasher in sides.items():
                started = time.process_time()
                assert hasher.verify("a password", encoded[name])
                times[name].append(time.process_time() - started)
        print(f"one password check: median CPU time of {args.rounds} alternating rounds, in one process "
              f"({os.cpu_count()} CPUs)\n")
        print("| hasher | memory, passes, lanes | CPU ms per check | checks/s per core |")
        print("|---|---|---:|---:|")
        medians = {}
        for name, hasher in sides.items():
            medians[name] = statistics.median(times[name])
            print(f"| {name} | {hasher.memory_cost // 1024} MiB, t={hasher.time_cost}, p={hasher.parallelism} | "
                  f"{medians[name] * 1000:.1f} | {1 / medians[name]:.1f} |")
    old, new = medians.values()
    print(f"\nGatehouse's check: {new / old:.2f}x the CPU of Django's default ({old / new:.1f}x the checks per core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
