"""Renderers: each turns the one result model into one format."""
from grader.engine.render.classroom import render_classroom
from grader.engine.render.github import render_github
from grader.engine.render.gradescope import render_gradescope
from grader.engine.render.json_format import render_json
from grader.engine.render.junit import render_junit
from grader.engine.render.text import render_text

RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit,
             "gradescope": render_gradescope, "github": render_github,
             "classroom": render_classroom}
