"""A permanent audit hook (PEP 578) that guards the torch-rule watch while it is open.

Once added, an audit hook cannot be removed by Python code, and it sees the operations through
which code could reach the watch's state or switch it off: frames (`sys._getframe`, a
traceback's `tb_frame`, a generator's `gi_frame`), the garbage collector's object lists, the
profile and trace hooks, ctypes, other processes. While a watch is open, the hook refuses them
(it raises, so the operation never happens) unless the grader's own watch code asked, and
records what was tried in the open watch's list of violations.

Only the watch opens and closes itself, by raising the private audit event `EVENT` from its own
code objects (checked by identity); the same event raised by anyone else is refused and
recorded. Everything the hook needs is bound in its closure when it is installed (before any
learner code runs), so rebinding module globals or builtins later changes nothing here.
"""
from __future__ import annotations

import gc
import sys

from grader.probes.torch_rules import AUDIT_BLOCKED, AUDIT_BLOCKED_PREFIXES, FRAME_ATTRIBUTES

EVENT = "zero_to_hero.torch_watch"


class TorchRuleBroken(BaseException):
    """Raised into the learner's code where it broke a torch rule (a BaseException, so an
    `except Exception` around the offending line does not swallow it)."""


def install(allowed_codes: frozenset, trusted: tuple[str, ...]) -> None:
    """Add the hook. `allowed_codes`: the watch's own code objects, the only callers that may
    open or close a watch, or use what the hook refuses while one is open. `trusted`: the
    folders of Python, its libraries and the kit, whose code may add hooks of its own."""
    open_watches: list = []  # (violations, where) of each open watch, innermost last
    tainted: list = []  # what the submission did before any watch that no watch can undo
    busy = [False]  # the hook's own sys._getframe raises an audit event too
    getframe, getprofile, get_attr, broken = sys._getframe, sys.getprofile, getattr, TorchRuleBroken
    blocked, prefixes, frame_attributes = AUDIT_BLOCKED, AUDIT_BLOCKED_PREFIXES, FRAME_ATTRIBUTES
    private, append, pop, length = EVENT, open_watches.append, open_watches.pop, len
    hooks = ("sys.addaudithook", "sys.settrace", "sys.setprofile")

    def caller():
        busy[0] = True
        try:
            return getframe(2)  # 0: here, 1: the hook, 2: the code that raised the event
        finally:
            busy[0] = False

    def hook(event, args):
        if busy[0]:
            return
        if event == private:
            frame = caller()
            if frame.f_code in allowed_codes:
                if args[0] is None:
                    if length(open_watches):
                        pop()
                else:
                    args[0][0].extend(tainted)
                    append(args[0])
                return
            what = "raised the grader's own audit event, to open or close its watch"
        elif not length(open_watches):
            # Outside a watch (the submission's import): an audit hook, trace or profile function
            # of the submission's own could later stop this hook's refusals or read the watch's
            # frames. Let it happen, and fail every watched call from then on.
            if event in hooks and not caller().f_code.co_filename.startswith(trusted):
                tainted.append(f"cannot be checked: the submission called {event} before it ran, so the "
                               "grader's watch cannot be trusted")
            return
        elif event in blocked or event.startswith(prefixes):
            frame = caller()
            if frame.f_code in allowed_codes:
                return
            if event == "sys.setprofile" and get_attr(getprofile(), "__code__", None) in allowed_codes:
                return  # Python removing the watch's profile hook after it raised (a learner's call never gets here)
            what = f"used {event}, which reaches the grader's own state or code outside Python"
        elif event == "object.__getattr__" and length(args) > 1 and args[1] in frame_attributes:
            frame = caller()
            what = f"read .{args[1]}, a way into the frames of the grader's own code"
        else:
            return
        if length(open_watches):
            violations, where = open_watches[-1]
            violations.append(what + where(frame))
        raise broken(what)

    sys.addaudithook(hook)
    if "grader.engine.worker.server" in sys.modules:  # a worker, where the submission runs next
        # Frozen objects are invisible to gc.get_objects() and gc.get_referrers(): the
        # submission's import-time code cannot find the hook's state that way. (Not in the
        # judge, which imports the probes for their names: its objects stay collectable.)
        gc.freeze()
