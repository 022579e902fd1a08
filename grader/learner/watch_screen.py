"""The watch screen: one table of every component (bonus rows included), the current exercise
in detail, and rustlings' keys (h hint, l list, n next exercise, r re-run, q quit).

`Board` is the state and its rendering (pure: tested without a terminal); `grader.learner.watch_session`
puts it on a rich Live screen and feeds it results and keys.
"""
from __future__ import annotations

import time

from rich.console import Group
from rich.table import Table
from rich.text import Text

from grader.engine import manifest, session
from grader.engine import progress
from grader.engine.model import ComponentResult, Status
from grader.engine.render.text import MARKS

KEYS = "h hint · l list · n next exercise · r re-run · q quit"


class Board:
    def __init__(self, names: list[str], ids: list[str], where: str, root=None, verbose: bool = False):
        self.names = names
        self.ids = ids  # the components watched, in the manifest's order
        self.where = where
        self.root = root  # the learner's checkout (hints are remembered there), or None
        self.verbose = verbose
        self.results: dict[str, ComponentResult] = {}
        self.focus: str | None = None  # chosen with `n`; None: the first that does not pass
        self.hint_level: dict[str, int] = {}
        self.listing = False  # `l`: every module's components instead of the current one
        self.status = "grading…"
        self.note = ""

    # -- results ---------------------------------------------------------------------------
    def grading(self) -> None:
        self.status, self.note = "grading…", ""

    def update(self, components: list[ComponentResult], seconds: float, bonus: bool) -> None:
        for c in components:
            self.results[c.id] = c
        if not bonus:
            self.status = f"graded {time.strftime('%H:%M:%S')} in {seconds:.2f} s"

    def current(self) -> str | None:
        """The exercise to show: the one chosen while it does not pass, else the first that
        does not pass after it (as rustlings moves on once an exercise is done)."""
        todo = [i for i in self.ids if i in self.results and self.results[i].status is not Status.PASSED]
        if not todo:
            return None
        if self.focus in todo:
            return self.focus
        start = self.ids.index(self.focus) if self.focus in self.ids else -1
        return next((i for i in self.ids[start + 1:] if i in todo), todo[0])

    # -- keys ------------------------------------------------------------------------------
    def key(self, key: str) -> str | None:
        """Apply a key; return "quit" or "regrade" when the loop must act."""
        key = key.lower()
        self.note = ""
        if key == "q":
            return "quit"
        if key == "r":
            return "regrade"
        if key == "l":
            self.listing = not self.listing
        elif key == "n":
            self._next()
        elif key == "h":
            self._hint()
        return None

    def _next(self) -> None:
        self.listing = False
        now = self.current()
        todo = [i for i in self.ids if i in self.results and self.results[i].status is not Status.PASSED]
        if now is None or len(todo) < 2:
            self.note = "nothing else to work on here" if now is None else f"{now} is the only exercise left"
            return
        after = todo[(todo.index(now) + 1) % len(todo)]
        self.focus = after

    def _hint(self) -> None:
        self.listing = False
        now = self.current()
        if now is None:
            self.note = "everything passes: no hint needed"
            return
        hints = manifest.find_component(now)[1].hints
        if not hints:
            self.note = f"{now} has no more hints"
            return
        if self.root is not None:
            level = progress.next_hint_level(self.root, now, len(hints))  # as `grade hint` counts them
        else:
            level = min(self.hint_level.get(now, 0) + 1, len(hints))
        if level == self.hint_level.get(now):
            self.note = "that was the last hint"
        self.hint_level[now] = level

    # -- drawing ---------------------------------------------------------------------------
    def render(self) -> Group:
        parts = [Text(f"grade --watch · {self.where} · {self.status}", style="dim")]
        for name in self.names:
            parts.append(self._module_table(name))
        parts.append(Text(""))
        parts.append(self._listing() if self.listing else self._detail())
        if self.note:
            parts.append(Text(self.note, style="yellow"))
        parts.append(Text(""))
        parts.append(Text(KEYS, style="dim"))
        return Group(*parts)

    def _module_table(self, name: str) -> Table:
        module = manifest.load()[name]
        watched = [c for c in module.components if c.id in self.ids]
        table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False, title_justify="left",
                      title=self._score(watched, module.title), title_style="bold")
        now = self.current()
        for c in watched:
            got = self.results.get(c.id)
            mark, style = MARKS[got.status] if got else ("…", "dim")
            state = "" if got and got.status is Status.PASSED else (got.status.value if got else "grading")
            table.add_row(Text("▸" if c.id == now else " ", style="bold"), Text(mark, style=style),
                          Text(c.id, style=style), Text(manifest.tagged_title(c)), Text(state, style=style))
        return table

    def _score(self, watched, title: str) -> str:
        core, extra = session.split_bonus(watched)
        if any(c.id not in self.results for c in core):
            return f"{title}  …"
        done = sum(c.points for c in core if self.results[c.id].status is Status.PASSED)
        bonus = sum(c.points for c in extra if c.id in self.results and self.results[c.id].status is Status.PASSED)
        return f"{title}  {done:g}/{sum(c.points for c in core):g}" + (f" (+{bonus:g} bonus)" if bonus else "")

    def _detail(self):
        now = self.current()
        if now is None:
            waiting = [i for i in self.ids if i not in self.results]
            return Text("Grading the rest…" if waiting else "Everything passes. Well done!",
                        style="dim" if waiting else "bold green")
        c, (_, comp) = self.results[now], manifest.find_component(now)
        mark, style = MARKS[c.status]
        lines = [Text.assemble((f"{mark} {now}", style + " bold"), f"  {comp.title}", (f"  [{c.status.value}]", style))]
        if c.message:
            lines.append(Text("    " + c.message))
        if c.hint:
            lines.append(Text.assemble("    hint: ", (c.hint, "cyan")))
        level = self.hint_level.get(now, 0)
        for i, text in enumerate(comp.hints[:level], start=1):
            lines.append(Text.assemble(f"    hint {i} of {len(comp.hints)}: ", (text, "cyan")))
        if self.verbose:
            lines += [Text("    " + d.rstrip()) for d in c.details]
            if c.output:
                lines.append(Text("    your code printed:", style="dim"))
                lines += [Text("      " + line, style="dim") for line in c.output.splitlines()[:20]]
        lines.append(Text(f"    open exercises/{comp.file} and work on {comp.symbol}; save to grade again", style="dim"))
        return Group(*lines)

    def _listing(self):
        """Every module in one line each, as `grade` shows them, with what does not pass."""
        state = progress.load(self.root)["modules"] if self.root is not None else {}
        table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
        for name, module in manifest.load().items():
            core, _ = session.split_bonus(module.components)
            status = {c.id: (self.results[c.id].status.value if c.id in self.results
                             else state.get(name, {}).get("components", {}).get(c.id, "todo"))
                      for c in module.components}
            done = sum(status[c.id] == "passed" for c in core)
            failing = [c.id for c in module.components if status[c.id] not in ("passed", "todo")]
            table.add_row(Text(name, style="bold"), Text("█" * done + "░" * (len(core) - done)), f"{done}/{len(core)}",
                          Text(("failing: " + ", ".join(failing)) if failing else "", style="red"))
        return Group(table, Text("(l again: back to the current exercise)", style="dim"))
