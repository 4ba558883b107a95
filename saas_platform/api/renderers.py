"""The one family of file renderers: CSV, PDF, HTML and raw bytes, with one error behaviour.

A view that answers in a file format besides JSON lists the renderers it offers
(``renderer_classes = [JSONRenderer, CSVRenderer, PDFRenderer]``), reads which one the request
chose with :func:`requested_format` (``?format=csv`` or the ``Accept`` header) and returns what
the domain made: CSV as rows of cells (written here, through saas_platform/safe_csv.py) or as
text, anything else as bytes or text. :func:`download` names the file.

Errors are JSON, whatever format was asked for: the exception handler answers every error in
the ``{"error": …}`` shape with the JSON renderer (saas_platform/api/exception_handler.py), and
an unknown ``?format=`` is itself such an error (saas_platform/api/negotiation.py). Should an
error body reach one of these renderers all the same (a view that returns one), it is written
as the JSON it is, under a JSON content type — never as CSV rows or a broken PDF.

Files of one fixed format that are not negotiated (the catalog export, the books in beancount's
format) are answered with :func:`file_response`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from saas_platform.safe_csv import csv_writer


def _is_error(data: Any) -> bool:
    return isinstance(data, Mapping) and "error" in data


class FileRenderer(BaseRenderer):
    """Bytes or text the view made, as they are; an error body as JSON."""

    charset: str | None = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if _is_error(data):
            response = (renderer_context or {}).get("response")
            if response is not None:
                response["Content-Type"] = JSONRenderer.media_type
            return json.dumps(data).encode("utf-8")
        return self.encode(data)

    def encode(self, data: Any) -> bytes:
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)


class CSVRenderer(FileRenderer):
    """Rows of cells (the first the header), written by the one safe CSV writer; or text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    render_style = "text"

    def encode(self, data: Any) -> bytes:
        if isinstance(data, str):
            return data.encode("utf-8")
        buffer = io.StringIO()
        csv_writer(buffer).writerows(data or [])
        return buffer.getvalue().encode("utf-8")


class PDFRenderer(FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class HTMLRenderer(FileRenderer):
    media_type = "text/html"
    format = "html"
    charset = "utf-8"
    render_style = "text"


class BinaryRenderer(FileRenderer):
    """Bytes for a device (a receipt printer); subclasses name their format."""

    media_type = "application/octet-stream"


def requested_format(request: Request) -> str:
    """The format the request chose among the view's renderers: ``json``, ``csv``, ``pdf``…"""
    return str(getattr(request.accepted_renderer, "format", None) or "json")


def download(content: Any, *, filename: str, inline: bool = False) -> Response:
    """A file answer of a negotiated view, named ``filename`` (``inline``: shown, not saved)."""
    response = Response(content)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def file_response(content: str | bytes, *, media_type: str, filename: str) -> HttpResponse:
    """A file of one fixed format, to be saved as ``filename``."""
    charset = "; charset=utf-8" if isinstance(content, str) else ""
    response = HttpResponse(content, content_type=f"{media_type}{charset}")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
