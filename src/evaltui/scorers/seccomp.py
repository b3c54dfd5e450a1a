"""A seccomp filter that lets sandboxed code start threads but not processes.

The process cap (RLIMIT_NPROC) does not bind root, and bubblewrap's user namespace maps the
sandbox's user onto the caller's, so as root a fork bomb through ctypes (past the bootstrap's
Python-level refusal) would only be stopped by the time limit, after it had filled the machine's
process table. This classic-BPF program, handed to `bwrap --seccomp`, makes `fork`, `vfork` and a
`clone` without CLONE_THREAD fail with EAGAIN (what a process cap says), and `clone3`, whose flags
BPF cannot read, fail with ENOSYS so that the C library falls back to `clone`. Calls through
another ABI (32-bit, x32) are refused outright. Threads (clone with CLONE_THREAD) are allowed.

Only x86-64 and AArch64 are described; elsewhere `program()` is None and the sandbox runs without
the filter (the pid namespace still ends every process when the case ends).
"""

from __future__ import annotations

import platform
import struct

_LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS: load 32 bits of struct seccomp_data
_JUMP_EQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JUMP_GE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JUMP_SET = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RETURN = 0x06  # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_EAGAIN, _ENOSYS, _EPERM = 11, 38, 1
_CLONE_THREAD = 0x00010000
_X32_BIT = 0x40000000
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data (arg0's low word on little-endian)

# machine -> (AUDIT_ARCH value, clone, clone3, (fork-like calls))
_ARCHES = {
    "x86_64": (0xC000003E, 56, 435, (57, 58)),
    "aarch64": (0xC00000B7, 220, 435, ()),
}
_ARCHES["amd64"] = _ARCHES["x86_64"]
_ARCHES["arm64"] = _ARCHES["aarch64"]


def _op(code: int, k: int, true: int = 0, false: int = 0) -> bytes:
    return struct.pack("=HBBI", code, true, false, k)


def program(machine: str | None = None) -> bytes | None:
    """The filter for this machine's architecture, or None when it is not one described here."""
    arch = _ARCHES.get((machine or platform.machine()).lower())
    if arch is None:
        return None
    audit_arch, clone, clone3, forks = arch
    refuse = _op(_RETURN, _ERRNO | _EAGAIN)
    fork_checks = b"".join(_op(_JUMP_EQ, nr, 0, 1) + refuse for nr in forks)
    return b"".join(
        [
            _op(_LOAD_WORD, _ARCH),
            _op(_JUMP_EQ, audit_arch, 1, 0),
            _op(_RETURN, _ERRNO | _EPERM),  # another ABI: refused
            _op(_LOAD_WORD, _NR),
            _op(_JUMP_GE, _X32_BIT, 0, 1),
            _op(_RETURN, _ERRNO | _EPERM),  # x32 calls on x86-64
            _op(_JUMP_EQ, clone3, 0, 1),
            _op(_RETURN, _ERRNO | _ENOSYS),
            fork_checks,
            _op(_JUMP_EQ, clone, 0, 3),
            _op(_LOAD_WORD, _ARG0),
            _op(_JUMP_SET, _CLONE_THREAD, 1, 0),
            refuse,
            _op(_RETURN, _ALLOW),
        ]
    )
