"""Rendering: Word (docxtpl), Excel (openpyxl), pictures in contexts, the template folder lookup, and
the helpers every workbook writer shares (formula-safe cell writes, row heights, deterministic zips)."""
from __future__ import annotations

from docgen.render._docx import jinja_env, render_docx
from docgen.render._picture import Picture
from docgen.render._templates import TemplateFile, TemplateSet, packaged_dirs, packaged_examples
from docgen.render._xlsx import (
    FIXED_TIME,
    FORMULA_STARTS,
    cell_jinja_env,
    fit_rows,
    keep_on_one_page,
    render_xlsx,
    write_cell,
    xlsx_bytes,
)
from docgen.render._zip import fixed_zip, restamp_zip

__all__ = ["FIXED_TIME", "FORMULA_STARTS", "Picture", "TemplateFile", "TemplateSet", "cell_jinja_env", "fit_rows",
           "fixed_zip", "jinja_env", "keep_on_one_page", "packaged_dirs", "packaged_examples", "render_docx",
           "render_xlsx", "restamp_zip", "write_cell", "xlsx_bytes"]
