"""The Zero to Hero exercise kit and grader. `check` grades from a notebook cell."""


def check(target, **options):
    """Grade a module ("micrograd") or a component ("micrograd.mul") from the definitions this
    notebook has run; shows the result in the notebook. See grader.learner.notebook_check."""
    from grader.learner.notebook_check import check as check_cells

    return check_cells(target, **options)
