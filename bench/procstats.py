"""What a gunicorn's processes use, read from /proc (Linux): CPU time, memory, descriptors, connections."""
import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def workers(master_pid) -> list[int]:
    """The worker processes of a gunicorn master (its children)."""
    children = []
    for task in Path(f"/proc/{master_pid}/task").glob("*"):
        try:
            children += [int(pid) for pid in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(children)


def cpu_seconds(pid) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of stat)


def memory_kib(pid) -> dict:
    """Resident memory now (``VmRSS``) and at its peak (``VmHWM``), in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def descriptors(pid) -> tuple[int, int]:
    """(open descriptors, of which sockets) of a process."""
    total = sockets = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        total += 1
        try:
            if os.readlink(fd).startswith("socket:"):
                sockets += 1
        except OSError:
            continue
    return total, sockets
