"""Renderers: each turns the one result model into one format."""
from grader.render.json_format import render_json
from grader.render.text import render_text

RENDERERS = {"text": render_text, "json": render_json}
