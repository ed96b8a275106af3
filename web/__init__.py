"""巡检工作台: the inspection team's web console and the pre-publication check API (FastAPI + Jinja2 + HTMX).

:func:`xunjian.web.app.create_app` builds the application over the same database as the CLI; ``xunjian web``
serves it with uvicorn. See docs/web.md.
"""
