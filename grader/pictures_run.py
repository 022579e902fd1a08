"""Making pictures from a learner's `exercises/`: the child process and the parent's side of it.

The learner's code may raise, loop forever or exit, so it runs in a child process
(`python -m grader.pictures draw|batchnorm ...`) in a session of its own, killed as a group when
the time is up. The child answers through a small JSON result file: the PNGs it wrote, or an
error message that names the learner's file and line.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from grader.pictures import PictureError, draw_graph, plot_batchnorm_diagnostics

REPO_ROOT = Path(__file__).resolve().parent.parent


# -- parent side --------------------------------------------------------------------------------

def run_child(args: list[str], timeout: float, names: list[str] | None = None) -> list[Path]:
    """Run `python -m grader.pictures ARGS` and return the paths it wrote, or raise PictureError."""
    with tempfile.TemporaryDirectory(prefix="pictures-") as work:
        result_file = Path(work) / "result.json"
        command = [sys.executable, "-m", "grader.pictures", *args, "--result", str(result_file)]
        if names is not None:
            names_file = Path(work) / "names.txt"
            names_file.write_text("\n".join(names) + "\n", encoding="utf-8")
            command += ["--names-file", str(names_file)]
        # One thread: the network's matrices are small, and on a busy machine torch's worker
        # threads wait for each other more than they work (16x slower measured on 2 cores).
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
        # cwd is the scratch folder: whatever the learner's code writes lands there and goes.
        process = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise PictureError(f"making the picture took more than {timeout:g} s, so it was stopped "
                               "(an infinite loop in your code?)") from None
        finally:
            _kill_group(process)  # anything the learner's code started goes too
        if result_file.is_file():
            result = json.loads(result_file.read_text(encoding="utf-8"))
            if "error" in result:
                raise PictureError(result["error"])
            return [Path(p) for p in result["paths"]]
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        raise PictureError(f"the picture process ended (exit status {process.returncode}) without a "
                           f"result; your code may have exited or crashed it{': ' + tail if tail else ''}")


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
        os.killpg(process.pid, signal.SIGKILL)  # the child leads its own session (start_new_session)
    with contextlib.suppress(ProcessLookupError):
        process.kill()


# -- child side ---------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.pictures",
                                     description="Draw pictures from the code in an exercises/ folder.")
    commands = parser.add_subparsers(dest="command", required=True)
    draw = commands.add_parser("draw", help="a micrograd expression graph, with your micrograd.engine")
    draw.add_argument("--exercises", type=Path, required=True)
    draw.add_argument("--expression", default=None, help="Python that binds `root` to a Value")
    draw.add_argument("--out", type=Path, required=True, help="the PNG to write")
    draw.add_argument("--renderer", choices=("auto", "dot", "matplotlib"), default="auto")
    batch = commands.add_parser("batchnorm", help="lecture 4's diagnostics, with your makemore/batchnorm.py")
    batch.add_argument("--exercises", type=Path, required=True)
    batch.add_argument("--out-dir", type=Path, required=True)
    batch.add_argument("--names-file", type=Path, required=True, help="one name per line")
    batch.add_argument("--steps", type=int, default=30)
    for sub in (draw, batch):
        sub.add_argument("--result", type=Path, help="write {paths} or {error} here as JSON")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(args.exercises.resolve()))
    try:
        if args.command == "draw":
            from grader.pictures import DEFAULT_EXPRESSION
            root = _evaluate(args.expression or DEFAULT_EXPRESSION, args.exercises)
            paths = [draw_graph(root, args.out, args.renderer)]
        else:
            names = [n.strip() for n in args.names_file.read_text(encoding="utf-8").splitlines() if n.strip()]
            paths = _batchnorm_run(args.exercises, args.out_dir, names, args.steps)
    except PictureError as e:
        return _answer(args.result, {"error": str(e)})
    except Exception as e:  # the learner's code raised: say where, in their file
        return _answer(args.result, {"error": f"your code raised {_learner_error(e, args.exercises)}"})
    return _answer(args.result, {"paths": [str(p) for p in paths]})


def _answer(result_file: Path | None, result: dict) -> int:
    if result_file is not None:
        result_file.write_text(json.dumps(result), encoding="utf-8")
    print(result.get("error") or "\n".join(result["paths"]), file=sys.stderr if "error" in result else sys.stdout)
    return 1 if "error" in result else 0


def _learner_error(error: BaseException, exercises: Path) -> str:
    """`ValueError: ... (at micrograd/engine.py line 42)`: the last frame in the learner's files."""
    folder = str(exercises.resolve())
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(folder)]
    where = ""
    if frames:
        rel = Path(frames[-1].filename).resolve().relative_to(exercises.resolve()).as_posix()
        where = f" (at {rel} line {frames[-1].lineno})"
    return f"{type(error).__name__}: {error}{where}"


def _evaluate(expression: str, exercises: Path):
    """Run the expression with the learner's Value; return the Value it binds to `root` (no
    guessing without one: the last Value made is often not the output)."""
    try:
        from micrograd.engine import Value
    except Exception as e:
        raise PictureError(f"could not import micrograd.engine from {exercises}: "
                           f"{_learner_error(e, exercises)}") from None
    namespace = {"Value": Value}
    try:
        code = compile(expression, "<expression>", "exec")
    except SyntaxError as e:
        raise PictureError(f"the expression is not valid Python: {e.msg}") from None
    try:
        exec(code, namespace)
    except Exception as e:
        raise PictureError(f"your micrograd engine raised while evaluating the expression: "
                           f"{_learner_error(e, exercises)}") from None
    root = namespace.get("root")
    if not isinstance(root, Value):
        made = [name for name, v in namespace.items() if isinstance(v, Value)]
        example = made[-1] if made else "a*b + c"
        what = "sets no `root`" if "root" not in namespace else f"sets `root` to a {type(root).__name__}, not a Value"
        raise PictureError(f"the expression {what}: end it with `; root = {example}` (the Value whose graph to draw)")
    return root


def _batchnorm_run(exercises: Path, out_dir: Path, names: list[str], steps: int) -> list[Path]:
    """Lecture 4's network, built from the learner's layers: five hidden blocks of Linear (no
    bias), BatchNorm1d and Tanh, 100 wide, then the output Linear and BatchNorm1d; the lecture's
    init (tanh gain 5/3, a less confident output) and training (batches of 32, lr 0.1); then
    the lecture's plots of the last step, and the update ratios over every step."""
    import torch
    import torch.nn.functional as F

    from grader.references.bigram import build_vocab
    from grader.references.mlp import build_dataset

    torch.set_num_threads(1)  # see run_child
    if not names:
        raise PictureError("no names to train on")
    try:
        from makemore.batchnorm import BatchNorm1d, Linear, Tanh
    except Exception as e:
        raise PictureError(f"could not import Linear, BatchNorm1d and Tanh from makemore/batchnorm.py in "
                           f"{exercises}: {_learner_error(e, exercises)}") from None
    stoi, _ = build_vocab(names)
    X, Y = build_dataset(names, stoi, block_size=3)
    g = torch.Generator().manual_seed(2147483647)
    vocab, n_embd, n_hidden, batch_size, lr = len(stoi), 10, 100, 32, 0.1
    C = torch.randn((vocab, n_embd), generator=g)
    layers = [Linear(3 * n_embd, n_hidden, bias=False, generator=g), BatchNorm1d(n_hidden), Tanh()]
    for _ in range(4):
        layers += [Linear(n_hidden, n_hidden, bias=False, generator=g), BatchNorm1d(n_hidden), Tanh()]
    layers += [Linear(n_hidden, vocab, bias=False, generator=g), BatchNorm1d(vocab)]
    with torch.no_grad():  # the lecture's init: a less confident output, tanh gain on the rest
        layers[-1].gamma *= 0.1
        for layer in layers[:-1]:
            if type(layer).__name__ == "Linear":
                layer.weight *= 5 / 3
    params = [C] + [p for layer in layers for p in layer.parameters()]
    for p in params:
        p.requires_grad = True
    weights = [(label, p) for label, p in _labelled(C, layers) if p.ndim == 2]
    ratios = []
    for _ in range(steps):
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        x = C[X[ix]].view(batch_size, -1)
        for layer in layers:
            x = layer(x)
            if getattr(layer, "out", None) is not None and layer.out.requires_grad:
                layer.out.retain_grad()  # for the gradient histograms
        loss = F.cross_entropy(x, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p += -lr * p.grad
            ratios.append([((lr * p.grad).std() / p.std()).log10().item() if p.grad is not None else float("nan")
                           for _, p in weights])
    return plot_batchnorm_diagnostics(layers, Path(out_dir) / "batchnorm", ratios=ratios,
                                      ratio_labels=[label for label, _ in weights], weights=weights)


def _labelled(C, layers):
    """(name, parameter) as a reader of the code would name it: `C`, `layer 0 Linear.weight`."""
    yield f"C {tuple(C.shape)}", C
    for i, layer in enumerate(layers):
        for p in layer.parameters():
            attribute = next((name for name, value in vars(layer).items() if value is p), None) \
                if hasattr(layer, "__dict__") else None
            name = f"{type(layer).__name__}.{attribute}" if attribute else type(layer).__name__
            yield f"layer {i} {name} {tuple(p.shape)}", p
