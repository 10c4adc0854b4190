# seccomp-kill.py SYSCALL-NUMBER PROGRAM [ARG]...: run PROGRAM under a
# seccomp filter that kills the process on that system call, as systemd's
# SystemCallFilter= does by default (no new privileges needed to install
# it: PR_SET_NO_NEW_PRIVS).  Exit 77 when no filter can be installed.
import ctypes
import os
import struct
import sys

nr = int(sys.argv[1])
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
KILL_PROCESS, ALLOW = 0x80000000, 0x7FFF0000
insns = [(BPF_LD_W_ABS, 0, 0, 0),  # the system call number
         (BPF_JEQ_K, 0, 1, nr),
         (BPF_RET_K, 0, 0, KILL_PROCESS),
         (BPF_RET_K, 0, 0, ALLOW)]
code = b"".join(struct.pack("=HBBI", *i) for i in insns)
buf = ctypes.create_string_buffer(code, len(code))


class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


prog = Prog(len(insns), ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
if (libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or
        libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER,
                   ctypes.byref(prog), 0, 0) != 0):
    sys.stderr.write("seccomp-kill: cannot install a filter: %s\n"
                     % os.strerror(ctypes.get_errno()))
    sys.exit(77)
os.execvp(sys.argv[2], sys.argv[2:])
