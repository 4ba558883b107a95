"""Content negotiation that refuses an unknown ``?format=`` as bad input, not as a 404."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

from saas_platform.errors import ValidationFailed


class FormatAwareNegotiation(DefaultContentNegotiation):
    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        offered = list(renderers)
        kept = [renderer for renderer in offered if renderer.format == format]
        if not kept:
            names = ", ".join(sorted({str(renderer.format) for renderer in offered})) or "json"
            raise ValidationFailed.for_field(
                "format", "invalid", f"This answer comes as {names}; choose one of these."
            )
        return kept
