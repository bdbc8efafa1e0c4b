"""Rendering: Word (docxtpl), Excel (openpyxl), pictures in contexts, and the template folder lookup."""
from __future__ import annotations

from docgen.render._docx import jinja_env, render_docx
from docgen.render._picture import Picture
from docgen.render._templates import TemplateFile, TemplateSet, packaged_dirs, packaged_examples
from docgen.render._xlsx import render_xlsx, xlsx_bytes

__all__ = ["Picture", "TemplateFile", "TemplateSet", "jinja_env", "packaged_dirs", "packaged_examples", "render_docx",
           "render_xlsx", "xlsx_bytes"]
