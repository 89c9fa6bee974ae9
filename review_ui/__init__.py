"""The review web app: reviewers settle what the machine was unsure of, from the keyboard.

:func:`review_ui.app.create_app` builds the FastAPI app over a workspace store; ``sipas review``
serves it. Every HTML page has a JSON twin under ``/api/``; every route checks a role first.
"""

from __future__ import annotations
