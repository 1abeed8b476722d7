"""Server-side SVG charts shared by the pages: pure functions of plain values.

``week`` (the week's blocks, stacked bars), ``timeline`` (the day), ``checks`` (latency) and
``team`` (weekly bars). Colours come from CSS classes, never ``style=""``, so the strict CSP
holds and dark mode follows the page; every text goes through ``escape``.
"""
