"""nbgrader feedback preprocessor: nothing a student wrote or printed runs in the feedback page.

The feedback page is HTML that a learner (and the instructor) opens in a browser, and it shows the
student's markdown cells and rich outputs. nbconvert's own ``SanitizeHTML`` cleans markdown *source*
before it is rendered, which breaks quotes, code and maths and leaves ``[x](javascript:...)`` links
active; ``HTMLExporter.sanitize_html`` uses a tag list that escapes headings and paragraphs. Here:

* a markdown cell is rendered exactly as the template will render it, and the HTML is cleaned with
  bleach (generous tags, no scripts, no ``on*`` attributes, only http/https/mailto links). A cell
  whose HTML bleach leaves unchanged is kept as it is; any other is replaced by its cleaned HTML in
  a form the template passes through unchanged (checked), else shown as plain code;
* ``text/html`` and ``text/markdown`` outputs are cleaned the same way; JavaScript, widget and other
  active output types are dropped (their ``text/plain`` form stays);
* MathJax commands that make links or load code (``\\href``, ``\\require``...) are neutralised.
nbconvert's own template scripts (MathJax, styles) are untouched.
"""
from __future__ import annotations

import re
from typing import Any

import bleach
from bleach.css_sanitizer import CSSSanitizer
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from ..checks import MIME as OBSERVATION_MIME

TAGS = sorted(set(bleach.ALLOWED_TAGS) | {
    "p", "div", "span", "pre", "code", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "img", "sup", "sub", "dl", "dt", "dd",
    "del", "ins", "s", "u", "kbd", "samp", "var", "mark", "small", "details", "summary", "figure",
    "figcaption", "q", "cite"})
ATTRIBUTES = {"*": ["class", "id", "title", "align", "style"], "a": ["href", "title", "name"],
              "img": ["src", "alt", "width", "height", "title"], "th": ["colspan", "rowspan", "scope"],
              "td": ["colspan", "rowspan"], "table": ["border"], "ol": ["start", "type"], "col": ["span"]}
PROTOCOLS = ["http", "https", "mailto"]
SAFE_OUTPUT_KEYS = {"text/plain", "text/latex", "application/json", "image/png", "image/jpeg", "image/svg+xml"}
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)
_MATHJAX_ACTIVE = re.compile(r"\\(href|url|class|cssId|style|require|unicode)(?![A-Za-z])")
_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")
_CSS = CSSSanitizer()
_RICH = ("display_data", "execute_result")  # outputs with MIME data (dropped when none of it is safe)


def clean_html(html: str) -> str:
    """Student HTML with every active part removed or escaped (style blocks dropped, as they only restyle)."""
    return bleach.clean(_STYLE_BLOCK.sub("", html), tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS,
                        css_sanitizer=_CSS, strip=False, strip_comments=True)


def render_markdown(source: str) -> str:
    """Markdown to HTML as the feedback template does it (nbconvert's renderer, no attachments)."""
    return MarkdownWithMath(renderer=IPythonRenderer(escape=False, attachments={})).render(source)


def _neutralise_mathjax(text: str) -> str:
    return _MATHJAX_ACTIVE.sub(lambda m: "\\ " + m.group(1), text)


def _passes_through(source: str) -> bool:
    """True when the template's markdown rendering of ``source`` is ``source`` itself, and it is clean."""
    rendered = render_markdown(source)
    return rendered.strip() == source.strip() and clean_html(rendered) == rendered


def safe_markdown(source: str) -> str:
    """Markdown whose rendering holds nothing active (unchanged when it already held nothing)."""
    source = _neutralise_mathjax(source)
    html = render_markdown(source)
    cleaned = clean_html(html)
    if cleaned == html:
        return source
    wrapped = '<div class="sanitized">\n' + _BLANK_LINE.sub("\n<span></span>", cleaned.strip()) + "\n</div>"
    if _passes_through(wrapped):
        return wrapped
    fence = "~" * (max([len(m) for m in re.findall(r"~+", source)] + [2]) + 1)
    as_code = f"{fence}\n{source}\n{fence}\n"
    return as_code if clean_html(render_markdown(as_code)) == render_markdown(as_code) else ""


def safe_output(output: Any) -> Any:
    """An output with HTML/markdown cleaned and every active MIME type removed."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return output  # stream and error text is escaped by the template
    data = output.get("data") or {}
    if OBSERVATION_MIME in data:
        output["data"] = {}  # a hidden probe's observation: never shown (SanitizeFeedback drops it)
        return output
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        text = "".join(value) if isinstance(value, list) else value
        if key == "text/html":
            cleaned[key] = clean_html(str(text))
        elif key == "text/markdown" and "text/html" not in data:
            cleaned["text/html"] = clean_html(render_markdown(_neutralise_mathjax(str(text))))
        elif key == "text/latex":
            cleaned[key] = _neutralise_mathjax(str(text))
        elif key in SAFE_OUTPUT_KEYS:
            cleaned[key] = value
    output["data"] = cleaned
    return output


class SanitizeFeedback(Preprocessor):
    """Clean every markdown cell and rich output of the notebook a feedback page is made from."""

    enabled = Bool(True).tag(config=True)  # nbgrader registers preprocessors by class, disabled by default

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        nb.metadata.pop("widgets", None)  # the template would embed widget state in a script
        for cell in nb.cells:
            cell.pop("attachments", None)
            meta = cell.metadata.get("nbgrader")
            if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
                meta["grade_id"] = _SAFE_ID.sub("_", meta["grade_id"])  # the template prints it unescaped
            if cell.cell_type == "markdown":
                cell.source = safe_markdown(cell.source)
            elif cell.cell_type == "raw":
                cell.source = clean_html(cell.source)
            elif cell.cell_type == "code":
                outputs = [safe_output(o) for o in cell.get("outputs", [])]  # e.g. hidden-check observations
                cell.outputs = [o for o in outputs if o.get("data") or o.get("output_type") not in _RICH]
        return nb, resources
