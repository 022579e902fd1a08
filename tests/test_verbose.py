"""`-v` always adds something (the learner's frames, what their code printed) or says that there
is nothing more; without -v, "(-v for more)" is promised only when -v has more."""
from __future__ import annotations

import io

from conftest import grade_folder
from grader.engine.model import RunResult
from grader.engine.render.text import render_text

RAISES = [("        t = math.tanh(self.data)\n",
           "        print('tanh of', self.data)\n        t = helper(self.data)\n")]
HELPER = "\n\ndef helper(x):\n    return math.nope(x)\n"


def text(result, verbose: bool) -> str:
    stream = io.StringIO()
    render_text(RunResult([result], result.seed, False), stream, verbose=verbose, color=False)
    return stream.getvalue()


def test_v_shows_the_learners_frames_and_output(submission):
    exercises = submission({"micrograd/engine.py": RAISES})
    engine = exercises / "micrograd" / "engine.py"
    engine.write_text(engine.read_text() + HELPER)
    result = grade_folder(exercises, only=frozenset({"micrograd.tanh"}))
    assert "(-v for more)" in text(result, verbose=False)
    more = text(result, verbose=True)
    assert "where your code was (innermost last):" in more
    assert "in tanh: t = helper(self.data)" in more and "in helper: return math.nope(x)" in more
    frames = more[more.index("where your code was"):]
    assert frames.index("in tanh:") < frames.index("in helper:")
    assert "your code printed:" in more and "tanh of" in more


def test_v_says_when_there_is_nothing_more(submission):
    exercises = submission({"micrograd/engine.py": [("(1 - t ** 2)", "(1 - t)")]})
    result = grade_folder(exercises, only=frozenset({"micrograd.tanh"}))
    assert "(-v for more)" not in text(result, verbose=False)
    assert "-v: nothing more to show: your code raised no error and printed nothing" in text(result, verbose=True)
