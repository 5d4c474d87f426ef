"""QR codes as inline SVG (segno), scaled by CSS: sharp on paper and on a projector."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    # segno writes only its own markup around the encoded URL, so it is safe to inline.
    return mark_safe(segno.make(url, error="m").svg_inline(border=2, omitsize=True))
