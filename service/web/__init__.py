"""The explorer page: HTML, CSS and ES modules, served by ``service.api.routes.explorer``.

Plain files with no build step: ``index.html`` (the page, with ``{{assets}}`` where the
versioned asset directory goes), ``explorer.css``, ``js/`` (one module per concern, one per
view under ``js/views``) and ``vendor/`` (KaTeX, with its licence). Every number the page shows
comes from the API.
"""

__all__: list[str] = []
